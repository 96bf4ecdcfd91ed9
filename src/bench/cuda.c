/* NVIDIA benchmarks through the CUDA driver API and cuBLAS, both dlopen'd:
 * device-to-device copy (cuMemcpyDtoDAsync and a PTX copy kernel; both
 * counting conventions), host-to-device and device-to-host from pinned and
 * pageable memory, cublasGemmEx at 8192^3 in fp32/tf32/fp16/bf16 and at
 * decode-like shapes (M = 1, 16), and kernel launch latency; fp8 through
 * cuBLASLt is in cuda_fp8.c.
 *
 * Timing follows nvbandwidth: events around a batch of operations on one
 * stream, several samples, warm-ups first.  Matrices hold random values
 * (+-[1,2)) written by a PTX kernel: zeros would flatter the tensor cores
 * (less switching, higher clocks). */
#include "bench/cuda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/find.h"
#include "runtimes/runtime.h"

/* Hand-written PTX (ISA 6.0, sm_50 and later; checked with ptxas for sm_75
 * and sm_90): an empty kernel (launch latency), a fill kernel (hash of the
 * index, masked into a number pattern) and a 16-byte vector copy kernel with
 * a grid-stride loop. */
static const char copy_ptx[] =
	".version 6.0\n.target sm_50\n.address_size 64\n"
	".visible .entry xpu_empty()\n{\n\tret;\n}\n"
	".visible .entry xpu_fill(.param .u64 dst, .param .u32 n, .param .u32 seed,\n"
	"\t.param .u32 andm, .param .u32 orm)\n{\n"
	"\t.reg .pred %p;\n\t.reg .b32 %r<12>;\n\t.reg .b64 %rd<4>;\n"
	"\tld.param.u64 %rd0, [dst];\n\tcvta.to.global.u64 %rd0, %rd0;\n"
	"\tld.param.u32 %r0, [n];\n\tld.param.u32 %r1, [seed];\n"
	"\tld.param.u32 %r2, [andm];\n\tld.param.u32 %r3, [orm];\n"
	"\tmov.u32 %r4, %ctaid.x;\n\tmov.u32 %r5, %ntid.x;\n\tmov.u32 %r6, %tid.x;\n"
	"\tmad.lo.u32 %r4, %r4, %r5, %r6;\n\tmov.u32 %r7, %nctaid.x;\n"
	"\tmul.lo.u32 %r5, %r5, %r7;\n"
	"FILL_LOOP:\n\tsetp.ge.u32 %p, %r4, %r0;\n\t@%p bra FILL_DONE;\n"
	"\tmad.lo.u32 %r8, %r4, -1640531535, %r1;\n" /* 0x9e3779b1 */
	"\tshr.u32 %r9, %r8, 16;\n\txor.b32 %r8, %r8, %r9;\n"
	"\tmul.lo.u32 %r8, %r8, -2048144789;\n" /* 0x85ebca6b */
	"\tshr.u32 %r9, %r8, 13;\n\txor.b32 %r8, %r8, %r9;\n"
	"\tmul.lo.u32 %r8, %r8, -1028477387;\n" /* 0xc2b2ae35 */
	"\tshr.u32 %r9, %r8, 16;\n\txor.b32 %r8, %r8, %r9;\n"
	"\tand.b32 %r8, %r8, %r2;\n\tor.b32 %r8, %r8, %r3;\n"
	"\tmul.wide.u32 %rd1, %r4, 4;\n\tadd.s64 %rd2, %rd0, %rd1;\n"
	"\tst.global.u32 [%rd2], %r8;\n\tadd.u32 %r4, %r4, %r5;\n\tbra FILL_LOOP;\n"
	"FILL_DONE:\n\tret;\n}\n"
	".visible .entry xpu_copy(.param .u64 src, .param .u64 dst, .param .u64 n)\n{\n"
	"\t.reg .pred %p;\n\t.reg .b32 %r<8>;\n\t.reg .b64 %rd<10>;\n"
	"\tld.param.u64 %rd0, [src];\n\tcvta.to.global.u64 %rd0, %rd0;\n"
	"\tld.param.u64 %rd1, [dst];\n\tcvta.to.global.u64 %rd1, %rd1;\n"
	"\tld.param.u64 %rd2, [n];\n"
	"\tmov.u32 %r0, %ctaid.x;\n\tmov.u32 %r1, %ntid.x;\n\tmov.u32 %r2, %tid.x;\n"
	"\tcvt.u64.u32 %rd4, %r2;\n\tmad.wide.u32 %rd3, %r0, %r1, %rd4;\n"
	"\tmov.u32 %r3, %nctaid.x;\n\tmul.wide.u32 %rd5, %r1, %r3;\n"
	"COPY_LOOP:\n\tsetp.ge.u64 %p, %rd3, %rd2;\n\t@%p bra COPY_DONE;\n"
	"\tshl.b64 %rd6, %rd3, 4;\n\tadd.s64 %rd7, %rd0, %rd6;\n"
	"\tld.global.nc.v4.u32 {%r4, %r5, %r6, %r7}, [%rd7];\n"
	"\tadd.s64 %rd8, %rd1, %rd6;\n"
	"\tst.global.v4.u32 [%rd8], {%r4, %r5, %r6, %r7};\n"
	"\tadd.s64 %rd3, %rd3, %rd5;\n\tbra COPY_LOOP;\n"
	"COPY_DONE:\n\tret;\n}\n";

