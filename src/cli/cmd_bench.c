/* xpu bench: placeholder until its capability lands (owned by the bench work). */
#include "cli/cli.h"

int cmd_bench(xpu_cli *cli, int argc, char **argv)
{
	cli_error(cli, "'bench' is not built yet in this version");
	return XPU_EXIT_FAILURE;
}
