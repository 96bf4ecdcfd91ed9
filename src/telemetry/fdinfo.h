/* DRM client usage stats from /proc/PID/fdinfo/FD, as the kernel documents
 * them (Documentation/gpu/drm-usage-stats.rst): "drm-KEY:\tVALUE [unit]".
 * Pure parsing here (no I/O), so it can be fuzzed and tested on recorded
 * files; the /proc sweep is in procscan.c. */
#ifndef XPU_TELEMETRY_FDINFO_H
#define XPU_TELEMETRY_FDINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "xpu/telemetry.h"

#define XPU_FDINFO_MAX_REGIONS 8

typedef struct xpu_fdinfo_engine {
	char name[XPU_ENGINE_NAME_LEN];
	bool has_ns;          /* drm-engine-NAME: N ns (i915, amdgpu) */
	uint64_t busy_ns;
	bool has_cycles;      /* drm-cycles-NAME / drm-total-cycles-NAME (xe) */
	uint64_t cycles, total_cycles;
	unsigned capacity;    /* drm-engine-capacity-NAME, 1 when absent */
} xpu_fdinfo_engine;

typedef struct xpu_fdinfo_region {
	char name[24];        /* system0, local0, vram0, gtt, vram, cpu, stolen */
	bool has_total, has_resident;
	uint64_t total, resident, shared; /* bytes */
} xpu_fdinfo_region;

typedef struct xpu_fdinfo {
	char driver[24];      /* drm-driver: i915, xe, amdgpu */
	char pdev[16];        /* drm-pdev, normalised "0000:03:00.0"; "" when absent */
	bool has_client_id;
	uint64_t client_id;
	unsigned n_engines;
	xpu_fdinfo_engine engines[XPU_MAX_ENGINES];
	unsigned n_regions;
	xpu_fdinfo_region regions[XPU_FDINFO_MAX_REGIONS];
} xpu_fdinfo;

/* Parses one fdinfo file.  False when it is no DRM client (no drm-driver
 * line).  Lines it does not know, and malformed values, are skipped. */
bool xpu_fdinfo_parse(const char *text, xpu_fdinfo *out);

/* Device-local memory ("local0", "vram0", "vram", "stolen-local0") as opposed
 * to system memory ("system0", "gtt", "cpu", "stolen-system0"). */
bool xpu_fdinfo_region_is_vram(const char *name);

/* Busy percent of an engine between two readings of the same client, over
 * wall_ns nanoseconds.  False when the counters do not allow it (no common
 * counter, counters went backwards). */
bool xpu_fdinfo_engine_busy(const xpu_fdinfo_engine *before, const xpu_fdinfo_engine *after,
			    uint64_t wall_ns, double *percent);

#endif
