/* libFuzzer target: the OpenCL ICD manifest reader's parser
 * (xpu_parse_icd_library, src/sys/parse.c), what /etc/OpenCL/vendors/NAME.icd
 * or any OCL_ICD_VENDORS folder holds.  The first byte picks the output's
 * length; aborts when a library is unterminated, empty or padded. */
#include <string.h>

#include "fuzz_input.h"
#include "sys/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t len = data[0] % 64;
	char *s = fuzz_text(data + 1, size - 1);
	char *out = malloc(len ? len : 1);
	if (s && out && xpu_parse_icd_library(s, out, len)) {
		size_t n = strnlen(out, len);
		if (n == len || n == 0 || out[0] == ' ' || out[n - 1] == ' ' || strchr(out, '\n'))
			abort();
	}
	free(out);
	free(s);
	return 0;
}
