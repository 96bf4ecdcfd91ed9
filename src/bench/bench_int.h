/* Private to src/bench: the context each backend's runner fills, and the
 * helpers they share. */
#ifndef XPU_BENCH_INT_H
#define XPU_BENCH_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/figures.h"
#include "sys/sys.h"
#include "xpu/bench.h"
#include "xpu/topology.h"
#include "xpu/xpu.h"

/* One figure's samples, scaled, over the passes so far. */
typedef struct bench_kept {
	double *v;
	size_t n;
} bench_kept;

typedef struct bench_ctx {
	const xpu_bench_options *opt;
	const xpu_system *sys; /* every device: the peers of p2p and the collectives */
	const xsys *root;  /* the machine's files (--sysroot): the host's peaks */
	xpu_bench_target *t;
	double scale; /* XPU_BENCH_SCALE: applied to every measured figure (tests) */
	/* A target on the CPU runs its figures in BENCH_CPU_PASSES passes (see
	 * bench.c): pass counts from 0; a later pass fills the figures of the
	 * first again.  kept: while such a target runs, its figures' samples of
	 * every pass so far (by index in t->figures; owned by the run, which
	 * frees them), so that each figure's statistics span the passes; NULL
	 * for a target of one pass. */
	unsigned pass;
	struct bench_kept *kept;
} bench_ctx;

/* Repetitions and warm-ups per level. */
unsigned bench_reps(const bench_ctx *c);

/* A figure is row id of the registry (figures.h); shape is what a shaped
 * row's figure adds to its stem ("8192", "m1.n4096.k4096"), NULL for the
 * others. */
/* The row's name: the figure's, or with a shape its stem ("allreduce"). */
const char *bench_fig_stem(bench_fig id);
/* Whether --only selects this figure. */
bool bench_want(const bench_ctx *c, bench_fig id, const char *shape);
/* A new figure on the target, its name, unit and peak kind from its row
 * (NULL when the target's table is full); in a later pass, the figure of
 * that name again, emptied but for its kept samples.  counting: how this runner counts
 * when it differs from the row's, else NULL. */
xpu_bench_figure *bench_figure(bench_ctx *c, bench_fig id, const char *shape, const char *counting);
/* The figure's best in its row's second counting convention (alt_value). */
void bench_alt(xpu_bench_figure *f, double value);
/* Fills best/median/min/max from n samples (warm-ups already left out), in
 * the figure's unit, and applies the test scale; in a later pass, from
 * these and every earlier pass's samples of the figure. */
