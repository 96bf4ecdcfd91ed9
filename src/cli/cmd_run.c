/* xpu run: choose the device and backend, apply the app's profile, and
 * execve the command (no shell, no child left behind), so that signals and
 * the exit status are the app's own. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_run.h"
#include "xpu/run.h"

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xpu run [OPTIONS] [--] COMMAND [ARGS...]\n"
		"       xpu run --app NAME [OPTIONS]    (the app's own command)\n"
		"\n"
		"Chooses the device and backend, applies the app profile (environment and\n"
		"arguments), then executes COMMAND in place of xpu.\n"
		"\n"
		"  --app NAME        profile to apply (default: the one whose commands match\n"
		"                    COMMAND's name; none: nothing is changed)\n"
		"  --backend B       auto, cuda, level_zero (xpu), rocm, vulkan or cpu\n"
		"  --force-intel-xpu same as --backend level_zero\n"
		"  --device D        index, PCI address, UUID, 'cpu' or part of the name\n"
		"  --strict          a forced backend that is not usable is an error (default)\n"
		"  --fallback        ... falls back to the policy order instead\n"
		"  --explain         print the decision and every rejected candidate (stderr)\n"
		"  --print-env       print the environment changes as shell lines; run nothing\n"
		"  --dry-run         print the changes and the command line; run nothing\n"
		"  -h, --help        this help\n"
		"\n"
		"Order: cuda > level_zero > rocm > vulkan > cpu, over usable backends only.\n"
		"Precedence: command line > XPU_BACKEND, XPU_DEVICE, XPU_FALLBACK >\n"
		"$XDG_CONFIG_HOME/xpu/config > /etc/xpu/config > default (see 'xpu config').\n"
		"\n"
		"Exit status: COMMAND's own; 1 no usable device or backend, or a bad config or\n"
		"profile; 2 bad command line; 126 COMMAND cannot be executed; 127 not found.\n"
		"See xpu-run(1).\n");
}

/* 'value' quoted for a POSIX shell. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void print_env_changes(const xpu_plan *plan)
{
	for (size_t i = 0; i < plan->n_unset; i++)
		printf("unset %s\n", plan->unset[i]);
	for (size_t i = 0; i < plan->n_set; i++) {
		const char *eq = strchr(plan->set[i], '=');
		printf("export %.*s=", (int)(eq - plan->set[i]), plan->set[i]);
		put_quoted(stdout, eq + 1);
		putchar('\n');
	}
}

static void print_command(const xpu_plan *plan)
{
	fputs("exec", stdout);
	for (char **a = plan->argv; *a; a++) {
		putchar(' ');
		put_quoted(stdout, a == plan->argv && plan->program ? plan->program : *a);
	}
	putchar('\n');
}

static void explain(const xpu_decision *d, const xpu_config *cfg, const xpu_profile *profile)
{
	for (size_t i = 0; i < d->n_rejected; i++) {
		const xpu_rejected *r = &d->rejected[i];
		fprintf(stderr, "xpu run: rejected %s on device %u (%s): %s\n",
			xpu_backend_name(r->backend), r->device->index, r->device->name.value, r->reason);
	}
	const char *keys[] = { "run.backend", "run.device", "run.fallback" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const xpu_setting *s = xpu_config_get(cfg, keys[i]);
		fprintf(stderr, "xpu run: %s = '%s' from %s (%s)\n", keys[i], s->value,
			xpu_source_name(s->source), s->origin);
	}
	if (profile)
		fprintf(stderr, "xpu run: profile %s (%s)\n", xpu_profile_name(profile),
			xpu_profile_file(profile));
	else
		fprintf(stderr, "xpu run: no profile: the environment and arguments stay as given\n");
	if (d->device)
		fprintf(stderr, "xpu run: chose %s on device %u (%s): %s\n",
			xpu_backend_name(d->backend), d->device->index, d->device->name.value, d->why);
}

typedef struct run_state {
	xpu_paths paths;
	xpu_config cfg;
	xpu_profile *profile;
	xpu_system *sys;
	xpu_decision decision;
	xpu_plan plan;
	char **app_argv; /* the words of apps.NAME, when used */
} run_state;

static void run_state_free(run_state *st)
{
	xpu_profile_free(st->profile);
	if (st->sys)
		xpu_system_free(st->sys);
	xpu_plan_free(&st->plan);
	for (char **w = st->app_argv; w && *w; w++)
		free(*w);
	free(st->app_argv);
}

