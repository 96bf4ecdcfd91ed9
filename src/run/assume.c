/* Backends declared usable on a replayed machine.  A --sysroot replay has
 * no runtimes to ask (they would describe this machine, not the captured
 * one), so every GPU backend reads "not probed" and the policy could only
 * pick the CPU.  Tests and what-if runs declare, explicitly, which backends
 * the captured machine's runtimes saw; the mark says where it came from. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/system.h"
#include "run/run_int.h"
#include "xpu/run.h"

#define ASSUMED "assumed (XPU_ASSUME_USABLE)"

/* One "DEVICE:BACKEND[=INDEX]" item. */
static int assume_one(struct xpu_system *sys, char *item, char *err, size_t errlen)
{
	char *colon = strchr(item, ':');
	char *eq = strchr(item, '=');
	if (!colon || colon == item) {
		snprintf(err, errlen, "XPU_ASSUME_USABLE: '%s' is not DEVICE:BACKEND[=INDEX] "
			 "(e.g. 0:level_zero=0)", item);
		return -1;
	}
	*colon = '\0';
	if (eq)
		*eq = '\0';
	char *end;
	errno = 0;
	unsigned long dev = strtoul(item, &end, 10);
	if (*end || errno || dev >= sys->count) {
		snprintf(err, errlen, "XPU_ASSUME_USABLE: device '%s' is no index of 'xpu list' "
			 "(0..%zu)", item, sys->count ? sys->count - 1 : 0);
		return -1;
	}
	xpu_backend_kind b;
	if (!xpu_backend_parse(colon + 1, &b)) {
		char names[96];
		run_backend_names(names, sizeof(names));
		snprintf(err, errlen, "XPU_ASSUME_USABLE: unknown backend '%s' (%s)", colon + 1, names);
		return -1;
	}
	long index = 0;
	if (eq) {
		index = strtol(eq + 1, &end, 10);
		if (!eq[1] || *end || index < 0 || index > 1024) {
			snprintf(err, errlen, "XPU_ASSUME_USABLE: runtime index '%s' is not a number",
				 eq + 1);
			return -1;
		}
	}
	xpu_device *d = &sys->devices[dev];
	xpu_backend_set_usable(d, b, ASSUMED, d->name.value, (int)index);
	return 0;
}

int xpu_assume_usable(xpu_system *sys, const char *spec, char *err, size_t errlen)
{
	if (sys->runtimes_probed) {
		snprintf(err, errlen, "XPU_ASSUME_USABLE applies only to a replayed --sysroot whose "
			 "runtimes are not probed; unset it on a live machine");
		return -1;
	}
	char *copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = 0;
	char *save = NULL;
	for (char *item = strtok_r(copy, ", ", &save); item && rc == 0;
	     item = strtok_r(NULL, ", ", &save))
		rc = assume_one(sys, item, err, errlen);
	free(copy);
	return rc;
}
