/* The xpu program: global options, one file per subcommand. */
#ifndef XPU_CLI_H
#define XPU_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "xpu/xpu.h"

/* Exit codes, documented in --help and xpu(1). */
enum {
	XPU_EXIT_OK = 0,
	XPU_EXIT_FAILURE = 1, /* the command could not do its job */
	XPU_EXIT_USAGE = 2,   /* bad command line */
};

typedef struct xpu_cli {
	const char *prog;
	xpu_options opt;
	bool json;
	bool verbose;
	bool color;
	int cache; /* -1: the command's default; else an xpu_options.cache value */
} xpu_cli;

int cmd_list(xpu_cli *cli, int argc, char **argv);
int cmd_snapshot(xpu_cli *cli, int argc, char **argv);
int cmd_run(xpu_cli *cli, int argc, char **argv);
int cmd_config(xpu_cli *cli, int argc, char **argv);
int cmd_doctor(xpu_cli *cli, int argc, char **argv);
int cmd_bench(xpu_cli *cli, int argc, char **argv);
int cmd_bench_llm(xpu_cli *cli, int argc, char **argv); /* xpu bench llm */
/* cmd_bench.c: a comparison with a saved report, one line per figure. */
struct xpu_bench_comparison;
void cli_print_comparison(const struct xpu_bench_comparison *cmp, const char *path, FILE *out);
int cmd_top(xpu_cli *cli, int argc, char **argv);
int cmd_exporter(xpu_cli *cli, int argc, char **argv);
int cmd_topo(xpu_cli *cli, int argc, char **argv);

/* launcher.c: invoked by another name (comfyui-ipex, ollama-ipex, ...), the
 * program acts as the matching `xpu run`. Returns false when argv[0] is no
 * launcher name; otherwise runs it and stores the exit status in *status. */
bool cli_launcher_dispatch(xpu_cli *cli, int argc, char **argv, int *status);

/* output.c */
/* The options of a command that only reports: --json, -v/--verbose,
 * -h/--help (help printed, then -1: exit 0) and no argument.  command names it
 * in messages; help is its --help text after "Usage: xpu COMMAND [--json]
 * [-v]\n".  Returns 0, -1, or XPU_EXIT_USAGE after one clear line. */
int cli_report_options(xpu_cli *cli, int argc, char **argv, const char *command, const char *help);
/* The discovery cache mode: --refresh / --no-cache when given, else def. */
int cli_cache_choice(const xpu_cli *cli, int def);
void cli_error(const xpu_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* The value, or "n/a (reason: detail)" */
const char *fmt_uint(const xpu_uint *v, const char *unit, char *buf, size_t len);
const char *fmt_real(const xpu_real *v, int decimals, const char *unit, char *buf, size_t len);
const char *fmt_text(const xpu_text *v, char *buf, size_t len);
const char *fmt_mem(const xpu_uint *v, char *buf, size_t len);
/* Discovery with the global options; prints the error and returns NULL. */
xpu_system *cli_discover(const xpu_cli *cli);

#endif