bool cu_error(const xpu_cuda_api *d, xcu_result rc, const char *what, char *err, size_t len)
{
	if (rc == XCU_SUCCESS)
		return true;
	const char *name = NULL;
	if (!d->error_name || d->error_name(rc, &name) != XCU_SUCCESS || !name)
		name = "CUDA error";
	snprintf(err, len, "%s: %s (%d)", what, name, rc);
	return false;
}

/* "CUDA_ERROR_OUT_OF_MEMORY (2)" into c->err, prefixed by what failed. */
bool cu_ok(cu *c, xcu_result rc, const char *what)
{
	return cu_error(c->d, rc, what, c->err, sizeof(c->err));
}

/* Whether libcuda has every entry point the benchmarks call. */
static bool drv_complete(const xpu_cuda_api *d)
{
	return d->init && d->device_get && d->attribute && d->primary_retain &&
	       d->primary_release && d->ctx_set_current && d->mem_get_info && d->mem_alloc &&
	       d->mem_free && d->host_alloc && d->host_free && d->memset_d32 &&
	       d->copy_dtod_async && d->copy_htod_async && d->copy_dtoh_async && d->copy_htod &&
	       d->copy_dtoh && d->stream_create && d->stream_destroy && d->stream_sync &&
	       d->event_create && d->event_destroy && d->event_record && d->event_sync &&
	       d->event_elapsed && d->module_load_data && d->module_unload &&
	       d->module_function && d->launch;
}

static void cu_attributes(cu *c)
{
	c->d->attribute(&c->sms, XCU_ATTR_MULTIPROCESSOR_COUNT, c->dev);
	c->d->attribute(&c->clock_khz, XCU_ATTR_CLOCK_RATE, c->dev);
	c->d->attribute(&c->memclk_khz, XCU_ATTR_MEMORY_CLOCK_RATE, c->dev);
	c->d->attribute(&c->bus_bits, XCU_ATTR_MEMORY_BUS_WIDTH, c->dev);
	c->d->attribute(&c->cc_major, XCU_ATTR_CC_MAJOR, c->dev);
	c->d->attribute(&c->cc_minor, XCU_ATTR_CC_MINOR, c->dev);
}

static bool cu_open(cu *c, int ordinal)
{
	/* libcuda stays loaded: it starts threads in cuInit. */
	c->d = xpu_cuda_api_get();
	if (!c->d->lib.handle) {
		snprintf(c->err, sizeof(c->err), "%s", c->d->lib.error);
		return false;
	}
	if (!drv_complete(c->d)) {
		snprintf(c->err, sizeof(c->err), "%s lacks a driver API entry point",
			 xpu_runtime_desc_of(XPU_RT_CUDA)->libraries[0]);
		return false;
	}
	if (!cu_ok(c, c->d->init(0), "cuInit") ||
	    !cu_ok(c, c->d->device_get(&c->dev, ordinal), "cuDeviceGet"))
		return false;
	cu_attributes(c);
	/* The primary context: the one cuBLAS (through the runtime) uses too. */
	if (!cu_ok(c, c->d->primary_retain(&c->ctx, c->dev), "cuDevicePrimaryCtxRetain"))
		return false;
	if (!cu_ok(c, c->d->ctx_set_current(c->ctx), "cuCtxSetCurrent") ||
	    !cu_ok(c, c->d->stream_create(&c->s, XCU_STREAM_NON_BLOCKING), "cuStreamCreate") ||
	    !cu_ok(c, c->d->event_create(&c->e0, 0), "cuEventCreate") ||
	    !cu_ok(c, c->d->event_create(&c->e1, 0), "cuEventCreate"))
		return false;
	if (!cu_ok(c, c->d->module_load_data(&c->mod, copy_ptx), "cuModuleLoadData (PTX)") ||
	    !cu_ok(c, c->d->module_function(&c->f_empty, c->mod, "xpu_empty"), "cuModuleGetFunction") ||
	    !cu_ok(c, c->d->module_function(&c->f_fill, c->mod, "xpu_fill"), "cuModuleGetFunction") ||
	    !cu_ok(c, c->d->module_function(&c->f_copy, c->mod, "xpu_copy"), "cuModuleGetFunction"))
		return false;
	return true;
}

