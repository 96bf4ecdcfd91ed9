/* Reading a file under the sysroot into a value, the state and reason
 * following from what the read gave (missing file, denied, garbage...). */
#ifndef XPU_MODEL_READ_H
#define XPU_MODEL_READ_H

#include "sys/sys.h"
#include "xpu/xpu.h"

/* Turn a read result into a value's status: MISSING reads "unsupported, file
 * missing", the rest "unavailable" with their reason.  detail names the path. */
void xpu_read_fail(xpu_status *st, xsys_rc rc, const char *machine_path);

/* Read into a value, recording the state: value = raw * mul / div. */
bool xpu_read_uint(const xsys *s, xpu_uint *dst, uint64_t mul, uint64_t div, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool xpu_read_real(const xsys *s, xpu_real *dst, double scale, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool xpu_read_text(const xsys *s, xpu_text *dst, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
