/* `xpu run`, shared with the launcher names (launcher.c). */
#ifndef XPU_CLI_CMD_RUN_H
#define XPU_CLI_CMD_RUN_H

#include <stdbool.h>

#include "cli/cli.h"

/* Exit codes of a command that could not be started, as shells use them. */
enum {
	XPU_EXIT_CANNOT_EXECUTE = 126,
	XPU_EXIT_NOT_FOUND = 127,
};

typedef struct run_opts {
	const char *app;            /* --app, or the launcher's profile */
	const char *backend;        /* --backend (command line precedence), or NULL */
	const char *backend_origin; /* "--backend", "comfyui-cuda", "--force-intel-xpu" */
	const char *device;         /* --device, or NULL */
	int fallback;               /* -1: from the configuration; 0 --strict; 1 --fallback */
	bool explain, print_env, dry_run;
	/* argv are arguments for the app's own command (config key apps.NAME,
	 * else the profile's command on PATH), not a command */
	bool app_command;
} run_opts;

/* Resolves, plans and execs COMMAND (argv[0..argc-1]).  Returns only on
 * failure, or after --print-env / --dry-run. */
int cli_run_app(xpu_cli *cli, const run_opts *o, int argc, char **argv);

#endif
