/* xpu bench's logic without timing: --only selection, the peak table and
 * percentages, and baselines (save, compare, and every way a baseline can be
 * unusable). */
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "bench/bench_int.h"
#include "bench/host_kernels.h"
#include "bench/host_team.h"
#include "model/value.h"
#include "xpu/bench.h"

static void test_only_selects_by_prefix(void **state)
{
	(void)state;
	assert_true(xpu_bench_selected(NULL, "stream.triad"));
	assert_true(xpu_bench_selected("", "stream.triad"));
	assert_true(xpu_bench_selected("stream", "stream.triad"));
	assert_true(xpu_bench_selected("gemm.bf16,stream.triad", "stream.triad"));
	assert_true(xpu_bench_selected("gemm.bf16", "gemm.bf16.8192"));
	/* a prefix ends at a dot: "gemm.bf1" is not "gemm.bf16" */
	assert_false(xpu_bench_selected("gemm.bf1", "gemm.bf16.8192"));
	assert_false(xpu_bench_selected("stream.copy", "stream.triad"));
	assert_false(xpu_bench_selected("gemm", "gemv.bf16.m1.n4096.k4096"));
}

static void test_only_validation(void **state)
{
	(void)state;
	char bad[64];
	assert_true(xpu_bench_only_valid("stream,gemm.bf16.8192,launch", bad, sizeof(bad)));
	assert_true(xpu_bench_only_valid("gemv.bf16.m1.n4096.k4096", bad, sizeof(bad)));
	/* the fp8 figures, as perf/bench-vs-peers.sh asks for them */
	assert_true(xpu_bench_only_valid("gemm.fp8.8192,gemv.fp8.m16.n14336.k4096", bad, sizeof(bad)));
	assert_false(xpu_bench_only_valid("stream,bogus", bad, sizeof(bad)));
	assert_string_equal(bad, "bogus");
	assert_false(xpu_bench_only_valid("streamx", bad, sizeof(bad)));
	assert_false(xpu_bench_only_valid("", bad, sizeof(bad)));
}

static xpu_device gpu(uint16_t vendor, uint16_t device)
{
	xpu_device d;
	memset(&d, 0, sizeof(d));
	d.vendor = vendor == 0x10de ? XPU_VENDOR_NVIDIA : XPU_VENDOR_INTEL;
	d.kind = XPU_KIND_DISCRETE;
	d.pci_vendor_id = vendor;
	d.pci_device_id = device;
	return d;
}

static void test_peaks_h200_from_table(void **state)
{
	(void)state;
	static xpu_bench_target t;
	xpu_device d = gpu(0x10de, 0x2335);
	bench_peaks_fill(&t, &d, NULL);
	assert_int_equal(t.peaks[XPU_PEAK_MEM_BW].status.state, XPU_OK);
	assert_true(t.peaks[XPU_PEAK_MEM_BW].value == 4810);
	assert_true(t.peaks[XPU_PEAK_BF16].value == 989);
	assert_true(t.peaks[XPU_PEAK_LINK].value == 63.0);
	assert_non_null(strstr(t.peak_source, "H200"));
	/* the table wins over a value derived from runtime attributes */
	bench_peak_derive(&t, XPU_PEAK_MEM_BW, 4000, "computed");
	assert_true(t.peaks[XPU_PEAK_MEM_BW].value == 4810);
}

static void test_peaks_arc(void **state)
{
	(void)state;
	static xpu_bench_target t;
	xpu_device d = gpu(0x8086, 0x56a0);
	bench_peaks_fill(&t, &d, NULL);
	assert_true(t.peaks[XPU_PEAK_MEM_BW].value == 560);
	assert_true(t.peaks[XPU_PEAK_FP16].value == 137.6);
	/* Alchemist has no TF32 rate: unsupported, saying so */
	assert_int_equal(t.peaks[XPU_PEAK_TF32].status.state, XPU_UNSUPPORTED);
	assert_non_null(strstr(t.peaks[XPU_PEAK_TF32].status.detail, "tf32"));
	d = gpu(0x8086, 0xe20b);
	bench_peaks_fill(&t, &d, NULL);
	assert_true(t.peaks[XPU_PEAK_MEM_BW].value == 456);
}

