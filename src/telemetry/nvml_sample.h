/* NVML for sampling: loaded and initialised once, kept for the life of the
 * sampler (nvmlInit costs far more than a sample), with the entry points
 * the discovery probe (src/runtimes/nvml.c) does not need: utilisation,
 * throttle reasons, fan duty and process lists. */
#ifndef XPU_TELEMETRY_NVML_SAMPLE_H
#define XPU_TELEMETRY_NVML_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "xpu/telemetry.h"

typedef struct xpu_nvml xpu_nvml;

typedef struct xpu_nvml_process {
	int pid;
	uint64_t used_bytes; /* UINT64_MAX: NVML could not say */
	xpu_real sm_percent;
} xpu_nvml_process;

/* Never NULL unless out of memory; xpu_nvml_status says whether it works. */
xpu_nvml *xpu_nvml_open(void);
void xpu_nvml_close(xpu_nvml *n);
/* OK, or why NVML gives nothing (missing library, init error). */
const xpu_status *xpu_nvml_status(const xpu_nvml *n);
unsigned xpu_nvml_count(const xpu_nvml *n);
/* The PCI address of NVML device i, normalised ("0000:06:00.0"). */
const char *xpu_nvml_pci(const xpu_nvml *n, unsigned i);
/* Reads device i's values into ds (its dev fields NVML knows, utilisation,
 * fan, throttle reasons). */
void xpu_nvml_sample_device(xpu_nvml *n, unsigned i, xpu_device_sample *ds);
/* The processes on device i (compute and graphics, each pid once); up to max.
 * Returns the count; *st says why the list is empty or incomplete. */
size_t xpu_nvml_processes(xpu_nvml *n, unsigned i, xpu_nvml_process *out, size_t max,
			  xpu_status *st);

#endif
