/* fp8 GEMM on NVIDIA through cuBLASLt (dlopen'd, never linked):
 * cublasLtMatmul with E4M3 A and B, bf16 C/D, fp32 compute and scale, a
 * per-tensor fp32 scale factor for A and B (device pointers), and the
 * algorithm cublasLtMatmulAlgoGetHeuristic picks with a 32 MiB workspace.
 * Hopper's fp8 kernels take only the "TN" layout (A transposed, B not: both
 * K-major), which is also how a Linear layer's weights are stored.  Runs
 * where the GPU has fp8 tensor cores (compute capability 8.9 and later). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "bench/cuda_int.h"
#include "model/value.h"

typedef struct lt {
	const xpu_cublaslt_api *a;
	xlt_handle h;
	char where[160];
} lt;

/* One planned D = (sa * A^T) (sb * B): its descriptors and algorithm. */
typedef struct lt_plan {
	lt *lt;
	int m, n, k;
	xlt_desc desc;
	xlt_layout la, lb, ld;
	xlt_algo algo;
	xcu_ptr a, b, d, scales; /* scales: sa at +0, sb at +16 */
	float alpha, beta;
} lt_plan;

/* Whether cuBLASLt has every entry point the fp8 GEMM calls. */
static bool lt_complete(const xpu_cublaslt_api *a)
{
	return a->create && a->destroy && a->desc_create && a->desc_destroy && a->desc_set &&
	       a->layout_create && a->layout_destroy && a->pref_create && a->pref_destroy &&
	       a->pref_set && a->heuristic && a->matmul;
}

/* Opens cuBLASLt (beside cuBLAS when that was found) and a handle; false
 * with the reason in c->err. */
static bool lt_open(cu *c, lt *l)
{
	void *lib = cu_lib_open(xpu_cublaslt_libs, c->cublas_dir, l->where, sizeof(l->where));
	if (!lib) {
		char names[64];
		xpu_sonames_text(xpu_cublaslt_libs, "/", names, sizeof(names));
		snprintf(c->err, sizeof(c->err), "cuBLASLt not found (%s in no "
			 "searched place; set XPU_CUBLAS to its folder)", names);
		return false;
	}
	l->a = xpu_cublaslt_api_of(lib);
	if (!lt_complete(l->a)) {
		snprintf(c->err, sizeof(c->err), "%.100s lacks a cublasLt matmul entry point", l->where);
		return false;
	}
	int st = l->a->create(&l->h);
	if (st != 0) {
		l->h = NULL;
		snprintf(c->err, sizeof(c->err), "cublasLtCreate failed: status %d", st);
		return false;
	}
	return true;
}

/* "; cuBLASLt 13.1.0" after the target's library, where it fits. */
static void lt_name(bench_ctx *bc, const lt *l)
{
	size_t v = l->a->version ? l->a->version() : 0, used = strlen(bc->t->library);
	if (v && used + 24 < sizeof(bc->t->library))
		snprintf(bc->t->library + used, sizeof(bc->t->library) - used, "; cuBLASLt %zu.%zu.%zu",
			 v / 10000, v / 100 % 100, v % 100);
}

static bool lt_status(cu *c, int st, const char *what)
{
	if (st == 0)
		return true;
	snprintf(c->err, sizeof(c->err), "%s: cuBLAS status %d", what, st);
	return false;
}

static bool plan_desc(cu *c, lt_plan *p)
{
	const xpu_cublaslt_api *a = p->lt->a;
	int32_t ta = XCUBLAS_OP_T, tb = XCUBLAS_OP_N;
	xcu_ptr sa = p->scales, sb = p->scales + 16;
	return lt_status(c, a->desc_create(&p->desc, XCUBLAS_COMPUTE_32F, XCUDA_R_32F),
			 "cublasLtMatmulDescCreate") &&
	       lt_status(c, a->desc_set(p->desc, XLT_DESC_TRANSA, &ta, sizeof(ta)), "TRANSA") &&
	       lt_status(c, a->desc_set(p->desc, XLT_DESC_TRANSB, &tb, sizeof(tb)), "TRANSB") &&
	       lt_status(c, a->desc_set(p->desc, XLT_DESC_A_SCALE_POINTER, &sa, sizeof(sa)),
			 "A_SCALE_POINTER") &&
	       lt_status(c, a->desc_set(p->desc, XLT_DESC_B_SCALE_POINTER, &sb, sizeof(sb)),
			 "B_SCALE_POINTER");
}

