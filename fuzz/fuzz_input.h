/* Shared by the fuzz targets: the parsers take NUL-terminated text. */
#ifndef XPU_FUZZ_INPUT_H
#define XPU_FUZZ_INPUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy with a terminator, exactly size + 1 bytes so ASan sees overreads. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
