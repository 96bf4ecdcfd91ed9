/* AMD GPUs on amdgpu: everything is in the PCI device folder (mem_info_*,
 * gpu_busy_percent, pp_dpm_* and pp_od_clk_voltage tables) and its hwmon,
 * where sensors are labelled (edge, junction, mem). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/read.h"
#include "model/value.h"
#include "sys/parse.h"
#include "vendors/amd_gpu_metrics.h"
#include "vendors/amd_kfd.h"
#include "vendors/vendor.h"

/* Range from the OverDrive table when present (what the user may set),
 * else from the DPM levels. */
static void clock_range(const xsys *s, const char *pci, const char *od_section, const char *dpm,
			xpu_uint *min, xpu_uint *max)
{
	char text[XSYS_ATTR_MAX];
	unsigned lo, hi;
	if (xsys_text(s, text, sizeof(text), "%s/pp_od_clk_voltage", pci) == XSYS_OK &&
	    xpu_parse_od_range(text, od_section, &lo, &hi)) {
		if (min)
			xpu_set_uint(min, lo);
		xpu_set_uint(max, hi);
		return;
	}
	unsigned levels[32];
	int active;
	xsys_rc rc = xsys_text(s, text, sizeof(text), "%s/%s", pci, dpm);
	int n = rc == XSYS_OK ? xpu_parse_dpm_levels(text, levels, 32, &active) : 0;
	if (n == 0) {
		char p[XSYS_PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", pci, dpm);
		if (min)
			xpu_read_fail(&min->status, rc == XSYS_OK ? XSYS_GARBAGE : rc, p);
		xpu_read_fail(&max->status, rc == XSYS_OK ? XSYS_GARBAGE : rc, p);
		return;
	}
	unsigned a = levels[0], b = levels[0];
	for (int i = 1; i < n; i++) {
		a = levels[i] < a ? levels[i] : a;
		b = levels[i] > b ? levels[i] : b;
	}
	if (min)
		xpu_set_uint(min, a);
	xpu_set_uint(max, b);
}

static void amd_memory(const xsys *s, xpu_device *d, const char *pci)
{
	xpu_set_text(&d->memory_kind, d->kind == XPU_KIND_INTEGRATED ? "shared (carve-out)" : "dedicated");
	xpu_read_uint(s, &d->memory_total_bytes, 1, 1, "%s/mem_info_vram_total", pci);
	xpu_read_uint(s, &d->memory_used_bytes, 1, 1, "%s/mem_info_vram_used", pci);
}

/* The firmware's binary table, after hwmon: it adds the sensors hwmon lacks
 * and fills what hwmon left unknown (vendors/amd_gpu_metrics.h).  A sysfs
 * attribute is at most a page, and 64 KiB is the largest page Linux uses.
 * The file is read-only; reading it costs what hwmon's reads cost. */
static void amd_gpu_metrics(const xsys *s, xpu_device *d, const char *pci)
{
	char *buf;
	size_t n;
	xsys_rc rc = xsys_slurp(s, &buf, &n, 64 * 1024, "%s/gpu_metrics", pci);
	if (rc == XSYS_MISSING)
		return; /* GPUs before Vega have no table: hwmon is all there is */
	xpu_gpu_metrics m;
	xpu_status why;
	if (rc == XSYS_OK) {
		xpu_gpu_metrics_parse((const uint8_t *)buf, n, &m, &why);
	} else {
		char p[XSYS_PATH_MAX];
		snprintf(p, sizeof(p), "%s/gpu_metrics", pci);
		xpu_read_fail(&why, rc, p);
		xpu_gpu_metrics_unavailable(&m, &why);
	}
	free(buf);
	xpu_gpu_metrics_apply(&m, d);
}

static void amd_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	amd_memory(s, d, p->pci);
	xpu_read_real(s, &d->busy_percent, 1.0, "%s/gpu_busy_percent", p->pci);
	clock_range(s, p->pci, "OD_SCLK:", "pp_dpm_sclk", &d->clock_min_mhz, &d->clock_max_mhz);
	clock_range(s, p->pci, "OD_MCLK:", "pp_dpm_mclk", NULL, &d->memory_clock_max_mhz);
	xpu_read_text(s, &d->uuid, "%s/unique_id", p->pci);
	xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "amdgpu has no sysfs file for it; ROCm or Vulkan reports it");

	char hw[XSYS_PATH_MAX];
	if (xpu_hwmon_find(s, p->pci, hw, sizeof(hw))) {
		static const char *const primary[] = { "edge", "junction", NULL };
		xpu_hwmon_temps(s, hw, d, "gpu", primary);
		xpu_hwmon_fans(s, hw, d);
		xpu_hwmon_power(s, hw, d);
		/* amdgpu reports the current clocks in hwmon, in Hz */
		xpu_read_uint(s, &d->clock_actual_mhz, 1, 1000000, "%s/freq1_input", hw);
		xpu_read_uint(s, &d->memory_clock_mhz, 1, 1000000, "%s/freq2_input", hw);
	} else {
		xpu_hwmon_absent(d, p->pci);
	}
	amd_gpu_metrics(s, d, p->pci);
	xpu_kernel_driver_version(s, d, "amdgpu");
}

/* 0x1022 is the id AMD's CPU-side functions and some runtimes report */
static const uint16_t amd_pci_ids[] = { 0x1002, 0x1022, 0 };

static const char *const amd_env[] = {
	"HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", NULL,
};

/* ROCm's compute node */
static const char *const amd_nodes[] = { "/dev/kfd", NULL };

/* the KFD topology (xpu topo) and the xGMI hive of each GPU */
static const char *const amd_snapshot[] = {
	"/sys/module/amdgpu/version",
	"/dev/kfd",
	"/sys/class/kfd/kfd/topology/nodes/*/gpu_id",
	"/sys/class/kfd/kfd/topology/nodes/*/properties",
	"/sys/class/kfd/kfd/topology/nodes/*/io_links/*/properties",
	"/sys/class/kfd/kfd/topology/nodes/*/p2p_links/*/properties",
	"/sys/bus/pci/devices/*/xgmi_hive_info/xgmi_hive_id",
	NULL,
};

const xpu_vendor_desc xpu_vendor_desc_amd = {
	.id = "amd",
	.display_name = "AMD",
	.pci_vendor_ids = amd_pci_ids,
	.backends = 1u << XPU_BACKEND_ROCM | 1u << XPU_BACKEND_VULKAN | 1u << XPU_BACKEND_OPENCL,
	.probe = amd_probe,
	.fabric_links = xpu_amd_fabric_links,
	.cache_env = amd_env,
	.cache_nodes = amd_nodes,
	.snapshot = amd_snapshot,
};