/* Column-major, as cuBLASLt counts: A is K x M (lda K), B is K x N (ldb K),
 * D is M x N (ldd M); C is D (beta 0). */
static bool plan_layouts(cu *c, lt_plan *p)
{
	const xpu_cublaslt_api *a = p->lt->a;
	return lt_status(c, a->layout_create(&p->la, XCUDA_R_8F_E4M3, (uint64_t)p->k,
					     (uint64_t)p->m, p->k), "layout A") &&
	       lt_status(c, a->layout_create(&p->lb, XCUDA_R_8F_E4M3, (uint64_t)p->k,
					     (uint64_t)p->n, p->k), "layout B") &&
	       lt_status(c, a->layout_create(&p->ld, XCUDA_R_16BF, (uint64_t)p->m,
					     (uint64_t)p->n, p->m), "layout D");
}

static bool plan_algo(cu *c, lt_plan *p)
{
	const xpu_cublaslt_api *a = p->lt->a;
	xlt_pref pref = NULL;
	uint64_t ws = CU_WORKSPACE;
	xlt_heuristic res;
	int found = 0;
	memset(&res, 0, sizeof(res));
	bool ok = lt_status(c, a->pref_create(&pref), "cublasLtMatmulPreferenceCreate") &&
		  lt_status(c, a->pref_set(pref, XLT_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)),
			    "MAX_WORKSPACE_BYTES") &&
		  lt_status(c, a->heuristic(p->lt->h, p->desc, p->la, p->lb, p->ld, p->ld, pref, 1,
					    &res, &found), "cublasLtMatmulAlgoGetHeuristic");
	if (pref)
		a->pref_destroy(pref);
	if (ok && found < 1) {
		snprintf(c->err, sizeof(c->err), "cuBLASLt has no fp8 algorithm for M=%d N=%d K=%d",
			 p->m, p->n, p->k);
		return false;
	}
	p->algo = res.algo;
	return ok;
}

static bool plan_scales(cu *c, lt_plan *p, float sa, float sb)
{
	float host[8] = { sa, 0, 0, 0, sb, 0, 0, 0 };
	return cu_alloc(c, &p->scales, sizeof(host)) &&
	       cu_ok(c, c->d->copy_htod(p->scales, host, sizeof(host)), "cuMemcpyHtoD (scales)");
}

/* Allocates, fills and plans; false with the reason in c->err. */
static bool plan_make(cu *c, lt *l, lt_plan *p, int m, int n, int k, float sa, float sb)
{
	memset(p, 0, sizeof(*p));
	*p = (lt_plan){ .lt = l, .m = m, .n = n, .k = k, .alpha = 1, .beta = 0 };
	return cu_workspace(c) && plan_scales(c, p, sa, sb) &&
	       cu_alloc(c, &p->a, (size_t)m * k) && cu_alloc(c, &p->b, (size_t)k * n) &&
	       cu_alloc(c, &p->d, (size_t)m * n * 2) &&
	       cu_fill(c, p->a, (size_t)m * k, T_FP8_E4M3, 17) &&
	       cu_fill(c, p->b, (size_t)k * n, T_FP8_E4M3, 19) &&
	       plan_desc(c, p) && plan_layouts(c, p) && plan_algo(c, p);
}

static void plan_free(cu *c, lt_plan *p)
{
	const xpu_cublaslt_api *a = p->lt->a;
	if (p->desc)
		a->desc_destroy(p->desc);
	xlt_layout *ls[] = { &p->la, &p->lb, &p->ld };
	for (size_t i = 0; i < XPU_ARRAY_LEN(ls); i++)
		if (*ls[i])
			a->layout_destroy(*ls[i]);
	cu_free(c, &p->a);
	cu_free(c, &p->b);
	cu_free(c, &p->d);
	cu_free(c, &p->scales);
}

