/* Host benchmarks: STREAM copy/scale/add/triad on the host team (threads bound,
 * first touch by the threads that run the kernels, each array at least 4x
 * the last-level cache, best of N excluding the first, bytes counted as
 * STREAM counts them: 2/2/3/3 x 8 B x N) on the kernels built for this CPU's
 * vector units (host_kernels.c), and GEMM through a BLAS found at run time
 * with dlopen, else xpu's own (host_gemm.c). */
#include "bench/bench_int.h"
#include "bench/host_kernels.h"
#include "bench/host_team.h"
#include "bench/onednn.h"

#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"

/* ---- STREAM ---- */

typedef struct stream_arrays {
	double *a, *b, *c;
	size_t n;
	const host_kernels *k;
} stream_arrays;

/* This thread's share of n elements: contiguous, starting on a 64-byte
 * line (8 doubles), the same share for the first touch and every kernel. */
static void share(size_t n, unsigned thread, unsigned threads, size_t *lo, size_t *hi)
{
	size_t t = thread, nt = threads;
	size_t lines = (n + 7) / 8, per = lines / nt, extra = lines % nt;
	size_t first = t * per + (t < extra ? t : extra);
	*lo = first * 8 < n ? first * 8 : n;
	*hi = (first + per + (t < extra)) * 8;
	*hi = *hi < n ? *hi : n;
}

static size_t stream_elements(const bench_ctx *c, const xpu_device *cpu)
{
	uint64_t llc = 0;
	if (xpu_is_ok(&cpu->cpu.l3_bytes.status))
		llc = cpu->cpu.l3_bytes.value;
	else if (xpu_is_ok(&cpu->cpu.l2_bytes.status))
		llc = cpu->cpu.l2_bytes.value;
	uint64_t sockets = xpu_is_ok(&cpu->cpu.sockets.status) ? cpu->cpu.sockets.value : 1;
	uint64_t bytes = 4 * llc * (sockets ? sockets : 1);
	/* Floors keep a machine whose cache size is unknown honest. */
	uint64_t floor = c->opt->level == XPU_BENCH_QUICK ? 64ull << 20 :
			 c->opt->level == XPU_BENCH_FULL ? 1024ull << 20 : 256ull << 20;
	if (bytes < floor)
		bytes = floor;
	return (size_t)(bytes / sizeof(double));
}

/* The first touch: each thread writes the share it will run. */
static void stream_touch(void *arg, unsigned thread, unsigned threads)
{
	stream_arrays *s = arg;
	size_t lo, hi;
	share(s->n, thread, threads, &lo, &hi);
	for (size_t j = lo; j < hi; j++) {
		s->a[j] = 1.0;
		s->b[j] = 2.0;
		s->c[j] = 0.0;
	}
}

static int stream_alloc(stream_arrays *s, size_t n)
{
	s->n = n;
	/* Page-aligned; pages are placed by the first touch below. */
	if (posix_memalign((void **)&s->a, 4096, n * sizeof(double)) ||
	    posix_memalign((void **)&s->b, 4096, n * sizeof(double)) ||
	    posix_memalign((void **)&s->c, 4096, n * sizeof(double)))
		return -1;
	host_team_run(stream_touch, s);
	return 0;
}

static void stream_free(stream_arrays *s)
{
	free(s->a);
	free(s->b);
	free(s->c);
}

typedef struct stream_region {
	const stream_arrays *s;
	int kernel;
	double scalar;
} stream_region;

static void stream_part(void *arg, unsigned thread, unsigned threads)
{
	const stream_region *r = arg;
	double *a = r->s->a, *b = r->s->b, *cc = r->s->c, scalar = r->scalar;
	const host_kernels *ks = r->s->k;
	size_t lo, hi;
	share(r->s->n, thread, threads, &lo, &hi);
	switch (r->kernel) {
	case 0: ks->copy(cc + lo, a + lo, NULL, scalar, hi - lo); break;
	case 1: ks->scale(b + lo, cc + lo, NULL, scalar, hi - lo); break;
	case 2: ks->add(cc + lo, a + lo, b + lo, scalar, hi - lo); break;
	default: ks->triad(a + lo, b + lo, cc + lo, scalar, hi - lo); break;
	}
}

/* The four kernels, each one region in which every thread runs the ISA's
 * kernel on the share it placed at the first touch. */
