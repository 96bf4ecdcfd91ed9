/* INI files through inih (libinih-dev).  inih calls the handler per
 * key = value and returns the line number of the first handler or syntax
 * error, which gives the FILE:LINE of every message. */
#include "run/ini.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"

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

int xpu_ini_parse(const char *file, const char *text, xpu_ini_handler handler, void *user,
		  char *err, size_t errlen)
{
	xpu_ini_ctx ctx = { .file = file, .user = user };
	trampoline t = { &ctx, handler };
	int line = ini_parse_string(text, on_value, &t);
	if (line > 0) {
		snprintf(err, errlen, "%s:%d: %s", file, line,
			 ctx.problem[0] ? ctx.problem : "not a 'key = value' line, a [section] "
			 "or a comment");
		return XPU_INI_ERROR;
	}
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot read: out of memory", file);
		return XPU_INI_ERROR;
	}
	return XPU_INI_OK;
}

int xpu_ini_load(const char *file, xpu_ini_handler handler, void *user, char *err, size_t errlen)
{
	char *text;
	size_t len;
	/* A config or profile decides what runs, often as root: a file
	 * another user may write is refused, as ssh and sudo refuse theirs;
	 * a FIFO or a device is refused before it is opened. */
	xpu_file_rc rc = xpu_file_read(-1, file, XPU_FILE_TRUSTED, XPU_INI_MAX, &text, &len, err,
				       errlen);
	if (rc == XPU_FILE_MISSING)
		return XPU_INI_MISSING;
	if (rc != XPU_FILE_OK)
		return XPU_INI_ERROR;
	if (memchr(text, '\0', len)) {
		free(text);
		snprintf(err, errlen, "%s: a NUL byte: not a text file", file);
		return XPU_INI_ERROR;
	}
	int ret = xpu_ini_parse(file, text, handler, user, err, errlen);
	free(text);
	return ret;
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
