/* One ops table per GPU vendor.  Adding a vendor is one file and one line in
 * the table in core/discover.c. */
#ifndef XPU_VENDOR_H
#define XPU_VENDOR_H

#include "sys/sys.h"
#include "xpu/xpu.h"

typedef struct xpu_gpu_paths {
	char pci[XSYS_PATH_MAX];  /* machine path of the PCI device folder */
	char card[XSYS_PATH_MAX]; /* machine path of the DRM card folder, or "" */
} xpu_gpu_paths;

typedef struct xpu_vendor_ops {
	const char *name;
	uint16_t pci_vendor_id;
	xpu_vendor vendor;
	/* Fills what sysfs and procfs tell about dev; the PCI basics are set. */
	void (*probe)(const xsys *s, xpu_device *dev, const xpu_gpu_paths *p);
} xpu_vendor_ops;

extern const xpu_vendor_ops xpu_vendor_intel;
extern const xpu_vendor_ops xpu_vendor_nvidia;
extern const xpu_vendor_ops xpu_vendor_amd;

void xpu_cpu_probe(const xsys *s, xpu_device *dev);

/* Shared by the vendors that expose a hwmon folder under the PCI device. */
bool xpu_hwmon_find(const xsys *s, const char *pci_dir, char *out, size_t len);
/* Temperatures by label; unlabeled sensors are called `unlabeled`.  The
 * first label of `primary` that exists becomes temperature_c. */
void xpu_hwmon_temps(const xsys *s, const char *hw, xpu_device *dev, const char *unlabeled,
		     const char *const *primary);
void xpu_hwmon_fans(const xsys *s, const char *hw, xpu_device *dev);
/* Power cap, cap maximum, draw and energy from the first files that exist. */
void xpu_hwmon_power(const xsys *s, const char *hw, xpu_device *dev);
/* Kernel release, the version of in-tree drivers. */
void xpu_kernel_driver_version(const xsys *s, xpu_device *dev, const char *module);
/* Marks every value the hwmon folder would have given as missing for why. */
void xpu_hwmon_absent(xpu_device *dev, const char *pci_dir);

#endif
