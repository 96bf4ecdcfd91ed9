/* The CUDA driver API and cuBLAS entry points xpu bench uses, declared here
 * from NVIDIA's documented API (the headers are not redistributable).
 * Handles are pointers, CUdevice and CUresult ints, CUdeviceptr 64-bit.
 * Versioned names are resolved first (cuda.h maps cuMemAlloc to
 * cuMemAlloc_v2, cuEventElapsedTime to cuEventElapsedTime_v2 in CUDA 13). */
#ifndef XPU_BENCH_CUDA_API_H
#define XPU_BENCH_CUDA_API_H

#include <stddef.h>
#include <stdint.h>

typedef int xcu_result;
typedef int xcu_device;
typedef uint64_t xcu_ptr;
typedef struct xcu_ctx_s *xcu_ctx;
typedef struct xcu_stream_s *xcu_stream;
typedef struct xcu_event_s *xcu_event;
typedef struct xcu_module_s *xcu_module;
typedef struct xcu_func_s *xcu_func;

enum {
	XCU_SUCCESS = 0,
	XCU_ERROR_OUT_OF_MEMORY = 2,
	XCU_ATTR_CLOCK_RATE = 13,         /* kHz */
	XCU_ATTR_SM_COUNT = 16,
	XCU_ATTR_MEMORY_CLOCK_RATE = 36,  /* kHz */
	XCU_ATTR_MEMORY_BUS_WIDTH = 37,   /* bits */
	XCU_ATTR_CC_MAJOR = 75,
	XCU_ATTR_CC_MINOR = 76,
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

#endif
