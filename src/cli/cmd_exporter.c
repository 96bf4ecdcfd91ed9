/* xpu exporter: placeholder until its capability lands (owned by the telemetry work). */
#include "cli/cli.h"

int cmd_exporter(xpu_cli *cli, int argc, char **argv)
{
	cli_error(cli, "'exporter' is not built yet in this version");
	return XPU_EXIT_FAILURE;
}
