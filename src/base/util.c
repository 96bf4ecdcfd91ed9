#include "base/util.h"

#include <ctype.h>
#include <math.h>
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

double xpu_ln(double x)
{
	if (isnan(x) || x < 0)
		return NAN;
	if (x == 0)
		return -HUGE_VAL;
	if (isinf(x))
		return x;
	/* fdlibm's reduction: x = (1 + f) * 2^k with 1 + f in [sqrt(1/2),
	 * sqrt(2)); ln(1 + f) = f - (hfsq - s (hfsq + R)) with s = f / (2 + f),
	 * hfsq = f^2 / 2 and R = sum 2 s^2j / (2j + 1), |s| < 0.172: the series
	 * falls by s^2 < 0.03 a term, 12 terms reach below 2^-60; ln 2 is split
	 * in two so that k ln 2 stays exact to 2^-80 */
	const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
	int k = 0;
	if (x < 0x1p-1022) { /* subnormal: scale into the normal range first */
		x *= 0x1p54;
		k = -54;
	}
	/* frexp's split by hand: frexp is libm's too, where the link finds it first */
	uint64_t bits;
	memcpy(&bits, &x, sizeof(bits));
	k += (int)((bits >> 52) & 0x7ff) - 1022;
	bits = (bits & ~(0x7ffull << 52)) | (1022ull << 52);
	double m;
	memcpy(&m, &bits, sizeof(m));
	if (m < 0.70710678118654752440) {
		m *= 2;
		k--;
	}
	double f = m - 1, s = f / (2 + f), s2 = s * s, hfsq = 0.5 * f * f;
	double R = 0, power = s2;
	for (int j = 1; j <= 12; j++) {
		R += 2 * power / (2 * j + 1);
		power *= s2;
	}
	return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
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
