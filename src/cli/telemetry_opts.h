/* Shared by `xpu top` and `xpu exporter`. */
#ifndef XPU_CLI_TELEMETRY_OPTS_H
#define XPU_CLI_TELEMETRY_OPTS_H

#include <stdbool.h>

#include "cli/cli.h"
#include "xpu/telemetry.h"

static inline bool cli_ok(const xpu_status *st)
{
	return st->state == XPU_OK;
}

/* "500ms", "1s", "1.5", "2m" -> seconds, within 0.1 s .. 1 h. */
bool cli_parse_interval(const char *s, double *seconds);
/* A sampler on the global options (sysroot, runtimes); prints the error and
 * returns NULL when it cannot start. */
xpu_sampler *cli_sampler(const xpu_cli *cli);

#endif
