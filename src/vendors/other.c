/* A GPU whose PCI vendor or DRM driver no descriptor of xpu knows (lima,
 * etnaviv, powervr, a new PCI vendor): it still gets a row, with what the
 * generic files give (the DRM minors, hwmon, devfreq on a SoC) and, for
 * every other value, the reason naming the driver xpu does not know. */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "vendors/vendor.h"

static void not_known(xpu_status *st, const char *driver)
{
	xpu_set_status(st, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "DRM driver '%s' is not known to xpu", driver);
}

/* A platform device is named by its most specific compatible string ("the
 * make and model of the device", devicetree-specification 2.3.1). */
static void platform_name(xpu_device *d, const xpu_gpu_paths *p)
{
	if (p->compatible[0])
		xpu_set_text(&d->name, "%s", p->compatible);
	else
		xpu_set_text(&d->name, "%s", d->id);
}

/* A PCI GPU: its hwmon, if the driver made one. */
static void pci_generic(const xsys *s, xpu_device *d, const xpu_gpu_paths *p, const char *drv)
{
	char hw[XSYS_PATH_MAX];
	not_known(&d->memory_total_bytes.status, drv);
	not_known(&d->memory_used_bytes.status, drv);
	not_known(&d->memory_kind.status, drv);
	if (xpu_hwmon_find(s, p->device, hw, sizeof(hw))) {
		xpu_hwmon_temps(s, hw, d, "gpu", NULL);
		xpu_hwmon_fans(s, hw, d);
		xpu_hwmon_power(s, hw, d);
	} else {
		xpu_hwmon_absent(d, p->device);
	}
	if (xpu_is_ok(&d->driver.status))
		xpu_kernel_driver_version(s, d, d->driver.value);
}

static void other_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	const char *drv = xpu_is_ok(&d->driver.status) ? d->driver.value : "(none)";
	char why[XPU_DETAIL_LEN];
	snprintf(why, sizeof(why), "DRM driver '%s' is not known to xpu", drv);
	if (p->pci[0]) {
		pci_generic(s, d, p, drv);
	} else {
		platform_name(d, p);
		xpu_soc_gpu_probe(s, d, p, why); /* memory, devfreq, thermal zones */
	}
	xpu_status *unknown[] = { &d->uuid.status, &d->compute_units.status, &d->busy_percent.status };
	for (size_t i = 0; i < XPU_ARRAY_LEN(unknown); i++)
		not_known(unknown[i], drv);
	if (!xpu_is_ok(&d->family.status))
		not_known(&d->family.status, drv);
}

/* The chip's thermal zones, where every SoC GPU's row (platform.c) looks
 * for its temperature. */
static const char *const soc_snapshot[] = { "/sys/class/thermal/thermal_zone*", NULL };

const xpu_vendor_desc xpu_vendor_desc_other = {
	.id = "other",
	.display_name = "unknown vendor",
	.backends = 1u << XPU_BACKEND_VULKAN | 1u << XPU_BACKEND_OPENCL,
	.probe = other_probe,
	.snapshot = soc_snapshot,
};
