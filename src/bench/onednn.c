/* oneDNN matmul by dlopen, for the OpenCL runner (oneDNN's OpenCL GPU
 * engine, made on the runner's own device and context) and the host bf16
 * GEMM (the CPU engine).  Declared here from oneDNN 2.6's dnnl.h,
 * dnnl_types.h and dnnl_ocl.h (Debian's libdnnl-dev 2.6.3): the 2.x C API
 * passes memory and op descriptors by value, so they get buffers larger than
 * 2.6's (696 and 2800 bytes). */
#include "bench/onednn.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "bench/bench_int.h"

typedef int64_t dnnl_dim;
typedef struct dnnl_obj *dnnl_handle; /* engine, stream, memory, primitive, pd */

typedef union dnnl_md {
	int64_t align;
	unsigned char bytes[2048]; /* dnnl_memory_desc_t: 696 bytes in 2.6 */
} dnnl_md;

typedef union dnnl_matmul_desc {
	int64_t align;
	unsigned char bytes[8192]; /* dnnl_matmul_desc_t: 2800 bytes in 2.6 */
} dnnl_matmul_desc;

typedef struct dnnl_version_info {
	int major, minor, patch;
	const char *hash;
	unsigned cpu_runtime, gpu_runtime;
} dnnl_version_info;

typedef struct dnnl_exec_arg {
	int arg;
	dnnl_handle memory;
} dnnl_exec_arg;

enum {
	DNNL_SUCCESS = 0,
	DNNL_CPU = 1, /* dnnl_engine_kind_t */
	DNNL_GPU = 2,
	DNNL_DT_F16 = 1,
	DNNL_DT_BF16 = 2,
	DNNL_DT_F32 = 3,
	DNNL_TAG_AB = 3, /* dnnl_ab: plain 2D, row-major */
	DNNL_ARG_SRC = 1,
	DNNL_ARG_DST = 17,
	DNNL_ARG_WEIGHTS = 33,
	DNNL_STREAM_IN_ORDER = 1,
};
#define DNNL_RUNTIME_OCL 256u
#define DNNL_ALLOCATE ((void *)(size_t)-1)

typedef struct dnnl_api {
	const dnnl_version_info *(*version)(void);
	const char *(*status_name)(int);
	size_t (*engine_count)(int kind);
	int (*engine_create)(dnnl_handle *, int kind, size_t index);
	int (*ocl_engine_create)(dnnl_handle *, void *cl_device, void *cl_context);
	int (*engine_destroy)(dnnl_handle);
	int (*md_init)(dnnl_md *, int ndims, const dnnl_dim *dims, int type, int tag);
	int (*matmul_init)(dnnl_matmul_desc *, const dnnl_md *src, const dnnl_md *weights,
			   const dnnl_md *bias, const dnnl_md *dst);
	int (*pd_create)(dnnl_handle *, const void *op_desc, const void *attr, dnnl_handle engine,
			 const void *hint);
	int (*pd_destroy)(dnnl_handle);
	int (*prim_create)(dnnl_handle *, dnnl_handle pd);
	int (*prim_destroy)(dnnl_handle);
	int (*prim_execute)(dnnl_handle, dnnl_handle stream, int nargs, const dnnl_exec_arg *);
	int (*mem_create)(dnnl_handle *, const dnnl_md *, dnnl_handle engine, void *handle);
	int (*mem_destroy)(dnnl_handle);
	int (*mem_map)(dnnl_handle, void **);
	int (*mem_unmap)(dnnl_handle, void *);
	int (*stream_create)(dnnl_handle *, dnnl_handle engine, unsigned flags);
	int (*stream_wait)(dnnl_handle);
	int (*stream_destroy)(dnnl_handle);
} dnnl_api;

struct bench_dnnl {
	void *lib;
	dnnl_api a;
	dnnl_handle engine, stream;
	const char *engine_kind; /* "OpenCL", "CPU" */
	char name[96];
};

struct dnnl_mm {
	bench_dnnl *d;
	dnnl_mm_type type;
	int m, n, k;
	dnnl_handle pd, prim, src, weights, dst;
};

