#include "model/value.h"

#include <stdio.h>

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