static double stream_kernel(stream_arrays *s, int k, double scalar)
{
	stream_region r = { s, k, scalar };
	double t = bench_now();
	host_team_run(stream_part, &r);
	return bench_now() - t;
}

/* The larger error, NaN when either is NaN: a NaN in a result is a wrong
 * answer, which fmax would drop (and fmax is libm's, which xpu does not
 * load at start). */
static double worse(double a, double b)
{
	return isnan(a) || a > b ? a : b;
}

/* STREAM's own validation: replay the sequence on scalars. */
static bool stream_valid(const stream_arrays *s, unsigned rounds, double *err)
{
	double aj = 1.0, bj = 2.0, cj = 0.0, scalar = 3.0;
	for (unsigned k = 0; k < rounds; k++) {
		cj = aj;
		bj = scalar * cj;
		cj = aj + bj;
		aj = bj + scalar * cj;
	}
	double ea = 0, eb = 0, ec = 0;
	size_t step = s->n / 4096 + 1; /* a sample: the full check costs a pass */
	size_t m = 0;
	for (size_t j = 0; j < s->n; j += step, m++) {
		ea += fabs(s->a[j] - aj);
		eb += fabs(s->b[j] - bj);
		ec += fabs(s->c[j] - cj);
	}
	*err = worse(worse(ea / aj, eb / bj), ec / cj) / (double)m;
	return *err < 1e-13;
}

static void bench_stream(bench_ctx *c, const xpu_device *cpu)
{
	static const bench_fig figs[] = { BENCH_FIG_STREAM_COPY, BENCH_FIG_STREAM_SCALE,
					  BENCH_FIG_STREAM_ADD, BENCH_FIG_STREAM_TRIAD };
	/* the words each kernel moves per element, as the rows count them */
	static const double words[] = { 2, 2, 3, 3 };
	bool any = false;
	for (int k = 0; k < 4; k++)
		any = any || bench_want(c, figs[k], NULL);
	if (!any)
		return;
	char why[128];
	stream_arrays s = { .k = host_kernels_pick(why, sizeof(why)) };
	if (!s.k) {
		for (int k = 0; k < 4; k++)
			bench_skip(c, figs[k], NULL, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, "%s", why);
		return;
	}
	size_t n = stream_elements(c, cpu);
	bench_progress(c, "stream: 3 arrays of %zu MiB, %s kernels", n * sizeof(double) >> 20, s.k->isa);
	if (stream_alloc(&s, n) != 0) {
		stream_free(&s);
		for (int k = 0; k < 4; k++)
			bench_skip(c, figs[k], NULL, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
				   "out of memory for 3 x %zu MiB", n >> 17);
		return;
	}
	unsigned reps = bench_reps(c) + 1; /* the first is left out, as STREAM does */
	double *times = calloc((size_t)4 * reps, sizeof(double));
	if (!times) {
		stream_free(&s);
		return;
	}
	/* Every kernel runs in every round, even when --only keeps one: the
	 * validation replays the whole sequence. */
	for (unsigned r = 0; r < reps; r++)
		for (int k = 0; k < 4; k++)
			times[k * reps + r] = stream_kernel(&s, k, 3.0);
	double err = 0;
	bool valid = stream_valid(&s, reps, &err);
	for (int k = 0; k < 4; k++) {
		if (!bench_want(c, figs[k], NULL))
			continue;
		xpu_bench_figure *f = bench_figure(c, figs[k], NULL, NULL);
		if (!f)
			break;
		double rates[64];
		size_t m = 0;
		for (unsigned r = 1; r < reps && m < 64; r++)
			rates[m++] = bench_rate(words[k] * 8.0 * (double)n * 1e-9, times[k * reps + r]);
		if (!valid) {
			bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
				   "results failed STREAM validation (error %.3g)", err);
			continue;
		}
		bench_finish(c, f, rates, m);
		bench_note(f, "%zu MiB per array; %s kernels (%s); validated", n * sizeof(double) >> 20,
			   s.k->isa, s.k->how);
	}
	free(times);
	stream_free(&s);
}

/* ---- GEMM through a BLAS found at run time ---- */

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111 };

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
			 const float *a, int lda, const float *b, int ldb, float beta, float *c,
			 int ldc);
typedef void (*sbgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
			  const uint16_t *a, int lda, const uint16_t *b, int ldb, float beta,
			  float *c, int ldc);
/* oneDNN's C BLAS-like entry (row-major, dnnl.h): status 0 is success. */
typedef int (*dnnl_sgemm_fn)(char ta, char tb, int64_t m, int64_t n, int64_t k, float alpha,
			     const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
			     float *c, int64_t ldc);

