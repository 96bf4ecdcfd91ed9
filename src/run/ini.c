/* INI files through inih (libinih-dev).  inih calls the handler per
 * key = value and returns the line number of the first handler or syntax
 * error, which gives the FILE:LINE of every message. */
#include "run/ini.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int xpu_ini_problem(xpu_ini_ctx *ctx, const char *fmt, ...)
{
	if (!ctx->problem[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ctx->problem, sizeof(ctx->problem), fmt, ap);
		va_end(ap);
	}
	return 0;
}

typedef struct trampoline {
	xpu_ini_ctx *ctx;
	xpu_ini_handler handler;
} trampoline;

static int on_value(void *user, const char *section, const char *key, const char *value)
{
	trampoline *t = user;
	/* a line that only follows a problem would overwrite nothing anyway */
	return t->handler(t->ctx, section, key, value);
}

int xpu_ini_load(const char *file, xpu_ini_handler handler, void *user, char *err, size_t errlen)
{
	FILE *f = fopen(file, "re");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return XPU_INI_MISSING;
		snprintf(err, errlen, "%s: cannot read: %s (fix its permissions or remove it)", file,
			 strerror(errno));
		return XPU_INI_ERROR;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read: not a regular file (remove it or make it "
			 "an INI file)", file);
		return XPU_INI_ERROR;
	}
	xpu_ini_ctx ctx = { .file = file, .user = user };
	trampoline t = { &ctx, handler };
	int line = ini_parse_file(f, on_value, &t);
	int read_error = ferror(f);
	fclose(f);
	if (line > 0) {
		snprintf(err, errlen, "%s:%d: %s", file, line,
			 ctx.problem[0] ? ctx.problem : "not a 'key = value' line, a [section] "
			 "or a comment");
		return XPU_INI_ERROR;
	}
	if (line < 0 || read_error) {
		snprintf(err, errlen, "%s: cannot read: %s", file,
			 line == -2 ? "out of memory" : "read error");
		return XPU_INI_ERROR;
	}
	return XPU_INI_OK;
}

bool xpu_env_name_ok(const char *name)
{
	if (!name[0] || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9')))
			return false;
	return true;
}
