/* OpenCL benchmarks (any ICD: Intel's GPU ICD, PoCL on the CPU, ...):
 * global memory bandwidth read-only (clpeak's method: each work-item sums
 * 16 strided float4 loads, only fetched bytes counted) and copy (read+write),
 * host transfers from pageable and pinned (CL_MEM_ALLOC_HOST_PTR, mapped)
 * memory, fp32 and fp16 GEMM (oneDNN's OpenCL GPU engine where it takes the
 * device, else a tiled kernel with fp16 storage), checked against a CPU
 * reference at a small size first, and launch latency.  The Khronos
 * headers supply types only; calls go through dlsym. */
#define CL_TARGET_OPENCL_VERSION 120
#include "bench/bench_int.h"
#include "bench/onednn.h"

#include <CL/cl.h>
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/opencl_api.h"
#include "runtimes/runtime.h"

typedef struct ocl {
	const xpu_opencl_api *a; /* the process's one libOpenCL table */
	cl_device_id dev;
	cl_context ctx;
	cl_command_queue q;
	cl_program prog;
	size_t max_wg;
	cl_ulong max_alloc, global_mem;
	char name[128];
	int tile; /* GEMM tile edge: 16, or 8 where work-groups are small */
} ocl;

static const char kernels[] =
	"__kernel void read_sum(__global const float4 *a, __global float *out)\n"
	"{\n"
	"	size_t g = get_global_id(0), n = get_global_size(0);\n"
	"	float4 s = (float4)(0.0f);\n"
	"	for (int i = 0; i < 16; i++)\n"
	"		s += a[g + i * n];\n"
	"	out[g] = s.x + s.y + s.z + s.w;\n"
	"}\n"
	"__kernel void copy4(__global const float4 *a, __global float4 *b)\n"
	"{\n"
	"	size_t g = get_global_id(0);\n"
	"	b[g] = a[g];\n"
	"}\n"
	"__kernel void empty(void) {}\n"
	/* Tiled GEMM, row-major, any shape (bounds checked).  LOAD/STORE pick
	 * fp32 or fp16 storage (vload_half: core OpenCL, no cl_khr_fp16). */
	"#define GEMM(NAME, T, LOAD, STORE)\\\n"
	"__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))\\\n"
	"void NAME(int M, int N, int K, __global const T *A, __global const T *B, __global T *C)\\\n"
	"{\\\n"
	"	__local float As[TS][TS], Bs[TS][TS];\\\n"
	"	int r = get_local_id(1), c = get_local_id(0);\\\n"
	"	int row = get_group_id(1) * TS + r, col = get_group_id(0) * TS + c;\\\n"
	"	float acc = 0.0f;\\\n"
	"	for (int t = 0; t < K; t += TS) {\\\n"
	"		As[r][c] = (row < M && t + c < K) ? LOAD(A, row * K + t + c) : 0.0f;\\\n"
	"		Bs[r][c] = (t + r < K && col < N) ? LOAD(B, (t + r) * N + col) : 0.0f;\\\n"
	"		barrier(CLK_LOCAL_MEM_FENCE);\\\n"
	"		for (int k = 0; k < TS; k++)\\\n"
	"			acc += As[r][k] * Bs[k][c];\\\n"
	"		barrier(CLK_LOCAL_MEM_FENCE);\\\n"
	"	}\\\n"
	"	if (row < M && col < N)\\\n"
	"		STORE(C, row * N + col, acc);\\\n"
	"}\n"
	"#define LOAD_F(p, i) (p)[i]\n"
	"#define STORE_F(p, i, v) (p)[i] = (v)\n"
	"#define LOAD_H(p, i) vload_half((i), (p))\n"
	"#define STORE_H(p, i, v) vstore_half((v), (i), (p))\n"
	"GEMM(sgemm, float, LOAD_F, STORE_F)\n"
	"GEMM(hgemm, half, LOAD_H, STORE_H)\n";

/* Whether the loader has every OpenCL 1.2 entry point the benchmarks call. */
static bool ocl_complete(const xpu_opencl_api *a)
{
	return a->platforms && a->device_ids && a->device_info && a->create_context &&
	       a->create_queue && a->create_buffer && a->create_program && a->build_program &&
	       a->build_info && a->create_kernel && a->set_arg && a->enqueue_kernel && a->write &&
	       a->read && a->map && a->unmap && a->finish && a->wait && a->profiling &&
	       a->release_event && a->release_kernel && a->release_program && a->release_mem &&
	       a->release_queue && a->release_context;
}

