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

/* A config or profile is a few KiB; more is no such file. */
#define XPU_INI_MAX (256u << 10)

/* Parses file; MISSING when it does not exist (callers decide whether that
 * matters); ERROR with "FILE:LINE: problem" or "FILE: why it cannot be read"
 * (not a regular file, larger than XPU_INI_MAX, or untrusted: writable by
 * others than its owner, or owned by someone other than root or the caller,
 * with the chmod or chown that fixes it; base/file.h). */
int xpu_ini_load(const char *file, xpu_ini_handler handler, void *user, char *err, size_t errlen);
/* The same on text already read, named file in messages (the fuzzer's entry). */
int xpu_ini_parse(const char *file, const char *text, xpu_ini_handler handler, void *user,
		  char *err, size_t errlen);

/* Environment variable names: [A-Za-z_][A-Za-z0-9_]* */
bool xpu_env_name_ok(const char *name);

#endif
