/* xpu run: placeholder until its capability lands (owned by the run work). */
#include "cli/cli.h"

int cmd_run(xpu_cli *cli, int argc, char **argv)
{
	cli_error(cli, "'run' is not built yet in this version");
	return XPU_EXIT_FAILURE;
}