/* The CL device that is d: a CPU-type device for the CPU, else the GPU whose
 * name discovery recorded for d's OpenCL backend. */
static bool ocl_find(ocl *o, const xpu_device *d)
{
	cl_platform_id plats[16];
	cl_uint np = 0;
	if (o->a->platforms(16, plats, &np) != CL_SUCCESS)
		return false;
	const char *want = d->backends[XPU_BACKEND_OPENCL].device_name;
	bool cpu = d->vendor == XPU_VENDOR_CPU;
	for (cl_uint p = 0; p < np && p < 16; p++) {
		cl_device_id devs[32];
		cl_uint nd = 0;
		if (o->a->device_ids(plats[p], CL_DEVICE_TYPE_ALL, 32, devs, &nd) != CL_SUCCESS)
			continue;
		for (cl_uint i = 0; i < nd && i < 32; i++) {
			cl_device_type type = 0;
			char name[128] = "";
			o->a->device_info(devs[i], CL_DEVICE_TYPE, sizeof(type), &type, NULL);
			o->a->device_info(devs[i], CL_DEVICE_NAME, sizeof(name) - 1, name, NULL);
			bool is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
			if (is_cpu == cpu && (strcmp(name, want) == 0 || (cpu && !want[0]))) {
				o->dev = devs[i];
				xpu_strlcpy(o->name, name, sizeof(o->name));
				return true;
			}
		}
	}
	return false;
}

static bool ocl_build(ocl *o, char *err, size_t len)
{
	cl_int rc;
	const char *src = kernels;
	o->prog = o->a->create_program(o->ctx, 1, &src, NULL, &rc);
	if (!o->prog) {
		snprintf(err, len, "clCreateProgramWithSource: error %d", rc);
		return false;
	}
	char opts[32];
	snprintf(opts, sizeof(opts), "-DTS=%d", o->tile);
	rc = o->a->build_program(o->prog, 1, &o->dev, opts, NULL, NULL);
	if (rc != CL_SUCCESS) {
		char log[256] = "";
		o->a->build_info(o->prog, o->dev, CL_PROGRAM_BUILD_LOG, sizeof(log) - 1, log, NULL);
		log[strcspn(log, "\n")] = '\0';
		snprintf(err, len, "clBuildProgram: error %d: %s", rc, log);
		return false;
	}
	return true;
}

static bool ocl_open(ocl *o, const xpu_device *d, char *err, size_t len)
{
	/* The ICD loader and its ICDs stay loaded: unloading an ICD with live
	 * threads (PoCL keeps a pool) is unsafe. */
	o->a = xpu_opencl_api_get();
	if (!o->a->lib.handle) {
		snprintf(err, len, "%s", o->a->lib.error);
		return false;
	}
	if (!ocl_complete(o->a)) {
		snprintf(err, len, "%s lacks an OpenCL 1.2 entry point",
			 xpu_runtime_desc_of(XPU_RT_OPENCL)->libraries[0]);
		return false;
	}
	if (!ocl_find(o, d)) {
		snprintf(err, len, "OpenCL no longer lists '%s'",
			 d->backends[XPU_BACKEND_OPENCL].device_name);
		return false;
	}
	o->a->device_info(o->dev, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(o->max_wg), &o->max_wg, NULL);
	o->a->device_info(o->dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(o->max_alloc), &o->max_alloc,
			 NULL);
	o->a->device_info(o->dev, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(o->global_mem), &o->global_mem,
			 NULL);
	o->tile = o->max_wg >= 256 ? 16 : 8;
	cl_int rc;
	o->ctx = o->a->create_context(NULL, 1, &o->dev, NULL, NULL, &rc);
	if (!o->ctx) {
		snprintf(err, len, "clCreateContext: error %d", rc);
		return false;
	}
	o->q = o->a->create_queue(o->ctx, o->dev, CL_QUEUE_PROFILING_ENABLE, &rc);
	if (!o->q) {
		snprintf(err, len, "clCreateCommandQueue: error %d", rc);
		return false;
	}
	return ocl_build(o, err, len);
}

