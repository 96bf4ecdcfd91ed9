/* libxpu: what accelerators this machine has, what each can run, and which one
 * an app will use.  The library knows nothing of the command line. */
#ifndef XPU_XPU_H
#define XPU_XPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a field of `xpu list --json` changes meaning or goes away. */
#define XPU_SCHEMA_VERSION 1

#define XPU_MAX_DEVICES 32
#define XPU_MAX_TEMPS 24
#define XPU_MAX_FANS 4
#define XPU_TEXT_LEN 128
#define XPU_DETAIL_LEN 112

/* Every reported value carries a state.  Zeroed memory reads "unsupported,
 * no source", the honest answer for a value no code has looked for. */
typedef enum xpu_state {
	XPU_UNSUPPORTED = 0, /* this device or driver has no such value */
	XPU_OK,              /* the value was read */
	XPU_UNAVAILABLE,     /* it exists, but could not be read now (see reason) */
} xpu_state;

typedef enum xpu_reason {
	XPU_R_NO_SOURCE = 0,       /* xpu knows no source for it on this device */
	XPU_R_NONE,                /* state is OK */
	XPU_R_FILE_MISSING,        /* the kernel does not provide the file */
	XPU_R_PERMISSION_DENIED,   /* EACCES/EPERM on a file or device node */
	XPU_R_UNPARSABLE,          /* the file holds garbage, or is truncated */
	XPU_R_EMPTY,               /* the file is empty */
	XPU_R_IO_ERROR,            /* read() failed otherwise */
	XPU_R_NEEDS_CAP_PERFMON,   /* the kernel hides it without CAP_PERFMON */
	XPU_R_NEEDS_TWO_SAMPLES,   /* a rate: needs two samples, one was taken */
	XPU_R_RUNTIME_MISSING,     /* the userspace library is not installed */
	XPU_R_RUNTIME_ERROR,       /* the library loaded but failed */
	XPU_R_RUNTIME_NO_DEVICE,   /* the library works but does not see this device */
	XPU_R_NOT_PROBED,          /* deliberately not probed (e.g. replaying a sysroot) */
	XPU_R_DRIVER_NOT_BOUND,    /* no kernel driver is bound to the device */
	XPU_R_NO_DEVICE_NODE,      /* the /dev node is absent */
	XPU_R_NOT_APPLICABLE,      /* this backend cannot drive this kind of device */
	XPU_R_COUNT
} xpu_reason;

typedef struct xpu_status {
	xpu_state state;
	xpu_reason reason;
	char detail[XPU_DETAIL_LEN]; /* the object: a path, a library, an error code */
} xpu_status;

typedef struct xpu_uint {
	uint64_t value;
	xpu_status status;
} xpu_uint;

typedef struct xpu_real {
	double value;
	xpu_status status;
} xpu_real;

typedef struct xpu_text {
	char value[XPU_TEXT_LEN];
	xpu_status status;
} xpu_text;

/* A labelled sensor: temperature in degrees Celsius, fan speed in RPM. */
typedef struct xpu_sensor {
	char label[32];
	xpu_real reading;
	xpu_real max; /* fan maximum RPM or temperature critical point */
} xpu_sensor;

/* An index into xpu's vendor registry.  The vendors other code must
 * recognise have a name here, at fixed values; the others (arm, qualcomm,
 * broadcom, ...) are further indices without a constant of their own:
 * xpu_vendor_name() gives each its id.  OTHER is a GPU whose PCI vendor or
 * DRM driver no vendor of xpu knows. */
typedef enum xpu_vendor {
	XPU_VENDOR_CPU = 0,
	XPU_VENDOR_INTEL = 1,
	XPU_VENDOR_NVIDIA = 2,
	XPU_VENDOR_AMD = 3,
	XPU_VENDOR_OTHER = 4,
} xpu_vendor;

typedef enum xpu_kind {
	XPU_KIND_CPU = 0,
	XPU_KIND_INTEGRATED,
	XPU_KIND_DISCRETE,
} xpu_kind;

/* Listed in the default policy order, cuda first; opencl is reported but
 * never chosen (no AI app we launch prefers it). */
typedef enum xpu_backend_kind {
	XPU_BACKEND_CUDA = 0,
	XPU_BACKEND_LEVEL_ZERO,
	XPU_BACKEND_ROCM,
	XPU_BACKEND_VULKAN,
	XPU_BACKEND_CPU,
	XPU_BACKEND_OPENCL,
	XPU_BACKEND_COUNT
} xpu_backend_kind;

typedef struct xpu_backend {
	bool applies;  /* false: this backend has nothing to do with this device */
	bool usable;   /* driver bound, node accessible, runtime loads and sees it */
	xpu_status status;             /* why not usable; OK when usable */
	char runtime_version[48];      /* "CUDA 13.0", "Level Zero 1.8", "OpenCL 3.0 PoCL 3.1" */
	char device_name[XPU_TEXT_LEN]; /* what the runtime calls the device */
	int runtime_index;             /* the device's index inside that runtime, -1 unknown */
} xpu_backend;

