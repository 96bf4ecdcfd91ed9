/* Shared by `xpu top` and `xpu exporter`. */
#ifndef XPU_CLI_TELEMETRY_OPTS_H
#define XPU_CLI_TELEMETRY_OPTS_H

#include <stdbool.h>

#include "cli/cli.h"
#include "cli/opt_parse.h"
#include "xpu/telemetry.h"

static inline bool cli_ok(const xpu_status *st)
{
	return st->state == XPU_OK;
}

/* A sampler on the global options (sysroot, runtimes); prints the error and
 * returns NULL when it cannot start. */
xpu_sampler *cli_sampler(const xpu_cli *cli);

#endif