static void ocl_close(ocl *o)
{
	if (o->prog)
		o->a->release_program(o->prog);
	if (o->q)
		o->a->release_queue(o->q);
	if (o->ctx)
		o->a->release_context(o->ctx);
}

/* Runs kernel k over global (2-D when local[1] != 0) and returns its device
 * time in seconds, or a negative value on error (rc in *rc). */
static double ocl_run(ocl *o, cl_kernel k, const size_t *global, const size_t *local, cl_uint dims,
		      cl_int *rc)
{
	cl_event ev = NULL;
	*rc = o->a->enqueue_kernel(o->q, k, dims, NULL, global, local, 0, NULL, &ev);
	if (*rc != CL_SUCCESS)
		return -1;
	*rc = o->a->wait(1, &ev);
	cl_ulong t0 = 0, t1 = 0;
	if (*rc == CL_SUCCESS)
		*rc = o->a->profiling(ev, CL_PROFILING_COMMAND_START, sizeof(t0), &t0, NULL);
	if (*rc == CL_SUCCESS)
		*rc = o->a->profiling(ev, CL_PROFILING_COMMAND_END, sizeof(t1), &t1, NULL);
	o->a->release_event(ev);
	if (*rc != CL_SUCCESS)
		return -1;
	return (double)(t1 - t0) * 1e-9;
}

static size_t ocl_mem_bytes(const bench_ctx *c, const ocl *o)
{
	size_t want = c->opt->level == XPU_BENCH_QUICK ? 64u << 20 :
		      c->opt->level == XPU_BENCH_FULL ? 1024u << 20 : 256u << 20;
	if (o->max_alloc && want > o->max_alloc / 2)
		want = (size_t)(o->max_alloc / 2);
	if (o->global_mem && want > o->global_mem / 4)
		want = (size_t)(o->global_mem / 4);
	return want & ~(size_t)((1u << 20) - 1);
}

static cl_mem ocl_buffer(ocl *o, cl_mem_flags flags, size_t bytes, cl_int *rc)
{
	return o->a->create_buffer(o->ctx, flags, bytes, NULL, rc);
}

/* Times reps+1 runs of k; the first is a warm-up.  Rates are amount/time. */
static void ocl_time_kernel(bench_ctx *c, ocl *o, xpu_bench_figure *f, cl_kernel k,
			    const size_t *global, const size_t *local, cl_uint dims, double amount)
{
	unsigned reps = bench_reps(c);
	double rates[32];
	size_t m = 0;
	for (unsigned r = 0; r <= reps && m < 32; r++) {
		cl_int rc;
		double t = ocl_run(o, k, global, local, dims, &rc);
		if (t < 0) {
			bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
				   "clEnqueueNDRangeKernel: error %d", rc);
			return;
		}
		if (r > 0)
			rates[m++] = bench_rate(amount, t);
	}
	bench_finish(c, f, rates, m);
}

/* ---- memory bandwidth ---- */

static bool fill_ones(ocl *o, cl_mem b, size_t bytes)
{
	float *h = malloc(bytes);
	if (!h)
		return false;
	for (size_t i = 0; i < bytes / sizeof(float); i++)
		h[i] = 1.0f;
	cl_int rc = o->a->write(o->q, b, CL_TRUE, 0, bytes, h, 0, NULL, NULL);
	free(h);
	return rc == CL_SUCCESS;
}

