/* Broadcom VideoCore GPUs on v3d: the 3D part of the Raspberry Pi 4
 * (VideoCore VI, V3D 4.2) and 5 (VideoCore VII, V3D 7.1), and of Broadcom's
 * set-top chips.  vc4 drives the Pi's display (KMS only from the Pi 4 on:
 * no render node, so discovery leaves it out).  v3d has no devfreq (the
 * firmware's clock driver sets its clock), but since 6.8 it counts each
 * queue's jobs and runtime in the device's gpu_stats
 * (drivers/gpu/drm/v3d/v3d_sysfs.c). */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"
#include "vendors/vendor.h"

/* v3d_of_match in drivers/gpu/drm/v3d/v3d_drv.c (its V3D_GEN_* data), and
 * the VideoCore generation of each Raspberry Pi SoC. */
static const struct {
	const char *compatible;
	const char *name;
	const char *family;
} models[] = {
	{ "brcm,2712-v3d", "VideoCore VII", "V3D 7.1" },
	{ "brcm,2711-v3d", "VideoCore VI", "V3D 4.2" },
	{ "brcm,7278-v3d", "V3D 4.1", "V3D 4.1" },
	{ "brcm,7268-v3d", "V3D 3.3", "V3D 3.3" },
};

static void v3d_model(xpu_device *d, const xpu_gpu_paths *p)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(models); i++)
		if (xpu_compatible_find(p->compatible, models[i].compatible)) {
			xpu_set_text(&d->name, "%s", models[i].name);
			xpu_set_text(&d->family, "%s", models[i].family);
			return;
		}
	xpu_set_text(&d->name, "%s", p->compatible[0] ? p->compatible : "VideoCore");
	xpu_set_status(&d->family.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "compatible string not in v3d's match table");
}

/* Device busy is the render queue's runtime over time: two reads of
 * gpu_stats. */
static void v3d_busy(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	char path[XSYS_PATH_MAX];
	snprintf(path, sizeof(path), "%s/gpu_stats", p->device);
	if (xsys_exists(s, "%s", path))
		xpu_set_status(&d->busy_percent.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
			       "the queues' runtime in %s", path);
	else
		xpu_read_fail(&d->busy_percent.status, XSYS_MISSING, path);
}

static void v3d_clocks(xpu_device *d)
{
	xpu_uint *clocks[] = { &d->clock_min_mhz, &d->clock_max_mhz, &d->clock_actual_mhz,
			       &d->clock_requested_mhz };
	for (size_t i = 0; i < XPU_ARRAY_LEN(clocks); i++)
		if (!xpu_is_ok(&clocks[i]->status))
			xpu_set_status(&clocks[i]->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
				       "v3d has no devfreq: the firmware's clock driver sets the clock");
}

static void broadcom_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	xpu_soc_gpu_probe(s, d, p, "v3d reports its QPUs only through DRM_IOCTL_V3D_GET_PARAM");
	v3d_model(d, p);
	v3d_clocks(d);
	v3d_busy(s, d, p);
	xpu_strlcpy(d->compute_unit_name, "QPUs", sizeof(d->compute_unit_name));
}

/* 0x14e4: the vendor id v3dv reports in Vulkan */
static const uint16_t broadcom_pci_ids[] = { 0x14e4, 0 };
static const char *const broadcom_drivers[] = { "v3d", NULL };

const xpu_vendor_desc xpu_vendor_desc_broadcom = {
	.id = "broadcom",
	.display_name = "Broadcom",
	.pci_vendor_ids = broadcom_pci_ids,
	.drivers = broadcom_drivers,
	/* Mesa drives V3D: v3dv (Vulkan); whether an OpenCL runtime sees it is
	 * the runtime probe's answer */
	.backends = 1u << XPU_BACKEND_VULKAN | 1u << XPU_BACKEND_OPENCL,
	.probe = broadcom_probe,
};
