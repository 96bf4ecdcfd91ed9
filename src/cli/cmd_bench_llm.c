/* xpu bench llm: how fast a running LLM server serves, against what the
 * hardware allows (include/xpu/bench_llm.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "xpu/bench_llm.h"

#define BENCH_EXIT_REGRESSION 3

static void llm_usage(FILE *f)
{
	fprintf(f,
		"Usage: xpu bench llm --url URL [--api openai|ollama|auto] [--model NAME]\n"
		"                     [--prompt-tokens N] [--output-tokens N] [--concurrency LIST]\n"
		"                     [--requests N] [--rate R] [--warmup N] [--timeout S]\n"
		"                     [--model-file FILE] [--model-bytes N] [--hw-baseline FILE]\n"
		"                     [--json] [--save FILE] [--compare FILE] [--threshold PCT]\n"
		"                     [--plot FILE]\n"
		"\n"
		"Streams requests to a running LLM server at each concurrency level and reports\n"
		"TTFT, TPOT, ITL and end-to-end latency (mean, p50, p90, p99), output tokens/s\n"
		"per stream and in total, requests/s and prefill tokens/s (as vLLM's 'vllm bench\n"
		"serve' defines them), beside the server's own timings; then the roofline: the\n"
		"bytes one token reads (the model's GGUF header) against the bandwidth of the\n"
		"device the server runs on.\n"
		"\n"
		"  --url URL           the server (llama-server: http://127.0.0.1:8080,\n"
		"                      Ollama: http://127.0.0.1:11434)\n"
		"  --api API           openai (/v1/completions, SSE), ollama (/api/generate),\n"
		"                      auto (default: Ollama when /api/version answers)\n"
		"  --model NAME        the model to ask for (default: the server's first)\n"
		"  --prompt-tokens N   prompt length per request (default 512)\n"
		"  --output-tokens N   tokens generated per request, end of text ignored\n"
		"                      (default 128)\n"
		"  --concurrency LIST  comma list of levels, requests in flight (default 1)\n"
		"  --requests N        requests per level (default 4 x its concurrency, at\n"
		"                      least 8)\n"
		"  --rate R            start requests at R per second, Poisson arrivals\n"
		"                      (default: as fast as the concurrency allows)\n"
		"  --warmup N          requests before the first level, not counted (default 1)\n"
		"  --timeout S         the limit on each request, in seconds (default 60)\n"
		"  --model-file FILE   the GGUF file to read bytes per token from (default:\n"
		"                      the server's, from llama-server's /props or Ollama's\n"
		"                      /api/show)\n"
		"  --model-bytes N     bytes one token reads of the weights, given\n"
		"  --hw-baseline FILE  an 'xpu bench --save' file: its measured copy bandwidth\n"
		"                      of the server's device (default: the peak table)\n"
		"  --json              the report as one JSON document\n"
		"  --save FILE         also write the JSON report to FILE\n"
		"  --compare FILE      compare with a report saved on this machine\n"
		"  --threshold PCT     regression threshold for --compare (default 10)\n"
		"  --plot FILE         the latency-throughput curve of the sweep as SVG\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 done; 1 the server refused, hung, streamed garbage or stopped\n"
		"mid-stream, or a file was unusable; 2 bad command line; 3 --compare found a\n"
		"regression.  See xpu-bench(1).\n");
}

typedef struct llm_args {
	xpu_llm_options opt;
	const char *save, *compare, *plot;
	double threshold;
} llm_args;

/* A whole number within [lo, hi]; false with the line said. */
static bool parse_count(xpu_cli *cli, const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || v < lo || v > hi) {
		cli_error(cli, "bench llm: %s: '%s' is not a whole number from %u to %u", opt, s, lo, hi);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool parse_real(xpu_cli *cli, const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= lo) || !(v <= hi)) {
		cli_error(cli, "bench llm: %s: '%s' is not a number from %g to %g", opt, s, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_levels(xpu_cli *cli, const char *s, xpu_llm_options *o)
{
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", s);
	o->n_levels = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->n_levels == XPU_LLM_MAX_LEVELS) {
			cli_error(cli, "bench llm: --concurrency: at most %d levels", XPU_LLM_MAX_LEVELS);
			return false;
		}
		if (!parse_count(cli, "--concurrency", t, 1, 4096, &o->concurrency[o->n_levels++]))
			return false;
	}
	if (!o->n_levels)
		cli_error(cli, "bench llm: --concurrency: give a comma list of levels: 1,4,16");
	return o->n_levels > 0;
}