static void mem_read(bench_ctx *c, ocl *o, cl_mem src, size_t bytes)
{
	xpu_bench_figure *f = bench_figure(c, BENCH_FIG_MEM_READ, NULL, NULL);
	if (!f)
		return;
	size_t items = bytes / (16 * 16); /* 16 float4 loads per work-item */
	cl_int rc;
	cl_mem out = ocl_buffer(o, CL_MEM_WRITE_ONLY, items * sizeof(float), &rc);
	cl_kernel k = out ? o->a->create_kernel(o->prog, "read_sum", &rc) : NULL;
	if (!k) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "read kernel: error %d", rc);
		goto out;
	}
	o->a->set_arg(k, 0, sizeof(cl_mem), &src);
	o->a->set_arg(k, 1, sizeof(cl_mem), &out);
	ocl_time_kernel(c, o, f, k, &items, NULL, 1, (double)items * 256 * 1e-9);
	/* Every work-item summed 16 float4 of ones: 64. */
	float probe[4] = { 0 };
	size_t at = (items / 2) * sizeof(float);
	if (xpu_is_ok(&f->status) &&
	    (o->a->read(o->q, out, CL_TRUE, at, sizeof(probe), probe, 0, NULL, NULL) != CL_SUCCESS ||
	     probe[0] != 64.0f || probe[3] != 64.0f))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			   "read kernel computed %g, expected 64", (double)probe[0]);
	else
		bench_note(f, "%zu MiB; result checked", bytes >> 20);
	o->a->release_kernel(k);
out:
	if (out)
		o->a->release_mem(out);
}

static void mem_copy(bench_ctx *c, ocl *o, cl_mem src, size_t bytes)
{
	xpu_bench_figure *f = bench_figure(c, BENCH_FIG_MEM_COPY, NULL, NULL);
	if (!f)
		return;
	cl_int rc;
	cl_mem dst = ocl_buffer(o, CL_MEM_READ_WRITE, bytes, &rc);
	cl_kernel k = dst ? o->a->create_kernel(o->prog, "copy4", &rc) : NULL;
	if (!k) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "copy kernel: error %d", rc);
		goto out;
	}
	o->a->set_arg(k, 0, sizeof(cl_mem), &src);
	o->a->set_arg(k, 1, sizeof(cl_mem), &dst);
	size_t items = bytes / 16;
	ocl_time_kernel(c, o, f, k, &items, NULL, 1, 2.0 * (double)bytes * 1e-9);
	bench_alt(f, f->best / 2);
	float probe = 0;
	if (xpu_is_ok(&f->status) &&
	    (o->a->read(o->q, dst, CL_TRUE, bytes - 4, 4, &probe, 0, NULL, NULL) != CL_SUCCESS ||
	     probe != 1.0f))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "copy kernel result is wrong");
	o->a->release_kernel(k);
out:
	if (dst)
		o->a->release_mem(dst);
}

static void ocl_memory(bench_ctx *c, ocl *o)
{
	bool read = bench_want(c, BENCH_FIG_MEM_READ, NULL);
	bool copy = bench_want(c, BENCH_FIG_MEM_COPY, NULL);
	if (!read && !copy)
		return;
	size_t bytes = ocl_mem_bytes(c, o);
	cl_int rc;
	cl_mem src = ocl_buffer(o, CL_MEM_READ_WRITE, bytes, &rc);
	if (!src || !fill_ones(o, src, bytes)) {
		bench_skip(c, BENCH_FIG_MEM_READ, NULL, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			   "cannot allocate %zu MiB on the device", bytes >> 20);
		if (src)
			o->a->release_mem(src);
		return;
	}
	bench_progress(c, "opencl memory bandwidth, %zu MiB", bytes >> 20);
	if (read)
		mem_read(c, o, src, bytes);
	if (copy)
		mem_copy(c, o, src, bytes);
	o->a->release_mem(src);
}

/* ---- transfers ---- */

typedef enum { H2D, D2H } direction;

typedef struct ocl_step {
	ocl *o;
	direction dir;
	cl_mem dev;
	void *host;
	size_t bytes;
	cl_kernel k;
} ocl_step;

