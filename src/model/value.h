/* Setting a value together with its state: the device model's one rule is
 * that no value is ever set without saying whether it was read, and why not. */
#ifndef XPU_MODEL_VALUE_H
#define XPU_MODEL_VALUE_H

#include <stdarg.h>

#include "xpu/xpu.h"

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

#endif
