/* Private to src/bench: oneDNN's matmul primitive by dlopen (C API of
 * oneDNN 2.x: op descriptors, dnnl_matmul_desc_init), on an engine made on
 * the caller's OpenCL device and context, or on the CPU engine.  oneDNN 3.x
 * (libdnnl.so.3) changed the descriptor API: it is found and named, not
 * used. */
#ifndef XPU_BENCH_ONEDNN_H
#define XPU_BENCH_ONEDNN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct bench_dnnl bench_dnnl;
typedef struct dnnl_mm dnnl_mm;

/* Loads libdnnl (.so.3, then .so.2).  NULL with why in why: not installed,
 * a version whose API this code does not speak, entry points missing. */
bench_dnnl *bench_dnnl_open(char *why, size_t len);
void bench_dnnl_close(bench_dnnl *d);
/* "oneDNN 2.6.3 (libdnnl.so.2)" */
const char *bench_dnnl_name(const bench_dnnl *d);

/* An engine on the caller's OpenCL device and context (cl_device_id and
 * cl_context, as void *), or the CPU engine (both NULL).  false with why:
 * oneDNN refused the device, or was built without its OpenCL runtime. */
bool bench_dnnl_engine(bench_dnnl *d, void *cl_device, void *cl_context, char *why, size_t len);

typedef enum { DNNL_MM_F32, DNNL_MM_F16, DNNL_MM_BF16 } dnnl_mm_type;

/* C (m x n, fp32 for bf16 inputs, else the input type) = A (m x k) B (k x n),
 * row-major, on the engine.  NULL with why: unimplemented for this engine,
 * out of memory. */
dnnl_mm *dnnl_mm_make(bench_dnnl *d, dnnl_mm_type t, int m, int n, int k, char *why, size_t len);
/* Writes A and B from fp32 (converted to the type). */
bool dnnl_mm_set(dnnl_mm *mm, const float *a, const float *b, char *why, size_t len);
/* Runs it iters times and waits. */
bool dnnl_mm_run(dnnl_mm *mm, unsigned iters, char *why, size_t len);
/* Reads C as fp32. */
bool dnnl_mm_get(dnnl_mm *mm, float *c, char *why, size_t len);
void dnnl_mm_free(dnnl_mm *mm);

struct bench_ctx;
struct xpu_bench_figure;
/* oneDNN's matmul checked on the small shape against the CPU, then timed at
 * n^3 into f (wall clock around execute + wait).  false, f untouched, when
 * oneDNN cannot do this type on this engine or gets it wrong: why says. */
bool bench_dnnl_gemm(struct bench_ctx *c, bench_dnnl *d, struct xpu_bench_figure *f,
		     dnnl_mm_type t, int n, char *why, size_t len);

#endif
