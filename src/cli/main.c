/* xpu: find the accelerators of this machine and make AI apps use them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const struct command {
	const char *name;
	int (*run)(xpu_cli *cli, int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "accelerators, what each can run, and the default choice" },
	{ "snapshot", cmd_snapshot, "copy the files xpu reads into DIR, for bug reports and tests" },
	{ "run", cmd_run, "start an app on the best (or chosen) device with its settings" },
	{ "config", cmd_config, "the effective configuration and where each value came from" },
	{ "doctor", cmd_doctor, "why an app does not use the GPU, and the exact fix" },
	{ "bench", cmd_bench, "measure the device against its peak; bench llm: an LLM server" },
	{ "top", cmd_top, "live view of GPU use, per device and process" },
	{ "exporter", cmd_exporter, "Prometheus metrics over HTTP" },
	{ "topo", cmd_topo, "how the GPUs connect: NVLink, xGMI, PCIe, NUMA, peer-to-peer" },
};

/* The runtimes' names (or titles), sep between: "cuda,nvml,...". */
static const char *runtime_list(char *buf, size_t len, bool titles, const char *sep)
{
	buf[0] = '\0';
	for (int k = 0; k < XPU_RT_COUNT; k++) {
		size_t used = strlen(buf);
		const char *name = titles ? xpu_runtime_title((xpu_runtime_kind)k) :
					    xpu_runtime_name((xpu_runtime_kind)k);
		snprintf(buf + used, len - used, "%s%s", k ? sep : "", name);
	}
	return buf;
}

static void usage(FILE *f, const char *prog)
{
	char names[128], titles[128];
	fprintf(f,
		"Usage: %s [GLOBAL OPTIONS] [COMMAND] [ARGS]\n"
		"\n"
		"Finds the accelerators of this machine (Intel, NVIDIA, AMD GPUs and the CPU),\n"
		"says which userspace runtimes can drive each, and why a value is missing.\n"
		"\n"
		"Commands:\n",
		prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"With no command, 'list' runs.\n"
		"\n"
		"Global options:\n"
		"  --sysroot DIR    read /sys, /proc and /dev under DIR (env XPU_SYSROOT);\n"
		"                   runtimes are not probed then, unless --runtimes\n"
		"  --runtimes[=LIST]  probe userspace runtimes, even with --sysroot; LIST picks\n"
		"                   some of %s\n"
		"  --no-runtimes    do not load %s\n"
		"  --refresh        probe every runtime now and update the discovery cache\n"
		"  --no-cache       probe every runtime now; neither read nor write the cache\n"
		"  --json           machine-readable output (has a schema_version)\n"
		"  -v, --verbose    every value, with the reason for each missing one\n"
		"  -h, --help       this help\n"
		"  -V, --version    print the version\n"
		"\n"
		"Environment: XPU_SYSROOT, XPU_PCI_IDS (a newer pci.ids), XPU_CACHE_DIR (the\n"
		"discovery cache's folder; empty: none), XPU_DEBUG=timing (or serial: probe\n"
		"the runtimes one after another), NO_COLOR.\n"
		"\n"
		"Exit status: 0 done; 1 the command could not do its job (e.g. an unreadable\n"
		"sysroot); 2 bad command line.\n"
		"\n"
		"See xpu(1).\n",
		runtime_list(names, sizeof(names), false, ","),
		runtime_list(titles, sizeof(titles), true, ", "));
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

enum { OPT_SYSROOT = 256, OPT_RUNTIMES, OPT_NO_RUNTIMES, OPT_JSON, OPT_REFRESH, OPT_NO_CACHE };

int main(int argc, char **argv)
{
	xpu_cli cli = { .prog = "xpu", .opt = { .sysroot = NULL, .probe_runtimes = -1 }, .cache = -1 };
	const char *env = getenv("XPU_SYSROOT");
	if (env && *env)
		cli.opt.sysroot = env;
	cli.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	int launcher_status;
	if (cli_launcher_dispatch(&cli, argc, argv, &launcher_status))
		return launcher_status;
	/* getopt names argv[0] in its own messages ("unrecognized option"):
	 * one program name in every message, however xpu was started */
	argv[0] = (char *)cli.prog;

	static const struct option opts[] = {
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "runtimes", optional_argument, NULL, OPT_RUNTIMES },
		{ "no-runtimes", no_argument, NULL, OPT_NO_RUNTIMES },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "refresh", no_argument, NULL, OPT_REFRESH },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	/* '+': stop at the command, whose own options follow it */
	int c;
	char bad[64];
	while ((c = getopt_long(argc, argv, "+vhV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSROOT: cli.opt.sysroot = optarg; break;
		case OPT_RUNTIMES:
			cli.opt.probe_runtimes = 1;
			if (optarg && !xpu_runtime_mask_parse(optarg, &cli.opt.runtime_mask, bad, sizeof(bad))) {
				char names[128];
				cli_error(&cli, "--runtimes: unknown runtime '%s'; runtimes: %s", bad,
					  runtime_list(names, sizeof(names), false, ","));
				return XPU_EXIT_USAGE;
			}
			break;
		case OPT_NO_RUNTIMES: cli.opt.probe_runtimes = 0; break;
		case OPT_JSON: cli.json = true; break;
		case OPT_REFRESH: cli.cache = XPU_CACHE_REFRESH; break;
		case OPT_NO_CACHE: cli.cache = XPU_CACHE_OFF; break;
		case 'v': cli.verbose = true; break;
		case 'h': usage(stdout, cli.prog); return XPU_EXIT_OK;
		case 'V': printf("xpu %s\n", xpu_version()); return XPU_EXIT_OK;
		default:
			fprintf(stderr, "Try '%s --help'.\n", cli.prog);
			return XPU_EXIT_USAGE;
		}
	}
	const char *name = optind < argc ? argv[optind] : "list";
	const struct command *cmd = find_command(name);
	if (!cmd) {
		cli_error(&cli, "unknown command '%s' (see '%s --help' for the commands)", name,
			  cli.prog);
		return XPU_EXIT_USAGE;
	}
	int sub_argc = optind < argc ? argc - optind : 1;
	char *list_argv[] = { (char *)"list", NULL };
	char **sub_argv = optind < argc ? argv + optind : list_argv;
	/* the subcommand's getopt messages say "xpu bench: ..." */
	char sub_prog[32];
	snprintf(sub_prog, sizeof(sub_prog), "%s %s", cli.prog, cmd->name);
	sub_argv[0] = sub_prog;
	optind = 0; /* reset getopt for the subcommand (GNU: 0 re-initialises) */
	return cmd->run(&cli, sub_argc, sub_argv);
}