static xcu_result op_lt(cu *c, void *arg)
{
	lt_plan *p = arg;
	void *d = (void *)(uintptr_t)p->d;
	int st = p->lt->a->matmul(p->lt->h, p->desc, &p->alpha, (const void *)(uintptr_t)p->a, p->la,
				 (const void *)(uintptr_t)p->b, p->lb, &p->beta, d, p->ld, d, p->ld,
				 &p->algo, (void *)(uintptr_t)c->ws, CU_WORKSPACE, c->s);
	if (st != 0) {
		snprintf(c->err, sizeof(c->err), "cublasLtMatmul: status %d", st);
		return -1;
	}
	return XCU_SUCCESS;
}

/* ---- correctness: a small product against the CPU ---- */

/* E4M3: 1 sign, 4 exponent (bias 7), 3 mantissa bits; S.1111.111 is NaN. */
static float e4m3_value(unsigned char b)
{
	int e = (b >> 3) & 0xf, m = b & 7;
	/* 2^(e-7), exact: libm's ldexpf would load libm at every start of xpu */
	float scale = e >= 7 ? (float)(1u << (e - 7)) : 1.0f / (float)(1u << (7 - e));
	float v = e == 0 ? (float)m / 8 / 64 : (1 + (float)m / 8) * scale;
	if (e == 15 && m == 7)
		v = NAN;
	return b & 0x80 ? -v : v;
}

