/* Shared by the fuzz targets: the text parsers take NUL-terminated strings,
 * the binary ones bytes and a length. */
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

/* The text after the first byte (which picks a mode), or NULL when there
 * is none. */
static inline char *fuzz_text_after_mode(const uint8_t *data, size_t size)
{
	return size ? fuzz_text(data + 1, size - 1) : NULL;
}

/* A heap copy of exactly size bytes (binary input: no terminator), so ASan
 * sees a read past the end. */
static inline uint8_t *fuzz_bytes(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1);
	if (b && size)
		memcpy(b, data, size);
	return b;
}

#endif
