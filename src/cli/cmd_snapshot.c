/* xpu snapshot DIR: the files discovery reads, for bug reports and tests. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_snapshot(xpu_cli *cli, int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: %s snapshot DIR\n"
		       "Copies the parts of /sys, /proc and /dev that xpu reads into DIR, so that\n"
		       "'%s --sysroot DIR list' shows this machine anywhere. Device nodes become\n"
		       "empty files; runtimes (CUDA, NVML, Level Zero...) are not captured.\n",
		       cli->prog, cli->prog);
		return XPU_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		cli_error(cli, "snapshot needs one folder: '%s snapshot DIR'", cli->prog);
		return XPU_EXIT_USAGE;
	}
	char err[512];
	if (xpu_snapshot(&cli->opt, argv[1], err, sizeof(err)) != XPU_E_OK) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	fprintf(stderr, "%s: wrote %s; replay with '%s --sysroot %s list'\n", cli->prog, argv[1], cli->prog,
		argv[1]);
	return XPU_EXIT_OK;
}
