/* The parts of a refresh that live in their own files. */
#ifndef XPU_TELEMETRY_SAMPLER_INTERNAL_H
#define XPU_TELEMETRY_SAMPLER_INTERNAL_H

#include <stdint.h>

#include "sys/sys.h"
#include "telemetry/nvml_sample.h"
#include "telemetry/procscan.h"
#include "xpu/telemetry.h"

/* Intel throttle reasons from sysfs (xe: tile0/gt0/freq0/throttle/reason_*,
 * i915: gt/gt0/throttle_reason_*), for the devices NVML did not fill. */
void xpu_sample_throttle_sysfs(const xsys *s, xpu_sample *x);

/* Whether the device's clients show in /proc fdinfo (DRM drivers: not
 * NVIDIA's, not the CPU). */
bool xpu_device_has_drm_clients(const xpu_device *d);

/* The process table of x from this sweep's DRM clients (rates against the
 * previous sweep's, over dt_ns; prev NULL on the first sample) and from
 * NVML (nvml may be NULL), and what it adds up to per device: engine busy,
 * client memory, and the device's utilisation where no driver counter
 * gives it. */
void xpu_sample_processes_at(xpu_sample *x, const xsys *s, const xpu_drm_clients *now,
			     const xpu_drm_clients *prev, uint64_t dt_ns, xpu_nvml *nvml);

#endif
