/* xpu bench: every figure beside the device's theoretical peak; baselines. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "xpu/bench.h"

/* Exit status for "measured, and slower than the baseline". */
#define BENCH_EXIT_REGRESSION 3

/* A row of the registry as help shows it: "stream.triad", "gemm.bf16.N". */
static void figure_pattern(const xpu_bench_figure_info *fig, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", fig->name, fig->shape ? "." : "", fig->shape ? fig->shape : "");
}

/* Every figure, for the line that refuses an unknown one. */
static void figure_list(char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0, used = 0; i < xpu_bench_figure_count() && used < len; i++) {
		char name[64];
		figure_pattern(xpu_bench_figure_at(i), name, sizeof(name));
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", name);
	}
}

static void bench_usage(FILE *f)
{
	char kinds[128];
	xpu_bench_device_kinds(kinds, sizeof(kinds));
	fprintf(f,
		"Usage: xpu bench [--device D] [--quick|--full] [--only NAMES] [--json]\n"
		"                 [--save FILE] [--compare FILE] [--threshold PCT]\n"
		"                 [--compare-noisy]\n"
		"       xpu bench llm --url URL [...]   a running LLM server (xpu bench llm --help)\n"
		"\n"
		"Measures memory bandwidth, host transfers, GEMM and launch latency on each\n"
		"device, and prints each figure beside the device's theoretical peak.\n"
		"\n"
		"  --device D       one device: its index or id as 'xpu list' shows it, or a\n"
		"                   kind: %s (default: all)\n"
		"  --quick          small sizes, few repetitions (seconds)\n"
		"  --full           every shape and precision (minutes)\n"
		"  --only NAMES     comma list of figures (below), or of prefixes that end at\n"
		"                   a dot: gemm, gemm.bf16, h2d\n"
		"  --json           machine-readable report (has a schema_version)\n"
		"  --save FILE      also write the report to FILE as a baseline\n"
		"  --compare FILE   compare with a baseline saved on this machine; flag\n"
		"                   figures slower by more than the threshold\n"
		"  --threshold PCT  regression threshold in percent (default 10)\n"
		"  --compare-noisy  call regressions on noisy figures too (on the CPU, taken\n"
		"                   in two passes seconds apart, a figure is noisy when any\n"
		"                   figure's passes differ by over 5%%, or others used over\n"
		"                   10%% of the CPUs or steal was over 5%%; on a GPU, when\n"
		"                   its repetitions spread by more than 10%%)\n"
		"  -h, --help       this help\n"
		"\n"
		"Libraries are found at run time: XPU_BLAS (host BLAS, else OpenBLAS, MKL,\n"
		"oneDNN, BLIS, reference BLAS, else xpu's own SGEMM, which 'builtin'\n"
		"forces), XPU_CUBLAS (a libcublas file or folder, else LD_LIBRARY_PATH, the\n"
		"CUDA toolkit and pip's nvidia-cublas wheels; cuBLASLt for fp8, on compute\n"
		"capability 8.9 and later, is looked for beside it), XPU_DNNL (oneDNN 2.x,\n"
		"else libdnnl.so.2: OpenCL GEMM on oneDNN's GPU engine where it takes the\n"
		"device, else a tiled kernel; host bf16 GEMM without cblas_sbgemm).  The\n"
		"report says which GEMM ran and why.  XPU_BENCH_ISA=avx512f|avx2|generic\n"
		"forces the host kernels (default: the CPU's widest); OMP_NUM_THREADS sets\n"
		"how many threads run them (default: one per CPU xpu may use).\n"
		"\n"
		"Exit status: 0 done; 1 nothing could be measured (no device of the asked\n"
		"kind, a failing runtime, an unusable baseline); 2 bad command line;\n"
		"3 --compare found a regression.  See xpu-bench(1).\n"
		"\n"
		"Figures (N, M, K: the sizes each figure's name ends with):\n",
		kinds);
	for (size_t i = 0; i < xpu_bench_figure_count(); i++) {
		const xpu_bench_figure_info *fig = xpu_bench_figure_at(i);
		char name[64];
		figure_pattern(fig, name, sizeof(name));
		fprintf(f, "  %-20s %-8s %s\n", name, fig->unit, fig->backends);
	}
}

