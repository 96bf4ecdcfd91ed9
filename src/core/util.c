#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool xpu_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *w = strstr(list, word); w; w = strstr(w + 1, word))
		if ((w == list || w[-1] == ' ') && (w[n] == '\0' || w[n] == ' '))
			return true;
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

int xpu_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void xpu_set_ok(xpu_status *st)
{
	st->state = XPU_OK;
	st->reason = XPU_R_NONE;
	st->detail[0] = '\0';
}

void xpu_vset_status(xpu_status *st, xpu_state state, xpu_reason reason, const char *fmt, va_list ap)
{
	st->state = state;
	st->reason = reason;
	st->detail[0] = '\0';
	if (fmt)
		vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
}

void xpu_set_status(xpu_status *st, xpu_state state, xpu_reason reason, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xpu_vset_status(st, state, reason, fmt, ap);
	va_end(ap);
}

void xpu_set_uint(xpu_uint *v, uint64_t value)
{
	v->value = value;
	xpu_set_ok(&v->status);
}

void xpu_set_real(xpu_real *v, double value)
{
	v->value = value;
	xpu_set_ok(&v->status);
}

void xpu_set_text(xpu_text *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->value, sizeof(v->value), fmt, ap);
	va_end(ap);
	xpu_set_ok(&v->status);
}

double xpu_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void xpu_trace_time(const char *what, double start_ms)
{
	const char *debug = getenv("XPU_DEBUG");
	if (debug && strstr(debug, "timing"))
		fprintf(stderr, "xpu: timing: %-28s %8.2f ms\n", what, xpu_now_ms() - start_ms);
}
