/* xpu top: placeholder until its capability lands (owned by the telemetry work). */
#include "cli/cli.h"

int cmd_top(xpu_cli *cli, int argc, char **argv)
{
	cli_error(cli, "'top' is not built yet in this version");
	return XPU_EXIT_FAILURE;
}