static bool dnnl_syms(void *lib, dnnl_api *a)
{
	bool ok = xpu_dl_fn(lib, &a->version, "dnnl_version", NULL) &&
		  xpu_dl_fn(lib, &a->engine_count, "dnnl_engine_get_count", NULL) &&
		  xpu_dl_fn(lib, &a->engine_create, "dnnl_engine_create", NULL) &&
		  xpu_dl_fn(lib, &a->engine_destroy, "dnnl_engine_destroy", NULL) &&
		  xpu_dl_fn(lib, &a->md_init, "dnnl_memory_desc_init_by_tag", NULL) &&
		  xpu_dl_fn(lib, &a->matmul_init, "dnnl_matmul_desc_init", NULL) &&
		  xpu_dl_fn(lib, &a->pd_create, "dnnl_primitive_desc_create", NULL) &&
		  xpu_dl_fn(lib, &a->pd_destroy, "dnnl_primitive_desc_destroy", NULL) &&
		  xpu_dl_fn(lib, &a->prim_create, "dnnl_primitive_create", NULL) &&
		  xpu_dl_fn(lib, &a->prim_destroy, "dnnl_primitive_destroy", NULL) &&
		  xpu_dl_fn(lib, &a->prim_execute, "dnnl_primitive_execute", NULL) &&
		  xpu_dl_fn(lib, &a->mem_create, "dnnl_memory_create", NULL) &&
		  xpu_dl_fn(lib, &a->mem_destroy, "dnnl_memory_destroy", NULL) &&
		  xpu_dl_fn(lib, &a->mem_map, "dnnl_memory_map_data", NULL) &&
		  xpu_dl_fn(lib, &a->mem_unmap, "dnnl_memory_unmap_data", NULL) &&
		  xpu_dl_fn(lib, &a->stream_create, "dnnl_stream_create", NULL) &&
		  xpu_dl_fn(lib, &a->stream_wait, "dnnl_stream_wait", NULL) &&
		  xpu_dl_fn(lib, &a->stream_destroy, "dnnl_stream_destroy", NULL);
	/* absent when oneDNN was built without its OpenCL GPU runtime */
	xpu_dl_fn(lib, &a->ocl_engine_create, "dnnl_ocl_interop_engine_create", NULL);
	xpu_dl_fn(lib, &a->status_name, "dnnl_status2str", NULL);
	return ok;
}

static const char *status_name(const bench_dnnl *d, int st)
{
	static const char *const names[] = { "success", "out_of_memory", "invalid_arguments",
					     "unimplemented", "iterator_ends", "runtime_error",
					     "not_required" };
	if (d->a.status_name && d->a.status_name(st))
		return d->a.status_name(st);
	return st >= 0 && st < (int)XPU_ARRAY_LEN(names) ? names[st] : "unknown status";
}

/* false with "what: status" in why unless st is success. */
static bool dnnl_ok(const bench_dnnl *d, int st, const char *what, char *why, size_t len)
{
	if (st == DNNL_SUCCESS)
		return true;
	snprintf(why, len, "%s: %s", what, status_name(d, st));
	return false;
}

