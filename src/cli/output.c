#include <inttypes.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

void cli_error(const xpu_cli *cli, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

const char *fmt_uint(const xpu_uint *v, const char *unit, char *buf, size_t len)
{
	if (v->status.state != XPU_OK)
		return xpu_status_describe(&v->status, buf, len);
	snprintf(buf, len, "%" PRIu64 "%s%s", v->value, unit[0] ? " " : "", unit);
	return buf;
}

const char *fmt_real(const xpu_real *v, int decimals, const char *unit, char *buf, size_t len)
{
	if (v->status.state != XPU_OK)
		return xpu_status_describe(&v->status, buf, len);
	snprintf(buf, len, "%.*f%s%s", decimals, v->value, unit[0] ? " " : "", unit);
	return buf;
}

const char *fmt_text(const xpu_text *v, char *buf, size_t len)
{
	if (v->status.state != XPU_OK)
		return xpu_status_describe(&v->status, buf, len);
	snprintf(buf, len, "%s", v->value);
	return buf;
}

const char *fmt_mem(const xpu_uint *v, char *buf, size_t len)
{
	if (v->status.state != XPU_OK)
		return xpu_status_describe(&v->status, buf, len);
	return fmt_bytes(v->value, buf, len);
}

int cli_cache_choice(const xpu_cli *cli, int def)
{
	return cli->cache >= 0 ? cli->cache : def;
}

xpu_system *cli_discover(const xpu_cli *cli)
{
	char err[512];
	xpu_system *sys = NULL;
	if (xpu_discover(&cli->opt, &sys, err, sizeof(err)) != XPU_E_OK) {
		cli_error(cli, "%s", err);
		return NULL;
	}
	return sys;
}

int cli_report_options(xpu_cli *cli, int argc, char **argv, const char *command, const char *help)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': cli->json = true; break;
		case 'v': cli->verbose = true; break;
		case 'h':
			printf("Usage: %s %s [--json] [-v]\n%s", cli->prog, command, help);
			return -1;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", cli->prog, command);
			return XPU_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(cli, "%s takes no argument ('%s'); see '%s %s --help'", command, argv[optind],
			  cli->prog, command);
		return XPU_EXIT_USAGE;
	}
	return 0;
}