typedef struct blas {
	void *lib;
	char what[160];
	sgemm_fn sgemm;
	sbgemm_fn sbgemm; /* OpenBLAS built with BFLOAT16 */
	dnnl_sgemm_fn dnnl_sgemm;
	const host_kernels *own; /* no BLAS: xpu's own SGEMM on these kernels */
	char why_own[192];       /* why the own SGEMM runs */
} blas;

static int blas_sgemm(const blas *b, int m, int n, int k, const float *A, const float *B, float *C)
{
	if (b->own)
		return host_sgemm(b->own, m, n, k, A, B, C);
	if (b->sgemm)
		b->sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, m, n, k, 1.0f, A, k, B, n,
			 0.0f, C, n);
	else
		b->dnnl_sgemm('N', 'N', m, n, k, 1.0f, A, k, B, n, 0.0f, C, n);
	return 0;
}

/* Without a BLAS (or with XPU_BLAS=builtin): xpu's own SGEMM, blocked and
 * packed, on the micro-kernel built for this CPU's vector units. */
static bool blas_own(blas *b, const char *why, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	char isa_why[128];
	b->own = host_kernels_pick(isa_why, sizeof(isa_why));
	if (!b->own) {
		snprintf(err, errlen, "%s; and xpu's own SGEMM: %s", why, isa_why);
		return false;
	}
	snprintf(b->what, sizeof(b->what), "xpu's own SGEMM (%s micro-kernel, %ux%u)", b->own->isa,
		 b->own->mr, b->own->nr);
	xpu_strlcpy(b->why_own, why, sizeof(b->why_own));
	return true;
}

/* Where the library that holds sym came from. */
static void lib_path(void *sym_addr, const char *soname, char *out, size_t len)
{
	Dl_info info;
	if (sym_addr && dladdr(sym_addr, &info) && info.dli_fname)
		snprintf(out, len, "%s", info.dli_fname);
	else
		snprintf(out, len, "%s", soname);
}

/* XPU_BLAS (a path or soname; "builtin": xpu's own) first, then OpenBLAS,
 * MKL, oneDNN, BLIS and the reference BLAS, in that order; without any,
 * xpu's own SGEMM. */
static bool blas_open(blas *b, char *err, size_t errlen)
{
	const char *env = getenv("XPU_BLAS");
	if (env && strcmp(env, "builtin") == 0)
		return blas_own(b, "XPU_BLAS=builtin", err, errlen);
	const char *names[] = { env && *env ? env : "libopenblas.so.0", "libopenblas.so.0",
				"libmkl_rt.so.2", "libmkl_rt.so", "libdnnl.so.3", "libdnnl.so.2",
				"libblis.so.4", "libblas.so.3", NULL };
	for (size_t i = 0; names[i]; i++) {
		void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			continue;
		memset(b, 0, sizeof(*b));
		b->lib = lib;
		xpu_dl_fn(lib, &b->sgemm, "cblas_sgemm", NULL);
		xpu_dl_fn(lib, &b->sbgemm, "cblas_sbgemm", NULL);
		if (!b->sgemm)
			xpu_dl_fn(lib, &b->dnnl_sgemm, "dnnl_sgemm", NULL);
		if (!b->sgemm && !b->dnnl_sgemm) {
			dlclose(lib);
			continue;
		}
		char path[128];
		void *sym = b->sgemm ? dlsym(lib, "cblas_sgemm") : dlsym(lib, "dnnl_sgemm");
		lib_path(sym, names[i], path, sizeof(path));
		const char *(*config)(void) = NULL;
		xpu_dl_fn(lib, &config, "openblas_get_config", NULL);
		if (config)
			snprintf(b->what, sizeof(b->what), "%.60s (%.90s)", config(), path);
		else
			snprintf(b->what, sizeof(b->what), "%.150s", path);
		return true;
	}
	char why[192];
	snprintf(why, sizeof(why), "no BLAS found (tried %slibopenblas.so.0, libmkl_rt, libdnnl, "
		 "libblis, libblas.so.3; install libopenblas0)", env && *env ? "XPU_BLAS, " : "");
	return blas_own(b, why, err, errlen);
}

