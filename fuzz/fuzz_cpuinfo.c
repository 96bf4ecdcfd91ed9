/* libFuzzer target: the first block of /proc/cpuinfo (model and flags; the
 * CPU's identity and clock), and flag lookups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fuzz_input.h"
#include "sys/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;

	xpu_cpuinfo *ci = malloc(sizeof(*ci));
	if (ci) {
		if (xpu_parse_cpuinfo(s, ci)) {
			if (!memchr(ci->model, '\0', sizeof(ci->model)) ||
			    !memchr(ci->flags, '\0', sizeof(ci->flags)))
				abort();
			/* the words the CPU backend looks for */
			static const char *const words[] = { "avx2", "avx512f", "avx512_bf16", "avx512_vnni",
							     "avx_vnni", "amx_tile", "amx_bf16", "amx_int8",
							     "asimd", "sve" };
			for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
				(void)xpu_word_in(ci->flags, words[i]);
		}
		free(ci);
	}
	xpu_cpu_id id;
	if (xpu_parse_cpu_id(s, &id) &&
	    (!memchr(id.vendor, '\0', sizeof(id.vendor)) ||
	     !memchr(id.model_name, '\0', sizeof(id.model_name)) || id.mhz < 0 || id.mhz >= 1e5))
		abort();

	/* the input's first line as the word, the rest as the list */
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		(void)xpu_word_in(nl + 1, s);
	}
	free(s);
	return 0;
}