typedef struct bench_args {
	xpu_bench_options opt;
	const char *save, *compare;
	double threshold;
	bool call_noisy;
} bench_args;

static void progress(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "xpu bench: %s\n", msg);
}

enum {
	OPT_QUICK = 256, OPT_FULL, OPT_ONLY, OPT_JSON, OPT_SAVE, OPT_COMPARE, OPT_THRESHOLD, OPT_DEVICE,
	OPT_COMPARE_NOISY
};

static int parse_threshold(xpu_cli *cli, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0) || v > 1000) {
		cli_error(cli, "--threshold: '%s' is not a percentage from 0 to 1000", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(xpu_cli *cli, int argc, char **argv, bench_args *a)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "compare-noisy", no_argument, NULL, OPT_COMPARE_NOISY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, levels = 0;
	char bad[64], known[1024];
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DEVICE: a->opt.device = optarg; break;
		case OPT_QUICK: a->opt.level = XPU_BENCH_QUICK; levels++; break;
		case OPT_FULL: a->opt.level = XPU_BENCH_FULL; levels++; break;
		case OPT_ONLY:
			if (!xpu_bench_only_valid(optarg, bad, sizeof(bad))) {
				figure_list(known, sizeof(known));
				cli_error(cli, "--only: unknown figure '%s'; figures: %s (or a prefix that "
					  "ends at a dot: gemm, gemm.bf16)", bad, known);
				return XPU_EXIT_USAGE;
			}
			a->opt.only = optarg;
			break;
		case OPT_JSON: cli->json = true; break;
		case OPT_SAVE: a->save = optarg; break;
		case OPT_COMPARE: a->compare = optarg; break;
		case OPT_COMPARE_NOISY: a->call_noisy = true; break;
		case OPT_THRESHOLD:
			if (parse_threshold(cli, optarg, &a->threshold) != 0)
				return XPU_EXIT_USAGE;
			break;
		case 'h': bench_usage(stdout); return -1;
		default: fprintf(stderr, "Try 'xpu bench --help'.\n"); return XPU_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(cli, "bench: unexpected argument '%s' (see 'xpu bench --help')", argv[optind]);
		return XPU_EXIT_USAGE;
	}
	if (levels > 1) {
		cli_error(cli, "bench: give at most one of --quick and --full");
		return XPU_EXIT_USAGE;
	}
	return XPU_EXIT_OK;
}

/* "83.1 %" or "n/a (reason)" */
static const char *fmt_percent(const xpu_bench_figure *f, char *buf, size_t len)
{
	if (!(f->percent_of_peak.status.state == XPU_OK)) {
		const xpu_status *st = &f->percent_of_peak.status;
		snprintf(buf, len, "n/a (%s)", st->detail[0] ? st->detail : xpu_reason_text(st->reason));
		return buf;
	}
	snprintf(buf, len, "%.1f%%", f->percent_of_peak.value);
	return buf;
}

static void print_figure(const xpu_bench_figure *f)
{
	char pct[160];
	if (!(f->status.state == XPU_OK)) {
		printf("  %-26s n/a (%s: %s)\n", f->name, xpu_reason_text(f->status.reason),
		       f->status.detail);
		return;
	}
	int dec = f->best >= 100 ? 1 : f->best >= 1 ? 2 : 3;
	char passes[64] = "";
	if (f->passes > 1)
		snprintf(passes, sizeof(passes), " in %u passes, bests %.*f / %.*f", f->passes, dec,
			 f->pass_best[0], dec, f->pass_best[1]);
	printf("  %-26s %10.*f %-8s %-16s med %.*f  min %.*f  max %.*f  (%u reps%s, spread %.0f%%)\n",
	       f->name, dec, f->best, f->unit, fmt_percent(f, pct, sizeof(pct)), dec, f->median, dec,
	       f->min, dec, f->max, f->reps, passes, f->spread_pct);
	if (f->noisy)
		printf("  %-26s NOISY: %s\n", "", f->noise);
	printf("  %-26s counted as %s\n", "", f->counting);
	if ((f->alt_best.status.state == XPU_OK))
		printf("  %-26s %.*f %s counted as %s\n", "", dec, f->alt_best.value, f->unit,
		       f->alt_counting);
	if (f->note[0])
		printf("  %-26s %s\n", "", f->note);
}