static void test_peaks_unknown_device_says_why(void **state)
{
	(void)state;
	static xpu_bench_target t;
	xpu_device d = gpu(0x10de, 0x1234);
	bench_peaks_fill(&t, &d, NULL);
	assert_int_not_equal(t.peaks[XPU_PEAK_MEM_BW].status.state, XPU_OK);
	assert_non_null(strstr(t.peaks[XPU_PEAK_MEM_BW].status.detail, "10de:1234"));
	/* a runtime's attributes fill the gap, and the source says how */
	bench_peak_derive(&t, XPU_PEAK_MEM_BW, 1000, "computed: clock x bus");
	assert_int_equal(t.peaks[XPU_PEAK_MEM_BW].status.state, XPU_OK);
	assert_non_null(strstr(t.peak_source, "computed"));
}

static void add_figure(xpu_bench_target *t, const char *name, const char *unit,
		       xpu_peak_kind k, double best)
{
	xpu_bench_figure *f = &t->figures[t->n_figures++];
	memset(f, 0, sizeof(*f));
	xpu_strlcpy(f->name, name, sizeof(f->name));
	xpu_strlcpy(f->unit, unit, sizeof(f->unit));
	f->peak_kind = k;
	f->lower_is_better = strcmp(unit, "us") == 0;
	f->best = f->median = f->min = f->max = best;
	f->reps = 5;
	xpu_set_ok(&f->status);
}

static void test_percent_of_peak(void **state)
{
	(void)state;
	static xpu_bench_target t;
	xpu_device d = gpu(0x10de, 0x2335);
	bench_peaks_fill(&t, &d, NULL);
	add_figure(&t, "d2d.memcpy", "GB/s", XPU_PEAK_MEM_BW, 4329);
	add_figure(&t, "launch.latency", "us", XPU_PEAK_NONE, 5);
	bench_peaks_apply(&t);
	assert_int_equal(t.figures[0].percent_of_peak.status.state, XPU_OK);
	assert_true(t.figures[0].percent_of_peak.value > 89.9 &&
		    t.figures[0].percent_of_peak.value < 90.1);
	assert_int_not_equal(t.figures[1].percent_of_peak.status.state, XPU_OK);
}

/* A report of one host target with a rate and a latency. */
static xpu_bench_report *sample_report(double rate, double latency)
{
	xpu_bench_report *r = calloc(1, sizeof(*r));
	xpu_strlcpy(r->hostname, "benchhost", sizeof(r->hostname));
	xpu_strlcpy(r->machine_id, "0123456789abcdef", sizeof(r->machine_id));
	r->scale = 1.0;
	r->n_targets = 1;
	xpu_bench_target *t = &r->targets[0];
	xpu_strlcpy(t->device_id, "cpu", sizeof(t->device_id));
	xpu_strlcpy(t->backend, "host", sizeof(t->backend));
	xpu_set_ok(&t->status);
	add_figure(t, "stream.triad", "GB/s", XPU_PEAK_MEM_BW, rate);
	add_figure(t, "launch.latency", "us", XPU_PEAK_NONE, latency);
	return r;
}

typedef struct files {
	char dir[64];
	char path[128];
} files;

static int setup_files(void **state)
{
	files *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/xpu-bench-test-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/base.json", f->dir);
	*state = f;
	return 0;
}

