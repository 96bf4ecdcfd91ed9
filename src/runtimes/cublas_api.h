/* cuBLAS and cuBLASLt as libxpu declares them, from NVIDIA's documented API
 * (the headers are not redistributable): their sonames, types and one
 * symbol table each.  `xpu bench` calls them, `xpu doctor` looks for them.
 * They are no runtime of their own (no backend): the CUDA toolkit, PyTorch's
 * wheels or an app bring them, so the bench looks in several places and
 * resolves whichever library it found. */
#ifndef XPU_RUNTIMES_CUBLAS_API_H
#define XPU_RUNTIMES_CUBLAS_API_H

#include <stddef.h>
#include <stdint.h>

#include "runtimes/cuda_api.h"

/* The sonames, newest first; NULL-terminated. */
extern const char *const xpu_cublas_libs[];
extern const char *const xpu_cublaslt_libs[];
/* The development names, which exist with a CUDA toolkit installed. */
extern const char *const xpu_cublas_dev_libs[];
/* What `xpu doctor` tells Debian and Ubuntu users to install. */
extern const char xpu_cublas_packages[];
/* "libcublas.so.13/12/11" (sep "/") or "libcublas.so.13/.12/.11" (sep
 * "/."): names (one base, several versions) for a message. */
void xpu_sonames_text(const char *const *names, const char *sep, char *out, size_t len);

/* cuBLAS (libcublas.so.13/12/11). */
typedef struct xcublas_s *xcublas;
enum {
	XCUBLAS_OP_N = 0,
	XCUBLAS_OP_T = 1,
	XCUDA_R_32F = 0,
	XCUDA_R_16F = 2,
	XCUDA_R_16BF = 14,
	XCUDA_R_8F_E4M3 = 28,
	XCUBLAS_COMPUTE_32F = 68,
	XCUBLAS_COMPUTE_32F_FAST_TF32 = 77,
	XCUBLAS_GEMM_DEFAULT = -1,
	XCUBLAS_GEMM_DEFAULT_TENSOR_OP = 99,
};

/* A NULL entry: the library lacks it. */
typedef struct xpu_cublas_api {
	int (*create)(xcublas *);
	int (*destroy)(xcublas);
	int (*version)(xcublas, int *);
	int (*set_stream)(xcublas, xcu_stream);
	int (*set_workspace)(xcublas, void *, size_t); /* cuBLAS >= 11.3 */
	int (*gemm_ex)(xcublas, int ta, int tb, int m, int n, int k, const void *alpha,
		       const void *a, int atype, int lda, const void *b, int btype, int ldb,
		       const void *beta, void *c, int ctype, int ldc, int compute, int algo);
} xpu_cublas_api;

/* cuBLASLt (libcublasLt.so.13/12): fp8 matmul needs it (cublasGemmEx has
 * no fp8 types nor scale factors).  Values from cublasLt.h, CUDA 12/13. */
typedef struct xlt_handle_s *xlt_handle;
typedef struct xlt_desc_s *xlt_desc;
typedef struct xlt_layout_s *xlt_layout;
typedef struct xlt_pref_s *xlt_pref;

enum {
	XLT_DESC_TRANSA = 3,          /* CUBLASLT_MATMUL_DESC_TRANSA, int32 */
	XLT_DESC_TRANSB = 4,
	XLT_DESC_A_SCALE_POINTER = 17, /* device pointer to one fp32 */
	XLT_DESC_B_SCALE_POINTER = 18,
	XLT_PREF_MAX_WORKSPACE_BYTES = 1, /* CUBLASLT_MATMUL_PREF_..., uint64 */
};

typedef struct xlt_algo {
	uint64_t data[8];              /* cublasLtMatmulAlgo_t: opaque, 64 bytes */
} xlt_algo;

typedef struct xlt_heuristic {
	xlt_algo algo;                 /* cublasLtMatmulHeuristicResult_t */
	size_t workspace_size;
	int state;                     /* cublasStatus_t */
	float waves_count;
	int reserved[4];
} xlt_heuristic;

typedef struct xpu_cublaslt_api {
	int (*create)(xlt_handle *);
	int (*destroy)(xlt_handle);
	size_t (*version)(void);
	int (*desc_create)(xlt_desc *, int compute, int scale_type);
	int (*desc_destroy)(xlt_desc);
	int (*desc_set)(xlt_desc, int attr, const void *buf, size_t size);
	int (*layout_create)(xlt_layout *, int type, uint64_t rows, uint64_t cols, int64_t ld);
	int (*layout_destroy)(xlt_layout);
	int (*pref_create)(xlt_pref *);
	int (*pref_destroy)(xlt_pref);
	int (*pref_set)(xlt_pref, int attr, const void *buf, size_t size);
	int (*heuristic)(xlt_handle, xlt_desc, xlt_layout a, xlt_layout b, xlt_layout c,
			 xlt_layout d, xlt_pref, int requested, xlt_heuristic *results, int *found);
	int (*matmul)(xlt_handle, xlt_desc, const void *alpha, const void *a, xlt_layout,
		      const void *b, xlt_layout, const void *beta, const void *c, xlt_layout,
		      void *d, xlt_layout, const xlt_algo *algo, void *workspace, size_t ws_size,
		      xcu_stream stream);
} xpu_cublaslt_api;

/* The tables of lib (a handle of cuBLAS, or of cuBLASLt), resolved at the
 * first call for that handle and kept: a process maps one of each.
 * Thread-safe. */
const xpu_cublas_api *xpu_cublas_api_of(void *lib);
const xpu_cublaslt_api *xpu_cublaslt_api_of(void *lib);

#endif
