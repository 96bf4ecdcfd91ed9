/* The discovered system, as the layers below the public API see it. */
#ifndef XPU_SYSTEM_H
#define XPU_SYSTEM_H

#include "sys/sys.h"
#include "xpu/xpu.h"

struct xpu_system {
	xsys sys;
	bool runtimes_probed;
	size_t count;
	xpu_device devices[XPU_MAX_DEVICES];
	xpu_runtime_info runtimes[XPU_RT_COUNT];
	xpu_cache_state cache_state;
	char cache_detail[XSYS_PATH_MAX + 96]; /* the file, or why there is none */
	uint64_t cache_fingerprint;
	int64_t cache_probed_at;               /* unix time; 0 unknown */
	/* Devices whose boot-static facts the discovery cache gave (see
	 * xpu_vendor_desc.probe_static); the others' are read after it. */
	bool static_kept[XPU_MAX_DEVICES];
	/* Whether backend b can drive d, from what discovery knows of d's
	 * vendor: the runtimes ask it of devices they add (a container without
	 * /sys/bus/pci), as discovery marked the ones sysfs showed.  NULL: only
	 * backends[b].applies says. */
	bool (*backend_concerns)(const xpu_device *d, xpu_backend_kind b);
};

/* A new device (zeroed, every value "unsupported, no source"), or NULL when
 * the table is full.  pci_address NULL makes the CPU device. */
xpu_device *xpu_system_add(struct xpu_system *s, const char *pci_address);
/* A GPU that is no PCI device (a SoC's, found through its DRM minors): id
 * "platform:NAME" after the device folder's name, kind integrated. */
xpu_device *xpu_system_add_platform(struct xpu_system *s, const char *name);
/* By PCI address in any spelling xpu_pci_normalize accepts. */
xpu_device *xpu_system_find_pci(struct xpu_system *s, const char *pci_address);
/* By UUID, with or without NVIDIA's "GPU-" prefix, any case. */
xpu_device *xpu_system_find_uuid(struct xpu_system *s, const char *uuid);
xpu_device *xpu_system_cpu(struct xpu_system *s);

/* Marks backend b on dev as one that concerns it, not yet probed. */
void xpu_backend_applies(xpu_device *dev, xpu_backend_kind b);
/* Sets a backend usable, recording what the runtime says. */
void xpu_backend_set_usable(xpu_device *dev, xpu_backend_kind b, const char *runtime_version,
			    const char *device_name, int runtime_index);

#endif
