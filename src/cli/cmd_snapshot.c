/* xpu snapshot DIR: the files discovery reads, for bug reports and tests. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(const xpu_cli *cli)
{
	printf("Usage: %s snapshot DIR\n"
	       "Copies the parts of /sys, /proc and /dev that xpu reads into DIR, so that\n"
	       "'%s --sysroot DIR list' shows this machine anywhere. Device nodes become\n"
	       "empty files; runtimes (CUDA, NVML, Level Zero...) are not captured.\n"
	       "DIR must be new or empty, and not a link; a file longer than %d KiB is\n"
	       "cut there, and named on stderr.\n",
	       cli->prog, cli->prog, XPU_SNAPSHOT_FILE_MAX >> 10);
}

int cmd_snapshot(xpu_cli *cli, int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(cli);
		return XPU_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		cli_error(cli, "snapshot needs one folder: '%s snapshot DIR'", cli->prog);
		return XPU_EXIT_USAGE;
	}
	char err[512];
	xpu_snapshot_result res;
	if (xpu_snapshot(&cli->opt, argv[1], &res, err, sizeof(err)) != XPU_E_OK) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	for (unsigned i = 0; i < res.cut && i < sizeof(res.cut_paths) / sizeof(res.cut_paths[0]); i++)
		fprintf(stderr, "%s: cut at %d KiB (longer on this machine): %s\n", cli->prog,
			XPU_SNAPSHOT_FILE_MAX >> 10, res.cut_paths[i]);
	if (res.cut > sizeof(res.cut_paths) / sizeof(res.cut_paths[0]))
		fprintf(stderr, "%s: ... and %u more files cut\n", cli->prog,
			res.cut - (unsigned)(sizeof(res.cut_paths) / sizeof(res.cut_paths[0])));
	fprintf(stderr, "%s: wrote %u files to %s; replay with '%s --sysroot %s list'\n", cli->prog,
		res.files, argv[1], cli->prog, argv[1]);
	return XPU_EXIT_OK;
}