static float bf16_value(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

typedef struct host_mats {
	unsigned char *a, *b;
	uint16_t *d;
} host_mats;

/* Largest error of D against sa * sb * A^T B over the allowed one (bf16
 * output rounding plus slack): <= 1 passes. */
static double worst_error(const lt_plan *p, const host_mats *h, float sa, float sb)
{
	double worst = 0;
	for (int j = 0; j < p->n; j++)
		for (int i = 0; i < p->m; i++) {
			double ref = 0;
			for (int q = 0; q < p->k; q++)
				ref += (double)e4m3_value(h->a[(size_t)i * p->k + q]) *
				       e4m3_value(h->b[(size_t)j * p->k + q]);
			ref *= (double)sa * sb;
			double got = bf16_value(h->d[(size_t)j * p->m + i]);
			double allowed = fabs(ref) / 64 + 0.05;
			double e = fabs(got - ref) / allowed;
			if (!(e <= worst)) /* NaN counts as the worst */
				worst = isnan(e) ? INFINITY : e;
		}
	return worst;
}

/* Runs a 96 x 80 x 128 product with scales 0.5 and 0.25 and compares; a
 * result without the scales applied is off by 8x and fails. */
static bool lt_check(cu *c, lt *l, char *what, size_t len)
{
	enum { M = 96, N = 80, K = 128 };
	const float sa = 0.5f, sb = 0.25f;
	lt_plan p = { 0 };
	host_mats h = { malloc((size_t)M * K), malloc((size_t)K * N), malloc((size_t)M * N * 2) };
	bool ok = h.a && h.b && h.d && plan_make(c, l, &p, M, N, K, sa, sb) &&
		  op_lt(c, &p) == XCU_SUCCESS &&
		  cu_ok(c, c->d->stream_sync(c->s), "cuStreamSynchronize") &&
		  cu_ok(c, c->d->copy_dtoh(h.a, p.a, (size_t)M * K), "cuMemcpyDtoH") &&
		  cu_ok(c, c->d->copy_dtoh(h.b, p.b, (size_t)K * N), "cuMemcpyDtoH") &&
		  cu_ok(c, c->d->copy_dtoh(h.d, p.d, (size_t)M * N * 2), "cuMemcpyDtoH");
	if (ok) {
		double worst = worst_error(&p, &h, sa, sb);
		ok = worst <= 1;
		if (ok)
			snprintf(what, len, "checked at %dx%dx%d against the CPU", M, N, K);
		else
			snprintf(c->err, sizeof(c->err), "fp8 result wrong at %dx%dx%d: error %.3g x "
				 "the bf16 tolerance", M, N, K, worst);
	} else if (!h.a || !h.b || !h.d) {
		snprintf(c->err, sizeof(c->err), "out of host memory");
	}
	if (p.lt)
		plan_free(c, &p);
	free(h.a);
	free(h.b);
	free(h.d);
	return ok;
}

/* ---- figures ---- */

static void fp8_square(bench_ctx *bc, cu *c, lt *l, int n, const char *checked)
{
	char shape[16];
	snprintf(shape, sizeof(shape), "%d", n);
	if (!bench_want(bc, BENCH_FIG_GEMM_FP8, shape))
		return;
	xpu_bench_figure *f = bench_figure(bc, BENCH_FIG_GEMM_FP8, shape, CU_GEMM_COUNTING);
	if (!f)
		return;
	bench_progress(bc, "cuda gemm fp8 %d^3", n);
	lt_plan p;
	c->err[0] = '\0';
	if (!plan_make(c, l, &p, n, n, n, 1, 1))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
	else
		cu_measure(bc, c, f, op_lt, &p, 2.0 * n * n * (double)n * 1e-12);
	bench_note(f, "cublasLtMatmul E4M3 TN, bf16 out, fp32 scales; %s", checked);
	if (p.lt)
		plan_free(c, &p);
}

/* M tokens against an N x K fp8 weight matrix: weight bytes per second. */
static void fp8_decode(bench_ctx *bc, cu *c, lt *l, int m, int n, int k)
{
	char shape[48];
	cu_decode_shape(shape, sizeof(shape), m, n, k);
	if (!bench_want(bc, BENCH_FIG_GEMV_FP8, shape))
		return;
	xpu_bench_figure *f = bench_figure(bc, BENCH_FIG_GEMV_FP8, shape, NULL);
	if (!f)
		return;
	lt_plan p;
	c->err[0] = '\0';
	/* D^T (N x M) = W (stored K-major) x X^T: the weights are A. */
	if (!plan_make(c, l, &p, n, m, k, 1, 1))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
	else
		cu_measure(bc, c, f, op_lt, &p, (double)n * k * 1e-9);
	if (xpu_is_ok(&f->status))
		bench_alt(f, f->best * 1e9 / ((double)n * k) * 2.0 * m * n * k * 1e-12);
	bench_note(f, "cublasLtMatmul E4M3 TN, bf16 out, like a Linear layer at decode");
	if (p.lt)
		plan_free(c, &p);
}

static bool any_fp8(const bench_ctx *bc)
{
	return bench_want(bc, BENCH_FIG_GEMM_FP8, CU_SQUARE_SHAPE) || cu_want_decode(bc, BENCH_FIG_GEMV_FP8);
}

static void fp8_figures(bench_ctx *bc, cu *c, lt *l, const char *checked)
{
	fp8_square(bc, c, l, CU_SQUARE_N, checked);
	for (int m = 1; m <= 16; m += 15)
		for (size_t i = 0; i < cu_decode_shapes(bc); i++)
			fp8_decode(bc, c, l, m, cu_decode_nk[i][0], cu_decode_nk[i][1]);
}

void cu_gemm_fp8(bench_ctx *bc, cu *c)
{
	if (!any_fp8(bc))
		return;
	if (c->cc_major * 10 + c->cc_minor < 89) {
		bench_skip(bc, BENCH_FIG_GEMM_FP8, CU_SQUARE_SHAPE, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			   "fp8 tensor cores need compute capability 8.9 or "
			   "later; this GPU is %d.%d", c->cc_major, c->cc_minor);
		return;
	}
	lt l;
	memset(&l, 0, sizeof(l));
	char checked[64] = "";
	c->err[0] = '\0';
	if (!lt_open(c, &l) || !lt_check(c, &l, checked, sizeof(checked))) {
		bench_skip(bc, BENCH_FIG_GEMM_FP8, CU_SQUARE_SHAPE, XPU_UNAVAILABLE,
			   l.h ? XPU_R_RUNTIME_ERROR : XPU_R_RUNTIME_MISSING, "%s", c->err);
	} else {
		lt_name(bc, &l);
		fp8_figures(bc, c, &l, checked);
	}
	if (l.h)
		l.a->destroy(l.h);
}