static void cu_close(cu *c)
{
	if (c->h)
		c->b->destroy(c->h);
	if (c->ws)
		c->d->mem_free(c->ws);
	if (c->mod)
		c->d->module_unload(c->mod);
	if (c->e0)
		c->d->event_destroy(c->e0);
	if (c->e1)
		c->d->event_destroy(c->e1);
	if (c->s)
		c->d->stream_destroy(c->s);
	if (c->ctx)
		c->d->primary_release(c->dev);
}

/* ---- timing ---- */

/* Seconds for iters ops between two events on the stream. */
static bool cu_time(cu *c, cu_op op, void *arg, unsigned iters, double *sec)
{
	if (!cu_ok(c, c->d->event_record(c->e0, c->s), "cuEventRecord"))
		return false;
	for (unsigned i = 0; i < iters; i++) {
		xcu_result rc = op(c, arg);
		if (rc != XCU_SUCCESS) {
			/* c->err may already say more (a cuBLAS status) */
			if (rc != -1)
				cu_ok(c, rc, "operation");
			return false;
		}
	}
	float ms = 0;
	if (!cu_ok(c, c->d->event_record(c->e1, c->s), "cuEventRecord") ||
	    !cu_ok(c, c->d->event_sync(c->e1), "cuEventSynchronize") ||
	    !cu_ok(c, c->d->event_elapsed(&ms, c->e0, c->e1), "cuEventElapsedTime"))
		return false;
	*sec = ms * 1e-3;
	return true;
}

/* Batch size so that one sample lasts about target seconds. */
static unsigned cu_calibrate(cu *c, cu_op op, void *arg, double target)
{
	double t = 0;
	if (!cu_time(c, op, arg, 1, &t) || !(t > 0))
		return 1;
	double n = target / t;
	return n < 1 ? 1 : n > 200 ? 200 : (unsigned)n;
}

/* Samples of amount-per-op rates; warm-ups first.  Fails f with c->err. */
void cu_measure(bench_ctx *bc, cu *c, xpu_bench_figure *f, cu_op op, void *arg, double amount)
{
	double target = bc->opt->level == XPU_BENCH_QUICK ? 0.01 : 0.03;
	unsigned reps = bench_reps(bc);
	double rates[32], t;
	size_t m = 0;
	/* warm-ups: clocks up, libraries' lazy setup and heuristics done */
	if (!cu_time(c, op, arg, 3, &t)) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
		return;
	}
	unsigned iters = cu_calibrate(c, op, arg, target);
	for (unsigned r = 0; r < reps && m < 32; r++) {
		if (!cu_time(c, op, arg, iters, &t)) {
			bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
			return;
		}
		rates[m++] = bench_rate(amount * iters, t);
	}
	bench_finish(bc, f, rates, m);
}

/* ---- device memory ---- */

/* Allocation that fails a figure with "out of device memory" clearly. */
bool cu_alloc(cu *c, xcu_ptr *p, size_t bytes)
{
	char what[64];
	snprintf(what, sizeof(what), "cuMemAlloc of %zu MiB", bytes >> 20);
	*p = 0;
	return cu_ok(c, c->d->mem_alloc(p, bytes), what);
}

void cu_free(cu *c, xcu_ptr *p)
{
	if (*p)
		c->d->mem_free(*p);
	*p = 0;
}