static bool parse_api(xpu_cli *cli, const char *s, xpu_llm_api *api)
{
	static const xpu_llm_api apis[] = { XPU_LLM_API_AUTO, XPU_LLM_API_OPENAI, XPU_LLM_API_OLLAMA };
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
		if (strcmp(s, xpu_llm_api_name(apis[i])) == 0) {
			*api = apis[i];
			return true;
		}
	cli_error(cli, "bench llm: --api: '%s' is not openai, ollama or auto", s);
	return false;
}

enum {
	O_URL = 256, O_API, O_MODEL, O_PROMPT, O_OUTPUT, O_CONC, O_REQUESTS, O_RATE, O_WARMUP, O_TIMEOUT,
	O_MODEL_FILE, O_MODEL_BYTES, O_BASELINE, O_JSON, O_SAVE, O_COMPARE, O_THRESHOLD, O_PLOT,
};

static const struct option llm_opts[] = {
	{ "url", required_argument, NULL, O_URL },
	{ "api", required_argument, NULL, O_API },
	{ "model", required_argument, NULL, O_MODEL },
	{ "prompt-tokens", required_argument, NULL, O_PROMPT },
	{ "output-tokens", required_argument, NULL, O_OUTPUT },
	{ "concurrency", required_argument, NULL, O_CONC },
	{ "requests", required_argument, NULL, O_REQUESTS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "model-file", required_argument, NULL, O_MODEL_FILE },
	{ "model-bytes", required_argument, NULL, O_MODEL_BYTES },
	{ "hw-baseline", required_argument, NULL, O_BASELINE },
	{ "json", no_argument, NULL, O_JSON },
	{ "save", required_argument, NULL, O_SAVE },
	{ "compare", required_argument, NULL, O_COMPARE },
	{ "threshold", required_argument, NULL, O_THRESHOLD },
	{ "plot", required_argument, NULL, O_PLOT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One option; false when its value is refused (the line is said). */
static bool take_option(xpu_cli *cli, int c, const char *v, llm_args *a)
{
	xpu_llm_options *o = &a->opt;
	switch (c) {
	case O_URL: o->url = v; return true;
	case O_API: return parse_api(cli, v, &o->api);
	case O_MODEL: o->model = v; return true;
	case O_PROMPT: return parse_count(cli, "--prompt-tokens", v, 1, 1u << 20, &o->prompt_tokens);
	case O_OUTPUT: return parse_count(cli, "--output-tokens", v, 1, 1u << 20, &o->output_tokens);
	case O_CONC: return parse_levels(cli, v, o);
	case O_REQUESTS: return parse_count(cli, "--requests", v, 1, 100000, &o->requests);
	case O_RATE: return parse_real(cli, "--rate", v, 0.001, 1e6, &o->rate);
	case O_WARMUP: return parse_count(cli, "--warmup", v, 0, 1000, &o->warmup);
	case O_TIMEOUT: return parse_real(cli, "--timeout", v, 0.1, 86400, &o->timeout_s);
	case O_MODEL_FILE: o->model_file = v; return true;
	case O_MODEL_BYTES: return parse_real(cli, "--model-bytes", v, 1, 1e15, &o->model_bytes);
	case O_BASELINE: o->hw_baseline = v; return true;
	case O_JSON: cli->json = true; return true;
	case O_SAVE: a->save = v; return true;
	case O_COMPARE: a->compare = v; return true;
	case O_THRESHOLD: return parse_real(cli, "--threshold", v, 0, 1000, &a->threshold);
	case O_PLOT: a->plot = v; return true;
	default: return false;
	}
}

/* XPU_EXIT_OK to run, -1 after --help, else the exit status. */
static int llm_parse(xpu_cli *cli, int argc, char **argv, llm_args *a)
{
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", llm_opts, NULL)) != -1) {
		if (c == 'h') {
			llm_usage(stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "Try 'xpu bench llm --help'.\n");
			return XPU_EXIT_USAGE;
		}
		if (!take_option(cli, c, optarg, a))
			return XPU_EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error(cli, "bench llm: unexpected argument '%s' (see 'xpu bench llm --help')", argv[optind]);
		return XPU_EXIT_USAGE;
	}
	if (!a->opt.url) {
		cli_error(cli, "bench llm: give --url (llama-server: http://127.0.0.1:8080, Ollama: "
			  "http://127.0.0.1:11434)");
		return XPU_EXIT_USAGE;
	}
	return XPU_EXIT_OK;
}

/* --- the report --- */

static const char *num(const xpu_real *v, int dec, char *buf, size_t len)
{
	if (v->status.state != XPU_OK)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.*f", dec, v->value);
	return buf;
}

static const char *pair(const xpu_llm_dist *d, int dec, char *buf, size_t len)
{
	char a[32], b[32];
	snprintf(buf, len, "%s/%s", num(&d->p50, dec, a, sizeof(a)), num(&d->p99, dec, b, sizeof(b)));
	return buf;
}

static void print_level(const xpu_llm_level *lv)
{
	char b[10][48];
	printf("  %5u %5u %10s %9s %7s %9s %15s %13s %13s %15s %6s\n", lv->concurrency, lv->requests,
	       num(&lv->output_tps, 1, b[0], 48), num(&lv->stream_tps, 1, b[1], 48), num(&lv->request_rate, 2, b[2], 48),
	       num(&lv->prefill_tps, 0, b[3], 48), pair(&lv->ttft_ms, 1, b[4], 48), pair(&lv->tpot_ms, 2, b[5], 48),
	       pair(&lv->itl_ms, 2, b[6], 48), pair(&lv->e2e_ms, 0, b[7], 48), num(&lv->mbu_percent, 1, b[8], 48));
	printf("        server's own, mean: TTFT %s ms, TPOT %s ms, prefill %s tok/s, decode %s tok/s\n",
	       num(&lv->server_ttft_ms, 1, b[0], 48), num(&lv->server_tpot_ms, 2, b[1], 48),
	       num(&lv->server_prefill_tps, 0, b[2], 48), num(&lv->server_decode_tps, 1, b[3], 48));
	if (lv->model_loads)
		printf("        %u request%s loaded the model: not counted in TTFT and E2E\n", lv->model_loads,
		       lv->model_loads == 1 ? "" : "s");
}

static void print_roofline(const xpu_llm_roofline *rf)
{
	char b[3][160];
	printf("\nroofline:\n");
	printf("  model file: %s (%s)%s%s\n", rf->model_file[0] ? rf->model_file : "unknown", rf->model_source,
	       rf->weight_type[0] ? ", weights " : "", rf->weight_type);
	if (rf->bytes_per_token.status.state == XPU_OK)
		printf("  bytes per token: %.4f GB (weights %.4f GB, KV cache %s bytes per token of context)\n",
		       rf->bytes_per_token.value / 1e9, rf->weight_bytes.value / 1e9, fmt_real(&rf->kv_bytes_per_ctx, 0, "", b[0], 160));
	else
		printf("  bytes per token: %s\n", fmt_real(&rf->bytes_per_token, 0, "", b[0], 160));
	printf("  device: %s%s%s%s: %s\n", rf->device_id[0] ? rf->device_id : "unknown", rf->device_name[0] ? " (" : "",
	       rf->device_name, rf->device_name[0] ? ")" : "", rf->device_source);
	if (rf->bandwidth_gbs.status.state == XPU_OK)
		printf("  bandwidth: %.1f GB/s (%s)\n", rf->bandwidth_gbs.value, rf->bandwidth_source);
	else
		printf("  bandwidth: n/a (%s)\n", rf->bandwidth_source);
	printf("  compute: %s (%s)\n", fmt_real(&rf->peak_tflops, 1, "TFLOP/s", b[2], 160), rf->flops_source);
	printf("  verdict: %s\n", rf->verdict);
}

static void print_report(const xpu_llm_report *r)
{
	printf("xpu bench llm: %s at %s (%s, %s)\n", r->server, r->url, r->api, r->endpoint);
	printf("model %s: %u prompt + %u output tokens per request, %u warm-up%s", r->model, r->prompt_tokens,
	       r->output_tokens, r->warmup, r->warmup == 1 ? "" : "s");
	if (r->rate > 0)
		printf(", %.2f requests/s", r->rate);
	if (r->load_wait_s > 1)
		printf("; waited %.1f s for the server to load its model", r->load_wait_s);
	printf("\n\n  %5s %5s %10s %9s %7s %9s %15s %13s %13s %15s %6s\n", "conc", "reqs", "out tok/s", "tok/s/str",
	       "req/s", "prefill/s", "TTFT p50/p99", "TPOT p50/p99", "ITL p50/p99", "E2E p50/p99", "MBU%");
	for (size_t i = 0; i < r->n_levels; i++)
		print_level(&r->levels[i]);
	printf("  (times in ms; tok/s/str: one stream's decode, 1000/TPOT; MBU: share of the memory roofline)\n");
	print_roofline(&r->roof);
}

static void progress(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "xpu bench llm: %s\n", msg);
}