/* One blocking transfer between the host pointer and the buffer. */
static int step_transfer(void *arg, char *err, size_t len)
{
	ocl_step *s = arg;
	cl_int rc = s->dir == H2D ?
			    s->o->a->write(s->o->q, s->dev, CL_TRUE, 0, s->bytes, s->host, 0, NULL, NULL) :
			    s->o->a->read(s->o->q, s->dev, CL_TRUE, 0, s->bytes, s->host, 0, NULL, NULL);
	if (rc != CL_SUCCESS)
		snprintf(err, len, "%s: error %d",
			 s->dir == H2D ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer", rc);
	return rc;
}

static void time_transfer(bench_ctx *c, ocl *o, bench_fig fig, direction dir, cl_mem dev,
			  void *h, size_t bytes)
{
	if (!bench_want(c, fig, NULL))
		return;
	xpu_bench_figure *f = bench_figure(c, fig, NULL, NULL);
	ocl_step s = { .o = o, .dir = dir, .dev = dev, .host = h, .bytes = bytes };
	bench_wall_samples(c, f, 1, bench_reps(c), (double)bytes * 1e-9, step_transfer, &s);
	bench_note(f, "%zu MiB blocking transfers, wall clock", bytes >> 20);
}

static void ocl_transfers(bench_ctx *c, ocl *o)
{
	static const bench_fig figs[] = { BENCH_FIG_H2D_PAGEABLE, BENCH_FIG_D2H_PAGEABLE,
					  BENCH_FIG_H2D_PINNED, BENCH_FIG_D2H_PINNED };
	bool any = false;
	for (int i = 0; i < 4; i++)
		any = any || bench_want(c, figs[i], NULL);
	if (!any)
		return;
	size_t bytes = ocl_mem_bytes(c, o) / 2;
	cl_int rc;
	cl_mem dev = ocl_buffer(o, CL_MEM_READ_WRITE, bytes, &rc);
	cl_mem pin = ocl_buffer(o, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, &rc);
	void *pageable = malloc(bytes);
	void *pinned = pin ? o->a->map(o->q, pin, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0,
				     NULL, NULL, &rc) : NULL;
	bench_progress(c, "opencl transfers, %zu MiB", bytes >> 20);
	if (dev && pageable) {
		memset(pageable, 1, bytes);
		time_transfer(c, o, figs[0], H2D, dev, pageable, bytes);
		time_transfer(c, o, figs[1], D2H, dev, pageable, bytes);
	}
	if (dev && pinned) {
		memset(pinned, 1, bytes);
		time_transfer(c, o, figs[2], H2D, dev, pinned, bytes);
		time_transfer(c, o, figs[3], D2H, dev, pinned, bytes);
		o->a->unmap(o->q, pin, pinned, 0, NULL, NULL);
		o->a->finish(o->q);
	}
	if (!dev)
		bench_skip(c, figs[0], NULL, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			   "cannot allocate %zu MiB on the device", bytes >> 20);
	free(pageable);
	if (pin)
		o->a->release_mem(pin);
	if (dev)
		o->a->release_mem(dev);
}

/* ---- GEMM ---- */

typedef struct gemm_bufs {
	cl_mem a, b, c;
} gemm_bufs;

static void gemm_release(ocl *o, gemm_bufs *g)
{
	if (g->a)
		o->a->release_mem(g->a);
	if (g->b)
		o->a->release_mem(g->b);
	if (g->c)
		o->a->release_mem(g->c);
	memset(g, 0, sizeof(*g));
}

static cl_int gemm_setup(ocl *o, cl_kernel k, gemm_bufs *g, int m, int n, int kk, size_t esize,
			 size_t global[2])
{
	cl_int rc = CL_SUCCESS;
	g->a = ocl_buffer(o, CL_MEM_READ_ONLY, (size_t)m * kk * esize, &rc);
	if (g->a)
		g->b = ocl_buffer(o, CL_MEM_READ_ONLY, (size_t)kk * n * esize, &rc);
	if (g->b)
		g->c = ocl_buffer(o, CL_MEM_READ_WRITE, (size_t)m * n * esize, &rc);
	if (!g->c)
		return rc;
	o->a->set_arg(k, 0, sizeof(int), &m);
	o->a->set_arg(k, 1, sizeof(int), &n);
	o->a->set_arg(k, 2, sizeof(int), &kk);
	o->a->set_arg(k, 3, sizeof(cl_mem), &g->a);
	o->a->set_arg(k, 4, sizeof(cl_mem), &g->b);
	o->a->set_arg(k, 5, sizeof(cl_mem), &g->c);
	size_t ts = (size_t)o->tile;
	global[0] = ((size_t)n + ts - 1) / ts * ts;
	global[1] = ((size_t)m + ts - 1) / ts * ts;
	return CL_SUCCESS;
}

/* The tiled kernel on the check shape. */
static bool gemm_check(ocl *o, cl_kernel k, bool half, char *err, size_t len)
{
	size_t es = half ? 2 : 4;
	bench_gemm_ref r;
	bench_gemm_ref_make(&r);
	float out[BENCH_CHK_M * BENCH_CHK_N];
	uint16_t hA[BENCH_CHK_M * BENCH_CHK_K], hB[BENCH_CHK_K * BENCH_CHK_N], hC[BENCH_CHK_M * BENCH_CHK_N];
	for (int i = 0; i < BENCH_CHK_M * BENCH_CHK_K; i++)
		hA[i] = bench_to_half(r.a[i]);
	for (int i = 0; i < BENCH_CHK_K * BENCH_CHK_N; i++)
		hB[i] = bench_to_half(r.b[i]);
	gemm_bufs g = { 0 };
	size_t global[2], local[2] = { (size_t)o->tile, (size_t)o->tile };
	cl_int rc = gemm_setup(o, k, &g, BENCH_CHK_M, BENCH_CHK_N, BENCH_CHK_K, es, global);
	if (rc == CL_SUCCESS)
		rc = o->a->write(o->q, g.a, CL_TRUE, 0, sizeof(r.a) / 4 * es, half ? (void *)hA : r.a,
				0, NULL, NULL);
	if (rc == CL_SUCCESS)
		rc = o->a->write(o->q, g.b, CL_TRUE, 0, sizeof(r.b) / 4 * es, half ? (void *)hB : r.b,
				0, NULL, NULL);
	if (rc == CL_SUCCESS && ocl_run(o, k, global, local, 2, &rc) < 0 && rc == CL_SUCCESS)
		rc = CL_INVALID_VALUE;
	if (rc == CL_SUCCESS)
		rc = o->a->read(o->q, g.c, CL_TRUE, 0, sizeof(out) / 4 * es, half ? (void *)hC : out,
			       0, NULL, NULL);
	gemm_release(o, &g);
	if (rc != CL_SUCCESS) {
		snprintf(err, len, "GEMM check could not run: error %d", rc);
		return false;
	}
	for (int i = 0; half && i < BENCH_CHK_M * BENCH_CHK_N; i++)
		out[i] = bench_from_half(hC[i]);
	return bench_gemm_ref_compare(&r, out, half, err, len);
}

static void gemm_tiled(bench_ctx *c, ocl *o, xpu_bench_figure *f, const char *kname, bool half,
		       int n)
{
	cl_int rc;
	cl_kernel k = o->a->create_kernel(o->prog, kname, &rc);
	if (!k) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "clCreateKernel %s: error %d",
			   kname, rc);
		return;
	}
	char err[128];
	if (!gemm_check(o, k, half, err, sizeof(err))) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", err);
		o->a->release_kernel(k);
		return;
	}
	gemm_bufs g = { 0 };
	size_t global[2], local[2] = { (size_t)o->tile, (size_t)o->tile };
	rc = gemm_setup(o, k, &g, n, n, n, half ? 2 : 4, global);
	if (rc != CL_SUCCESS)
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			   "cannot allocate 3 %d x %d matrices: error %d", n, n, rc);
	else
		ocl_time_kernel(c, o, f, k, global, local, 2, 2.0 * n * n * (double)n * 1e-12);
	bench_note(f, "tiled kernel %dx%d%s; checked against a CPU reference (%dx%dx%d)", o->tile,
		   o->tile, half ? ", fp16 storage, fp32 math" : "", BENCH_CHK_M, BENCH_CHK_N, BENCH_CHK_K);
	gemm_release(o, &g);
	o->a->release_kernel(k);
}

