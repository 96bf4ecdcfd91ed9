/* Small helpers shared by every layer: bounded strings and value setters. */
#ifndef XPU_UTIL_H
#define XPU_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "xpu/xpu.h"

#define XPU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Copies with truncation; always terminates (len > 0).  Returns src's length. */
size_t xpu_strlcpy(char *dst, const char *src, size_t len);
/* Whether WORD is one of the space-separated words of LIST. */
bool xpu_word_in(const char *list, const char *word);
/* True when s starts with prefix. */
int xpu_starts_with(const char *s, const char *prefix);

void xpu_set_ok(xpu_status *st);
void xpu_set_status(xpu_status *st, xpu_state state, xpu_reason reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with a va_list, for the variadic helpers of other layers. */
__attribute__((format(printf, 4, 0))) void xpu_vset_status(xpu_status *st, xpu_state state,
							   xpu_reason reason, const char *fmt, va_list ap);
void xpu_set_uint(xpu_uint *v, uint64_t value);
void xpu_set_real(xpu_real *v, double value);
void xpu_set_text(xpu_text *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int xpu_is_ok(const xpu_status *st)
{
	return st->state == XPU_OK;
}

/* Milliseconds on the monotonic clock. */
double xpu_now_ms(void);
/* XPU_DEBUG=timing: prints "xpu: timing: WHAT N.NN ms" (since start_ms) on
 * stderr, for perf work on machines without a profiler; silent otherwise. */
void xpu_trace_time(const char *what, double start_ms);

#endif