static int write_plot(xpu_cli *cli, const xpu_llm_report *r, const char *path)
{
	char *svg = xpu_llm_svg(r);
	FILE *f = svg ? fopen(path, "we") : NULL;
	bool ok = f && fputs(svg, f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	free(svg);
	if (!ok)
		cli_error(cli, "bench llm: --plot: cannot write %s", path);
	return ok ? XPU_EXIT_OK : XPU_EXIT_FAILURE;
}

/* Prints the report, writes what was asked; the exit status. */
static int llm_finish(xpu_cli *cli, const llm_args *a, const xpu_llm_report *r)
{
	char err[512];
	xpu_bench_comparison *cmp = NULL;
	if (a->compare && xpu_llm_compare(r, a->compare, a->threshold, &cmp, err, sizeof(err)) != 0) {
		cli_error(cli, "bench llm: --compare %s", err);
		return XPU_EXIT_FAILURE;
	}
	char *json = cli->json ? xpu_llm_json(r, true) : NULL;
	if (cli->json && json)
		puts(json);
	else if (!cli->json)
		print_report(r);
	free(json);
	int rc = XPU_EXIT_OK;
	if (a->save && xpu_llm_save(r, a->save, err, sizeof(err)) != 0) {
		cli_error(cli, "bench llm: --save %s", err);
		rc = XPU_EXIT_FAILURE;
	}
	if (a->plot && rc == XPU_EXIT_OK)
		rc = write_plot(cli, r, a->plot);
	if (cmp) {
		cli_print_comparison(cmp, a->compare, cli->json ? stderr : stdout);
		if (rc == XPU_EXIT_OK && cmp->regressions)
			rc = BENCH_EXIT_REGRESSION;
		free(cmp);
	}
	return rc;
}

int cmd_bench_llm(xpu_cli *cli, int argc, char **argv)
{
	llm_args a = { .opt = { .prompt_tokens = 512, .output_tokens = 128, .n_levels = 1, .concurrency = { 1 },
				.warmup = 1, .timeout_s = 60, .progress = progress },
		       .threshold = 10 };
	int rc = llm_parse(cli, argc, argv, &a);
	if (rc != XPU_EXIT_OK)
		return rc < 0 ? XPU_EXIT_OK : rc;
	a.opt.discovery = cli->opt;
	a.opt.discovery.cache = cli_cache_choice(cli, XPU_CACHE_USE);
	xpu_llm_report *r = NULL;
	char err[768];
	if (xpu_llm_run(&a.opt, &r, err, sizeof(err)) != 0) {
		cli_error(cli, "bench llm: %s", err);
		return XPU_EXIT_FAILURE;
	}
	rc = llm_finish(cli, &a, r);
	xpu_llm_report_free(r);
	return rc;
}
