/* xpu config: placeholder until its capability lands (owned by the run work). */
#include "cli/cli.h"

int cmd_config(xpu_cli *cli, int argc, char **argv)
{
	cli_error(cli, "'config' is not built yet in this version");
	return XPU_EXIT_FAILURE;
}