static int teardown_files(void **state)
{
	files *f = *state;
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int compare(const xpu_bench_report *r, const char *path, double thr,
		   xpu_bench_comparison **cmp, char *err)
{
	return xpu_bench_compare(r, path, thr, false, cmp, err, 512);
}

/* A noisy figure (now or in the baseline) is not called a regression
 * unless asked (--compare-noisy); it is counted as held back. */
static void test_compare_holds_back_noisy(void **state)
{
	files *fs = *state;
	char err[512];
	xpu_bench_comparison *cmp = NULL;
	xpu_bench_report *base = sample_report(100, 10);
	assert_int_equal(xpu_bench_save(base, fs->path, err, sizeof(err)), 0);
	xpu_bench_report *slow = sample_report(50, 10);
	xpu_bench_figure *f = &slow->targets[0].figures[0];
	f->noisy = true;
	xpu_strlcpy(f->noise, "spread 40% > 10% over 5 reps", sizeof(f->noise));
	assert_int_equal(compare(slow, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->regressions, 0);
	assert_int_equal(cmp->held_back, 1);
	assert_true(cmp->deltas[0].noisy && !cmp->deltas[0].regression);
	assert_non_null(strstr(cmp->deltas[0].noise, "now spread 40%"));
	free(cmp);
	assert_int_equal(xpu_bench_compare(slow, fs->path, 10, true, &cmp, err, sizeof(err)), 0);
	assert_int_equal(cmp->regressions, 1);
	assert_int_equal(cmp->held_back, 0);
	free(cmp);
	/* noisy in the baseline, quiet now: still held back, saying where */
	assert_int_equal(xpu_bench_save(slow, fs->path, err, sizeof(err)), 0);
	xpu_bench_report *slower = sample_report(20, 10);
	assert_int_equal(compare(slower, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->regressions, 0);
	assert_int_equal(cmp->held_back, 1);
	assert_non_null(strstr(cmp->deltas[0].noise, "in the baseline: spread 40%"));
	free(cmp);
	free(base);
	free(slow);
	free(slower);
}

/* Spread over the repetitions, and a busy machine on the CPU's targets. */
static void test_noise_verdicts(void **state)
{
	(void)state;
	static xpu_bench_target t;
	memset(&t, 0, sizeof(t));
	add_figure(&t, "stream.triad", "GB/s", XPU_PEAK_MEM_BW, 10);
	t.figures[0].min = 9.5;  /* spread 5%: quiet */
	add_figure(&t, "stream.copy", "GB/s", XPU_PEAK_MEM_BW, 10);
	t.figures[1].min = 6;    /* spread 40%: noisy */
	add_figure(&t, "gemm.fp32.1024", "TFLOP/s", XPU_PEAK_FP32, 1);
	t.figures[2].min = 0.5;
	t.figures[2].reps = 2;   /* too few repetitions to judge a spread */
	bench_noise_apply(&t, true);
	assert_false(t.figures[0].noisy);
	assert_true(t.figures[1].noisy);
	assert_non_null(strstr(t.figures[1].noise, "spread 40% > 10% over 5 reps"));
	assert_false(t.figures[2].noisy);
	/* others used 60% of the CPUs while it ran: every figure of a CPU
	 * target is noisy; of a GPU target only by its own spread */
	bench_load a = { .ok = true, .total = 1000, .idle = 900, .steal = 0, .own_s = 0 };
	bench_load b = { .ok = true, .total = 2000, .idle = 1300, .steal = 0, .own_s = 0 };
	bench_load_judge(&t, &a, &b);
	assert_true(t.others_cpu_pct.value > 59 && t.others_cpu_pct.value < 61);
	assert_non_null(strstr(t.busy, "machine busy"));
	for (size_t i = 0; i < t.n_figures; i++)
		t.figures[i].noisy = false, t.figures[i].noise[0] = '\0';
	bench_noise_apply(&t, false);
	assert_false(t.figures[0].noisy);
	bench_noise_apply(&t, true);
	assert_true(t.figures[0].noisy);
	assert_non_null(strstr(t.figures[0].noise, "machine busy: others used 60%"));
	/* a quiet machine: no verdict */
	memset(t.busy, 0, sizeof(t.busy));
	b.idle = 1990;
	bench_load_judge(&t, &a, &b);
	assert_string_equal(t.busy, "");
}

/* Taken in two passes (a CPU target): the passes' bests decide, not the
 * spread of all the repetitions, since the best is what is reported and
 * compared; latencies (lower is better) likewise.  One figure whose passes
 * moved makes every figure of the target noisy: the machine moved. */
static void test_noise_verdicts_over_passes(void **state)
{
	(void)state;
	static xpu_bench_target t;
	memset(&t, 0, sizeof(t));
	add_figure(&t, "stream.triad", "GB/s", XPU_PEAK_MEM_BW, 100);
	t.figures[0].min = 50; /* spread 50%, bests 4% apart: trusted */
	t.figures[0].passes = 2, t.figures[0].pass_best[0] = 96, t.figures[0].pass_best[1] = 100;
	add_figure(&t, "stream.copy", "GB/s", XPU_PEAK_MEM_BW, 100);
	t.figures[1].min = 93; /* spread 7%, bests 5% apart: trusted */
	t.figures[1].passes = 2, t.figures[1].pass_best[0] = 100, t.figures[1].pass_best[1] = 95;
	add_figure(&t, "launch.latency", "us", XPU_PEAK_NONE, 10);
	t.figures[2].lower_is_better = true, t.figures[2].best = 10, t.figures[2].max = 80;
	t.figures[2].passes = 2, t.figures[2].pass_best[0] = 10, t.figures[2].pass_best[1] = 10.4;
	bench_noise_apply(&t, true);
	for (size_t i = 0; i < 3; i++)
		assert_false(t.figures[i].noisy);
	/* the latency's passes 11 and 10: 10% apart */
	t.figures[2].pass_best[1] = 11;
	bench_noise_apply(&t, true);
	assert_true(t.figures[2].noisy);
	assert_non_null(strstr(t.figures[2].noise, "the 2 passes' bests differ by 10% > 5%"));
	for (size_t i = 0; i < 2; i++) {
		assert_true(t.figures[i].noisy);
		assert_non_null(strstr(t.figures[i].noise,
				       "the machine moved: launch.latency's passes differ by 10% > 5%"));
	}
	/* a figure of one pass keeps the spread rule alone */
	add_figure(&t, "gemm.fp32.1024", "TFLOP/s", XPU_PEAK_FP32, 1);
	t.figures[3].min = 0.98;
	bench_noise_apply(&t, false);
	assert_false(t.figures[3].noisy);
}

static void test_compare_detects_slowdown(void **state)
{
	files *fs = *state;
	char err[512];
	xpu_bench_report *base = sample_report(100, 10);
	assert_int_equal(xpu_bench_save(base, fs->path, err, sizeof(err)), 0);
	xpu_bench_comparison *cmp = NULL;

	/* the same figures: nothing flagged */
	assert_int_equal(compare(base, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->n, 2);
	assert_int_equal(cmp->regressions, 0);
	free(cmp);

	/* the rate 20% lower: flagged at 10%, not at 25% */
	xpu_bench_report *slow = sample_report(80, 10);
	assert_int_equal(compare(slow, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->regressions, 1);
	assert_string_equal(cmp->deltas[0].name, "stream.triad");
	assert_true(cmp->deltas[0].regression);
	assert_true(cmp->deltas[0].change_pct < -19.9 && cmp->deltas[0].change_pct > -20.1);
	free(cmp);
	assert_int_equal(compare(slow, fs->path, 25, &cmp, err), 0);
	assert_int_equal(cmp->regressions, 0);
	free(cmp);

	/* a latency that doubled is a regression; one that halved is not */
	xpu_bench_report *lat = sample_report(100, 20);
	assert_int_equal(compare(lat, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->regressions, 1);
	assert_string_equal(cmp->deltas[1].name, "launch.latency");
	assert_true(cmp->deltas[1].regression);
	free(cmp);
	lat->targets[0].figures[1].best = 5;
	assert_int_equal(compare(lat, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->regressions, 0);
	free(cmp);
	free(base);
	free(slow);
	free(lat);
}

static void test_compare_counts_unmatched(void **state)
{
	files *fs = *state;
	char err[512];
	xpu_bench_report *base = sample_report(100, 10);
	assert_int_equal(xpu_bench_save(base, fs->path, err, sizeof(err)), 0);
	xpu_bench_report *now = sample_report(100, 10);
	xpu_strlcpy(now->targets[0].figures[1].name, "mem.read", sizeof(now->targets[0].figures[1].name));
	xpu_bench_comparison *cmp = NULL;
	assert_int_equal(compare(now, fs->path, 10, &cmp, err), 0);
	assert_int_equal(cmp->n, 1);
	assert_int_equal(cmp->unmatched, 2); /* mem.read here, launch.latency there */
	free(cmp);
	free(base);
	free(now);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_refused(const char *path, const char *text, const char *words)
{
	char err[512] = "";
	write_file(path, text);
	xpu_bench_report *r = sample_report(100, 10);
	xpu_bench_comparison *cmp = (xpu_bench_comparison *)1;
	assert_int_not_equal(compare(r, path, 10, &cmp, err), 0);
	assert_null(cmp);
	if (!strstr(err, words) || !strstr(err, path))
		fail_msg("message '%s' lacks '%s' or the path", err, words);
	free(r);
}

static void test_baseline_refusals(void **state)
{
	files *fs = *state;
	expect_refused(fs->path, "{\"kind\": \"xpu-bench\", \"schema_", "not valid JSON");
	expect_refused(fs->path, "", "not valid JSON");
	expect_refused(fs->path, "[1, 2]", "not an xpu bench baseline");
	expect_refused(fs->path, "{\"kind\": \"xpu-list\", \"schema_version\": 1}",
		       "not an xpu bench baseline");
	expect_refused(fs->path,
		       "{\"kind\": \"xpu-bench\", \"schema_version\": 99, \"targets\": []}",
		       "schema_version 99");
	expect_refused(fs->path, "{\"kind\": \"xpu-bench\", \"targets\": []}",
		       "schema_version missing");
	expect_refused(fs->path,
		       "{\"kind\": \"xpu-bench\", \"schema_version\": 1, \"machine\": "
		       "{\"hostname\": \"elsewhere\", \"machine_id\": \"ffff\"}, \"targets\": []}",
		       "another machine");
	expect_refused(fs->path,
		       "{\"kind\": \"xpu-bench\", \"schema_version\": 1, \"machine\": "
		       "{\"hostname\": \"benchhost\", \"machine_id\": \"0123456789abcdef\"}}",
		       "no \"targets\"");
	char err[512];
	xpu_bench_report *r = sample_report(100, 10);
	xpu_bench_comparison *cmp = NULL;
	assert_int_not_equal(compare(r, "/nonexistent/base.json", 10, &cmp, err), 0);
	assert_non_null(strstr(err, "/nonexistent/base.json"));
	free(r);
}

static void test_json_has_schema_and_reasons(void **state)
{
	(void)state;
	xpu_bench_report *r = sample_report(100, 10);
	xpu_bench_target *t = &r->targets[0];
	xpu_device d;
	memset(&d, 0, sizeof(d));
	d.vendor = XPU_VENDOR_CPU;
	bench_peaks_fill(t, &d, NULL);
	bench_peaks_apply(t);
	char *s = xpu_bench_json(r, false);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"schema_version\":1"));
	assert_non_null(strstr(s, "\"kind\":\"xpu-bench\""));
	/* an unknown peak is null with its reason, never 0 */
	assert_non_null(strstr(s, "\"percent_of_peak\":{\"value\":null"));
	assert_non_null(strstr(s, "xpu computes no mem_bw rate for a CPU"));
	free(s);
	free(r);
}

/* xpu's own SGEMM against a naive product, on every kernel set this CPU
 * runs, at shapes that cross its blocks: K past KC (256), N past NC (3072),
 * edges of every micro-tile. */
static void own_sgemm_shape(const host_kernels *ks, int m, int n, int k)
{
	float *a = malloc(sizeof(float) * (size_t)m * k), *b = malloc(sizeof(float) * (size_t)k * n);
	float *c = malloc(sizeof(float) * (size_t)m * n);
	assert_true(a && b && c);
	for (int i = 0; i < m * k; i++)
		a[i] = (float)((i * 7 % 17) - 8) / 8.0f;
	for (int i = 0; i < k * n; i++)
		b[i] = (float)((i * 5 % 13) - 6) / 8.0f;
	assert_int_equal(host_sgemm(ks, m, n, k, a, b, c), 0);
	for (int i = 0; i < m; i += (m > 50 ? 13 : 1))
		for (int j = 0; j < n; j += (n > 50 ? 7 : 1)) {
			double ref = 0;
			for (int x = 0; x < k; x++)
				ref += (double)a[i * k + x] * b[x * n + j];
			if (fabs(ref - c[i * n + j]) > 1e-3 * (1 + fabs(ref)))
				fail_msg("%s %dx%dx%d: C[%d][%d] = %g, naive %g", ks->isa, m, n, k, i, j,
					 (double)c[i * n + j], ref);
		}
	free(a);
	free(b);
	free(c);
}

/* One kernel set; a set this CPU lacks is a skipped test, named. */
static void own_sgemm_isa(const char *isa)
{
	char why[128];
	setenv("XPU_BENCH_ISA", isa, 1);
	const host_kernels *ks = host_kernels_pick(why, sizeof(why));
	unsetenv("XPU_BENCH_ISA");
	if (!ks) {
		printf("  %s\n", why);
		skip();
	}
	own_sgemm_shape(ks, 1, 1, 1);
	own_sgemm_shape(ks, 7, 33, 300);
	own_sgemm_shape(ks, 101, 3100, 5);
	own_sgemm_shape(ks, 97, 45, 513);
}

/* The kernel sets xpu picks (its own CPUID and XGETBV reading) are those
 * the kernel's /proc/cpuinfo names (it lists a vector unit only when it
 * saves its state): a set picked that the CPU lacks would stop xpu bench
 * with SIGILL, one refused would lose half the bandwidth. */
static void test_kernel_sets_match_cpuinfo(void **state)
{
	(void)state;
	char *text = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f || getdelim(&text, &cap, '\0', f) < 0 || !strstr(text, "flags")) {
		if (f)
			fclose(f);
		free(text);
		printf("  no /proc/cpuinfo flags to compare with\n");
		skip();
	}
	fclose(f);
	char *flags = strstr(text, "flags");
	flags[strcspn(flags, "\n")] = '\0';
	struct {
		const char *isa;
		bool cpu_has;
	} sets[] = {
		{ "avx512f", xpu_word_in(flags, "avx512f") },
		{ "avx2", xpu_word_in(flags, "avx2") && xpu_word_in(flags, "fma") },
		{ "generic", true },
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(sets); i++) {
		char why[128] = "";
		setenv("XPU_BENCH_ISA", sets[i].isa, 1);
		bool picked = host_kernels_pick(why, sizeof(why)) != NULL;
		unsetenv("XPU_BENCH_ISA");
		if (picked != sets[i].cpu_has)
			fail_msg("%s: xpu %s it, /proc/cpuinfo %s (%s)", sets[i].isa,
				 picked ? "picks" : "refuses", sets[i].cpu_has ? "has" : "lacks", why);
	}
	free(text);
}

/* The host team: every thread of a region runs once per region, each on its
 * own CPU (STREAM's first touch places each share's pages where its thread
 * runs, and the kernels must run there too), and the caller gets its own
 * CPU set back. */
typedef struct team_seen {
	atomic_uint runs[64];
	atomic_int cpu[64];
	atomic_uint wrong_count;
} team_seen;

static void team_mark(void *arg, unsigned thread, unsigned threads)
{
	team_seen *s = arg;
	if (threads != host_team_size() || thread >= 64)
		atomic_fetch_add(&s->wrong_count, 1);
	else {
		atomic_fetch_add(&s->runs[thread], 1);
		atomic_store(&s->cpu[thread], sched_getcpu());
	}
}

static void test_host_team_runs_each_thread_on_its_cpu(void **state)
{
	(void)state;
	cpu_set_t before, after;
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	unsigned n = host_team_size();
	assert_true(n >= 1 && n <= (unsigned)CPU_COUNT(&before) && n <= 64);
	static team_seen seen;
	for (int r = 0; r < 2000; r++)
		host_team_run(team_mark, &seen);
	assert_int_equal(atomic_load(&seen.wrong_count), 0);
	for (unsigned t = 0; t < n; t++) {
		assert_int_equal(atomic_load(&seen.runs[t]), 2000);
		for (unsigned u = 0; u < t; u++)
			if (atomic_load(&seen.cpu[t]) == atomic_load(&seen.cpu[u]))
				fail_msg("threads %u and %u both ran on CPU %d", u, t, atomic_load(&seen.cpu[t]));
	}
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
}

static void test_own_sgemm_avx512f(void **state)
{
	(void)state;
	own_sgemm_isa("avx512f");
}

static void test_own_sgemm_avx2(void **state)
{
	(void)state;
	own_sgemm_isa("avx2");
}

static void test_own_sgemm_generic(void **state)
{
	(void)state;
	own_sgemm_isa("generic");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_selects_by_prefix),
		cmocka_unit_test(test_noise_verdicts),
		cmocka_unit_test(test_noise_verdicts_over_passes),
		cmocka_unit_test_setup_teardown(test_compare_holds_back_noisy, setup_files, teardown_files),
		cmocka_unit_test(test_own_sgemm_avx512f),
		cmocka_unit_test(test_own_sgemm_avx2),
		cmocka_unit_test(test_own_sgemm_generic),
		cmocka_unit_test(test_kernel_sets_match_cpuinfo),
		cmocka_unit_test(test_host_team_runs_each_thread_on_its_cpu),
		cmocka_unit_test(test_only_validation),
		cmocka_unit_test(test_peaks_h200_from_table),
		cmocka_unit_test(test_peaks_arc),
		cmocka_unit_test(test_peaks_unknown_device_says_why),
		cmocka_unit_test(test_percent_of_peak),
		cmocka_unit_test_setup_teardown(test_compare_detects_slowdown, setup_files,
						teardown_files),
		cmocka_unit_test_setup_teardown(test_compare_counts_unmatched, setup_files,
						teardown_files),
		cmocka_unit_test_setup_teardown(test_baseline_refusals, setup_files, teardown_files),
		cmocka_unit_test(test_json_has_schema_and_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
