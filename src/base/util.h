/* Small helpers for every layer: bounded strings, word lists, the clock.
 * The base layer includes nothing else of the project (docs/design.md,
 * "Layers"), so anything may use it. */
#ifndef XPU_BASE_UTIL_H
#define XPU_BASE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XPU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Copies with truncation; always terminates (len > 0).  Returns src's length. */
size_t xpu_strlcpy(char *dst, const char *src, size_t len);
/* Copies at most n bytes of src, which may lack a terminator (a fixed field a
 * library filled in), into dst of len bytes; always terminates (len > 0). */
void xpu_strlcpy_n(char *dst, size_t len, const char *src, size_t n);
/* Whether WORD is one of the words of LIST, separated by white space.  An
 * empty word is in no list. */
bool xpu_word_in(const char *list, const char *word);
/* Appends a formatted part to the string in buf (size len), with sep between
 * it and what buf already holds; truncates, always terminates. */
void xpu_append(char *buf, size_t len, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with a va_list. */
void xpu_vappend(char *buf, size_t len, const char *sep, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* True when s starts with prefix. */
int xpu_starts_with(const char *s, const char *prefix);

/* The natural logarithm, without libm: libm is the one shared library every
 * start of xpu would otherwise load (about 0.1 ms of each `xpu list` on a
 * small VM: docs/design.md, "Start-up cost").  Within 1 ulp or so for
 * x > 0; NaN for x < 0 or NaN, -HUGE_VAL for 0, x for +inf. */
double xpu_ln(double x);

/* Milliseconds on the monotonic clock. */
double xpu_now_ms(void);
/* XPU_DEBUG=timing: prints "xpu: timing: WHAT N.NN ms" (since start_ms) on
 * stderr, for perf work on machines without a profiler; silent otherwise. */
void xpu_trace_time(const char *what, double start_ms);
/* The same line for a duration measured elsewhere (another thread). */
void xpu_trace_ms(const char *what, double ms);

#endif
