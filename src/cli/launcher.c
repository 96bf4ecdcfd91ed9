/* Launcher names (comfyui-ipex, ollama-ipex, ...): placeholder until `xpu run` lands. */
#include "cli/cli.h"

bool cli_launcher_dispatch(xpu_cli *cli, int argc, char **argv, int *status)
{
	return false;
}
