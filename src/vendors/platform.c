/* What the GPUs of systems-on-chip share, whoever made them: they are
 * platform devices (device tree), they use the system's memory, and their
 * clocks are in the generic devfreq folder under the device
 * (Documentation/ABI/testing/sysfs-class-devfreq: the folder is named after
 * the device; min_freq, max_freq, cur_freq and target_freq are in Hz). */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"
#include "vendors/vendor.h"

void xpu_shared_memory(xpu_device *d)
{
	xpu_set_text(&d->memory_kind, "shared");
	xpu_set_status(&d->memory_total_bytes.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
		       "integrated GPU: uses shared system memory (see the CPU device)");
	xpu_set_status(&d->memory_used_bytes.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
		       "integrated GPU: uses shared system memory");
}

/* The device's devfreq folder: devfreq names it after the device (older
 * kernels: devfreqN), so the folder's one entry is taken, whatever its name. */
static bool devfreq_find(const xsys *s, const char *dev_dir, char *out, size_t len)
{
	xsys_names n;
	if (xsys_list(s, &n, "%s/devfreq", dev_dir) != XSYS_OK)
		return false;
	bool found = n.count > 0;
	if (found)
		snprintf(out, len, "%s/devfreq/%s", dev_dir, n.names[0]);
	xsys_names_free(&n);
	return found;
}

/* A frequency file in Hz as MHz, rounded: clock rates such as 799999987 Hz
 * are 800 MHz to a person. */
static void read_mhz(const xsys *s, xpu_uint *dst, const char *dir, const char *file)
{
	uint64_t hz;
	xsys_rc rc = xsys_u64(s, &hz, "%s/%s", dir, file);
	if (rc == XSYS_OK) {
		xpu_set_uint(dst, (hz + 500000) / 1000000);
		return;
	}
	char p[XSYS_PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	xpu_read_fail(&dst->status, rc, p);
}

void xpu_devfreq_clocks(const xsys *s, xpu_device *d, const char *dev_dir)
{
	char df[XSYS_PATH_MAX];
	xpu_uint *clocks[] = { &d->clock_min_mhz, &d->clock_max_mhz, &d->clock_actual_mhz,
			       &d->clock_requested_mhz };
	if (!devfreq_find(s, dev_dir, df, sizeof(df))) {
		for (size_t i = 0; i < XPU_ARRAY_LEN(clocks); i++)
			xpu_set_status(&clocks[i]->status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
				       "%s/devfreq", dev_dir);
		return;
	}
	read_mhz(s, &d->clock_min_mhz, df, "min_freq");
	read_mhz(s, &d->clock_max_mhz, df, "max_freq");
	read_mhz(s, &d->clock_actual_mhz, df, "cur_freq");
	read_mhz(s, &d->clock_requested_mhz, df, "target_freq");
}

/* The chip's thermal zones named for the GPU ("gpu-thermal" on RK3588,
 * "gpuss0-thermal" on SC7280: the zone's type is its device-tree node's
 * name), temperatures in millidegrees (Documentation/ABI/testing/
 * sysfs-class-thermal).  Returns how many were read. */
static unsigned gpu_thermal_zones(const xsys *s, xpu_device *d)
{
	xsys_names n;
	if (xsys_list(s, &n, "/sys/class/thermal") != XSYS_OK)
		return 0;
	for (size_t i = 0; i < n.count && d->n_temps < XPU_MAX_TEMPS; i++) {
		char type[32];
		int64_t milli;
		if (!xpu_starts_with(n.names[i], "thermal_zone") ||
		    xsys_text(s, type, sizeof(type), "/sys/class/thermal/%s/type", n.names[i]) != XSYS_OK ||
		    !xpu_starts_with(type, "gpu") ||
		    xsys_i64(s, &milli, "/sys/class/thermal/%s/temp", n.names[i]) != XSYS_OK)
			continue;
		xpu_sensor *t = &d->temps[d->n_temps++];
		xpu_strlcpy(t->label, type, sizeof(t->label));
		xpu_set_real(&t->reading, (double)milli / 1000.0);
		t->max.status.state = XPU_UNSUPPORTED;
	}
	xsys_names_free(&n);
	return d->n_temps;
}

/* A SoC's GPU has no hwmon of its own: its temperature is a thermal zone of
 * the chip, its power a regulator of the chip. */
static void soc_sensors(const xsys *s, xpu_device *d, const char *dev_dir)
{
	char hw[XSYS_PATH_MAX];
	if (xpu_hwmon_find(s, dev_dir, hw, sizeof(hw))) {
		static const char *const primary[] = { "gpu", NULL };
		xpu_hwmon_temps(s, hw, d, "gpu", primary);
		xpu_hwmon_fans(s, hw, d);
		xpu_hwmon_power(s, hw, d);
		return;
	}
	xpu_status *power[] = { &d->power_cap_w.status, &d->power_cap_max_w.status,
				&d->power_draw_w.status, &d->energy_j.status };
	for (size_t i = 0; i < XPU_ARRAY_LEN(power); i++)
		xpu_set_status(power[i], XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "no hwmon under the GPU; its power is a regulator of the chip");
	if (gpu_thermal_zones(s, d) > 0) {
		d->temperature_c = d->temps[0].reading;
		xpu_set_ok(&d->sensors_status);
		return;
	}
	xpu_set_status(&d->temperature_c.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
		       "no hwmon under the GPU, no thermal zone named gpu* in /sys/class/thermal");
	d->sensors_status = d->temperature_c.status;
}

void xpu_soc_gpu_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p, const char *units_source)
{
	const char *drv = xpu_is_ok(&d->driver.status) ? d->driver.value : "its driver";
	xpu_shared_memory(d);
	xpu_devfreq_clocks(s, d, p->device);
	soc_sensors(s, d, p->device);
	xpu_set_status(&d->uuid.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "%s publishes no UUID", drv);
	xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "%s", units_source);
	xpu_set_status(&d->busy_percent.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "%s keeps no device-wide busy figure in sysfs (per-process engine time is in "
		       "fdinfo)", drv);
	if (xpu_is_ok(&d->driver.status))
		xpu_kernel_driver_version(s, d, d->driver.value);
}