static int apply_command_line(xpu_cli *cli, run_state *st, const run_opts *o)
{
	char err[XPU_PATH_LEN + 256];
	int rc = 0;
	if (o->backend)
		rc |= xpu_config_set(&st->cfg, "run.backend", o->backend, XPU_SRC_COMMAND_LINE,
				     o->backend_origin ? o->backend_origin : "--backend", err, sizeof(err));
	if (!rc && o->device)
		rc |= xpu_config_set(&st->cfg, "run.device", o->device, XPU_SRC_COMMAND_LINE,
				     "--device", err, sizeof(err));
	if (!rc && o->fallback >= 0)
		rc |= xpu_config_set(&st->cfg, "run.fallback", o->fallback ? "yes" : "no",
				     XPU_SRC_COMMAND_LINE, o->fallback ? "--fallback" : "--strict",
				     err, sizeof(err));
	if (rc)
		cli_error(cli, "%s", err);
	return rc ? XPU_EXIT_USAGE : 0;
}

static int find_profile(xpu_cli *cli, run_state *st, const run_opts *o, int argc, char **argv)
{
	char err[XPU_PATH_LEN + 512];
	int rc = o->app ? xpu_profile_load(&st->paths, o->app, &st->profile, err, sizeof(err))
			: argc > 0 ? xpu_profile_for_command(&st->paths, argv[0], &st->profile, err,
							     sizeof(err))
				   : 0;
	if (rc)
		cli_error(cli, "%s", err);
	return rc ? XPU_EXIT_FAILURE : 0;
}

/* The words of apps.NAME (split on blanks, no shell), or the profile's
 * command, followed by the given arguments. */
static int app_command(xpu_cli *cli, run_state *st, int *argc, char ***argv)
{
	if (!st->profile) {
		cli_error(cli, "no COMMAND given (see 'xpu run --help')");
		return XPU_EXIT_USAGE;
	}
	char key[96];
	snprintf(key, sizeof(key), "apps.%s", xpu_profile_name(st->profile));
	const xpu_setting *s = xpu_config_get(&st->cfg, key);
	const char *words = s ? s->value : xpu_profile_command(st->profile);
	size_t n = 0, cap = strlen(words) / 2 + 2 + (size_t)*argc;
	st->app_argv = calloc(cap, sizeof(char *));
	char *copy = strdup(words), *save = NULL;
	if (!st->app_argv || !copy) {
		free(copy);
		cli_error(cli, "out of memory");
		return XPU_EXIT_FAILURE;
	}
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		st->app_argv[n++] = strdup(w);
	free(copy);
	for (int i = 0; i < *argc; i++)
		st->app_argv[n++] = strdup((*argv)[i]);
	*argc = (int)n;
	*argv = st->app_argv;
	return 0;
}

/* Probe only what a forced backend needs, unless the user chose; reuse the
 * discovery cache (as `xpu list` does) so that starting an app costs
 * milliseconds, not the 50-300 ms of initialising every runtime. */
static xpu_options discovery_options(const xpu_cli *cli, const char *backend, bool fallback)
{
	xpu_options opt = cli->opt;
	opt.cache = cli_cache_choice(cli, XPU_CACHE_USE);
	opt.live_values = false;
	xpu_backend_kind b;
	if (opt.probe_runtimes != -1 || fallback || !xpu_backend_parse(backend, &b))
		return opt;
	unsigned mask = xpu_runtime_mask_for_backend(b);
	if (mask)
		opt.runtime_mask = mask;
	else
		opt.probe_runtimes = 0; /* cpu needs no runtime */
	return opt;
}

static int decide(xpu_cli *cli, run_state *st)
{
	const char *backend = xpu_config_get(&st->cfg, "run.backend")->value;
	bool fallback = false;
	xpu_config_bool(xpu_config_get(&st->cfg, "run.fallback")->value, &fallback);
	xpu_options opt = discovery_options(cli, backend, fallback);
	xpu_cli probe_cli = *cli;
	probe_cli.opt = opt;
	st->sys = cli_discover(&probe_cli);
	if (!st->sys)
		return XPU_EXIT_FAILURE;
	char err[512];
	const char *assumed = getenv("XPU_ASSUME_USABLE");
	if (assumed && *assumed && xpu_assume_usable(st->sys, assumed, err, sizeof(err))) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_USAGE;
	}
	xpu_request req = {
		.backend = backend,
		.device = xpu_config_get(&st->cfg, "run.device")->value,
		.fallback = fallback,
		.supported = st->profile ? xpu_profile_backends(st->profile) : 0,
		.app = st->profile ? xpu_profile_name(st->profile) : NULL,
	};
	int rc = xpu_decide(st->sys, &req, &st->decision, err, sizeof(err));
	if (rc == XPU_DECIDE_OK && st->decision.fell_back)
		fprintf(stderr, "xpu run: %s\n", st->decision.why);
	if (rc == XPU_DECIDE_OK)
		return 0;
	cli_error(cli, "%s%s", err, rc == XPU_DECIDE_UNUSABLE && !fallback && req.backend &&
		  strcmp(req.backend, "auto") ? " (--fallback takes the next usable backend)" : "");
	return rc == XPU_DECIDE_BAD_REQUEST ? XPU_EXIT_USAGE : XPU_EXIT_FAILURE;
}

