#include "cli/telemetry_opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_interval(const char *s, double *seconds)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return false;
	if (strcmp(end, "ms") == 0)
		v /= 1000.0;
	else if (strcmp(end, "m") == 0)
		v *= 60.0;
	else if (strcmp(end, "s") != 0 && *end)
		return false;
	if (v < 0.1 || v > 3600.0)
		return false;
	*seconds = v;
	return true;
}

xpu_sampler *cli_sampler(const xpu_cli *cli)
{
	xpu_sampler_options o = { .discovery = cli->opt };
	char err[512];
	xpu_sampler *s = xpu_sampler_new(&o, err, sizeof(err));
	if (!s)
		cli_error(cli, "%s", err);
	return s;
}
