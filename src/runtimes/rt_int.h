/* Helpers shared by the runtime probes (private to src/runtimes/). */
#ifndef XPU_RT_INT_H
#define XPU_RT_INT_H

#include <stddef.h>

#include "model/system.h"
#include "runtimes/runtime.h"

/* A probe in two parts, so that the slow parts of all runtimes can run side
 * by side while the results stay those of one probe after the other:
 * gather loads, initialises and enumerates the runtime into its private
 * result (result_size bytes, zeroed), reading s but writing nothing shared:
 * nothing writes s while gathers run.  apply writes that result into s; the
 * applies run one at a time, in table order, and are quick. */
typedef struct xpu_rt_probe {
	size_t result_size;
	void (*gather)(const struct xpu_system *s, void *result);
	void (*apply)(struct xpu_system *s, const void *result);
} xpu_rt_probe;

extern const xpu_rt_probe xpu_rt_probe_nvml, xpu_rt_probe_cuda, xpu_rt_probe_level_zero,
	xpu_rt_probe_rocm, xpu_rt_probe_vulkan, xpu_rt_probe_opencl;

/* A runtime record for a gather: probed, the first library name, status
 * "unavailable" until the probe says more. */
void xpu_rt_info_init(xpu_runtime_info *info, xpu_runtime_kind k);
/* XPU_DEBUG=serial: every side-by-side part (the probes' lanes, NVML's
 * devices, the topology's GPUs) runs one after the other instead. */
bool xpu_rt_serial(void);
/* Whether lib loaded: then info->library names what loaded; else
 * info->status says why: RUNTIME_MISSING with the table's install hint when
 * no name exists, RUNTIME_ERROR with dlerror() of one that exists but does
 * not load. */
bool xpu_rt_loaded(const xpu_rt_lib *lib, xpu_runtime_kind k, xpu_runtime_info *info);
/* Appends to info->summary, "; " between parts, truncating. */
void xpu_rt_summary(xpu_runtime_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Marks info OK with the device count the runtime gave, and its version
 * (NULL: leave it). */
void xpu_rt_info_ok(xpu_runtime_info *info, const char *version, unsigned devices);

/* The first step of every apply: the runtime's record into s and, for a
 * runtime that drives a backend, that backend marked on every device it
 * concerns (xpu_rt_mark).  Returns whether the runtime works; when not, and
 * fail_devices, each device its backend concerns gets the runtime's
 * failure as its reason. */
bool xpu_rt_apply_start(struct xpu_system *s, const xpu_runtime_info *info, xpu_runtime_kind k,
			bool fail_devices);

/* Whether backend b concerns d: what discovery marked, or for a device a
 * runtime added, what discovery knows of its vendor
 * (struct xpu_system.backend_concerns). */
bool xpu_rt_concerns(const struct xpu_system *s, const xpu_device *d, xpu_backend_kind b);
/* Marks b on every device it concerns that does not have it yet: the first
 * step of each apply, as each probe of the serial order began. */
void xpu_rt_mark(struct xpu_system *s, xpu_backend_kind b);
/* Marks backend b as concerning dev, keeping what an earlier layer recorded
 * when it already did. */
void xpu_rt_applies(xpu_device *dev, xpu_backend_kind b);

/* Records why b cannot drive dev.  Leaves a usable backend alone, and keeps a
 * kernel-level cause an earlier layer found (driver not bound, node missing or
 * denied): the runtime cannot work before that is fixed. */
void xpu_rt_unusable(xpu_device *dev, xpu_backend_kind b, xpu_reason r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* xpu_rt_unusable on every device that b concerns and that is not usable. */
void xpu_rt_unusable_all(struct xpu_system *s, xpu_backend_kind b, xpu_reason r,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "0000:03:00.0" */
void xpu_rt_pci_format(char *out, size_t len, unsigned domain, unsigned bus, unsigned dev,
		       unsigned fn);
/* 16 bytes as 8-4-4-4-12 lower-case hex, without prefix. */
void xpu_rt_uuid_format(char *out, size_t len, const unsigned char u[16]);

/* The device at pci, added when sysfs did not show it (a container without
 * /sys/bus/pci).  NULL when pci is empty/invalid or the table is full. */
xpu_device *xpu_rt_find_or_add(struct xpu_system *s, const char *pci, xpu_vendor v,
			       xpu_kind k, const char *name);
/* The device at pci (any spelling), else the one with uuid; NULL when
 * neither is there.  Reads only: for gathers. */
const xpu_device *xpu_rt_lookup(const struct xpu_system *s, const char *pci, const char *uuid);

/* The one GPU (not the CPU) of vendor v with PCI device id did whose backend b
 * is not yet usable; NULL when none or several. */
xpu_device *xpu_rt_unique_gpu(struct xpu_system *s, xpu_backend_kind b, xpu_vendor v,
			      unsigned did);

/* PCI vendor id -> xpu vendor. */
xpu_vendor xpu_rt_vendor_of(unsigned pci_vendor_id);

#endif
