/* Intel GPUs on i915 and xe.  Layouts: i915 keeps frequencies on the DRM card
 * (gt_*_freq_mhz), xe on the PCI device per tile and GT
 * (tile0/gt0/freq0/NAME_freq); both put hwmon under the PCI device, where xe
 * labels its sensors (pkg, vram, card) and i915 does not. */
#include <stdio.h>
#include <string.h>

#include "model/read.h"
#include "model/value.h"
#include "vendors/vendor.h"

static void i915_clocks(const xsys *s, xpu_device *d, const char *card)
{
	xpu_read_uint(s, &d->clock_min_mhz, 1, 1, "%s/gt_min_freq_mhz", card);
	xpu_read_uint(s, &d->clock_max_mhz, 1, 1, "%s/gt_max_freq_mhz", card);
	xpu_read_uint(s, &d->clock_rp0_mhz, 1, 1, "%s/gt_RP0_freq_mhz", card);
	xpu_read_uint(s, &d->clock_rpe_mhz, 1, 1, "%s/gt_RP1_freq_mhz", card);
	xpu_read_uint(s, &d->clock_rpn_mhz, 1, 1, "%s/gt_RPn_freq_mhz", card);
	xpu_read_uint(s, &d->clock_requested_mhz, 1, 1, "%s/gt_cur_freq_mhz", card);
	xpu_read_uint(s, &d->clock_actual_mhz, 1, 1, "%s/gt_act_freq_mhz", card);
}

static void xe_clocks(const xsys *s, xpu_device *d, const char *pci)
{
	/* gt0 is the primary (render/compute) GT; gt1 is media on MTL and later */
	char f[XSYS_PATH_MAX];
	snprintf(f, sizeof(f), "%s/tile0/gt0/freq0", pci);
	xpu_read_uint(s, &d->clock_min_mhz, 1, 1, "%s/min_freq", f);
	xpu_read_uint(s, &d->clock_max_mhz, 1, 1, "%s/max_freq", f);
	xpu_read_uint(s, &d->clock_rp0_mhz, 1, 1, "%s/rp0_freq", f);
	xpu_read_uint(s, &d->clock_rpe_mhz, 1, 1, "%s/rpe_freq", f);
	xpu_read_uint(s, &d->clock_rpn_mhz, 1, 1, "%s/rpn_freq", f);
	xpu_read_uint(s, &d->clock_requested_mhz, 1, 1, "%s/cur_freq", f);
	xpu_read_uint(s, &d->clock_actual_mhz, 1, 1, "%s/act_freq", f);
}

static void intel_memory(const xsys *s, xpu_device *d, const xpu_gpu_paths *p, bool xe)
{
	if (d->kind == XPU_KIND_INTEGRATED) {
		xpu_set_text(&d->memory_kind, "shared");
		xpu_set_status(&d->memory_total_bytes.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "integrated GPU: uses shared system memory (see the CPU device)");
		xpu_set_status(&d->memory_used_bytes.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "integrated GPU: uses shared system memory");
		return;
	}
	xpu_set_text(&d->memory_kind, "dedicated");
	/* xe (6.8+) and the out-of-tree i915 publish the size; upstream i915
	 * only answers the memory-region query ioctl */
	if (xe && xpu_read_uint(s, &d->memory_total_bytes, 1, 1, "%s/tile0/physical_vram_size_bytes", p->pci))
		goto used;
	if (p->card[0] && xpu_read_uint(s, &d->memory_total_bytes, 1, 1, "%s/lmem_total_bytes", p->card))
		goto used;
	xpu_set_status(&d->memory_total_bytes.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "%s publishes no VRAM size in sysfs; Level Zero Sysman reports it",
		       xe ? "xe" : "i915");
used:
	xpu_set_status(&d->memory_used_bytes.status, XPU_UNAVAILABLE, XPU_R_NEEDS_CAP_PERFMON,
		       "the %s memory query hides usage without CAP_PERFMON", xe ? "xe" : "i915");
}

static void intel_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	bool xe = xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, "xe") == 0;
	bool i915 = xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, "i915") == 0;

	/* the iGPU sits at 00:02.0 on every Intel platform (nvtop does the same) */
	if (!xpu_is_ok(&d->family.status))
		d->kind = strcmp(d->pci_address, "0000:00:02.0") == 0 ? XPU_KIND_INTEGRATED
								      : XPU_KIND_DISCRETE;
	if (xe)
		xe_clocks(s, d, p->pci);
	else if (i915 && p->card[0])
		i915_clocks(s, d, p->card);

	intel_memory(s, d, p, xe);
	xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "%s has no sysfs file for it; Level Zero reports it", xe ? "xe" : "i915");
	xpu_set_status(&d->uuid.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "Intel GPUs publish a UUID only through Level Zero");

	char hw[XSYS_PATH_MAX];
	if (xpu_hwmon_find(s, p->pci, hw, sizeof(hw))) {
		static const char *const primary[] = { "pkg", "gpu", "card", NULL };
		xpu_hwmon_temps(s, hw, d, "gpu", primary);
		xpu_hwmon_fans(s, hw, d);
		xpu_hwmon_power(s, hw, d);
	} else {
		/* integrated GPUs report power through the CPU package's RAPL */
		xpu_hwmon_absent(d, p->pci);
	}
	xpu_kernel_driver_version(s, d, xe ? "xe" : "i915");
}

const xpu_vendor_ops xpu_vendor_intel = {
	.name = "intel",
	.pci_vendor_id = 0x8086,
	.vendor = XPU_VENDOR_INTEL,
	.probe = intel_probe,
};