/* Each peak a figure of the target is held against: its value and how it
 * was computed, or why it is unknown. */
static void print_peaks(const xpu_bench_target *t)
{
	bool used[XPU_PEAK_COUNT] = { false };
	for (size_t i = 0; i < t->n_figures; i++)
		used[t->figures[i].peak_kind] = true;
	for (int k = XPU_PEAK_MEM_BW; k < XPU_PEAK_COUNT; k++) {
		const xpu_real *p = &t->peaks[k];
		if (!used[k] || (!t->peak_how[k][0] && p->status.state == XPU_OK))
			continue;
		if (p->status.state == XPU_OK)
			printf("  peak %-6s %.4g %s = %s\n", xpu_peak_kind_name((xpu_peak_kind)k), p->value,
			       k == XPU_PEAK_MEM_BW || k == XPU_PEAK_LINK ? "GB/s" : "TFLOP/s", t->peak_how[k]);
		else
			printf("  peak %-6s n/a (%s)\n", xpu_peak_kind_name((xpu_peak_kind)k), p->status.detail);
	}
}

static void print_target(const xpu_bench_target *t)
{
	printf("%s %s (%s)\n", t->backend, t->device_name, t->device_id);
	if (t->library[0])
		printf("  library: %s\n", t->library);
	printf("  peaks: %s\n", t->peak_source);
	print_peaks(t);
	if (t->properties[0])
		printf("  properties: %s\n", t->properties);
	if (t->gemm[0])
		printf("  gemm: %s\n", t->gemm);
	if (t->busy[0])
		printf("  %s\n", t->busy);
	if (!(t->status.state == XPU_OK))
		printf("  n/a (%s: %s)\n", xpu_reason_text(t->status.reason), t->status.detail);
	for (size_t i = 0; i < t->n_figures; i++)
		print_figure(&t->figures[i]);
}

static void print_report(const xpu_bench_report *r)
{
	printf("xpu bench (%s) on %s%s\n", xpu_bench_level_name(r->level), r->hostname,
	       r->scale != 1.0 ? " [figures scaled by XPU_BENCH_SCALE: test only]" : "");
	if (r->load_avg_1m.status.state == XPU_OK)
		printf("load average %.2f on %u CPUs at the start\n", r->load_avg_1m.value, r->cpus);
	for (size_t i = 0; i < r->n_targets; i++) {
		printf("\n");
		print_target(&r->targets[i]);
	}
}

void cli_print_comparison(const xpu_bench_comparison *cmp, const char *path, FILE *out)
{
	fprintf(out, "\ncompared with %s (threshold %.1f%%):\n", path, cmp->threshold_pct);
	for (size_t i = 0; i < cmp->n; i++) {
		const xpu_bench_delta *d = &cmp->deltas[i];
		bool held = !d->regression && d->noisy && d->change_pct < -cmp->threshold_pct;
		fprintf(out, "  %-10s %-24s %10.3f -> %10.3f %-8s %+7.1f%%%s%s%s\n", d->target, d->name,
			d->baseline, d->now, d->unit, d->change_pct, d->regression ? "  REGRESSION" : "",
			held ? "  slower, but noisy: " : d->noisy ? "  noisy: " : "", d->noise);
	}
	fprintf(out, "  %zu compared, %zu regression%s, %zu slower but noisy (not called%s), "
		"%zu not in both\n", cmp->n, cmp->regressions, cmp->regressions == 1 ? "" : "s",
		cmp->held_back, cmp->call_noisy ? "" : "; --compare-noisy calls them", cmp->unmatched);
}