/* XPU_DNNL names a library in tests (a missing one: "not installed"). */
static void *dnnl_dlopen(const char *soname, char *why, size_t len)
{
	const char *env = getenv("XPU_DNNL");
	void *lib = dlopen(env && *env ? env : soname, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		snprintf(why, len, "oneDNN not installed (%s: %s)", env && *env ? env : soname,
			 "not found; install libdnnl2");
	return lib;
}

static bench_dnnl *dnnl_from(void *lib, const char *soname, char *why, size_t len)
{
	bench_dnnl *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	d->lib = lib;
	if (!dnnl_syms(lib, &d->a)) {
		snprintf(why, len, "%s lacks the oneDNN 2.x matmul API (dnnl_matmul_desc_init)",
			 soname);
		bench_dnnl_close(d);
		return NULL;
	}
	const dnnl_version_info *v = d->a.version();
	snprintf(d->name, sizeof(d->name), "oneDNN %d.%d.%d (%s)", v->major, v->minor, v->patch,
		 soname);
	return d;
}

bench_dnnl *bench_dnnl_open(char *why, size_t len)
{
	const char *env = getenv("XPU_DNNL");
	if (!(env && *env)) {
		void *lib3 = dlopen("libdnnl.so.3", RTLD_NOW | RTLD_LOCAL);
		if (lib3) {
			/* 3.x dropped the op descriptors this code speaks (left
			 * loaded: oneDNN's OpenMP state has no unload) */
			void *lib2 = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
			if (lib2)
				return dnnl_from(lib2, "libdnnl.so.2", why, len);
			snprintf(why, len, "oneDNN 3.x (libdnnl.so.3) found: its matmul API is not "
				 "supported by this version of xpu (2.x is)");
			return NULL;
		}
	}
	void *lib = dnnl_dlopen("libdnnl.so.2", why, len);
	return lib ? dnnl_from(lib, env && *env ? env : "libdnnl.so.2", why, len) : NULL;
}

void bench_dnnl_close(bench_dnnl *d)
{
	if (!d)
		return;
	if (d->stream)
		d->a.stream_destroy(d->stream);
	if (d->engine)
		d->a.engine_destroy(d->engine);
	/* libdnnl stays loaded: its OpenMP and OpenCL state has no unload. */
	free(d);
}

const char *bench_dnnl_name(const bench_dnnl *d)
{
	return d->name;
}

static bool ocl_engine(bench_dnnl *d, void *dev, void *ctx, char *why, size_t len)
{
	char what[160];
	if (!d->a.ocl_engine_create || (d->a.version()->gpu_runtime & DNNL_RUNTIME_OCL) == 0) {
		snprintf(why, len, "%s was built without its OpenCL GPU runtime", d->name);
		return false;
	}
	snprintf(what, sizeof(what), "%s refused the device (dnnl_ocl_interop_engine_create)",
		 d->name);
	return dnnl_ok(d, d->a.ocl_engine_create(&d->engine, dev, ctx), what, why, len);
}

bool bench_dnnl_engine(bench_dnnl *d, void *cl_device, void *cl_context, char *why, size_t len)
{
	bool ok = cl_device ? ocl_engine(d, cl_device, cl_context, why, len) :
			      dnnl_ok(d, d->a.engine_create(&d->engine, DNNL_CPU, 0),
				      "dnnl_engine_create(cpu)", why, len);
	if (!ok) {
		d->engine = NULL;
		return false;
	}
	d->engine_kind = cl_device ? "OpenCL" : "CPU";
	if (!dnnl_ok(d, d->a.stream_create(&d->stream, d->engine, DNNL_STREAM_IN_ORDER),
		     "dnnl_stream_create", why, len)) {
		d->stream = NULL;
		return false;
	}
	return true;
}

static int dnnl_type(dnnl_mm_type t)
{
	return t == DNNL_MM_F16 ? DNNL_DT_F16 : t == DNNL_MM_BF16 ? DNNL_DT_BF16 : DNNL_DT_F32;
}

static int dst_type(dnnl_mm_type t)
{
	return t == DNNL_MM_BF16 ? DNNL_DT_F32 : dnnl_type(t);
}

static bool mm_mds(dnnl_mm *mm, dnnl_md md[3], char *why, size_t len)
{
	bench_dnnl *d = mm->d;
	const dnnl_dim src[2] = { mm->m, mm->k }, wei[2] = { mm->k, mm->n },
		       dst[2] = { mm->m, mm->n };
	memset(md, 0, 3 * sizeof(*md));
	return dnnl_ok(d, d->a.md_init(&md[0], 2, src, dnnl_type(mm->type), DNNL_TAG_AB),
		       "dnnl_memory_desc_init_by_tag", why, len) &&
	       dnnl_ok(d, d->a.md_init(&md[1], 2, wei, dnnl_type(mm->type), DNNL_TAG_AB),
		       "dnnl_memory_desc_init_by_tag", why, len) &&
	       dnnl_ok(d, d->a.md_init(&md[2], 2, dst, dst_type(mm->type), DNNL_TAG_AB),
		       "dnnl_memory_desc_init_by_tag", why, len);
}

static bool mm_primitive(dnnl_mm *mm, const dnnl_md md[3], char *why, size_t len)
{
	bench_dnnl *d = mm->d;
	dnnl_matmul_desc *op = calloc(1, sizeof(*op));
	if (!op) {
		snprintf(why, len, "out of memory");
		return false;
	}
	char what[160];
	snprintf(what, sizeof(what), "%s has no matmul for this engine and type "
		 "(dnnl_primitive_desc_create)", d->name);
	bool ok = dnnl_ok(d, d->a.matmul_init(op, &md[0], &md[1], NULL, &md[2]),
			  "dnnl_matmul_desc_init", why, len) &&
		  dnnl_ok(d, d->a.pd_create(&mm->pd, op, NULL, d->engine, NULL), what, why, len);
	free(op);
	if (!ok) {
		mm->pd = NULL;
		return false;
	}
	if (!dnnl_ok(d, d->a.prim_create(&mm->prim, mm->pd), "dnnl_primitive_create", why, len)) {
		mm->prim = NULL;
		return false;
	}
	return true;
}

static bool mm_memory(dnnl_mm *mm, const dnnl_md md[3], char *why, size_t len)
{
	bench_dnnl *d = mm->d;
	dnnl_handle *mems[] = { &mm->src, &mm->weights, &mm->dst };
	for (size_t i = 0; i < 3; i++)
		if (!dnnl_ok(d, d->a.mem_create(mems[i], &md[i], d->engine, DNNL_ALLOCATE),
			     "dnnl_memory_create", why, len)) {
			*mems[i] = NULL;
			return false;
		}
	return true;
}

dnnl_mm *dnnl_mm_make(bench_dnnl *d, dnnl_mm_type t, int m, int n, int k, char *why, size_t len)
{
	dnnl_mm *mm = calloc(1, sizeof(*mm));
	dnnl_md *md = calloc(3, sizeof(*md));
	if (!mm || !md) {
		snprintf(why, len, "out of memory");
		free(mm);
		free(md);
		return NULL;
	}
	*mm = (dnnl_mm){ .d = d, .type = t, .m = m, .n = n, .k = k };
	bool ok = d->engine && mm_mds(mm, md, why, len) && mm_primitive(mm, md, why, len) &&
		  mm_memory(mm, md, why, len);
	free(md);
	if (!ok) {
		if (!d->engine)
			snprintf(why, len, "no oneDNN engine");
		dnnl_mm_free(mm);
		return NULL;
	}
	return mm;
}

void dnnl_mm_free(dnnl_mm *mm)
{
	if (!mm)
		return;
	dnnl_api *a = &mm->d->a;
	dnnl_handle mems[] = { mm->src, mm->weights, mm->dst };
	for (size_t i = 0; i < 3; i++)
		if (mems[i])
			a->mem_destroy(mems[i]);
	if (mm->prim)
		a->prim_destroy(mm->prim);
	if (mm->pd)
		a->pd_destroy(mm->pd);
	free(mm);
}

/* ---- data in and out, converted from and to fp32 ---- */

static uint16_t to_bf16(float f)
{
	uint32_t x;
	memcpy(&x, &f, 4);
	x += 0x7fffu + ((x >> 16) & 1); /* round to nearest even */
	return (uint16_t)(x >> 16);
}

static bool mm_write(dnnl_mm *mm, dnnl_handle mem, const float *v, size_t n, char *why, size_t len)
{
	bench_dnnl *d = mm->d;
	void *p = NULL;
	if (!dnnl_ok(d, d->a.mem_map(mem, &p), "dnnl_memory_map_data", why, len))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (mm->type == DNNL_MM_F32)
			((float *)p)[i] = v[i];
		else
			((uint16_t *)p)[i] = mm->type == DNNL_MM_F16 ? bench_to_half(v[i]) :
								       to_bf16(v[i]);
	}
	return dnnl_ok(d, d->a.mem_unmap(mem, p), "dnnl_memory_unmap_data", why, len);
}