typedef struct xpu_cpu_info {
	xpu_uint cores;   /* physical cores */
	xpu_uint threads; /* logical CPUs online */
	xpu_uint sockets;
	xpu_uint numa_nodes;
	xpu_uint l1d_bytes, l2_bytes, l3_bytes; /* per instance, as sysfs reports */
	xpu_text isa;     /* AI-relevant ISA features, space separated */
	bool avx2, avx512f, avx512_bf16, avx512_vnni, avx_vnni, amx_tile, amx_bf16, amx_int8;
	bool neon, sve;
} xpu_cpu_info;

typedef struct xpu_device {
	unsigned index;
	char id[40];                 /* stable: "pci:0000:03:00.0" or "cpu" */
	xpu_vendor vendor;
	xpu_kind kind;

	xpu_text name;               /* what a person calls it: "Arc B580", "NVIDIA H200" */
	xpu_text pci_vendor_name;    /* from the PCI id database */
	xpu_text pci_device_name;
	xpu_text pci_subsystem_vendor_name;
	xpu_text pci_subsystem_name; /* the board: "ASRock Challenger ITX Arc A380" */
	char pci_address[16];        /* "0000:03:00.0", empty for the CPU */
	uint16_t pci_vendor_id, pci_device_id;
	uint16_t pci_subsystem_vendor_id, pci_subsystem_device_id;
	uint32_t pci_class;

	xpu_text driver;             /* i915, xe, nvidia, amdgpu */
	xpu_text driver_version;
	xpu_text card_node;          /* /dev/dri/card1 */
	xpu_text render_node;        /* /dev/dri/renderD128 */
	xpu_text uuid;
	xpu_text family;             /* "Battlemage (Xe2-HPG)", "Hopper" */
	xpu_text compute_capability; /* NVIDIA "9.0" */
	xpu_text memory_kind;        /* "dedicated" or "shared" */

	xpu_uint memory_total_bytes;
	xpu_uint memory_used_bytes;
	xpu_uint compute_units;
	char compute_unit_name[16];  /* "Xe-cores", "EUs", "SMs", "CUs", "cores"; "" unknown */

	xpu_uint clock_min_mhz, clock_max_mhz;   /* the current allowed range */
	xpu_uint clock_rp0_mhz, clock_rpe_mhz, clock_rpn_mhz; /* Intel: max, efficient, min hw */
	xpu_uint clock_requested_mhz;            /* what the driver asked for */
	xpu_uint clock_actual_mhz;               /* what the hardware runs at */
	xpu_uint memory_clock_mhz, memory_clock_max_mhz;

	xpu_real power_cap_w;        /* the limit in force */
	xpu_real power_cap_max_w;    /* the highest the limit may be set to */
	xpu_real power_draw_w;       /* instantaneous or averaged, as the source gives */
	xpu_real energy_j;           /* cumulative counter */

	xpu_real busy_percent;       /* device busy, where the driver keeps it (amdgpu) */

	xpu_real temperature_c;      /* the primary sensor */
	xpu_status sensors_status;   /* why temps[] or fans[] is empty */
	unsigned n_temps;
	xpu_sensor temps[XPU_MAX_TEMPS];
	unsigned n_fans;
	xpu_sensor fans[XPU_MAX_FANS];

	xpu_backend backends[XPU_BACKEND_COUNT];
	xpu_cpu_info cpu;            /* meaningful for vendor CPU only */
} xpu_device;

typedef struct xpu_options {
	const char *sysroot;  /* NULL or "/" for this machine */
	/* -1: probe userspace runtimes only when sysroot is this machine;
	 *  0: never; 1: always. */
	int probe_runtimes;
	/* Which runtimes to probe: bits (1u << xpu_runtime_kind); 0 means all. */
	unsigned runtime_mask;
	/* The discovery cache (a live machine only).  Runtime results (which
	 * backends work, what CUDA/NVML/Level Zero/OpenCL/Vulkan said) are kept
	 * per user with a fingerprint of drivers, libraries, manifests, device
	 * nodes, groups and environment, and reused while it matches.
	 * XPU_CACHE_OFF (0, the default): every runtime is initialised now;
	 * XPU_CACHE_USE: reuse a match, else probe and store; XPU_CACHE_REFRESH:
	 * probe now and store.  The cache lives in $XPU_CACHE_DIR, else
	 * $XDG_RUNTIME_DIR/xpu, else $XDG_CACHE_HOME/xpu or ~/.cache/xpu. */
	int cache;
	/* With a cache hit: also read NVML's live values (memory in use, clocks,
	 * temperature, power), which the cache never holds. */
	bool live_values;
} xpu_options;

enum { XPU_CACHE_USE = 1, XPU_CACHE_REFRESH = 2 };

typedef enum xpu_cache_state {
	XPU_CACHE_OFF = 0,    /* not used: not asked for, a sysroot, no cache folder */
	XPU_CACHE_HIT,        /* runtime results reused: the fingerprint matched */
	XPU_CACHE_MISS,       /* none matched: probed now (then STORED or UNWRITABLE) */
	XPU_CACHE_STORED,     /* probed now and stored */
	XPU_CACHE_UNWRITABLE, /* probed now; the file could not be written */
} xpu_cache_state;

