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

/* Topology (nvml.h: nvmlGpuTopologyLevel_t, nvmlGpuP2PStatus_t,
 * nvmlGpuP2PCapsIndex_t, nvmlIntNvLinkDeviceType_t, nvmlAffinityScope_t). */
enum {
	XNV_TOPOLOGY_INTERNAL = 0,
	XNV_TOPOLOGY_SINGLE = 10,     /* one PCIe switch: PIX */
	XNV_TOPOLOGY_MULTIPLE = 20,   /* several switches, no host bridge: PXB */
	XNV_TOPOLOGY_HOSTBRIDGE = 30, /* PHB */
	XNV_TOPOLOGY_NODE = 40,       /* NODE */
	XNV_TOPOLOGY_SYSTEM = 50,     /* SYS */
	XNV_P2P_CAPS_INDEX_READ = 0,
	XNV_P2P_STATUS_OK = 0,
	XNV_NVLINK_MAX_LINKS = 18,    /* NVML_NVLINK_MAX_LINKS */
	XNV_NVLINK_DEVICE_TYPE_GPU = 0,
	XNV_NVLINK_DEVICE_TYPE_SWITCH = 2,
	XNV_AFFINITY_SCOPE_NODE = 0,
};

/* nvmlFieldValue_t: 40 bytes, the value a union of 8 */
typedef struct xnv_field_value {
	unsigned int field_id;
	unsigned int scope_id;        /* a link's number, or UINT_MAX: all links summed */
	long long timestamp_us;
	long long latency_us;
	int value_type;               /* nvmlValueType_t */
	int nvml_return;
	union {
		double d;
		unsigned int ui;
		unsigned long ul;
		unsigned long long ull;
		long long sll;
		int si;
		unsigned short us;
	} value;
} xnv_field_value;

enum { /* nvmlValueType_t */
	XNV_VALUE_DOUBLE = 0,
	XNV_VALUE_UINT = 1,
	XNV_VALUE_ULONG = 2,
	XNV_VALUE_ULONGLONG = 3,
	XNV_VALUE_SLONGLONG = 4,
	XNV_VALUE_SINT = 5,
	XNV_VALUE_USHORT = 6,
};

/* Field ids (nvml.h NVML_FI_DEV_*).  The NVLink throughput counters are in
 * KiB, per link (scope_id) or summed (scope_id UINT_MAX); the PCIe ones are
 * bytes, monotonic (R550 and later). */
enum {
	XNV_FI_NVLINK_SPEED_MBPS_COMMON = 90, /* MB/s per direction of each active link */
	XNV_FI_NVLINK_THROUGHPUT_DATA_TX = 138,
	XNV_FI_NVLINK_THROUGHPUT_DATA_RX = 139,
	XNV_FI_PCIE_COUNT_TX_BYTES = 197,
	XNV_FI_PCIE_COUNT_RX_BYTES = 198,
};

/* The value of a field NVML answered, whatever its type, as a double. */
double xnv_field_number(const xnv_field_value *f);

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
	/* topology and links (xpu topo, the link counters of xpu top) */
	xnv_return (*handle_by_pci)(const char *bus_id, xnv_device *dev);
	xnv_return (*common_ancestor)(xnv_device a, xnv_device b, int *level);
	xnv_return (*p2p_status)(xnv_device a, xnv_device b, int caps_index, int *status);
	xnv_return (*nvlink_state)(xnv_device dev, unsigned link, int *active);
	xnv_return (*nvlink_version)(xnv_device dev, unsigned link, unsigned *version);
	xnv_return (*nvlink_remote_pci)(xnv_device dev, unsigned link, xnv_pci_info *pci);
	xnv_return (*nvlink_remote_type)(xnv_device dev, unsigned link, int *type);
	xnv_return (*cpu_affinity)(xnv_device dev, unsigned words, unsigned long *cpus);
	xnv_return (*memory_affinity)(xnv_device dev, unsigned words, unsigned long *nodes,
				      int scope);
	xnv_return (*numa_node_id)(xnv_device dev, unsigned *node);
	xnv_return (*field_values)(xnv_device dev, int count, xnv_field_value *values);
} xpu_nvml_api;

/* NVML (the runtime table's names), loaded and resolved at the first call
 * and kept: a process maps one NVML, and unloading it is not documented
 * safe.  Thread-safe. */
const xpu_nvml_api *xpu_nvml_api_get(void);

#endif