/* Fills bytes at p with +-[1,2) numbers of the given type. */
bool cu_fill(cu *c, xcu_ptr p, size_t bytes, num_type t, unsigned seed)
{
	static const unsigned masks[][2] = {
		[T_F32] = { 0x807fffffu, 0x3f800000u },
		[T_F16] = { 0x83ff83ffu, 0x3c003c00u },
		[T_BF16] = { 0x807f807fu, 0x3f803f80u },
		[T_FP8_E4M3] = { 0x87878787u, 0x38383838u }, /* exponent 7 (bias 7) */
	};
	unsigned n = (unsigned)(bytes / 4), andm = masks[t][0], orm = masks[t][1];
	void *args[] = { &p, &n, &seed, &andm, &orm };
	unsigned blocks = (unsigned)(c->sms > 0 ? c->sms * 8 : 1024);
	if (!cu_ok(c, c->d->launch(c->f_fill, blocks, 1, 1, 256, 1, 1, 0, c->s, args, NULL),
		   "cuLaunchKernel xpu_fill"))
		return false;
	/* The kernel's pattern, checked on the first words. */
	unsigned probe[4] = { 0 };
	if (!cu_ok(c, c->d->stream_sync(c->s), "cuStreamSynchronize") ||
	    !cu_ok(c, c->d->copy_dtoh(probe, p, sizeof(probe)), "cuMemcpyDtoH"))
		return false;
	for (int i = 0; i < 4; i++)
		if ((probe[i] & ~andm) != orm || probe[i] == probe[(i + 1) % 4]) {
			snprintf(c->err, sizeof(c->err), "fill kernel wrote %08x: PTX miscompiled?",
				 probe[i]);
			return false;
		}
	return true;
}

typedef struct copy_arg {
	xcu_ptr src, dst;
	size_t bytes;
	void *host;
	unsigned blocks;
} copy_arg;

static xcu_result op_memcpy_d2d(cu *c, void *arg)
{
	copy_arg *a = arg;
	return c->d->copy_dtod_async(a->dst, a->src, a->bytes, c->s);
}

static xcu_result op_kernel_copy(cu *c, void *arg)
{
	copy_arg *a = arg;
	uint64_t n = a->bytes / 16;
	void *args[] = { &a->src, &a->dst, &n };
	return c->d->launch(c->f_copy, a->blocks, 1, 1, 256, 1, 1, 0, c->s, args, NULL);
}

static size_t d2d_bytes(const bench_ctx *bc)
{
	return bc->opt->level == XPU_BENCH_QUICK ? 512u << 20 : 1024u << 20;
}

static void d2d_one(bench_ctx *bc, cu *c, bench_fig fig, cu_op op, copy_arg *a, const char *how)
{
	if (!bench_want(bc, fig, NULL))
		return;
	xpu_bench_figure *f = bench_figure(bc, fig, NULL, NULL);
	if (!f)
		return;
	cu_measure(bc, c, f, op, a, 2.0 * (double)a->bytes * 1e-9);
	if (!xpu_is_ok(&f->status))
		return;
	bench_alt(f, f->best / 2);
	/* The destination must hold the source's pattern. */
	unsigned s[4], d[4];
	size_t at = a->bytes / 2;
	if (!cu_ok(c, c->d->copy_dtoh(s, a->src + at, sizeof(s)), "cuMemcpyDtoH") ||
	    !cu_ok(c, c->d->copy_dtoh(d, a->dst + at, sizeof(d)), "cuMemcpyDtoH") ||
	    memcmp(s, d, sizeof(s)) != 0) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "copy result wrong%s%s",
			   c->err[0] ? ": " : "", c->err);
		return;
	}
	bench_note(f, "%zu MiB, %s; result checked", a->bytes >> 20, how);
}