void bench_finish(const bench_ctx *c, xpu_bench_figure *f, const double *samples, size_t n);
/* No figure: why (f may be NULL: nothing happens). */
void bench_fail(xpu_bench_figure *f, xpu_state st, xpu_reason r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void bench_vfail(xpu_bench_figure *f, xpu_state st, xpu_reason r, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* A figure that could not run, recorded when --only selects it. */
void bench_skip(bench_ctx *c, bench_fig id, const char *shape, xpu_state st, xpu_reason r,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void bench_note(xpu_bench_figure *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench_progress(const bench_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The whole target failed (runtime missing or broken). */
void bench_target_fail(xpu_bench_target *t, xpu_reason r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One timed step of a wall-clock benchmark: 0 on success, else a message in
 * err. */
typedef int (*bench_step_fn)(void *arg, char *err, size_t len);
/* Runs warm + n steps, timing each with the wall clock; the figure gets
 * amount / time per step (amount > 0: a rate), or the time in microseconds
 * (amount 0: a latency).  The first failing step fails the figure. */
void bench_wall_samples(const bench_ctx *c, xpu_bench_figure *f, unsigned warm, unsigned n,
			double amount, bench_step_fn step, void *arg);

/* Monotonic seconds. */
double bench_now(void);
/* A rate in unit per second from an amount and seconds, guarding t = 0. */
double bench_rate(double amount, double seconds);

/* IEEE half <-> float for host-side checks (normal numbers and zero only:
 * what the checks use). */
uint16_t bench_to_half(float f);
float bench_from_half(uint16_t h);

/* The GEMM check every backend runs before timing: an odd shape, so bounds
 * and tails are exercised, with inputs that are small multiples of 1/8
 * (exact in fp16 and bf16), so fp32 results must match to rounding. */
enum { BENCH_CHK_M = 67, BENCH_CHK_N = 45, BENCH_CHK_K = 33 };
typedef struct bench_gemm_ref {
	float a[BENCH_CHK_M * BENCH_CHK_K], b[BENCH_CHK_K * BENCH_CHK_N];
	float ref[BENCH_CHK_M * BENCH_CHK_N];
} bench_gemm_ref;
void bench_gemm_ref_make(bench_gemm_ref *r);
/* out (row-major, fp32) against the reference; half allows fp16 output
 * rounding.  false with the first wrong element in err. */
bool bench_gemm_ref_compare(const bench_gemm_ref *r, const float *out, bool half, char *err,
			    size_t len);

/* baseline.c: a value as JSON: its number, or when not OK an object with a
 * null "value" beside its "state", "reason" and "detail". */
typedef struct json_t json_t;
void bench_json_real(json_t *o, const char *key, const xpu_real *v);
/* o as text (and o dropped): malloc'd, NULL when out of memory. */
char *bench_json_text(json_t *o, bool pretty);
/* Writes o (and drops it) to path atomically: a temporary file, then a
 * rename; -1 with err naming what (a "baseline", a "report") and where. */
int bench_json_write(json_t *o, const char *path, const char *what, char *err, size_t errlen);
/* A progress line to fn (nothing when fn is NULL). */
void bench_vsay(xpu_bench_progress_fn fn, void *ctx, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* peaks.c: fills t->peaks from the table (by PCI id), the CPU's from
 * host_peaks.c, or says why not. */
void bench_peaks_fill(xpu_bench_target *t, const xpu_device *d, const xsys *root);
/* host_peaks.c: the CPU's peaks, computed (SMBIOS DIMMs; cores x clock x
 * FMA units), each with t->peak_how, or unknown with why. */
void bench_host_peaks(const xsys *root, xpu_bench_target *t, const xpu_device *cpu);
/* Sets one peak computed from runtime attributes, if the table had none. */
void bench_peak_derive(xpu_bench_target *t, xpu_peak_kind k, double value, const char *how);
/* percent_of_peak of every figure from the target's peaks (a peer figure
 * keeps the peak its runner set: its pair's link). */
void bench_peaks_apply(xpu_bench_target *t);
/* The peak between devices a and b over link l: NVLinks x the table's rate
 * per link, else the link speed a runtime gave, else over PCIe the slower
 * host link; or why it is unknown.  how says which. */
void bench_peer_peak(xpu_real *peak, const xpu_link *l, const xpu_device *a, const xpu_device *b,
		     char *how, size_t len);

/* noise.c: the machine's load (/proc/stat, this process's CPU time), sampled
 * before and after a target; the target's busy verdict; each figure's
 * spread and whether it is noisy (on_cpu: the target runs on the CPU, so a
 * busy machine makes its figures noisy). */
typedef struct bench_load {
	bool ok;
	uint64_t total, idle, steal; /* clock ticks, all CPUs */
	double own_s;                /* this process's CPU seconds */
} bench_load;
void bench_load_sample(bench_load *s);
void bench_load_judge(xpu_bench_target *t, const bench_load *before, const bench_load *after);
void bench_noise_apply(xpu_bench_target *t, bool on_cpu);

/* The runners, one per backend. */
void bench_host(bench_ctx *c, const xpu_device *cpu);
void bench_cuda(bench_ctx *c, const xpu_device *d);
void bench_opencl(bench_ctx *c, const xpu_device *d);
void bench_level_zero(bench_ctx *c, const xpu_device *d);
/* collectives.c: all-reduce, all-gather, reduce-scatter and broadcast
 * through NCCL across every usable CUDA GPU, one target of their own;
 * nothing when --only selects none of them. */
void bench_collectives(bench_ctx *c, xpu_bench_report *r);
/* Whether --only selects any figure of the collectives. */
bool bench_want_collectives(const bench_ctx *c);
/* nccl-tests' bus bandwidth factor for a collective of n ranks: 2(n-1)/n
 * for all-reduce, (n-1)/n for all-gather and reduce-scatter, 1 for
 * broadcast (nccl-tests doc/PERFORMANCE.md). */
double bench_busbw_factor(bench_fig collective, int n);

/* baseline.c: xpu_bench_compare on a baseline's text already read (named
 * path in messages): the fuzzer's entry. */
int bench_compare_text(const xpu_bench_report *r, const char *path, const char *text, size_t len,
		       double threshold_pct, bool call_noisy, xpu_bench_comparison **out, char *err, size_t errlen);

#endif
