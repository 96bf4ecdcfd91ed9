/* Private to src/bench/cuda*.c: the CUDA runner's state and the helpers its
 * parts share (cuda.c: driver API, copies, cuBLAS; cuda_fp8.c: cuBLASLt). */
#ifndef XPU_BENCH_CUDA_INT_H
#define XPU_BENCH_CUDA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/bench_int.h"
#include "runtimes/cublas_api.h"
#include "runtimes/cuda_api.h"

typedef struct cu {
	const xpu_cuda_api *d; /* the process's one libcuda table */
	xcu_device dev;
	xcu_ctx ctx;
	xcu_stream s;
	xcu_event e0, e1;
	xcu_module mod;
	xcu_func f_empty, f_fill, f_copy;
	int sms, clock_khz, memclk_khz, bus_bits, cc_major, cc_minor;
	char err[160]; /* the last failure, for the figure that met it */
	const xpu_cublas_api *b; /* NULL until cuBLAS loaded */
	xcublas h;
	xcu_ptr ws;
	char cublas_dir[160]; /* where cuBLAS was found: cuBLASLt is beside it */
} cu;

/* Random +-[1,2) numbers of a type, written by the fill kernel. */
typedef enum { T_F32, T_F16, T_BF16, T_FP8_E4M3 } num_type;

/* false with "what: CUDA_ERROR_... (n)" in err unless rc is success. */
bool cu_error(const xpu_cuda_api *d, xcu_result rc, const char *what, char *err, size_t len);
/* The same into c->err. */
bool cu_ok(cu *c, xcu_result rc, const char *what);
bool cu_alloc(cu *c, xcu_ptr *p, size_t bytes);
void cu_free(cu *c, xcu_ptr *p);
bool cu_fill(cu *c, xcu_ptr p, size_t bytes, num_type t, unsigned seed);

/* One operation on c->s: success, a CUDA error, or -1 with c->err set. */
typedef xcu_result (*cu_op)(cu *c, void *arg);
/* Samples of amount-per-op rates into f, warm-ups first; fails f with
 * c->err. */
void cu_measure(bench_ctx *bc, cu *c, xpu_bench_figure *f, cu_op op, void *arg, double amount);

/* The first of sonames found in XPU_CUBLAS (a file or folder), in dir (may
 * be NULL), by the loader, or in the CUDA toolkit's and pip wheels' folders;
 * where says which file. */
void *cu_lib_open(const char *const *sonames, const char *dir, char *where, size_t len);

/* A 32 MiB workspace, as PyTorch gives cuBLAS and cuBLASLt on Hopper: some
 * of the fastest kernels need one.  Allocated once, on first use, into
 * c->ws. */
#define CU_WORKSPACE ((size_t)32 << 20)
bool cu_workspace(cu *c);

/* The decode-like shapes: M in {1, 16} against these (N, K). */
extern const int cu_decode_nk[3][2];
size_t cu_decode_shapes(const bench_ctx *bc);
/* A decode figure's shape: "m1.n4096.k4096". */
void cu_decode_shape(char *out, size_t len, int m, int n, int k);
/* Whether --only keeps a decode figure of row fig at any shape. */
bool cu_want_decode(const bench_ctx *bc, bench_fig fig);

/* How the CUDA runner counts a GEMM: against the dense peaks of the table
 * (NVIDIA's sparse figures are twice them). */
#define CU_GEMM_COUNTING "2 x M x N x K, dense"
/* The square GEMMs' size, and the same as their figures' shape. */
#define CU_SQUARE_N 8192
#define CU_SQUARE_SHAPE "8192"

/* cuda_fp8.c: fp8 GEMM through cuBLASLt, where the GPU has fp8 (cc >= 8.9). */
void cu_gemm_fp8(bench_ctx *bc, cu *c);

/* p2p.c: copy bandwidth and read latency from c's device (xpu's device d)
 * to every other usable CUDA device, peer access enabled both ways. */
void cu_p2p(bench_ctx *bc, cu *c, const xpu_device *d);

#endif
