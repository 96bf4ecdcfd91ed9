/* Helpers shared by the runtime probes (private to src/runtimes/). */
#ifndef XPU_RT_INT_H
#define XPU_RT_INT_H

#include <stddef.h>

#include "base/dl.h"
#include "model/system.h"

/* The system-wide record of runtime k, reset for this probe: probed, the
 * first name looked for, status "unavailable" until the probe says more. */
xpu_runtime_info *xpu_rt_info(struct xpu_system *s, xpu_runtime_kind k, const char *library);
/* Appends to info->summary, "; " between parts, truncating. */
void xpu_rt_summary(xpu_runtime_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Marks info OK with the device count the runtime gave, and its version
 * (NULL: leave it). */
void xpu_rt_info_ok(xpu_runtime_info *info, const char *version, unsigned devices);

/* xpu_dl_open.  Success records in info->library the name that loaded; on
 * failure info->status says why: RUNTIME_MISSING with hint as detail when no
 * name exists, else RUNTIME_ERROR with dlerror() of the broken one. */
void *xpu_rt_open(const char *const *names, const char *hint, xpu_runtime_info *info);

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

/* The one GPU (not the CPU) of vendor v with PCI device id did whose backend b
 * is not yet usable; NULL when none or several. */
xpu_device *xpu_rt_unique_gpu(struct xpu_system *s, xpu_backend_kind b, xpu_vendor v,
			      unsigned did);

/* PCI vendor id -> xpu vendor. */
xpu_vendor xpu_rt_vendor_of(unsigned pci_vendor_id);

#endif
