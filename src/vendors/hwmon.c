#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

bool xpu_hwmon_find(const xsys *s, const char *pci_dir, char *out, size_t len)
{
	xsys_names n;
	bool found = false;
	if (xsys_list(s, &n, "%s/hwmon", pci_dir) != XSYS_OK)
		return false;
	for (size_t i = 0; i < n.count && !found; i++) {
		if (xpu_starts_with(n.names[i], "hwmon")) {
			snprintf(out, len, "%s/hwmon/%s", pci_dir, n.names[i]);
			found = true;
		}
	}
	xsys_names_free(&n);
	return found;
}

void xpu_hwmon_absent(xpu_device *dev, const char *pci_dir)
{
	char what[XPU_DETAIL_LEN];
	snprintf(what, sizeof(what), "%s/hwmon", pci_dir);
	xpu_status *sts[] = { &dev->temperature_c.status, &dev->power_cap_w.status, &dev->power_cap_max_w.status,
			      &dev->power_draw_w.status, &dev->energy_j.status,
			      &dev->sensors_status };
	for (size_t i = 0; i < XPU_ARRAY_LEN(sts); i++)
		xpu_set_status(sts[i], XPU_UNSUPPORTED, XPU_R_FILE_MISSING, "%s", what);
}

enum { HWMON_MAX_INDEX = 32 };

void xpu_hwmon_temps(const xsys *s, const char *hw, xpu_device *dev, const char *unlabeled,
		     const char *const *primary)
{
	for (int i = 1; i <= HWMON_MAX_INDEX && dev->n_temps < XPU_MAX_TEMPS; i++) {
		int64_t milli;
		if (xsys_i64(s, &milli, "%s/temp%d_input", hw, i) != XSYS_OK)
			continue;
		xpu_sensor *t = &dev->temps[dev->n_temps++];
		if (xsys_text(s, t->label, sizeof(t->label), "%s/temp%d_label", hw, i) != XSYS_OK)
			snprintf(t->label, sizeof(t->label), "%s", unlabeled);
		xpu_set_real(&t->reading, (double)milli / 1000.0);
		if (!xpu_read_real(s, &t->max, 0.001, "%s/temp%d_crit", hw, i))
			t->max.status.state = XPU_UNSUPPORTED;
	}
	if (dev->n_temps == 0) {
		xpu_set_status(&dev->temperature_c.status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
			       "%s/temp*_input", hw);
		xpu_set_status(&dev->sensors_status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
			       "%s/temp*_input", hw);
		return;
	}
	const xpu_sensor *best = &dev->temps[0];
	for (const char *const *p = primary; p && *p; p++) {
		bool hit = false;
		for (unsigned i = 0; i < dev->n_temps && !hit; i++) {
			if (strcmp(dev->temps[i].label, *p) == 0) {
				best = &dev->temps[i];
				hit = true;
			}
		}
		if (hit)
			break;
	}
	dev->temperature_c = best->reading;
	xpu_set_ok(&dev->sensors_status);
}

void xpu_hwmon_fans(const xsys *s, const char *hw, xpu_device *dev)
{
	for (int i = 1; i <= XPU_MAX_FANS && dev->n_fans < XPU_MAX_FANS; i++) {
		uint64_t rpm;
		if (xsys_u64(s, &rpm, "%s/fan%d_input", hw, i) != XSYS_OK)
			continue;
		xpu_sensor *f = &dev->fans[dev->n_fans++];
		snprintf(f->label, sizeof(f->label), "fan%d", i);
		xpu_set_real(&f->reading, (double)rpm);
		if (!xpu_read_real(s, &f->max, 1.0, "%s/fan%d_max", hw, i))
			f->max.status.state = XPU_UNSUPPORTED;
	}
}

/* The first of the files that reads, as watts (files hold microwatts).  A
 * file reading 0 is a limit the firmware did not set, not a limit of 0 W. */
static bool first_watts(const xsys *s, const char *hw, xpu_real *dst, const char *const *files)
{
	char first[XSYS_PATH_MAX] = "", zero[XSYS_PATH_MAX] = "";
	xsys_rc first_rc = XSYS_MISSING;
	for (const char *const *f = files; *f; f++) {
		int64_t uw;
		xsys_rc rc = xsys_i64(s, &uw, "%s/%s", hw, *f);
		if (rc == XSYS_OK && uw > 0) {
			xpu_set_real(dst, (double)uw / 1e6);
			return true;
		}
		if (rc == XSYS_OK && !zero[0])
			snprintf(zero, sizeof(zero), "%s/%s", hw, *f);
		if (!first[0] || (first_rc == XSYS_MISSING && rc != XSYS_MISSING && rc != XSYS_OK)) {
			snprintf(first, sizeof(first), "%s/%s", hw, *f);
			first_rc = rc == XSYS_OK ? XSYS_MISSING : rc;
		}
	}
	if (zero[0] && first_rc == XSYS_MISSING)
		xpu_set_status(&dst->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "%s reads 0 (not set by the firmware)", zero);
	else
		xpu_read_fail(&dst->status, first_rc, first);
	return false;
}

void xpu_hwmon_power(const xsys *s, const char *hw, xpu_device *dev)
{
	/* i915: power1_max; xe: power1_cap ("card"), power2_cap ("pkg"); amdgpu: power1_cap */
	static const char *const cap[] = { "power1_cap", "power1_max", "power2_cap", "power2_max", NULL };
	static const char *const cap_max[] = { "power1_cap_max", "power1_crit", "power1_rated_max",
					       "power2_crit", NULL };
	static const char *const draw[] = { "power1_average", "power1_input", NULL };
	first_watts(s, hw, &dev->power_cap_w, cap);
	first_watts(s, hw, &dev->power_cap_max_w, cap_max);

	uint64_t uj;
	const char *energy = xsys_exists(s, "%s/energy1_input", hw) ? "energy1_input" : "energy2_input";
	xsys_rc rc = xsys_u64(s, &uj, "%s/%s", hw, energy);
	if (rc == XSYS_OK)
		xpu_set_real(&dev->energy_j, (double)uj / 1e6);
	else {
		char p[XSYS_PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", hw, energy);
		xpu_read_fail(&dev->energy_j.status, rc, p);
	}
	if (!first_watts(s, hw, &dev->power_draw_w, draw) && rc == XSYS_OK)
		/* Intel exposes only the energy counter: power is its rate */
		xpu_set_status(&dev->power_draw_w.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
			       "derived from %s/%s (xpu top samples it)", hw, energy);
}

void xpu_kernel_driver_version(const xsys *s, xpu_device *dev, const char *module)
{
	char v[XPU_TEXT_LEN];
	if (xsys_text(s, v, sizeof(v), "/sys/module/%s/version", module) == XSYS_OK) {
		xpu_set_text(&dev->driver_version, "%s", v);
		return;
	}
	/* in-tree drivers carry the kernel's version */
	if (!xpu_read_text(s, &dev->driver_version, "/proc/sys/kernel/osrelease"))
		return;
	char rel[XPU_TEXT_LEN];
	xpu_strlcpy(rel, dev->driver_version.value, sizeof(rel));
	xpu_set_text(&dev->driver_version, "kernel %s", rel);
}