static int exec_plan(xpu_cli *cli, const xpu_plan *plan)
{
	if (!plan->program) {
		bool denied = plan->program_errno == EACCES;
		cli_error(cli, "%s: %s", plan->argv[0], denied ? "permission denied (not executable)"
			  : strchr(plan->argv[0], '/') ? "no such file" : "command not found in PATH");
		return denied ? XPU_EXIT_CANNOT_EXECUTE : XPU_EXIT_NOT_FOUND;
	}
	fflush(NULL);
	execve(plan->program, plan->argv, plan->envp);
	int e = errno;
	cli_error(cli, "%s: cannot execute: %s", plan->program, strerror(e));
	return e == ENOENT ? XPU_EXIT_NOT_FOUND : XPU_EXIT_CANNOT_EXECUTE;
}

static bool needs_decision(const run_state *st, const run_opts *o)
{
	/* with no profile nothing depends on the device, unless one was asked for */
	return st->profile || o->explain ||
	       strcmp(xpu_config_get(&st->cfg, "run.backend")->value, "auto") != 0 ||
	       xpu_config_get(&st->cfg, "run.device")->value[0];
}

static int run_steps(xpu_cli *cli, run_state *st, const run_opts *o, int argc, char **argv)
{
	char err[XPU_PATH_LEN + 512];
	xpu_paths_init(&st->paths);
	if (xpu_config_load(&st->cfg, &st->paths, err, sizeof(err))) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	int rc = apply_command_line(cli, st, o);
	if (!rc)
		rc = find_profile(cli, st, o, argc, argv);
	if (!rc && (o->app_command || (argc == 0 && !o->print_env)))
		rc = app_command(cli, st, &argc, &argv);
	if (!rc && needs_decision(st, o))
		rc = decide(cli, st);
	if (rc)
		return rc;
	if (o->explain)
		explain(&st->decision, &st->cfg, st->profile);
	if (xpu_plan_build(st->profile, &st->decision, environ, argv, (size_t)argc, &st->plan, err,
			   sizeof(err)) != XPU_PLAN_OK) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	if (o->print_env || o->dry_run) {
		print_env_changes(&st->plan);
		if (o->dry_run && argc > 0)
			print_command(&st->plan);
		return XPU_EXIT_OK;
	}
	return exec_plan(cli, &st->plan);
}

int cli_run_app(xpu_cli *cli, const run_opts *o, int argc, char **argv)
{
	run_state *st = calloc(1, sizeof(*st));
	if (!st) {
		cli_error(cli, "out of memory");
		return XPU_EXIT_FAILURE;
	}
	int rc = run_steps(cli, st, o, argc, argv);
	run_state_free(st);
	free(st);
	return rc;
}

enum { OPT_APP = 256, OPT_BACKEND, OPT_DEVICE, OPT_STRICT, OPT_FALLBACK, OPT_EXPLAIN,
       OPT_PRINT_ENV, OPT_DRY_RUN, OPT_FORCE_XPU };

int cmd_run(xpu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "app", required_argument, NULL, OPT_APP },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "fallback", no_argument, NULL, OPT_FALLBACK },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "print-env", no_argument, NULL, OPT_PRINT_ENV },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "force-intel-xpu", no_argument, NULL, OPT_FORCE_XPU },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	run_opts o = { .fallback = -1 };
	int c;
	/* '+': options end at COMMAND, whose own options follow it */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_APP: o.app = optarg; break;
		case OPT_BACKEND: o.backend = optarg; o.backend_origin = "--backend"; break;
		case OPT_FORCE_XPU: o.backend = "level_zero"; o.backend_origin = "--force-intel-xpu"; break;
		case OPT_DEVICE: o.device = optarg; break;
		case OPT_STRICT: o.fallback = 0; break;
		case OPT_FALLBACK: o.fallback = 1; break;
		case OPT_EXPLAIN: o.explain = true; break;
		case OPT_PRINT_ENV: o.print_env = true; break;
		case OPT_DRY_RUN: o.dry_run = true; break;
		case 'h': usage(stdout); return XPU_EXIT_OK;
		default: fprintf(stderr, "Try 'xpu run --help'.\n"); return XPU_EXIT_USAGE;
		}
	}
	if (optind == argc && !o.app) {
		cli_error(cli, "run: no COMMAND and no --app (see 'xpu run --help')");
		return XPU_EXIT_USAGE;
	}
	return cli_run_app(cli, &o, argc - optind, argv + optind);
}
