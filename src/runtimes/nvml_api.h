/* NVML (libnvidia-ml.so.1) as xpu declares it: nvml.h is not redistributed,
 * so the few types and entry points used are spelled out here with their
 * nvml.h names in comments.  One symbol table, resolved once per process,
 * serves the discovery probe (src/runtimes/nvml.c) and the telemetry
 * sampler (src/telemetry/nvml_sample.c).  Versioned entry points first. */
#ifndef XPU_RUNTIMES_NVML_API_H
#define XPU_RUNTIMES_NVML_API_H

#include "runtimes/runtime.h"

typedef int xnv_return;                   /* nvmlReturn_t */
typedef struct xnv_device_st *xnv_device; /* nvmlDevice_t */

enum {
	XNV_SUCCESS = 0,
	XNV_ERROR_NOT_SUPPORTED = 3,
	XNV_ERROR_NO_PERMISSION = 4,
	XNV_ERROR_NOT_FOUND = 6,
	XNV_ERROR_INSUFFICIENT_SIZE = 7,
	XNV_ERROR_DRIVER_NOT_LOADED = 9,
	XNV_ERROR_LIB_RM_VERSION_MISMATCH = 18,
	XNV_CLOCK_SM = 1,  /* NVML_CLOCK_SM */
	XNV_CLOCK_MEM = 2, /* NVML_CLOCK_MEM */
	XNV_TEMPERATURE_GPU = 0,
};

typedef struct xnv_memory { /* nvmlMemory_t (v1) */
	unsigned long long total, free, used;
} xnv_memory;

typedef struct xnv_memory_v2 { /* nvmlMemory_v2_t: used excludes the driver's reserve */
	unsigned int version;
	unsigned long long total, reserved, free, used;
} xnv_memory_v2;
/* NVML_STRUCT_VERSION(Memory, 2) */
#define XNV_MEMORY_V2_VERSION ((unsigned)(sizeof(xnv_memory_v2) | (2u << 24)))

typedef struct xnv_pci_info { /* nvmlPciInfo_t as the _v2/_v3 entry points fill it */
	char bus_id_legacy[16];
	unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
	char bus_id[32];
} xnv_pci_info;

typedef struct xnv_utilization { /* nvmlUtilization_t */
	unsigned int gpu, memory;
} xnv_utilization;

/* nvmlProcessInfo_v2_t; the _v3 entry points fill the same layout
 * (pynvml: c_nvmlProcessInfo_v3_t = c_nvmlProcessInfo_v2_t) */
typedef struct xnv_process {
	unsigned int pid;
	unsigned long long used_gpu_memory;
	unsigned int gpu_instance_id, compute_instance_id;
} xnv_process;
#define XNV_VALUE_NOT_AVAILABLE (~0ull)

typedef struct xnv_process_util { /* nvmlProcessUtilizationSample_t */
	unsigned int pid;
	unsigned long long timestamp;
	unsigned int sm, mem, enc, dec;
} xnv_process_util;

/* A NULL entry: the library lacks it (an older driver). */
typedef struct xpu_nvml_api {
	xpu_rt_lib lib; /* handle NULL: NVML did not load, lib.error says why */
	xnv_return (*init)(void);
	xnv_return (*shutdown)(void);
	xnv_return (*driver_version)(char *version, unsigned len);
	xnv_return (*count)(unsigned *count);
	xnv_return (*handle)(unsigned index, xnv_device *dev);
	xnv_return (*pci)(xnv_device dev, xnv_pci_info *pci);
	xnv_return (*name)(xnv_device dev, char *name, unsigned len);
	xnv_return (*uuid)(xnv_device dev, char *uuid, unsigned len);
	xnv_return (*memory_v2)(xnv_device dev, xnv_memory_v2 *mem);
	xnv_return (*memory)(xnv_device dev, xnv_memory *mem);
	xnv_return (*clock)(xnv_device dev, int type, unsigned *mhz);
	xnv_return (*max_clock)(xnv_device dev, int type, unsigned *mhz);
	xnv_return (*temperature)(xnv_device dev, int sensor, unsigned *celsius);
	xnv_return (*power_usage)(xnv_device dev, unsigned *mw);
	xnv_return (*power_limit)(xnv_device dev, unsigned *mw);
	xnv_return (*power_constraints)(xnv_device dev, unsigned *min_mw, unsigned *max_mw);
	xnv_return (*energy)(xnv_device dev, unsigned long long *mj);
	xnv_return (*utilization)(xnv_device dev, xnv_utilization *u);
	xnv_return (*fan)(xnv_device dev, unsigned *percent);
	xnv_return (*throttle)(xnv_device dev, unsigned long long *mask);
	xnv_return (*compute_procs)(xnv_device dev, unsigned *count, xnv_process *p);
	xnv_return (*graphics_procs)(xnv_device dev, unsigned *count, xnv_process *p);
	xnv_return (*process_util)(xnv_device dev, xnv_process_util *s, unsigned *count,
				   unsigned long long last_seen);
} xpu_nvml_api;

/* NVML (the runtime table's names), loaded and resolved at the first call
 * and kept: a process maps one NVML, and unloading it is not documented
 * safe.  Thread-safe. */
const xpu_nvml_api *xpu_nvml_api_get(void);

#endif