static int print_json(const xpu_bench_report *r)
{
	char *s = xpu_bench_json(r, true);
	if (!s)
		return -1;
	puts(s);
	free(s);
	return 0;
}

/* The baseline is checked before anything runs when it cannot be used at
 * all (absent, malformed, another schema or machine), so a long run is not
 * wasted: an empty report carries this machine's identity. */
static int precheck_baseline(xpu_cli *cli, const bench_args *a, const xpu_bench_report *probe)
{
	char err[512];
	xpu_bench_comparison *cmp = NULL;
	if (xpu_bench_compare(probe, a->compare, a->threshold, a->call_noisy, &cmp, err, sizeof(err)) != 0) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	free(cmp);
	return XPU_EXIT_OK;
}

static int finish(xpu_cli *cli, const bench_args *a, const xpu_bench_report *r)
{
	char err[512];
	xpu_bench_comparison *cmp = NULL;
	if (a->compare &&
	    xpu_bench_compare(r, a->compare, a->threshold, a->call_noisy, &cmp, err, sizeof(err))) {
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	if (cli->json ? print_json(r) != 0 : (print_report(r), 0)) {
		free(cmp);
		cli_error(cli, "bench: out of memory writing JSON");
		return XPU_EXIT_FAILURE;
	}
	if (a->save && xpu_bench_save(r, a->save, err, sizeof(err)) != 0) {
		free(cmp);
		cli_error(cli, "%s", err);
		return XPU_EXIT_FAILURE;
	}
	int rc = XPU_EXIT_OK;
	if (cmp) {
		/* With --json the comparison goes to stderr: stdout stays one document. */
		cli_print_comparison(cmp, a->compare, cli->json ? stderr : stdout);
		if (cmp->n == 0) {
			cli_error(cli, "bench: nothing in %s matches what was measured (other "
				  "devices or --only?)", a->compare);
			rc = XPU_EXIT_FAILURE;
		} else if (cmp->regressions) {
			rc = BENCH_EXIT_REGRESSION;
		}
	}
	free(cmp);
	return rc;
}

int cmd_bench(xpu_cli *cli, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "llm") == 0)
		return cmd_bench_llm(cli, argc - 1, argv + 1);
	bench_args a = { .opt = { .level = XPU_BENCH_NORMAL }, .threshold = 10.0 };
	int rc = parse_args(cli, argc, argv, &a);
	if (rc != XPU_EXIT_OK)
		return rc < 0 ? XPU_EXIT_OK : rc;
	a.opt.progress = progress;
	xpu_system *sys = cli_discover(cli);
	if (!sys)
		return XPU_EXIT_FAILURE;
	if (a.compare) {
		xpu_bench_report *probe = NULL;
		xpu_bench_options none = a.opt;
		none.only = "none.none"; /* selects nothing: identity only */
		char err[512];
		none.progress = NULL;
		none.device = "cpu";
		if (xpu_bench_run(sys, &none, &probe, err, sizeof(err)) == XPU_BENCH_E_OK)
			rc = precheck_baseline(cli, &a, probe);
		xpu_bench_report_free(probe);
		if (rc != XPU_EXIT_OK) {
			xpu_system_free(sys);
			return rc;
		}
	}
	xpu_bench_report *r = NULL;
	char err[512];
	int brc = xpu_bench_run(sys, &a.opt, &r, err, sizeof(err));
	if (brc != XPU_BENCH_E_OK) {
		cli_error(cli, "bench: %s", err);
		xpu_bench_report_free(r);
		xpu_system_free(sys);
		return XPU_EXIT_FAILURE;
	}
	rc = finish(cli, &a, r);
	xpu_bench_report_free(r);
	xpu_system_free(sys);
	return rc;
}
