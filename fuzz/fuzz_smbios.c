/* libFuzzer target: an SMBIOS structure table as /sys/firmware/dmi/tables/DMI
 * holds it, through the type 17 parser, the channel rules and the peak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "sys/smbios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = fuzz_bytes(data, size);
	xpu_smbios_memory *m = malloc(sizeof(*m));
	if (!b || !m) {
		free(b);
		free(m);
		return 0;
	}
	char err[160], key[48];
	if (xpu_smbios_memory_parse(b, size, m, err, sizeof(err))) {
		if (m->n_devices > XPU_SMBIOS_MAX_DEVICES)
			abort();
		for (size_t i = 0; i < m->n_devices; i++) {
			const xpu_dimm *d = &m->dev[i];
			if (!memchr(d->locator, '\0', sizeof(d->locator)) ||
			    !memchr(d->bank, '\0', sizeof(d->bank)))
				abort();
			if (xpu_dimm_channel(d, key, sizeof(key)) && !memchr(key, '\0', sizeof(key)))
				abort();
		}
		xpu_dram_peak p;
		if (xpu_smbios_dram_peak(m, &p) && !(p.gb_s > 0))
			abort();
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		abort();
	}
	free(m);
	free(b);
	return 0;
}