bool dnnl_mm_set(dnnl_mm *mm, const float *a, const float *b, char *why, size_t len)
{
	return mm_write(mm, mm->src, a, (size_t)mm->m * mm->k, why, len) &&
	       mm_write(mm, mm->weights, b, (size_t)mm->k * mm->n, why, len);
}

bool dnnl_mm_get(dnnl_mm *mm, float *c, char *why, size_t len)
{
	bench_dnnl *d = mm->d;
	void *p = NULL;
	size_t n = (size_t)mm->m * mm->n;
	if (!dnnl_ok(d, d->a.mem_map(mm->dst, &p), "dnnl_memory_map_data", why, len))
		return false;
	for (size_t i = 0; i < n; i++)
		c[i] = mm->type == DNNL_MM_F16 ? bench_from_half(((uint16_t *)p)[i]) : ((float *)p)[i];
	return dnnl_ok(d, d->a.mem_unmap(mm->dst, p), "dnnl_memory_unmap_data", why, len);
}

bool dnnl_mm_run(dnnl_mm *mm, unsigned iters, char *why, size_t len)
{
	bench_dnnl *d = mm->d;
	const dnnl_exec_arg args[] = { { DNNL_ARG_SRC, mm->src },
				       { DNNL_ARG_WEIGHTS, mm->weights },
				       { DNNL_ARG_DST, mm->dst } };
	for (unsigned i = 0; i < iters; i++)
		if (!dnnl_ok(d, d->a.prim_execute(mm->prim, d->stream, 3, args),
			     "dnnl_primitive_execute", why, len))
			return false;
	return dnnl_ok(d, d->a.stream_wait(d->stream), "dnnl_stream_wait", why, len);
}

