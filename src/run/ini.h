/* INI files through inih, with errors as "FILE:LINE: what is wrong". */
#ifndef XPU_RUN_INI_H
#define XPU_RUN_INI_H

#include <stdbool.h>
#include <stddef.h>

/* What a handler reports: the first problem only (inih keeps going and
 * returns the line of the first error). */
typedef struct xpu_ini_ctx {
	const char *file;
	char problem[256];
	void *user;
} xpu_ini_ctx;

typedef int (*xpu_ini_handler)(xpu_ini_ctx *ctx, const char *section, const char *key,
			       const char *value);

/* Records the first problem and returns 0, inih's "error on this line". */
int xpu_ini_problem(xpu_ini_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum { XPU_INI_OK = 0, XPU_INI_MISSING, XPU_INI_ERROR };

/* Parses file; MISSING when it does not exist (callers decide whether that
 * matters); ERROR with "FILE:LINE: problem" or "FILE: why it cannot be read". */
int xpu_ini_load(const char *file, xpu_ini_handler handler, void *user, char *err, size_t errlen);

/* Environment variable names: [A-Za-z_][A-Za-z0-9_]* */
bool xpu_env_name_ok(const char *name);

#endif
