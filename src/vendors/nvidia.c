/* NVIDIA GPUs without NVML: the PCI device, the driver's procfs folder
 * (/proc/driver/nvidia/gpus/BUS/information: model, UUID, minor) and the
 * module version.  Everything else waits for NVML, so those values start
 * with the reason that says so; the NVML probe overwrites them. */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

static void from_information(const xsys *s, xpu_device *d)
{
	char text[XSYS_ATTR_MAX];
	xpu_nv_information info;
	xsys_rc rc = xsys_text(s, text, sizeof(text), "/proc/driver/nvidia/gpus/%s/information",
			       d->pci_address);
	if (rc != XSYS_OK || !xpu_parse_nvidia_information(text, &info)) {
		char p[XSYS_PATH_MAX];
		snprintf(p, sizeof(p), "/proc/driver/nvidia/gpus/%s/information", d->pci_address);
		xpu_read_fail(&d->uuid.status, rc == XSYS_OK ? XSYS_GARBAGE : rc, p);
		return;
	}
	xpu_set_text(&d->name, "%s", info.model);
	if (info.uuid[0])
		xpu_set_text(&d->uuid, "%s", info.uuid);
	if (info.device_minor >= 0) {
		char node[32];
		snprintf(node, sizeof(node), "/dev/nvidia%d", info.device_minor);
		if (xsys_exists(s, "%s", node))
			xpu_set_text(&d->card_node, "%s", node);
		else
			xpu_set_status(&d->card_node.status, XPU_UNAVAILABLE, XPU_R_NO_DEVICE_NODE,
				       "%s (load nvidia-modprobe or create the node)", node);
	}
}

static void driver_version(const xsys *s, xpu_device *d)
{
	char text[512], v[64];
	if (xsys_text(s, v, sizeof(v), "/sys/module/nvidia/version") == XSYS_OK) {
		xpu_set_text(&d->driver_version, "%s", v);
		return;
	}
	xsys_rc rc = xsys_text(s, text, sizeof(text), "/proc/driver/nvidia/version");
	if (rc == XSYS_OK && xpu_parse_nvidia_version(text, v, sizeof(v)))
		xpu_set_text(&d->driver_version, "%s", v);
	else
		xpu_read_fail(&d->driver_version.status, rc == XSYS_OK ? XSYS_GARBAGE : rc,
			  "/proc/driver/nvidia/version");
}

static void await_nvml(xpu_status *st)
{
	xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_NOT_PROBED, "read through NVML (libnvidia-ml.so.1)");
}

static void nvidia_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	xpu_set_text(&d->memory_kind, "dedicated");
	xpu_status *nvml_values[] = {
		&d->memory_total_bytes.status, &d->memory_used_bytes.status,
		&d->clock_max_mhz.status,      &d->clock_actual_mhz.status,
		&d->memory_clock_max_mhz.status, &d->memory_clock_mhz.status,
		&d->power_cap_w.status,        &d->power_cap_max_w.status,
		&d->power_draw_w.status,       &d->energy_j.status,
		&d->temperature_c.status,      &d->sensors_status,
		&d->busy_percent.status,
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(nvml_values); i++)
		await_nvml(nvml_values[i]);
	xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
		       "read through the CUDA driver (libcuda.so.1)");
	xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
		       "read through the CUDA driver (libcuda.so.1)");
	from_information(s, d);
	driver_version(s, d);
	(void)p;
}

const xpu_vendor_ops xpu_vendor_nvidia = {
	.name = "nvidia",
	.pci_vendor_id = 0x10de,
	.vendor = XPU_VENDOR_NVIDIA,
	.probe = nvidia_probe,
};
