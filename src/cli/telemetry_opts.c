#include "cli/telemetry_opts.h"

xpu_sampler *cli_sampler(const xpu_cli *cli)
{
	xpu_sampler_options o = { .discovery = cli->opt };
	char err[512];
	xpu_sampler *s = xpu_sampler_new(&o, err, sizeof(err));
	if (!s)
		cli_error(cli, "%s", err);
	return s;
}
