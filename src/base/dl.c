#include "base/dl.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

int xpu_dl_absent(const char *msg)
{
	return strstr(msg, "No such file or directory") != NULL;
}

void *xpu_dl_open(const char *const *names, char *err, size_t errlen)
{
	char why[160] = "";
	size_t used = 0;
	if (err && errlen)
		err[0] = '\0';
	for (size_t i = 0; names && names[i]; i++) {
		/* RTLD_LOCAL: the runtime's symbols must not leak into (or clash
		 * with) anything else this process loads. */
		void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (h)
			return h;
		const char *e = dlerror();
		/* Keep the last error, unless an earlier name was present but
		 * broken: that one says more. */
		if (e && (!why[0] || xpu_dl_absent(why)))
			xpu_strlcpy(why, e, sizeof(why));
		if (err && errlen && used < errlen) {
			int n = snprintf(err + used, errlen - used, "%s%s", i ? ", " : "", names[i]);
			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (err && errlen && used < errlen)
		snprintf(err + used, errlen - used, " not found%s%s", why[0] ? ": " : "", why);
	return NULL;
}

void *xpu_dl_sym(void *lib, const char *const *names)
{
	if (!lib)
		return NULL;
	for (size_t i = 0; names && names[i]; i++) {
		void *p = dlsym(lib, names[i]);
		if (p)
			return p;
	}
	return NULL;
}

int xpu_dl_fn(void *lib, void *fnslot, ...)
{
	void *p = NULL;
	va_list ap;
	va_start(ap, fnslot);
	for (const char *n = va_arg(ap, const char *); n && !p; n = va_arg(ap, const char *))
		p = lib ? dlsym(lib, n) : NULL;
	va_end(ap);
	memcpy(fnslot, &p, sizeof(p));
	return p != NULL;
}
