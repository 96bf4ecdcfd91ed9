/* Userspace runtimes, each loaded with dlopen at first use and never linked:
 * a missing or broken runtime is a state of a backend, never a failure.
 *
 * Each probe takes the devices found in sysfs, matches the runtime's devices
 * to them (PCI address first, then UUID), and records on each matched device
 * whether the backend is usable, with the reason when not.  A device the
 * runtime sees that sysfs did not show (a container without /sys/bus/pci) is
 * added.  Devices of a kind the backend concerns but that the runtime does not
 * see get XPU_R_RUNTIME_NO_DEVICE, or XPU_R_RUNTIME_MISSING/ERROR with the
 * library name or error code in the detail. */
#ifndef XPU_RUNTIME_H
#define XPU_RUNTIME_H

#include "model/system.h"

void xpu_runtime_cuda_probe(struct xpu_system *s);       /* libcuda.so.1: backend cuda, CC, SMs */
void xpu_runtime_nvml_probe(struct xpu_system *s);       /* libnvidia-ml.so.1: memory, clocks, power... */
void xpu_runtime_level_zero_probe(struct xpu_system *s); /* libze_loader.so.1: backend level_zero */
void xpu_runtime_opencl_probe(struct xpu_system *s);     /* libOpenCL.so.1: backend opencl */
void xpu_runtime_vulkan_probe(struct xpu_system *s);     /* libvulkan.so.1: backend vulkan */
void xpu_runtime_rocm_probe(struct xpu_system *s);       /* libamdhip64.so + /dev/kfd: backend rocm */

/* A value NVML gave, or why not: have_fn false when the library lacks sym,
 * else NVML's return code rc (0 success, 3 not supported, 4 no permission).
 * Shared by the NVML probe and the telemetry sampler. */
void xpu_nvml_why(xpu_status *st, const char *sym, bool have_fn, int rc);
void xpu_nvml_set_uint(xpu_uint *v, const char *sym, bool have_fn, int rc, uint64_t value);
void xpu_nvml_set_real(xpu_real *v, const char *sym, bool have_fn, int rc, double value);

#endif