static void cu_d2d(bench_ctx *bc, cu *c)
{
	if (!bench_want(bc, BENCH_FIG_D2D_MEMCPY, NULL) &&
	    !bench_want(bc, BENCH_FIG_D2D_KERNEL, NULL))
		return;
	copy_arg a = { .bytes = d2d_bytes(bc), .blocks = (unsigned)(c->sms > 0 ? c->sms * 8 : 1024) };
	bench_progress(bc, "cuda device-to-device copy, %zu MiB", a.bytes >> 20);
	c->err[0] = '\0';
	if (!cu_alloc(c, &a.src, a.bytes) || !cu_alloc(c, &a.dst, a.bytes) ||
	    !cu_fill(c, a.src, a.bytes, T_F32, 7)) {
		bench_skip(bc, BENCH_FIG_D2D_MEMCPY, NULL, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s",
			   c->err);
		goto out;
	}
	d2d_one(bc, c, BENCH_FIG_D2D_MEMCPY, op_memcpy_d2d, &a, "cuMemcpyDtoDAsync");
	c->err[0] = '\0';
	c->d->memset_d32(a.dst, 0, a.bytes / 4);
	d2d_one(bc, c, BENCH_FIG_D2D_KERNEL, op_kernel_copy, &a, "PTX copy kernel, 16 B per thread");
out:
	cu_free(c, &a.src);
	cu_free(c, &a.dst);
}

/* ---- host transfers ---- */

static xcu_result op_h2d(cu *c, void *arg)
{
	copy_arg *a = arg;
	return c->d->copy_htod_async(a->dst, a->host, a->bytes, c->s);
}

static xcu_result op_d2h(cu *c, void *arg)
{
	copy_arg *a = arg;
	return c->d->copy_dtoh_async(a->host, a->src, a->bytes, c->s);
}

typedef struct cu_step {
	cu *c;
	copy_arg *a;
	bool h2d;
} cu_step;

/* Pageable copies are synchronous in the driver (staged through its own
 * pinned buffers): wall clock around each. */
static int step_pageable(void *arg, char *err, size_t len)
{
	cu_step *s = arg;
	cu *c = s->c;
	xcu_result rc = s->h2d ? c->d->copy_htod(s->a->dst, s->a->host, s->a->bytes) :
				 c->d->copy_dtoh(s->a->host, s->a->src, s->a->bytes);
	if (!cu_ok(c, rc, s->h2d ? "cuMemcpyHtoD" : "cuMemcpyDtoH"))
		snprintf(err, len, "%s", c->err);
	return rc;
}

static void pageable(bench_ctx *bc, cu *c, bench_fig fig, bool h2d, copy_arg *a)
{
	if (!bench_want(bc, fig, NULL))
		return;
	xpu_bench_figure *f = bench_figure(bc, fig, NULL, NULL);
	cu_step s = { .c = c, .a = a, .h2d = h2d };
	bench_wall_samples(bc, f, 1, bench_reps(bc), (double)a->bytes * 1e-9, step_pageable, &s);
	bench_note(f, "%zu MiB, malloc'd memory, wall clock", a->bytes >> 20);
}

static void pinned(bench_ctx *bc, cu *c, bench_fig fig, cu_op op, copy_arg *a)
{
	if (!bench_want(bc, fig, NULL))
		return;
	xpu_bench_figure *f = bench_figure(bc, fig, NULL, NULL);
	if (!f)
		return;
	cu_measure(bc, c, f, op, a, (double)a->bytes * 1e-9);
	bench_note(f, "%zu MiB, cuMemHostAlloc (portable), events", a->bytes >> 20);
}

static void cu_transfers(bench_ctx *bc, cu *c)
{
	bool pin = bench_want(bc, BENCH_FIG_H2D_PINNED, NULL) ||
		   bench_want(bc, BENCH_FIG_D2H_PINNED, NULL);
	bool page = bench_want(bc, BENCH_FIG_H2D_PAGEABLE, NULL) ||
		    bench_want(bc, BENCH_FIG_D2H_PAGEABLE, NULL);
	if (!pin && !page)
		return;
	copy_arg a = { .bytes = bc->opt->level == XPU_BENCH_QUICK ? 256u << 20 : 512u << 20 };
	bench_progress(bc, "cuda host transfers, %zu MiB", a.bytes >> 20);
	c->err[0] = '\0';
	if (!cu_alloc(c, &a.dst, a.bytes)) {
		bench_skip(bc, BENCH_FIG_H2D_PINNED, NULL, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s",
			   c->err);
		return;
	}
	a.src = a.dst;
	if (pin) {
		void *h = NULL;
		if (cu_ok(c, c->d->host_alloc(&h, a.bytes, XCU_MEMHOSTALLOC_PORTABLE),
			  "cuMemHostAlloc")) {
			memset(h, 1, a.bytes);
			a.host = h;
			pinned(bc, c, BENCH_FIG_H2D_PINNED, op_h2d, &a);
			pinned(bc, c, BENCH_FIG_D2H_PINNED, op_d2h, &a);
			c->d->host_free(h);
		} else {
			bench_skip(bc, BENCH_FIG_H2D_PINNED, NULL, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
				   "%s", c->err);
		}
	}
	if (page) {
		a.host = malloc(a.bytes);
		if (a.host) {
			memset(a.host, 1, a.bytes);
			pageable(bc, c, BENCH_FIG_H2D_PAGEABLE, true, &a);
			pageable(bc, c, BENCH_FIG_D2H_PAGEABLE, false, &a);
		}
		free(a.host);
	}
	cu_free(c, &a.dst);
}

