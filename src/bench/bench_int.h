/* Private to src/bench: the context each backend's runner fills, and the
 * helpers they share. */
#ifndef XPU_BENCH_INT_H
#define XPU_BENCH_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/figures.h"
#include "xpu/bench.h"
#include "xpu/xpu.h"

typedef struct bench_ctx {
	const xpu_bench_options *opt;
	xpu_bench_target *t;
	double scale; /* XPU_BENCH_SCALE: applied to every measured figure (tests) */
} bench_ctx;

/* Repetitions and warm-ups per level. */
unsigned bench_reps(const bench_ctx *c);

/* A figure is row id of the registry (figures.h); shape is what a shaped
 * row's figure adds to its stem ("8192", "m1.n4096.k4096"), NULL for the
 * others. */
/* Whether --only selects this figure. */
bool bench_want(const bench_ctx *c, bench_fig id, const char *shape);
/* A new figure on the target, its name, unit and peak kind from its row
 * (NULL when the target's table is full).  counting: how this runner counts
 * when it differs from the row's, else NULL. */
xpu_bench_figure *bench_figure(bench_ctx *c, bench_fig id, const char *shape, const char *counting);
/* The figure's best in its row's second counting convention (alt_value). */
void bench_alt(xpu_bench_figure *f, double value);
/* Fills best/median/min/max from n samples (warm-ups already left out), in
 * the figure's unit, and applies the test scale. */
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

/* peaks.c: fills t->peaks from the table (by PCI id) or says why not. */
void bench_peaks_fill(xpu_bench_target *t, const xpu_device *d);
/* Sets one peak computed from runtime attributes, if the table had none. */
void bench_peak_derive(xpu_bench_target *t, xpu_peak_kind k, double value, const char *how);
/* percent_of_peak of every figure from the target's peaks. */
void bench_peaks_apply(xpu_bench_target *t);

/* The runners, one per backend. */
void bench_host(bench_ctx *c, const xpu_device *cpu);
void bench_cuda(bench_ctx *c, const xpu_device *d);
void bench_opencl(bench_ctx *c, const xpu_device *d);
void bench_level_zero(bench_ctx *c, const xpu_device *d);

/* baseline.c: xpu_bench_compare on a baseline's text already read (named
 * path in messages): the fuzzer's entry. */
int bench_compare_text(const xpu_bench_report *r, const char *path, const char *text, size_t len,
		       double threshold_pct, xpu_bench_comparison **out, char *err, size_t errlen);

#endif