static unsigned rng_next(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill_random(float *x, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(rng_next(&seed) % 2001) / 1000.0f - 1.0f;
}

/* The BLAS against a naive product on a small odd shape: a wrong library
 * (or a wrong calling convention) shows here, not as a fast wrong figure. */
static bool gemm_check(const blas *b, double *maxerr)
{
	enum { M = 37, N = 29, K = 41 };
	float A[M * K], B[K * N], C[M * N];
	fill_random(A, M * K, 1);
	fill_random(B, K * N, 2);
	*maxerr = INFINITY;
	if (blas_sgemm(b, M, N, K, A, B, C) != 0)
		return false;
	*maxerr = 0;
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			double ref = 0;
			for (int k = 0; k < K; k++)
				ref += (double)A[i * K + k] * B[k * N + j];
			*maxerr = worse(*maxerr, fabs(ref - C[i * N + j]));
		}
	return *maxerr < 1e-3;
}

static int gemm_size(const bench_ctx *c)
{
	return c->opt->level == XPU_BENCH_QUICK ? 1024 : c->opt->level == XPU_BENCH_FULL ? 4096 : 2048;
}

static void gemm_fp32(bench_ctx *c, const blas *b, const char *shape, int n)
{
	xpu_bench_figure *f = bench_figure(c, BENCH_FIG_GEMM_FP32, shape, NULL);
	if (!f)
		return;
	double maxerr;
	if (!gemm_check(b, &maxerr)) {
		if (isinf(maxerr))
			bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "out of memory");
		else
			bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
				   "%s result differs from the reference by %.3g",
				   b->own ? "the own SGEMM's" : "BLAS", maxerr);
		return;
	}
	size_t nn = (size_t)n * n;
	float *A = malloc(nn * sizeof(float)), *B = malloc(nn * sizeof(float)),
	      *C = malloc(nn * sizeof(float));
	if (!A || !B || !C) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "out of memory");
		goto out;
	}
	fill_random(A, nn, 3);
	fill_random(B, nn, 4);
	bench_progress(c, "gemm fp32 %d^3 (%s)", n, b->what);
	unsigned reps = bench_reps(c) / 2 + 1;
	double rates[16];
	size_t m = 0;
	int rc = blas_sgemm(b, n, n, n, A, B, C); /* warm-up: threads, pages, tuning */
	for (unsigned r = 0; r < reps && m < 16 && rc == 0; r++) {
		double t = bench_now();
		rc = blas_sgemm(b, n, n, n, A, B, C);
		rates[m++] = bench_rate(2.0 * n * n * (double)n * 1e-12, bench_now() - t);
	}
	if (rc != 0) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "out of memory for the packed panels");
		goto out;
	}
	bench_finish(c, f, rates, m);
	if (b->own)
		bench_note(f, "%s: %s", b->why_own, b->what);
	bench_note(f, "checked against a naive product (max error %.1e)", maxerr);
out:
	free(A);
	free(B);
	free(C);
}

/* Without cblas_sbgemm: oneDNN's matmul on its CPU engine (bf16 in, fp32
 * out), which uses AVX512-BF16 and AMX where the CPU has them. */
static void gemm_bf16_dnnl(bench_ctx *c, const char *shape, int n)
{
	char why[160];
	bench_dnnl *d = bench_dnnl_open(why, sizeof(why));
	if (!d || !bench_dnnl_engine(d, NULL, NULL, why, sizeof(why))) {
		bench_skip(c, BENCH_FIG_GEMM_BF16, shape, XPU_UNSUPPORTED, XPU_R_RUNTIME_MISSING,
			   "the BLAS has no cblas_sbgemm (OpenBLAS built with BFLOAT16) and %s", why);
		bench_dnnl_close(d);
		return;
	}
	bench_progress(c, "gemm bf16 %d^3 (oneDNN)", n);
	xpu_bench_figure *f = bench_figure(c, BENCH_FIG_GEMM_BF16, shape, NULL);
	if (f && !bench_dnnl_gemm(c, d, f, DNNL_MM_BF16, n, why, sizeof(why)))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", why);
	bench_dnnl_close(d);
}

/* bf16 inputs, fp32 output, where the CPU has bf16 arithmetic: the BLAS's
 * cblas_sbgemm, else oneDNN. */