/* ---- cuBLAS ---- */

void *cu_lib_open(const char *const *sonames, const char *dir, char *where, size_t len)
{
	return xpu_lib_find(sonames, "XPU_CUBLAS", dir, where, len);
}

bool cu_workspace(cu *c)
{
	return c->ws || cu_alloc(c, &c->ws, CU_WORKSPACE);
}

static bool cublas_load(bench_ctx *bc, cu *c)
{
	char where[160] = "";
	void *lib = cu_lib_open(xpu_cublas_libs, NULL, where, sizeof(where));
	if (!lib) {
		const char *env = getenv("XPU_CUBLAS");
		char names[64];
		xpu_sonames_text(xpu_cublas_libs, "/", names, sizeof(names));
		snprintf(c->err, sizeof(c->err), "cuBLAS not found (%s%s; set XPU_CUBLAS to "
			 "libcublas.so or its folder)", env && *env ? "not at XPU_CUBLAS" : names,
			 env && *env ? "" : " in no searched place");
		return false;
	}
	const xpu_cublas_api *b = xpu_cublas_api_of(lib);
	if (!b->create || !b->destroy || !b->set_stream || !b->gemm_ex) {
		snprintf(c->err, sizeof(c->err), "%s lacks cublasCreate_v2/cublasGemmEx", where);
		return false;
	}
	c->b = b;
	int st = c->b->create(&c->h);
	if (st != 0) {
		c->h = NULL;
		snprintf(c->err, sizeof(c->err), "cublasCreate_v2 failed: status %d (%s)", st, where);
		return false;
	}
	c->b->set_stream(c->h, c->s);
	if (c->b->set_workspace && cu_workspace(c))
		c->b->set_workspace(c->h, (void *)(uintptr_t)c->ws, CU_WORKSPACE);
	char *slash = strrchr(where, '/');
	if (slash)
		snprintf(c->cublas_dir, sizeof(c->cublas_dir), "%.*s", (int)(slash - where), where);
	int v = 0;
	if (c->b->version)
		c->b->version(c->h, &v);
	snprintf(bc->t->library, sizeof(bc->t->library), "CUDA driver API; cuBLAS %d.%d.%d from %.120s",
		 v / 10000, v / 100 % 100, v % 100, where);
	return true;
}

typedef struct gemm_shape {
	int m, n, k;
	int ta;             /* A transposed: weights as PyTorch's Linear keeps them */
	int atype, ctype, compute;
	xcu_ptr a, b, cc;
	float alpha, beta;
} gemm_shape;

static xcu_result op_gemm(cu *c, void *arg)
{
	gemm_shape *g = arg;
	int lda = g->ta == XCUBLAS_OP_T ? g->k : g->m;
	int st = c->b->gemm_ex(c->h, g->ta, XCUBLAS_OP_N, g->m, g->n, g->k, &g->alpha,
			      (const void *)(uintptr_t)g->a, g->atype, lda,
			      (const void *)(uintptr_t)g->b, g->atype, g->k, &g->beta,
			      (void *)(uintptr_t)g->cc, g->ctype, g->m, g->compute,
			      XCUBLAS_GEMM_DEFAULT_TENSOR_OP);
	if (st != 0) {
		snprintf(c->err, sizeof(c->err), "cublasGemmEx: status %d", st);
		return -1;
	}
	return XCU_SUCCESS;
}

static size_t type_size(int t)
{
	return t == XCUDA_R_32F ? 4 : 2;
}

