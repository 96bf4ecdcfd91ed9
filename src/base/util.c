#include "base/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool xpu_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	if (n == 0)
		return false; /* strstr finds "" everywhere; no list holds an empty word */
	for (const char *w = strstr(list, word); w; w = strstr(w + n, word)) {
		bool starts = w == list || isspace((unsigned char)w[-1]);
		bool ends = w[n] == '\0' || isspace((unsigned char)w[n]);
		if (starts && ends)
			return true;
	}
	return false;
}

size_t xpu_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);
	if (len) {
		size_t c = n < len - 1 ? n : len - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void xpu_strlcpy_n(char *dst, size_t len, const char *src, size_t n)
{
	if (!len)
		return;
	size_t c = src ? strnlen(src, n) : 0;
	if (c > len - 1)
		c = len - 1;
	if (c)
		memcpy(dst, src, c);
	dst[c] = '\0';
}

void xpu_vappend(char *buf, size_t len, const char *sep, const char *fmt, va_list ap)
{
	size_t used = strnlen(buf, len);
	size_t seplen = strlen(sep);
	if (used && used + seplen < len) {
		memcpy(buf + used, sep, seplen + 1);
		used += seplen;
	}
	if (used + 1 >= len)
		return;
	vsnprintf(buf + used, len - used, fmt, ap);
}

void xpu_append(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xpu_vappend(buf, len, sep, fmt, ap);
	va_end(ap);
}

int xpu_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

double xpu_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void xpu_trace_time(const char *what, double start_ms)
{
	xpu_trace_ms(what, xpu_now_ms() - start_ms);
}

void xpu_trace_ms(const char *what, double ms)
{
	const char *debug = getenv("XPU_DEBUG");
	if (debug && strstr(debug, "timing"))
		fprintf(stderr, "xpu: timing: %-28s %8.2f ms\n", what, ms);
}
