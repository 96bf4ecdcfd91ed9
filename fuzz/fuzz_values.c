/* libFuzzer target: the small value parsers of src/sys/parse.c.
 * The input is one NUL-terminated string; its first byte also picks buffer
 * lengths, and its first line serves as the key for xpu_kv_get. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "sys/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;

	uint64_t u;
	int64_t i;
	double d;
	unsigned n;
	uint16_t a, b;
	(void)xpu_parse_u64(s, &u);
	(void)xpu_parse_i64(s, &i);
	(void)xpu_parse_double(s, &d);
	(void)xpu_parse_size(s, &u);
	(void)xpu_parse_cpulist_count(s, &n);
	(void)xpu_parse_id_pair(s, &a, &b);
	xpu_pci_place place;
	if (xpu_parse_pci_place(s, &place) && (!place.root[0] || !place.depth ||
					       place.depth > XPU_PCI_MAX_DEPTH))
		abort(); /* a place has its host bridge and at least the device */
	/* the input's bytes as a CPU mask, into an exact buffer */
	unsigned long words[4] = { 0 };
	memcpy(words, data, size < sizeof(words) ? size : sizeof(words));

	/* /proc/stat's cpu line: idle and steal are parts of the total */
	xpu_cpu_ticks ticks;
	if (xpu_parse_proc_stat(s, &ticks) && (ticks.idle > ticks.total || ticks.steal > ticks.total))
		abort();

	/* an output buffer of exactly the length given, so ASan sees overruns */
	size_t len = size ? (size_t)data[0] % 33 : 13; /* 0..32; "0000:18:00.0" needs 13 */
	char *out = malloc(len ? len : 1);
	if (out) {
		if (xpu_pci_normalize(s, out, len) && strlen(out) != 12)
			abort(); /* a normalised address is always dddd:bb:dd.f */
		if (xpu_cpulist_from_mask(words, 4, out, len) && strlen(out) >= len)
			abort();

		/* fixed keys, as the callers use them */
		static const char *const keys[] = { "DRIVER", "PCI_SLOT_NAME", "PCI_ID", "Model",
						    "GPU UUID", "Bus Location", "model name", "" };
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			(void)xpu_kv_get(s, keys[k], '=', out, len);
			(void)xpu_kv_get(s, keys[k], ':', out, len);
		}
		/* and the first line of the input as the key, searched in the rest */
		char *nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			if (xpu_kv_get(nl + 1, s, '=', out, len) && len && strlen(out) >= len)
				abort();
			if (xpu_kv_get(nl + 1, s, ':', out, len) && len && strlen(out) >= len)
				abort();
		}
		free(out);
	}
	free(s);
	return 0;
}