static void gemm_bf16(bench_ctx *c, const blas *b, const xpu_device *cpu, const char *shape,
		      int n)
{
	if (!bench_want(c, BENCH_FIG_GEMM_BF16, shape))
		return;
	if (!cpu->cpu.avx512_bf16 && !cpu->cpu.amx_bf16) {
		bench_skip(c, BENCH_FIG_GEMM_BF16, shape, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			   "this CPU has neither AVX512-BF16 nor AMX-BF16");
		return;
	}
	if (!b->sbgemm) {
		gemm_bf16_dnnl(c, shape, n);
		return;
	}
	xpu_bench_figure *f = bench_figure(c, BENCH_FIG_GEMM_BF16, shape, NULL);
	if (!f)
		return;
	size_t nn = (size_t)n * n;
	uint16_t *A = malloc(nn * 2), *B = malloc(nn * 2);
	float *C = malloc(nn * sizeof(float));
	if (!A || !B || !C) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "out of memory");
		goto out;
	}
	unsigned seed = 5;
	for (size_t i = 0; i < nn; i++) {
		A[i] = (uint16_t)(0x3f80u | (rng_next(&seed) & 0x807fu)); /* +-[1,2) */
		B[i] = (uint16_t)(0x3f80u | (rng_next(&seed) & 0x807fu));
	}
	bench_progress(c, "gemm bf16 %d^3", n);
	unsigned reps = bench_reps(c) / 2 + 1;
	double rates[16];
	size_t m = 0;
	b->sbgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, n, n, n, 1.0f, A, n, B, n, 0.0f,
		  C, n);
	for (unsigned r = 0; r < reps && m < 16; r++) {
		double t = bench_now();
		b->sbgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, n, n, n, 1.0f, A, n, B,
			  n, 0.0f, C, n);
		rates[m++] = bench_rate(2.0 * n * n * (double)n * 1e-12, bench_now() - t);
	}
	bench_finish(c, f, rates, m);
out:
	free(A);
	free(B);
	free(C);
}

/* OpenBLAS picks its kernels from CPUID at load; a CPU model it does not
 * know (common in VMs, which hide the model) falls back to SSE3 kernels
 * ("Prescott") at a fraction of the speed.  Say so, with the fix. */
static void blas_core_hint(const blas *b, const xpu_device *cpu, xpu_bench_figure *f)
{
	const char *(*corename)(void) = NULL;
	if (!b->lib)
		return;
	xpu_dl_fn(b->lib, &corename, "openblas_get_corename", NULL);
	const char *core = corename ? corename() : NULL;
	if (!core || !f || (!cpu->cpu.avx2 && !cpu->cpu.avx512f))
		return;
	static const char *const generic[] = { "prescott", "core2", "nehalem", "katmai", "atom" };
	for (size_t i = 0; i < XPU_ARRAY_LEN(generic); i++)
		if (strcasecmp(core, generic[i]) == 0 && !getenv("OPENBLAS_CORETYPE"))
			bench_note(f, "OpenBLAS chose %s kernels on a CPU with %s: set "
				   "OPENBLAS_CORETYPE=%s", core, cpu->cpu.avx512f ? "AVX-512" : "AVX2",
				   cpu->cpu.avx512f ? "SkylakeX" : "Haswell");
}

static void bench_gemm(bench_ctx *c, const xpu_device *cpu)
{
	int n = gemm_size(c);
	char shape[16];
	snprintf(shape, sizeof(shape), "%d", n);
	bool fp32 = bench_want(c, BENCH_FIG_GEMM_FP32, shape);
	if (!fp32 && !bench_want(c, BENCH_FIG_GEMM_BF16, shape))
		return;
	blas b;
	char err[192];
	if (!blas_open(&b, err, sizeof(err))) {
		bench_skip(c, BENCH_FIG_GEMM_FP32, shape, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING, "%s",
			   err);
		return;
	}
	xpu_strlcpy(c->t->library, b.what, sizeof(c->t->library));
	if (fp32) {
		gemm_fp32(c, &b, shape, n);
		blas_core_hint(&b, cpu, &c->t->figures[c->t->n_figures - 1]);
	}
	gemm_bf16(c, &b, cpu, shape, n);
	/* BLAS libraries keep thread pools and per-thread buffers: unloading
	 * one mid-process is unsafe (OpenBLAS's destructors race its threads). */
}

void bench_host(bench_ctx *c, const xpu_device *cpu)
{
	bench_stream(c, cpu);
	bench_gemm(c, cpu);
	if (!c->t->library[0])
		snprintf(c->t->library, sizeof(c->t->library), "xpu (STREAM kernels, %u thread%s)",
			 host_team_size(), host_team_size() == 1 ? "" : "s");
}