typedef struct xpu_choice {
	const xpu_device *device; /* NULL only if discovery found nothing at all */
	xpu_backend_kind backend;
	char why[160];
} xpu_choice;

/* The userspace runtimes themselves, whatever devices they see: "is the
 * Level Zero loader there, and what did zeInit say?" */
typedef enum xpu_runtime_kind {
	XPU_RT_CUDA = 0,
	XPU_RT_NVML,
	XPU_RT_LEVEL_ZERO,
	XPU_RT_ROCM,
	XPU_RT_VULKAN,
	XPU_RT_OPENCL,
	XPU_RT_COUNT
} xpu_runtime_kind;

typedef struct xpu_runtime_info {
	bool probed;
	xpu_status status;   /* OK: loaded and initialised */
	char library[64];    /* the soname that loaded, or the one looked for */
	char version[64];
	unsigned devices;    /* devices it sees */
	char summary[256];   /* "PoCL 3.1: 1 device; Intel(R) OpenCL Graphics: no device" */
} xpu_runtime_info;

typedef struct xpu_system xpu_system;

enum {
	XPU_E_OK = 0,
	XPU_E_SYSROOT = 1, /* the sysroot does not exist or is not a directory */
	XPU_E_NOMEM = 2,
	XPU_E_IO = 3,
};

/* Discovers every accelerator.  Returns XPU_E_OK, or an error with a
 * one-line message in err.  Missing or broken parts of the stack are never
 * errors: they are states of the values and backends. */
int xpu_discover(const xpu_options *opt, xpu_system **out, char *err, size_t errlen);
void xpu_system_free(xpu_system *sys);

size_t xpu_device_count(const xpu_system *sys);
const xpu_device *xpu_device_at(const xpu_system *sys, size_t i);
const char *xpu_system_sysroot(const xpu_system *sys);
bool xpu_system_runtimes_probed(const xpu_system *sys);
/* How the discovery cache served this discovery; *detail (may be NULL) gets
 * the file, or why there is none; *probed_at (may be NULL) the unix time of
 * the probe whose results are shown (0 unknown). */
xpu_cache_state xpu_system_cache(const xpu_system *sys, const char **detail, long long *probed_at);
const char *xpu_cache_state_name(xpu_cache_state s);
const xpu_runtime_info *xpu_runtime_at(const xpu_system *sys, xpu_runtime_kind k);
/* "level_zero": the name --runtimes takes and JSON uses. */
const char *xpu_runtime_name(xpu_runtime_kind k);
/* "Level Zero": the name for people. */
const char *xpu_runtime_title(xpu_runtime_kind k);
/* "cuda,nvml" -> mask; false with the bad name in bad (size badlen). */
bool xpu_runtime_mask_parse(const char *list, unsigned *mask, char *bad, size_t badlen);
/* The runtimes a backend needs probed (for cuda: CUDA and NVML), as a
 * runtime mask; 0 for the cpu backend. */
unsigned xpu_runtime_mask_for_backend(xpu_backend_kind b);

/* The device and backend `xpu run` takes when nothing is forced:
 * cuda > level_zero > rocm > vulkan on a GPU, else the CPU. */
void xpu_default_choice(const xpu_system *sys, xpu_choice *out);

const char *xpu_state_name(xpu_state s);
const char *xpu_reason_name(xpu_reason r);   /* stable id: "permission_denied" */
const char *xpu_reason_text(xpu_reason r);   /* for people: "permission denied" */
const char *xpu_backend_name(xpu_backend_kind b);
const char *xpu_vendor_name(xpu_vendor v);   /* stable id: "intel", "arm"; "unknown" */
/* The vendor whose GPUs carry this PCI vendor id (also the vendor id that
 * Vulkan and OpenCL report); XPU_VENDOR_OTHER when xpu knows none. */
xpu_vendor xpu_vendor_of_pci_id(unsigned pci_vendor_id);
const char *xpu_kind_name(xpu_kind k);

/* "n/a (permission denied: /dev/dri/renderD128)" for a status that is not
 * OK; buf is returned. */
const char *xpu_status_describe(const xpu_status *st, char *buf, size_t len);

/* JSON of the whole system (jansson string, caller frees with free()). */
char *xpu_system_json(const xpu_system *sys, bool pretty);

/* What a snapshot wrote: how many files, and which were cut at
 * XPU_SNAPSHOT_FILE_MAX bytes (the first few named, all counted). */
#define XPU_SNAPSHOT_FILE_MAX (1 << 20)
typedef struct xpu_snapshot_result {
	unsigned files;
	unsigned cut;
	char cut_paths[8][128];
} xpu_snapshot_result;

/* Writes the subset of /sys and /proc that discovery reads under dir, so
 * that `xpu --sysroot dir list` reproduces this machine's listing.  dir
 * must be new or empty, and no link: nothing in it is written through.
 * res may be NULL. */
int xpu_snapshot(const xpu_options *opt, const char *dir, xpu_snapshot_result *res, char *err,
		 size_t errlen);

const char *xpu_version(void);

#ifdef __cplusplus
}
#endif
#endif