static bool gemm_alloc(cu *c, gemm_shape *g)
{
	size_t es = type_size(g->atype);
	num_type nt = g->atype == XCUDA_R_32F ? T_F32 : g->atype == XCUDA_R_16F ? T_F16 : T_BF16;
	return cu_alloc(c, &g->a, (size_t)g->m * g->k * es) &&
	       cu_alloc(c, &g->b, (size_t)g->k * g->n * es) &&
	       cu_alloc(c, &g->cc, (size_t)g->m * g->n * type_size(g->ctype)) &&
	       cu_fill(c, g->a, (size_t)g->m * g->k * es, nt, 11) &&
	       cu_fill(c, g->b, (size_t)g->k * g->n * es, nt, 13);
}

static void gemm_free(cu *c, gemm_shape *g)
{
	cu_free(c, &g->a);
	cu_free(c, &g->b);
	cu_free(c, &g->cc);
}

typedef struct precision {
	const char *name;
	int atype, compute;
	bench_fig fig;
} precision;

static const precision precisions[] = {
	{ "fp32", XCUDA_R_32F, XCUBLAS_COMPUTE_32F, BENCH_FIG_GEMM_FP32 },
	{ "tf32", XCUDA_R_32F, XCUBLAS_COMPUTE_32F_FAST_TF32, BENCH_FIG_GEMM_TF32 },
	{ "fp16", XCUDA_R_16F, XCUBLAS_COMPUTE_32F, BENCH_FIG_GEMM_FP16 },
	{ "bf16", XCUDA_R_16BF, XCUBLAS_COMPUTE_32F, BENCH_FIG_GEMM_BF16 },
};

static void gemm_square(bench_ctx *bc, cu *c, const precision *p, int n)
{
	char shape[16];
	snprintf(shape, sizeof(shape), "%d", n);
	if (!bench_want(bc, p->fig, shape))
		return;
	xpu_bench_figure *f = bench_figure(bc, p->fig, shape, CU_GEMM_COUNTING);
	if (!f)
		return;
	bench_progress(bc, "cuda gemm %s %d^3", p->name, n);
	gemm_shape g = { .m = n, .n = n, .k = n, .ta = XCUBLAS_OP_N, .atype = p->atype,
			 .ctype = p->atype, .compute = p->compute, .alpha = 1, .beta = 0 };
	c->err[0] = '\0';
	if (!gemm_alloc(c, &g))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
	else
		cu_measure(bc, c, f, op_gemm, &g, 2.0 * n * n * (double)n * 1e-12);
	bench_note(f, "cublasGemmEx, %s in and out, fp32 accumulate", p->name);
	gemm_free(c, &g);
}

/* Decode: M tokens against an N x K bf16 weight matrix.  Memory-bound, so
 * the figure is the weight bytes read per second, against memory peak. */
static void gemv_decode(bench_ctx *bc, cu *c, int m, int n, int k)
{
	char shape[48];
	cu_decode_shape(shape, sizeof(shape), m, n, k);
	if (!bench_want(bc, BENCH_FIG_GEMV_BF16, shape))
		return;
	xpu_bench_figure *f = bench_figure(bc, BENCH_FIG_GEMV_BF16, shape, NULL);
	if (!f)
		return;
	/* cuBLAS is column-major: C^T (N x M) = W (N x K, stored K-major) x X^T */
	gemm_shape g = { .m = n, .n = m, .k = k, .ta = XCUBLAS_OP_T, .atype = XCUDA_R_16BF,
			 .ctype = XCUDA_R_16BF, .compute = XCUBLAS_COMPUTE_32F, .alpha = 1 };
	c->err[0] = '\0';
	if (!gemm_alloc(c, &g))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
	else
		cu_measure(bc, c, f, op_gemm, &g, (double)n * k * 2 * 1e-9);
	if (xpu_is_ok(&f->status))
		bench_alt(f, f->best * 1e9 / ((double)n * k * 2) * 2.0 * m * n * k * 1e-12);
	bench_note(f, "cublasGemmEx, like a Linear layer at decode");
	gemm_free(c, &g);
}

const int cu_decode_nk[3][2] = { { 4096, 4096 }, { 14336, 4096 }, { 4096, 14336 } };

size_t cu_decode_shapes(const bench_ctx *bc)
{
	return bc->opt->level == XPU_BENCH_FULL ? 3 : 2;
}

void cu_decode_shape(char *out, size_t len, int m, int n, int k)
{
	snprintf(out, len, "m%d.n%d.k%d", m, n, k);
}

