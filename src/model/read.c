#include "model/read.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/util.h"
#include "model/value.h"

void xpu_read_fail(xpu_status *st, xsys_rc rc, const char *machine_path)
{
	static const struct {
		xpu_reason reason;
		const char *why; /* after the path, where the reason alone does not say */
	} reasons[] = {
		[XSYS_OK] = { XPU_R_NONE, "" },
		[XSYS_MISSING] = { XPU_R_FILE_MISSING, "" },
		[XSYS_DENIED] = { XPU_R_PERMISSION_DENIED, "" },
		[XSYS_EMPTY] = { XPU_R_EMPTY, "" },
		[XSYS_GARBAGE] = { XPU_R_UNPARSABLE, "" },
		[XSYS_IO] = { XPU_R_IO_ERROR, "" },
		[XSYS_NOT_FILE] = { XPU_R_IO_ERROR, ": not a regular file in the sysroot" },
		[XSYS_OUTSIDE] = { XPU_R_IO_ERROR, ": a link out of the sysroot, not followed" },
		[XSYS_TOO_LARGE] = { XPU_R_UNPARSABLE, ": larger than xpu reads of it" },
	};
	size_t i = (size_t)rc < XPU_ARRAY_LEN(reasons) ? (size_t)rc : XSYS_IO;
	st->state = rc == XSYS_MISSING ? XPU_UNSUPPORTED : XPU_UNAVAILABLE;
	st->reason = reasons[i].reason;
	snprintf(st->detail, sizeof(st->detail), "%s%s", machine_path, reasons[i].why);
}

__attribute__((format(printf, 3, 0)))
static void vmachine_path(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
}

bool xpu_read_uint(const xsys *s, xpu_uint *dst, uint64_t mul, uint64_t div, const char *fmt, ...)
{
	char mpath[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine_path(mpath, sizeof(mpath), fmt, ap);
	va_end(ap);
	uint64_t v;
	xsys_rc rc = xsys_u64(s, &v, "%s", mpath);
	if (rc != XSYS_OK) {
		xpu_read_fail(&dst->status, rc, mpath);
		return false;
	}
	dst->value = div ? v * mul / div : v * mul;
	xpu_set_ok(&dst->status);
	return true;
}

bool xpu_read_real(const xsys *s, xpu_real *dst, double scale, const char *fmt, ...)
{
	char mpath[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine_path(mpath, sizeof(mpath), fmt, ap);
	va_end(ap);
	int64_t v;
	xsys_rc rc = xsys_i64(s, &v, "%s", mpath);
	if (rc != XSYS_OK) {
		xpu_read_fail(&dst->status, rc, mpath);
		return false;
	}
	dst->value = (double)v * scale;
	xpu_set_ok(&dst->status);
	return true;
}

bool xpu_read_text(const xsys *s, xpu_text *dst, const char *fmt, ...)
{
	char mpath[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine_path(mpath, sizeof(mpath), fmt, ap);
	va_end(ap);
	xsys_rc rc = xsys_text(s, dst->value, sizeof(dst->value), "%s", mpath);
	if (rc != XSYS_OK) {
		dst->value[0] = '\0';
		xpu_read_fail(&dst->status, rc, mpath);
		return false;
	}
	xpu_set_ok(&dst->status);
	return true;
}
