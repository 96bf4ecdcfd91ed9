/* OpenCL (libOpenCL.so.1, the ICD loader) as libxpu calls it: the Khronos
 * headers supply the types and constants, and one symbol table, resolved
 * once per process, serves the runtime probe (src/runtimes/opencl.c) and the
 * benchmarks (src/bench/opencl.c).  Calls go through it, never through the
 * headers' prototypes: the loader is not a link-time dependency. */
#ifndef XPU_RUNTIMES_OPENCL_API_H
#define XPU_RUNTIMES_OPENCL_API_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#include "runtimes/runtime.h"

/* A NULL entry: the loader lacks it. */
typedef struct xpu_opencl_api {
	xpu_rt_lib lib; /* handle NULL: the loader did not load, lib.error says why */
	/* discovery: platforms and devices */
	cl_int (*platforms)(cl_uint n, cl_platform_id *ids, cl_uint *count);
	cl_int (*platform_info)(cl_platform_id p, cl_platform_info what, size_t len, void *val,
				size_t *ret);
	cl_int (*device_ids)(cl_platform_id p, cl_device_type type, cl_uint n, cl_device_id *ids,
			     cl_uint *count);
	cl_int (*device_info)(cl_device_id d, cl_device_info what, size_t len, void *val,
			      size_t *ret);
	/* bench: OpenCL 1.2 contexts, buffers, programs, kernels, events */
	cl_context (*create_context)(const cl_context_properties *, cl_uint, const cl_device_id *,
				     void (*)(const char *, const void *, size_t, void *), void *,
				     cl_int *);
	cl_command_queue (*create_queue)(cl_context, cl_device_id, cl_command_queue_properties,
					 cl_int *);
	cl_mem (*create_buffer)(cl_context, cl_mem_flags, size_t, void *, cl_int *);
	cl_program (*create_program)(cl_context, cl_uint, const char **, const size_t *, cl_int *);
	cl_int (*build_program)(cl_program, cl_uint, const cl_device_id *, const char *,
				void (*)(cl_program, void *), void *);
	cl_int (*build_info)(cl_program, cl_device_id, cl_program_build_info, size_t, void *,
			     size_t *);
	cl_kernel (*create_kernel)(cl_program, const char *, cl_int *);
	cl_int (*set_arg)(cl_kernel, cl_uint, size_t, const void *);
	cl_int (*enqueue_kernel)(cl_command_queue, cl_kernel, cl_uint, const size_t *,
				 const size_t *, const size_t *, cl_uint, const cl_event *, cl_event *);
	cl_int (*write)(cl_command_queue, cl_mem, cl_bool, size_t, size_t, const void *, cl_uint,
			const cl_event *, cl_event *);
	cl_int (*read)(cl_command_queue, cl_mem, cl_bool, size_t, size_t, void *, cl_uint,
		       const cl_event *, cl_event *);
	void *(*map)(cl_command_queue, cl_mem, cl_bool, cl_map_flags, size_t, size_t, cl_uint,
		     const cl_event *, cl_event *, cl_int *);
	cl_int (*unmap)(cl_command_queue, cl_mem, void *, cl_uint, const cl_event *, cl_event *);
	cl_int (*finish)(cl_command_queue);
	cl_int (*wait)(cl_uint, const cl_event *);
	cl_int (*profiling)(cl_event, cl_profiling_info, size_t, void *, size_t *);
	cl_int (*release_event)(cl_event);
	cl_int (*release_kernel)(cl_kernel);
	cl_int (*release_program)(cl_program);
	cl_int (*release_mem)(cl_mem);
	cl_int (*release_queue)(cl_command_queue);
	cl_int (*release_context)(cl_context);
} xpu_opencl_api;

/* The loader (the runtime table's names), loaded and resolved at the first
 * call and kept: ICDs such as PoCL keep threads and exit handlers.
 * Thread-safe. */
const xpu_opencl_api *xpu_opencl_api_get(void);

/* What installs the OpenCL driver (ICD) of vendor v's devices, for people:
 * "intel-opencl-icd", "pocl-opencl-icd" for the CPU. */
const char *xpu_opencl_icd_package(xpu_vendor v);

#endif