bool cu_want_decode(const bench_ctx *bc, bench_fig fig)
{
	char shape[48];
	for (int m = 1; m <= 16; m += 15)
		for (size_t i = 0; i < cu_decode_shapes(bc); i++) {
			cu_decode_shape(shape, sizeof(shape), m, cu_decode_nk[i][0], cu_decode_nk[i][1]);
			if (bench_want(bc, fig, shape))
				return true;
		}
	return false;
}

/* Whether --only keeps any figure that needs cuBLAS. */
static bool any_gemm(const bench_ctx *bc)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(precisions); i++)
		if (bench_want(bc, precisions[i].fig, CU_SQUARE_SHAPE))
			return true;
	return cu_want_decode(bc, BENCH_FIG_GEMV_BF16);
}

static void cu_gemm_cublas(bench_ctx *bc, cu *c)
{
	if (!any_gemm(bc))
		return;
	c->err[0] = '\0';
	if (!cublas_load(bc, c)) {
		bench_skip(bc, BENCH_FIG_GEMM_BF16, CU_SQUARE_SHAPE, XPU_UNAVAILABLE,
			   XPU_R_RUNTIME_MISSING, "%s", c->err);
		return;
	}
	for (size_t i = 0; i < XPU_ARRAY_LEN(precisions); i++)
		gemm_square(bc, c, &precisions[i], CU_SQUARE_N);
	for (int m = 1; m <= 16; m += 15)
		for (size_t i = 0; i < cu_decode_shapes(bc); i++)
			gemv_decode(bc, c, m, cu_decode_nk[i][0], cu_decode_nk[i][1]);
}

/* cuBLAS first: cuBLASLt is looked for beside it. */
static void cu_gemm(bench_ctx *bc, cu *c)
{
	cu_gemm_cublas(bc, c);
	cu_gemm_fp8(bc, c);
}

/* ---- launch latency ---- */

/* An empty kernel, launched and waited for. */
static int step_empty(void *arg, char *err, size_t len)
{
	cu_step *s = arg;
	cu *c = s->c;
	xcu_result rc = c->d->launch(c->f_empty, 1, 1, 1, 1, 1, 1, 0, c->s, NULL, NULL);
	if (rc == XCU_SUCCESS)
		rc = c->d->stream_sync(c->s);
	if (!cu_ok(c, rc, "empty kernel"))
		snprintf(err, len, "%s", c->err);
	return rc;
}

static void cu_latency(bench_ctx *bc, cu *c)
{
	if (!bench_want(bc, BENCH_FIG_LAUNCH_LATENCY, NULL))
		return;
	xpu_bench_figure *f = bench_figure(bc, BENCH_FIG_LAUNCH_LATENCY, NULL,
					   "cuLaunchKernel of an empty kernel + cuStreamSynchronize");
	cu_step s = { .c = c };
	bench_wall_samples(bc, f, 20, bc->opt->level == XPU_BENCH_QUICK ? 200 : 1000, 0, step_empty,
			   &s);
}

static void cu_properties(bench_ctx *bc, cu *c)
{
	double bw = 2.0 * c->memclk_khz * 1e3 * c->bus_bits / 8 / 1e9;
	snprintf(bc->t->properties, sizeof(bc->t->properties),
		 "%d SMs at %d MHz; memory %d MHz x %d bit = %.0f GB/s", c->sms,
		 c->clock_khz / 1000, c->memclk_khz / 1000, c->bus_bits, bw);
	bench_peak_derive(bc->t, XPU_PEAK_MEM_BW, bw, "computed: 2 x memory clock x bus width");
}

void bench_cuda(bench_ctx *bc, const xpu_device *d)
{
	cu c;
	memset(&c, 0, sizeof(c));
	int ordinal = d->backends[XPU_BACKEND_CUDA].runtime_index;
	if (!cu_open(&c, ordinal < 0 ? 0 : ordinal)) {
		bench_target_fail(bc->t, XPU_R_RUNTIME_ERROR, "%s", c.err);
		cu_close(&c);
		return;
	}
	snprintf(bc->t->library, sizeof(bc->t->library), "CUDA driver API (%s)",
		 xpu_runtime_desc_of(XPU_RT_CUDA)->libraries[0]);
	cu_properties(bc, &c);
	cu_d2d(bc, &c);
	cu_transfers(bc, &c);
	cu_gemm(bc, &c);
	cu_latency(bc, &c);
	cu_p2p(bc, &c, d);
	cu_close(&c);
}
