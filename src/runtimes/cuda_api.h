/* The CUDA driver API (libcuda.so.1) as libxpu declares it, from NVIDIA's
 * documented API (cuda.h is not redistributable), and its one symbol table:
 * the runtime probe (src/runtimes/cuda.c) and the benchmarks (src/bench)
 * read the same entry points, resolved once per process.
 * CUresult and CUdevice are ints, CUuuid is 16 bytes, CUdeviceptr 64-bit,
 * the other handles pointers.  Versioned names are resolved first (cuda.h
 * maps cuMemAlloc to cuMemAlloc_v2, cuEventElapsedTime to
 * cuEventElapsedTime_v2 in CUDA 13). */
#ifndef XPU_RUNTIMES_CUDA_API_H
#define XPU_RUNTIMES_CUDA_API_H

#include <stddef.h>
#include <stdint.h>

#include "runtimes/runtime.h"

typedef int xcu_result; /* CUresult */
typedef int xcu_device; /* CUdevice */
typedef uint64_t xcu_ptr; /* CUdeviceptr */
typedef struct xcu_uuid {
	unsigned char bytes[16];
} xcu_uuid; /* CUuuid */
typedef struct xcu_ctx_s *xcu_ctx;
typedef struct xcu_stream_s *xcu_stream;
typedef struct xcu_event_s *xcu_event;
typedef struct xcu_module_s *xcu_module;
typedef struct xcu_func_s *xcu_func;

/* CUresult values */
enum {
	XCU_SUCCESS = 0,
	XCU_ERROR_OUT_OF_MEMORY = 2,
	XCU_ERROR_INSUFFICIENT_DRIVER = 35,
	XCU_ERROR_NO_DEVICE = 100,
	XCU_ERROR_SYSTEM_NOT_READY = 802,
	XCU_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
	XCU_ERROR_COMPAT_NOT_SUPPORTED = 804,
	XCU_ERROR_PEER_ACCESS_ALREADY_ENABLED = 704,
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

enum {
	XCU_MEMHOSTALLOC_PORTABLE = 0x01,
	XCU_STREAM_NON_BLOCKING = 0x1,
};

/* A NULL entry: the library lacks it (an older driver, or a stand-in). */
typedef struct xpu_cuda_api {
	xpu_rt_lib lib; /* handle NULL: libcuda did not load, lib.error says why */
	/* discovery: device attributes only, no context */
	xcu_result (*init)(unsigned flags);
	xcu_result (*driver_version)(int *version);
	xcu_result (*count)(int *count);
	xcu_result (*device_get)(xcu_device *dev, int ordinal);
	xcu_result (*name)(char *name, int len, xcu_device dev);
	xcu_result (*pci_bus_id)(char *bus_id, int len, xcu_device dev);
	xcu_result (*uuid)(xcu_uuid *uuid, xcu_device dev);
	xcu_result (*attribute)(int *value, int attrib, xcu_device dev);
	xcu_result (*total_mem)(size_t *bytes, xcu_device dev);
	/* bench: the primary context, memory, copies, streams, events, kernels */
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
	/* peer to peer (bench p2p) */
	xcu_result (*can_access_peer)(int *can, xcu_device dev, xcu_device peer);
	xcu_result (*ctx_enable_peer)(xcu_ctx peer, unsigned flags);
	xcu_result (*copy_peer_async)(xcu_ptr dst, xcu_ctx dst_ctx, xcu_ptr src, xcu_ctx src_ctx,
				      size_t bytes, xcu_stream);
} xpu_cuda_api;

/* libcuda (the runtime table's names), loaded and resolved at the first call
 * and kept: libcuda starts threads in cuInit, so it stays loaded anyway.
 * Thread-safe. */
const xpu_cuda_api *xpu_cuda_api_get(void);

#endif