/* ---- check and timing ---- */

static bool mm_check(bench_dnnl *d, dnnl_mm_type t, char *why, size_t len)
{
	bench_gemm_ref *r = malloc(sizeof(*r));
	float *out = malloc(sizeof(float) * BENCH_CHK_M * BENCH_CHK_N);
	dnnl_mm *mm = r && out ? dnnl_mm_make(d, t, BENCH_CHK_M, BENCH_CHK_N, BENCH_CHK_K, why,
					      len) : NULL;
	bool ok = false;
	if (mm) {
		bench_gemm_ref_make(r);
		ok = dnnl_mm_set(mm, r->a, r->b, why, len) && dnnl_mm_run(mm, 1, why, len) &&
		     dnnl_mm_get(mm, out, why, len) &&
		     bench_gemm_ref_compare(r, out, t == DNNL_MM_F16, why, len);
	} else if (!r || !out) {
		snprintf(why, len, "out of memory");
	}
	dnnl_mm_free(mm);
	free(r);
	free(out);
	return ok;
}

/* Inputs of +-[0.5, 1.5) values: zeros would flatter the hardware. */
static bool mm_inputs(dnnl_mm *mm, char *why, size_t len)
{
	size_t count = (size_t)mm->m * mm->k;
	float *v = malloc(count * sizeof(float));
	if (!v) {
		snprintf(why, len, "out of host memory");
		return false;
	}
	for (size_t i = 0; i < count; i++)
		v[i] = (float)((i * 2654435761u >> 7) % 1024) / 1024.0f + 0.5f;
	bool ok = dnnl_mm_set(mm, v, v, why, len);
	free(v);
	return ok;
}

static int step_mm(void *arg, char *err, size_t len)
{
	return dnnl_mm_run(arg, 1, err, len) ? 0 : -1;
}

static const char *type_name(dnnl_mm_type t)
{
	return t == DNNL_MM_F16 ? "fp16" : t == DNNL_MM_BF16 ? "bf16 in, fp32 out" : "fp32";
}

bool bench_dnnl_gemm(bench_ctx *c, bench_dnnl *d, xpu_bench_figure *f, dnnl_mm_type t, int n,
		     char *why, size_t len)
{
	if (!mm_check(d, t, why, len))
		return false;
	dnnl_mm *mm = dnnl_mm_make(d, t, n, n, n, why, len);
	if (!mm || !mm_inputs(mm, why, len)) {
		dnnl_mm_free(mm);
		return false;
	}
	bench_wall_samples(c, f, 1, bench_reps(c), 2.0 * n * n * (double)n * 1e-12, step_mm, mm);
	bench_note(f, "%s matmul, %s engine, %s; checked against a CPU reference (%dx%dx%d)",
		   d->name, d->engine_kind, type_name(t), BENCH_CHK_M, BENCH_CHK_N, BENCH_CHK_K);
	dnnl_mm_free(mm);
	return true;
}
