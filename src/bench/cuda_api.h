/* The CUDA driver API, cuBLAS and cuBLASLt entry points xpu bench uses,
 * declared here from NVIDIA's documented API (the headers are not
 * redistributable); the driver API's types and constants are shared with the
 * runtime probe in runtimes/cuda_api.h.  Handles are pointers.
 * Versioned names are resolved first (cuda.h maps cuMemAlloc to
 * cuMemAlloc_v2, cuEventElapsedTime to cuEventElapsedTime_v2 in CUDA 13). */
#ifndef XPU_BENCH_CUDA_API_H
#define XPU_BENCH_CUDA_API_H

#include <stddef.h>
#include <stdint.h>

#include "runtimes/cuda_api.h"

typedef struct xcu_ctx_s *xcu_ctx;
typedef struct xcu_stream_s *xcu_stream;
typedef struct xcu_event_s *xcu_event;
typedef struct xcu_module_s *xcu_module;
typedef struct xcu_func_s *xcu_func;

enum {
	XCU_MEMHOSTALLOC_PORTABLE = 0x01,
	XCU_STREAM_NON_BLOCKING = 0x1,
};

typedef struct cuda_drv {
	xcu_result (*init)(unsigned);
	xcu_result (*device_get)(xcu_device *, int);
	xcu_result (*attribute)(int *, int, xcu_device);
	xcu_result (*primary_retain)(xcu_ctx *, xcu_device);
	xcu_result (*primary_release)(xcu_device);
	xcu_result (*ctx_set_current)(xcu_ctx);
	xcu_result (*mem_get_info)(size_t *, size_t *);
	xcu_result (*mem_alloc)(xcu_ptr *, size_t);
	xcu_result (*mem_free)(xcu_ptr);
	xcu_result (*host_alloc)(void **, size_t, unsigned);
	xcu_result (*host_free)(void *);
	xcu_result (*memset_d32)(xcu_ptr, unsigned, size_t);
	xcu_result (*copy_dtod_async)(xcu_ptr, xcu_ptr, size_t, xcu_stream);
	xcu_result (*copy_htod_async)(xcu_ptr, const void *, size_t, xcu_stream);
	xcu_result (*copy_dtoh_async)(void *, xcu_ptr, size_t, xcu_stream);
	xcu_result (*copy_htod)(xcu_ptr, const void *, size_t);
	xcu_result (*copy_dtoh)(void *, xcu_ptr, size_t);
	xcu_result (*stream_create)(xcu_stream *, unsigned);
	xcu_result (*stream_destroy)(xcu_stream);
	xcu_result (*stream_sync)(xcu_stream);
	xcu_result (*event_create)(xcu_event *, unsigned);
	xcu_result (*event_destroy)(xcu_event);
	xcu_result (*event_record)(xcu_event, xcu_stream);
	xcu_result (*event_sync)(xcu_event);
	xcu_result (*event_elapsed)(float *, xcu_event, xcu_event);
	xcu_result (*module_load_data)(xcu_module *, const void *);
	xcu_result (*module_unload)(xcu_module);
	xcu_result (*module_function)(xcu_func *, xcu_module, const char *);
	xcu_result (*launch)(xcu_func, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
			     unsigned, xcu_stream, void **, void **);
	xcu_result (*error_name)(xcu_result, const char **);
} cuda_drv;

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

typedef struct cublas_api {
	int (*create)(xcublas *);
	int (*destroy)(xcublas);
	int (*version)(xcublas, int *);
	int (*set_stream)(xcublas, xcu_stream);
	int (*set_workspace)(xcublas, void *, size_t); /* cuBLAS >= 11.3 */
	int (*gemm_ex)(xcublas, int ta, int tb, int m, int n, int k, const void *alpha,
		       const void *a, int atype, int lda, const void *b, int btype, int ldb,
		       const void *beta, void *c, int ctype, int ldc, int compute, int algo);
} cublas_api;

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

typedef struct cublaslt_api {
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
} cublaslt_api;

#endif
