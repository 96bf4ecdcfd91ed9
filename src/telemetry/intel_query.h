/* Intel VRAM use from the driver's memory-region query, the source nvtop
 * and xpu-smi use: i915 DRM_IOCTL_I915_QUERY + DRM_I915_QUERY_MEMORY_REGIONS,
 * xe DRM_IOCTL_XE_DEVICE_QUERY + DRM_XE_DEVICE_QUERY_MEM_REGIONS.
 *
 * The kernel answers anyone who may open the render node, but fills the
 * usage only for perfmon_capable() callers (CAP_PERFMON or CAP_SYS_ADMIN;
 * perf_event_paranoid plays no part): i915 (6.2+) reports unallocated_size
 * equal to probed_size otherwise, xe leaves used at 0.  So the caller's
 * capability, not the reply, decides whether "used" means anything. */
#ifndef XPU_TELEMETRY_INTEL_QUERY_H
#define XPU_TELEMETRY_INTEL_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/sys.h"
#include "xpu/telemetry.h"

typedef struct xpu_intel_vram {
	unsigned regions; /* device-local regions in the reply (0: none, an iGPU) */
	uint64_t total;   /* their sizes, summed (one per tile) */
	uint64_t used;    /* meaningful only when perfmon was true */
} xpu_intel_vram;

/* Replies laid out as the uapi structs (drm_i915_query_memory_regions,
 * drm_xe_query_mem_regions).  false when the buffer is too short for the
 * count it claims. */
bool xpu_i915_parse_mem_regions(const void *buf, size_t len, xpu_intel_vram *out);
bool xpu_xe_parse_mem_regions(const void *buf, size_t len, xpu_intel_vram *out);

/* A parsed reply onto the device: the size where sysfs had none, and the
 * use only for a perfmon-capable caller (otherwise the reply's 0 or
 * "all unallocated" is the kernel hiding it: NEEDS_CAP_PERFMON). */
void xpu_intel_vram_apply(xpu_device *d, const xpu_intel_vram *v, bool perfmon, const char *driver);

/* Whether this process is perfmon_capable() as the kernel decides it: bit 38
 * (CAP_PERFMON) or 21 (CAP_SYS_ADMIN) of CapEff in /proc/self/status. */
bool xpu_perfmon_capable(const xsys *s);

/* Asks the driver of ds (i915 or xe, discrete) through its render node and
 * sets ds->dev.memory_used_bytes (and memory_total_bytes where sysfs had no
 * size), or says why not: needs CAP_PERFMON, permission denied on the node,
 * or the ioctl's error.  Devices of other drivers are left alone. */
void xpu_intel_vram_sample(const xsys *s, xpu_device_sample *ds, bool perfmon);

#endif
