/* Intel throttle reasons from sysfs.  Each reason is a file reading 1 while
 * it holds the clock down: xe PCI/tile0/gt0/freq0/throttle/reason_NAME,
 * i915 CARD/gt/gt0/throttle_reason_NAME (both also keep a summary "status"
 * file, which is no reason of its own). */
#include <stdio.h>
#include <string.h>

#include "model/value.h"
#include "telemetry/sampler_int.h"

static bool collect(const xsys *s, const char *dir, const char *prefix, xpu_text *out)
{
	xsys_names n;
	if (xsys_list(s, &n, "%s", dir) != XSYS_OK)
		return false;
	char list[XPU_TEXT_LEN] = "";
	size_t used = 0, plen = strlen(prefix);
	bool any_file = false;
	for (size_t i = 0; i < n.count; i++) {
		const char *name = n.names[i];
		if (strncmp(name, prefix, plen) != 0 || strcmp(name + plen, "status") == 0)
			continue;
		any_file = true;
		uint64_t v;
		if (xsys_u64(s, &v, "%s/%s", dir, name) != XSYS_OK || v == 0)
			continue;
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", used ? "," : "", name + plen);
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
	}
	xsys_names_free(&n);
	if (any_file)
		xpu_set_text(out, "%s", list);
	return any_file;
}

static void intel_throttle(const xsys *s, xpu_device_sample *ds)
{
	const xpu_device *d = &ds->dev;
	char dir[XSYS_PATH_MAX];
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/tile0/gt0/freq0/throttle", d->pci_address);
	if (collect(s, dir, "reason_", &ds->throttle_reasons))
		return;
	const char *card = xpu_is_ok(&d->card_node.status) ? strrchr(d->card_node.value, '/') : NULL;
	if (card) {
		snprintf(dir, sizeof(dir), "/sys/class/drm%s/gt/gt0", card);
		if (collect(s, dir, "throttle_reason_", &ds->throttle_reasons))
			return;
	}
	xpu_set_status(&ds->throttle_reasons.status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
		       "no throttle reason files under tile0/gt0/freq0/throttle or gt/gt0");
}

void xpu_sample_throttle_sysfs(const xsys *s, xpu_sample *x)
{
	for (size_t i = 0; i < x->n_devices; i++)
		if (x->devices[i].dev.vendor == XPU_VENDOR_INTEL)
			intel_throttle(s, &x->devices[i]);
}
