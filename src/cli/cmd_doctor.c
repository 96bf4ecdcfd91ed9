/* xpu doctor: every check with its verdict, evidence and fix, grouped; or
 * --json.  Exit status 0 all pass, 1 warnings only, 2 any failure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "xpu/doctor.h"

/* Doctor's own exit statuses (the issue fixes them): a failed check and a
 * bad command line are both 2; 3 when doctor itself could not run. */
enum { DOCTOR_EXIT_USAGE = 2, DOCTOR_EXIT_CANNOT_RUN = 3 };

static void doctor_usage(const char *prog)
{
	char apps[512];
	if (!xpu_doctor_apps(apps, sizeof(apps)))
		snprintf(apps, sizeof(apps), "none found: see 'xpu config'");
	printf("Usage: %s doctor [--app NAME] [--url URL] [--json] [--timeout S] [--python-timeout S]\n"
	       "Checks why an app does not use the GPU: kernel driver, device access, userspace\n"
	       "runtimes (CUDA, Level Zero, OpenCL, Vulkan), Python and torch, the app's server,\n"
	       "and what the device family supports. Each check says PASS, WARN, FAIL or SKIP with\n"
	       "one line of evidence and, for WARN and FAIL, the fix (NixOS options on NixOS).\n"
	       "\n"
	       "  --app NAME           also check an app's server and service: any app with a\n"
	       "                       profile (here: %s)\n"
	       "  --url URL            the app's address (default: the variable the app profile\n"
	       "                       names as url_env, else the profile's url)\n"
	       "  --timeout S          limit for each HTTP request, in seconds (default 3)\n"
	       "  --python-timeout S   limit for the python/torch probe, in seconds (default 30)\n"
	       "  --json               every check as JSON (id, group, verdict, evidence, fix)\n"
	       "\n"
	       "The app checks read the app's profile of 'xpu run' (see 'xpu config'): the\n"
	       "service's variables are held against the profile's section for its backend.\n"
	       "Environment: XPU_PYTHON (the interpreter to probe; default python3 in PATH),\n"
	       "XPU_PROFILES_DIR (the app profiles' folder).\n"
	       "Exit status: 0 every check passed or was skipped; 1 warnings only; 2 a check\n"
	       "failed, or a bad command line; 3 doctor could not run (e.g. unreadable sysroot).\n",
	       prog, apps);
}

static bool parse_seconds(const char *arg, double *out)
{
	char *end = NULL;
	double v = strtod(arg, &end);
	if (!end || *end || !(v > 0) || v > 3600)
		return false;
	*out = v;
	return true;
}

/* An app without a profile: one line with the apps that have one. */
static int unknown_app(xpu_cli *cli, const char *name)
{
	char apps[512];
	if (xpu_doctor_apps(apps, sizeof(apps)))
		cli_error(cli, "doctor --app: unknown app '%s'; apps (those with a profile): %s", name, apps);
	else
		cli_error(cli, "doctor --app: unknown app '%s'; no app profile found (see 'xpu config')", name);
	return DOCTOR_EXIT_USAGE;
}

enum { OPT_APP = 256, OPT_URL, OPT_TIMEOUT, OPT_PY_TIMEOUT, OPT_JSON_ };

/* 0 to go on, -1 after --help, else the exit status. */
static int doctor_options(xpu_cli *cli, int argc, char **argv, xpu_doctor_options *o)
{
	static const struct option opts[] = {
		{ "app", required_argument, NULL, OPT_APP },
		{ "url", required_argument, NULL, OPT_URL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "python-timeout", required_argument, NULL, OPT_PY_TIMEOUT },
		{ "json", no_argument, NULL, OPT_JSON_ },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_APP:
			if (!xpu_doctor_app_known(optarg))
				return unknown_app(cli, optarg);
			o->app = optarg;
			break;
		case OPT_URL:
			if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0) {
				cli_error(cli, "doctor --url: '%s' is no http:// or https:// address", optarg);
				return DOCTOR_EXIT_USAGE;
			}
			o->url = optarg;
			break;
		case OPT_TIMEOUT:
		case OPT_PY_TIMEOUT:
			if (!parse_seconds(optarg, c == OPT_TIMEOUT ? &o->http_timeout_s : &o->python_timeout_s)) {
				cli_error(cli, "doctor %s: '%s' is no number of seconds (0 < S <= 3600)",
					  c == OPT_TIMEOUT ? "--timeout" : "--python-timeout", optarg);
				return DOCTOR_EXIT_USAGE;
			}
			break;
		case OPT_JSON_: cli->json = true; break;
		case 'h': doctor_usage(cli->prog); return -1;
		default:
			fprintf(stderr, "Try '%s doctor --help'.\n", cli->prog);
			return DOCTOR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(cli, "doctor takes no argument ('%s'); see '%s doctor --help'", argv[optind], cli->prog);
		return DOCTOR_EXIT_USAGE;
	}
	if (o->url && !o->app) {
		cli_error(cli, "doctor --url needs --app NAME (see '%s doctor --help')", cli->prog);
		return DOCTOR_EXIT_USAGE;
	}
	return 0;
}

static const char *verdict_colour(const xpu_cli *cli, xpu_verdict v)
{
	static const char *const colours[] = { "\033[32m", "\033[33m", "\033[31m", "\033[2m" };
	return cli->color ? colours[v] : "";
}

static void print_report(const xpu_cli *cli, const xpu_doctor_report *r)
{
	const char *group = NULL;
	const char *reset = cli->color ? "\033[0m" : "";
	for (size_t i = 0; i < xpu_doctor_count(r); i++) {
		const xpu_check *k = xpu_doctor_at(r, i);
		if (!group || strcmp(group, k->group) != 0) {
			printf("%s%s:\n", group ? "\n" : "", k->group);
			group = k->group;
		}
		printf("  %s%-4s%s  %-28s %s\n", verdict_colour(cli, k->verdict), xpu_verdict_name(k->verdict), reset,
		       k->id, k->evidence);
		if (k->fix[0])
			printf("        fix: %s\n", k->fix);
	}
	printf("\n%zu pass, %zu warn, %zu fail, %zu skip%s\n", xpu_doctor_tally(r, XPU_VERDICT_PASS),
	       xpu_doctor_tally(r, XPU_VERDICT_WARN), xpu_doctor_tally(r, XPU_VERDICT_FAIL),
	       xpu_doctor_tally(r, XPU_VERDICT_SKIP), xpu_doctor_is_nixos(r) ? " (fixes given as NixOS options)" : "");
}

int cmd_doctor(xpu_cli *cli, int argc, char **argv)
{
	xpu_doctor_options o = { .app = NULL };
	int rc = doctor_options(cli, argc, argv, &o);
	if (rc)
		return rc < 0 ? XPU_EXIT_OK : rc;
	xpu_system *sys = cli_discover(cli);
	if (!sys)
		return DOCTOR_EXIT_CANNOT_RUN;
	char err[512];
	xpu_doctor_report *r = NULL;
	if (xpu_doctor_run(sys, &o, &r, err, sizeof(err)) != XPU_E_OK) {
		cli_error(cli, "doctor: %s", err);
		xpu_system_free(sys);
		return DOCTOR_EXIT_CANNOT_RUN;
	}
	if (cli->json) {
		char *s = xpu_doctor_json(r, true);
		if (s)
			puts(s);
		free(s);
	} else {
		print_report(cli, r);
	}
	int status = xpu_doctor_exit_status(r);
	xpu_doctor_free(r);
	xpu_system_free(sys);
	return status;
}
