/* Arm Mali GPUs of systems-on-chip: panfrost (Midgard, Bifrost, Valhall job
 * manager), panthor (Valhall CSF and later), and whatever else binds a
 * device-tree node compatible with "arm,mali-*" (lima for Utgard, tyr).
 * Sysfs gives the driver, the compatible strings, devfreq clocks and the
 * `profiling` switch of panfrost and panthor
 * (Documentation/ABI/testing/sysfs-driver-panfrost-profiling,
 * sysfs-driver-panthor-profiling); the model itself sits in the GPU_ID
 * register, which only the drivers' ioctls show ("Mali Valhall GPU
 * model/revision is fully discoverable", arm,mali-valhall-csf.yaml), so
 * the name comes from the compatible strings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "vendors/vendor.h"

/* SoCs whose binding does not name the Mali model (Bifrost and later are
 * "fully discoverable"), with the model their makers give. */
static const struct {
	const char *compatible;
	const char *model;
} soc_models[] = {
	{ "rockchip,rk3588-mali", "Mali-G610" }, /* RK3588 datasheet: Mali-G610 MP4 */
	{ "fsl,imx95-mali", "Mali-G310" },       /* arm,mali-valhall-csf.yaml: "# G310" */
};

/* The architecture from the generic compatible of each binding
 * (Documentation/devicetree/bindings/gpu/arm,mali-*.yaml). */
static const struct {
	const char *prefix;
	const char *family;
} families[] = {
	{ "arm,mali-valhall-csf", "Valhall (CSF)" },
	{ "arm,mali-valhall-jm", "Valhall (job manager)" },
	{ "arm,mali-bifrost", "Bifrost" },
	{ "arm,mali-t", "Midgard" },
	{ "arm,mali-400", "Utgard" },
	{ "arm,mali-450", "Utgard" },
};

/* "arm,mali-t860" -> "Mali-T860": Midgard bindings name the model. */
static bool midgard_model(const char *compatible, char *out, size_t len)
{
	const char *c = xpu_compatible_find(compatible, "arm,mali-t");
	if (!c || !isdigit((unsigned char)c[strlen("arm,mali-t")]))
		return false;
	snprintf(out, len, "Mali-T%s", c + strlen("arm,mali-t"));
	return true;
}

static void mali_name(xpu_device *d, const xpu_gpu_paths *p)
{
	char model[XPU_TEXT_LEN];
	for (size_t i = 0; i < XPU_ARRAY_LEN(soc_models); i++)
		if (xpu_compatible_find(p->compatible, soc_models[i].compatible)) {
			xpu_set_text(&d->name, "%s", soc_models[i].model);
			return;
		}
	if (midgard_model(p->compatible, model, sizeof(model)))
		xpu_set_text(&d->name, "%s", model);
	else /* the most specific compatible string: "rockchip,rk3568-mali" */
		xpu_set_text(&d->name, "%s", p->compatible[0] ? p->compatible : "Mali");
}

static void mali_family(xpu_device *d, const xpu_gpu_paths *p)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(families); i++)
		if (xpu_compatible_find(p->compatible, families[i].prefix)) {
			xpu_set_text(&d->family, "%s", families[i].family);
			return;
		}
	xpu_set_status(&d->family.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "no arm,mali-* compatible string names the architecture");
}

/* Per-process engine time appears in fdinfo only while profiling is on;
 * the device as a whole keeps no busy figure. */
static void mali_busy(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	char v[16];
	if (xsys_text(s, v, sizeof(v), "%s/profiling", p->device) != XSYS_OK)
		return;
	xpu_set_status(&d->busy_percent.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "%s: no device-wide figure; fdinfo times engines per process when profiling "
		       "is on (now %s)", d->driver.value, v);
}

/* Where the shader core count is: each driver's own query ioctl. */
static void mali_units_source(const xpu_device *d, char *out, size_t len)
{
	const char *drv = d->driver.value;
	if (strcmp(drv, "panthor") == 0)
		snprintf(out, len, "panthor reports its shader cores only through "
			 "DRM_IOCTL_PANTHOR_DEV_QUERY");
	else if (strcmp(drv, "panfrost") == 0)
		snprintf(out, len, "panfrost reports its shader cores only through "
			 "DRM_IOCTL_PANFROST_GET_PARAM");
	else
		snprintf(out, len, "%s publishes no shader core count in sysfs", drv);
}

static void arm_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	char units[XPU_DETAIL_LEN];
	mali_units_source(d, units, sizeof(units));
	xpu_soc_gpu_probe(s, d, p, units);
	mali_name(d, p);
	mali_family(d, p);
	mali_busy(s, d, p);
	xpu_strlcpy(d->compute_unit_name, "cores", sizeof(d->compute_unit_name));
}

/* 0x13b5: the vendor id panvk and Arm's own drivers report in Vulkan */
static const uint16_t arm_pci_ids[] = { 0x13b5, 0 };
static const char *const arm_drivers[] = { "panfrost", "panthor", NULL };
static const char *const arm_compatible[] = { "arm,mali", NULL };

const xpu_vendor_desc xpu_vendor_desc_arm = {
	.id = "arm",
	.display_name = "Arm",
	.pci_vendor_ids = arm_pci_ids,
	.drivers = arm_drivers,
	.compatible_prefixes = arm_compatible,
	/* Mesa drives Mali: panvk (Vulkan), rusticl on panfrost (OpenCL) */
	.backends = 1u << XPU_BACKEND_VULKAN | 1u << XPU_BACKEND_OPENCL,
	.probe = arm_probe,
};