/* ---- GEMM through oneDNN's OpenCL GPU engine ---- */

/* oneDNN with an engine on this device and context, or NULL with why. */
static bench_dnnl *ocl_dnnl(ocl *o, char *why, size_t len)
{
	bench_dnnl *d = bench_dnnl_open(why, len);
	if (d && !bench_dnnl_engine(d, o->dev, o->ctx, why, len)) {
		bench_dnnl_close(d);
		d = NULL;
	}
	return d;
}

/* Appends "; text" to the target's GEMM line. */
static void gemm_says(bench_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gemm_says(bench_ctx *c, const char *fmt, ...)
{
	size_t used = strlen(c->t->gemm);
	if (used && used + 2 < sizeof(c->t->gemm)) {
		memcpy(c->t->gemm + used, "; ", 3);
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->t->gemm + used, sizeof(c->t->gemm) - used, fmt, ap);
	va_end(ap);
}

static void ocl_gemm_one(bench_ctx *c, ocl *o, bench_dnnl *d, bool half, const char *shape, int n)
{
	bench_fig fig = half ? BENCH_FIG_GEMM_FP16 : BENCH_FIG_GEMM_FP32;
	if (!bench_want(c, fig, shape))
		return;
	const char *prec = half ? "fp16" : "fp32";
	xpu_bench_figure *f = bench_figure(c, fig, shape, NULL);
	if (!f)
		return;
	bench_progress(c, "opencl gemm %s %d^3", prec, n);
	char why[160];
	if (d && bench_dnnl_gemm(c, d, f, half ? DNNL_MM_F16 : DNNL_MM_F32, n, why, sizeof(why))) {
		gemm_says(c, "%s: %s matmul", prec, bench_dnnl_name(d));
		return;
	}
	if (d)
		gemm_says(c, "%s: tiled kernel (oneDNN: %s)", prec, why);
	gemm_tiled(c, o, f, half ? "hgemm" : "sgemm", half, n);
}

static void ocl_gemm(bench_ctx *c, ocl *o)
{
	int n = c->opt->level == XPU_BENCH_QUICK ? 512 : c->opt->level == XPU_BENCH_FULL ? 2048 : 1024;
	char shape[16];
	snprintf(shape, sizeof(shape), "%d", n);
	if (!bench_want(c, BENCH_FIG_GEMM_FP32, shape) && !bench_want(c, BENCH_FIG_GEMM_FP16, shape))
		return;
	/* oneDNN's OpenCL GPU engine where it takes the device, else the tiled
	 * kernel; the target says which ran and why. */
	char why[160] = "";
	bench_dnnl *d = ocl_dnnl(o, why, sizeof(why));
	if (!d)
		snprintf(c->t->gemm, sizeof(c->t->gemm), "tiled kernel; oneDNN not used: %s", why);
	ocl_gemm_one(c, o, d, false, shape, n);
	ocl_gemm_one(c, o, d, true, shape, n);
	bench_dnnl_close(d);
}

/* ---- launch latency ---- */

/* An empty kernel, enqueued and waited for. */
static int step_empty(void *arg, char *err, size_t len)
{
	ocl_step *s = arg;
	size_t one = 1;
	cl_int rc = s->o->a->enqueue_kernel(s->o->q, s->k, 1, NULL, &one, NULL, 0, NULL, NULL);
	if (rc == CL_SUCCESS)
		rc = s->o->a->finish(s->o->q);
	if (rc != CL_SUCCESS)
		snprintf(err, len, "empty kernel: error %d", rc);
	return rc;
}

static void ocl_latency(bench_ctx *c, ocl *o)
{
	if (!bench_want(c, BENCH_FIG_LAUNCH_LATENCY, NULL))
		return;
	xpu_bench_figure *f = bench_figure(c, BENCH_FIG_LAUNCH_LATENCY, NULL,
					   "enqueue of an empty kernel + clFinish, wall clock");
	cl_int rc;
	ocl_step s = { .o = o, .k = f ? o->a->create_kernel(o->prog, "empty", &rc) : NULL };
	if (!s.k) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "clCreateKernel empty");
		return;
	}
	bench_wall_samples(c, f, 10, c->opt->level == XPU_BENCH_QUICK ? 200 : 1000, 0, step_empty,
			   &s);
	o->a->release_kernel(s.k);
}

void bench_opencl(bench_ctx *c, const xpu_device *d)
{
	ocl o;
	memset(&o, 0, sizeof(o));
	char err[256];
	if (!ocl_open(&o, d, err, sizeof(err))) {
		bench_target_fail(c->t, XPU_R_RUNTIME_ERROR, "%s", err);
		ocl_close(&o);
		return;
	}
	snprintf(c->t->library, sizeof(c->t->library), "OpenCL: %s", o.name);
	ocl_memory(c, &o);
	ocl_transfers(c, &o);
	ocl_gemm(c, &o);
	ocl_latency(c, &o);
	ocl_close(&o);
}
