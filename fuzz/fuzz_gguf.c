/* libFuzzer target: the GGUF header reader (src/core/gguf.c), on the bytes
 * as the header and as the whole file; what it says must hold together. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gguf.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = fuzz_bytes(data, size);
	if (!b)
		return 0;
	xpu_gguf_model m;
	size_t need;
	char why[256];
	for (int whole = 0; whole < 2; whole++) {
		uint64_t file = whole ? size : (uint64_t)size + (1u << 30);
		xpu_gguf_rc rc = xpu_gguf_parse(b, size, file, &m, &need, why, sizeof(why));
		if (!memchr(why, '\0', sizeof(why)))
			abort();
		if (rc == XPU_GGUF_OK && (m.data_end > file || m.weight_bytes_per_token > m.tensor_bytes ||
					  !memchr(m.arch, '\0', sizeof(m.arch))))
			abort();
		if (rc == XPU_GGUF_TRUNCATED && need && need <= size)
			abort(); /* asks for more than it had */
	}
	free(b);
	return 0;
}
