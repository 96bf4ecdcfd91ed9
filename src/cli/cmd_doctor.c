/* xpu doctor: placeholder until its capability lands (owned by the doctor work). */
#include "cli/cli.h"

int cmd_doctor(xpu_cli *cli, int argc, char **argv)
{
	cli_error(cli, "'doctor' is not built yet in this version");
	return XPU_EXIT_FAILURE;
}
