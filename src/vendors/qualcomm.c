/* Qualcomm Adreno GPUs on msm.  msm makes one DRM device for display and
 * GPU, on the display controller (driver msm_dpu, msm_mdp or mdp4), and
 * binds the GPU itself, a separate platform device, to its "adreno" driver
 * as a component; only with separate_gpu_kms=1 (or on an "amd,imageon")
 * is the DRM device the GPU's own.  So the GPU's folder -- its compatible
 * "qcom,adreno-635.0" and its devfreq clocks -- is the device bound to
 * /sys/bus/platform/drivers/adreno, and the id names that device. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

#define ADRENO_DRIVER "/sys/bus/platform/drivers/adreno"

/* The first device bound to the adreno driver whose uevent says Adreno:
 * its folder, name and compatible strings into g. */
static bool find_gpu(const xsys *s, xpu_gpu_paths *g, char *name, size_t len)
{
	xsys_names n;
	bool found = false;
	if (xsys_list(s, &n, ADRENO_DRIVER) != XSYS_OK)
		return false;
	for (size_t i = 0; i < n.count && !found; i++) {
		char uevent[XSYS_ATTR_MAX], compat[XPU_COMPATIBLE_MAX];
		if (xsys_text(s, uevent, sizeof(uevent), ADRENO_DRIVER "/%s/uevent", n.names[i]) != XSYS_OK ||
		    !xpu_kv_get(uevent, "OF_COMPATIBLE_0", '=', compat, sizeof(compat)) ||
		    !xpu_starts_with(compat, "qcom,adreno"))
			continue; /* bind, unbind, uevent, module */
		snprintf(g->device, sizeof(g->device), ADRENO_DRIVER "/%s", n.names[i]);
		memset(g->compatible, 0, sizeof(g->compatible));
		xpu_strlcpy(g->compatible, compat, sizeof(g->compatible) - 1);
		xpu_strlcpy(name, n.names[i], len);
		found = true;
	}
	xsys_names_free(&n);
	return found;
}

/* "qcom,adreno-635.0" -> "Adreno 635", family "Adreno 6xx"; the newer
 * chip-id form ("qcom,adreno-43050c01", gpu.yaml) names no model, so the
 * compatible string is the name. */
static void adreno_name(xpu_device *d, const char *compatible)
{
	const char *c = xpu_compatible_find(compatible, "qcom,adreno-");
	const char *num = c ? c + strlen("qcom,adreno-") : NULL;
	if (num && isdigit((unsigned char)num[0]) && isdigit((unsigned char)num[1]) &&
	    isdigit((unsigned char)num[2]) && num[3] == '.') {
		xpu_set_text(&d->name, "Adreno %.3s", num);
		xpu_set_text(&d->family, "Adreno %cxx", num[0]);
		return;
	}
	xpu_set_text(&d->name, "%s", c ? c : (compatible[0] ? compatible : "Adreno"));
	xpu_set_status(&d->family.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "the compatible string names a chip id, not a model");
}

static void qualcomm_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	xpu_gpu_paths gpu = *p;
	char name[XSYS_PATH_MAX];
	if (!xpu_compatible_find(p->compatible, "qcom,adreno")) {
		if (find_gpu(s, &gpu, name, sizeof(name)))
			snprintf(d->id, sizeof(d->id), "platform:%s", name);
		else
			gpu.compatible[0] = '\0';
	}
	xpu_set_text(&d->driver, "msm"); /* the DRM driver, whichever device it sits on */
	xpu_soc_gpu_probe(s, d, &gpu, "msm publishes no shader processor count (Mesa's freedreno "
			  "device table holds it)");
	adreno_name(d, gpu.compatible);
}

/* 0x5143: the vendor id turnip and Qualcomm's drivers report in Vulkan */
static const uint16_t qualcomm_pci_ids[] = { 0x5143, 0 };
/* the platform drivers msm's DRM device can sit on (dpu1, mdp5, mdp4) or,
 * with separate_gpu_kms, the GPU's own */
static const char *const qualcomm_drivers[] = { "msm_dpu", "msm_mdp", "mdp4", "adreno", NULL };
static const char *const qualcomm_compatible[] = { "qcom,adreno", NULL };
/* the GPU device, when the DRM device is the display controller; its node
 * is named gpu@ADDR (Documentation/devicetree/bindings/display/msm/gpu.yaml) */
static const char *const qualcomm_snapshot[] = { ADRENO_DRIVER "/*.gpu", NULL };

const xpu_vendor_desc xpu_vendor_desc_qualcomm = {
	.id = "qualcomm",
	.display_name = "Qualcomm",
	.pci_vendor_ids = qualcomm_pci_ids,
	.drivers = qualcomm_drivers,
	.compatible_prefixes = qualcomm_compatible,
	/* Mesa drives Adreno: turnip (Vulkan), rusticl on freedreno (OpenCL) */
	.backends = 1u << XPU_BACKEND_VULKAN | 1u << XPU_BACKEND_OPENCL,
	.probe = qualcomm_probe,
	.snapshot = qualcomm_snapshot,
};
