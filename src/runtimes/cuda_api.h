/* The CUDA driver API types and constants libxpu uses, declared once from
 * NVIDIA's documented API (cuda.h is not redistributable): the runtime probe
 * (src/runtimes/cuda.c) and the benchmarks (src/bench) share them.
 * CUresult and CUdevice are ints, CUuuid is 16 bytes, CUdeviceptr 64-bit. */
#ifndef XPU_RUNTIMES_CUDA_API_H
#define XPU_RUNTIMES_CUDA_API_H

#include <stdint.h>

typedef int xcu_result; /* CUresult */
typedef int xcu_device; /* CUdevice */
typedef uint64_t xcu_ptr; /* CUdeviceptr */
typedef struct xcu_uuid {
	unsigned char bytes[16];
} xcu_uuid; /* CUuuid */

/* CUresult values */
enum {
	XCU_SUCCESS = 0,
	XCU_ERROR_OUT_OF_MEMORY = 2,
	XCU_ERROR_INSUFFICIENT_DRIVER = 35,
	XCU_ERROR_NO_DEVICE = 100,
	XCU_ERROR_SYSTEM_NOT_READY = 802,
	XCU_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
	XCU_ERROR_COMPAT_NOT_SUPPORTED = 804,
};

/* CUdevice_attribute values */
enum {
	XCU_ATTR_CLOCK_RATE = 13,         /* kHz */
	XCU_ATTR_MULTIPROCESSOR_COUNT = 16,
	XCU_ATTR_MEMORY_CLOCK_RATE = 36,  /* kHz */
	XCU_ATTR_MEMORY_BUS_WIDTH = 37,   /* bits */
	XCU_ATTR_CC_MAJOR = 75,
	XCU_ATTR_CC_MINOR = 76,
};

#endif
