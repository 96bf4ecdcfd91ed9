/* Kernel checks: a driver bound to each GPU (the right one for its family,
 * on a kernel new enough), GuC/HuC firmware where debugfs shows it, and the
 * NVIDIA kernel module against the userspace library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doctor/doctor_int.h"
#include "runtimes/runtime.h"

static void first_word(const char *list, char *out, size_t len)
{
	xpu_strlcpy(out, list, len);
	char *sp = strchr(out, ' ');
	if (sp)
		*sp = '\0';
}

/* A kernel parameter (driver.force_probe=id) as a fix. */
static void fix_kernel_param(const doc_ctx *c, xpu_check *k, const char *param)
{
	if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "set boot.kernelParams = [ \"%s\" ]; then nixos-rebuild boot and reboot", param);
	else
		doc_fix(k, "add %s to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
			"then update-grub) and reboot", param);
}

static void unbound_intel(const doc_ctx *c, xpu_check *k, const xpu_device *d, const doc_family *f,
			  int kver, const char *cmdline)
{
	char drv[16], param[64];
	first_word(f ? f->drivers : "i915", drv, sizeof(drv));
	if (f && f->min_kernel && kver && kver < f->min_kernel && f->probe_driver) {
		snprintf(param, sizeof(param), "%s.force_probe=%04x", f->probe_driver, d->pci_device_id);
		if (strstr(cmdline, param)) {
			doc_fix(k, "kernel %d.%d is too old for %s even with %s: install kernel >= %d.%d",
				kver / 100, kver % 100, d->family.value, param, f->min_kernel / 100,
				f->min_kernel % 100);
			return;
		}
		fix_kernel_param(c, k, param);
		return;
	}
	if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "set boot.initrd.kernelModules = [ \"%s\" ]; (nixos-hardware: "
			"hardware.intelgpu.driver = \"%s\";) and rebuild", drv, drv);
	else
		doc_fix(k, "sudo modprobe %s; if it still does not bind, see 'dmesg | grep -i %s'", drv, drv);
}

static void unbound_fix(const doc_ctx *c, xpu_check *k, const xpu_device *d, int kver,
			const char *cmdline)
{
	if (d->vendor == XPU_VENDOR_INTEL)
		unbound_intel(c, k, d, doc_family_of(d), kver, cmdline);
	else if (d->vendor == XPU_VENDOR_NVIDIA)
		doc_fix_install(c, k, "services.xserver.videoDrivers = [ \"nvidia\" ]; hardware.nvidia.open = true;",
				"nvidia-driver (Ubuntu: ubuntu-drivers install)", "reboot");
	else if (d->vendor == XPU_VENDOR_AMD)
		doc_fix(k, c->pkg == DOC_PKG_NIX ? "set boot.initrd.kernelModules = [ \"amdgpu\" ]; and rebuild" :
						   "sudo modprobe amdgpu (and install firmware-amd-graphics)");
}

/* A bound Intel driver that is the wrong one for the family, or a kernel
 * older than the family needs. */
static void intel_pairing(const doc_ctx *c, xpu_check *k, const xpu_device *d, int kver)
{
	const doc_family *f = doc_family_of(d);
	if (!f)
		return;
	if (!xpu_word_in(f->drivers, d->driver.value)) {
		char drv[16];
		first_word(f->drivers, drv, sizeof(drv));
		doc_verdict(k, XPU_VERDICT_FAIL, "%s (%s) is bound to %s; %s needs %s", doc_dev_name(d),
			    doc_dev_label(d), d->driver.value, d->family.value, f->drivers);
		if (c->pkg == DOC_PKG_NIX)
			doc_fix(k, "set hardware.intelgpu.driver = \"%s\"; (nixos-hardware) or boot.kernelParams = "
				"[ \"%s.force_probe=!%04x\" \"%s.force_probe=%04x\" ];", drv, d->driver.value,
				d->pci_device_id, drv, d->pci_device_id);
		else
			doc_fix(k, "boot with %s.force_probe=!%04x %s.force_probe=%04x on the kernel command line",
				d->driver.value, d->pci_device_id, drv, d->pci_device_id);
		return;
	}
	if (f->min_kernel && kver && kver < f->min_kernel) {
		doc_verdict(k, XPU_VERDICT_WARN, "%s bound to %s, but kernel %d.%d predates full %s support (%d.%d)",
			    doc_dev_name(d), d->driver.value, kver / 100, kver % 100, d->family.value,
			    f->min_kernel / 100, f->min_kernel % 100);
		doc_fix(k, c->pkg == DOC_PKG_NIX ? "set boot.kernelPackages = pkgs.linuxPackages_latest; and rebuild" :
						   "install a kernel >= %d.%d (Debian: bookworm-backports linux-image-amd64)",
			f->min_kernel / 100, f->min_kernel % 100);
	}
}

static void driver_check(doc_ctx *c, const xpu_device *d, int kver, const char *cmdline)
{
	xpu_check *k = doc_add(c, "kernel", "kernel driver", "kernel.driver.%s", doc_dev_label(d));
	if (d->driver.status.state != XPU_OK) {
		char why[160];
		doc_verdict(k, XPU_VERDICT_FAIL, "no kernel driver bound to %s (%s): %s", doc_dev_name(d),
			    doc_dev_label(d), xpu_status_describe(&d->driver.status, why, sizeof(why)));
		unbound_fix(c, k, d, kver, cmdline);
		return;
	}
	char ver[XPU_TEXT_LEN + 8] = "";
	if (d->driver_version.status.state == XPU_OK)
		snprintf(ver, sizeof(ver), " %s", d->driver_version.value);
	const char *probe = strstr(cmdline, "force_probe") ? " (force_probe on the command line)" : "";
	doc_verdict(k, XPU_VERDICT_PASS, "%s%s bound to %s (%s)%s", d->driver.value, ver, doc_dev_name(d),
		    doc_dev_label(d), probe);
	if (d->vendor == XPU_VENDOR_INTEL)
		intel_pairing(c, k, d, kver);
}

/* "status: RUNNING" lines of i915/xe's uc info: one per firmware. */
static void firmware_check(doc_ctx *c, const xpu_device *d)
{
	xpu_check *k = doc_add(c, "kernel", "GuC/HuC firmware", "kernel.firmware.%s", doc_dev_label(d));
	char path_buf[XPU_DETAIL_LEN];
	const char *node = doc_node_path(&d->card_node, path_buf, sizeof(path_buf)) ? strrchr(path_buf, '/') : NULL;
	unsigned minor = 0;
	if (!node || sscanf(node, "/card%u", &minor) != 1) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no card node for %s", doc_dev_name(d));
		return;
	}
	static const char *const gts[] = { "gt", "gt0" }; /* i915, xe */
	char *text = NULL;
	size_t n = 0;
	xsys_rc rc = XSYS_MISSING;
	char path[96] = "";
	for (size_t i = 0; i < XPU_ARRAY_LEN(gts) && rc != XSYS_OK; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/%s/uc/guc_info", minor, gts[i]);
		rc = xsys_slurp(&c->fs, &text, &n, 65536, "%s", path);
	}
	if (rc != XSYS_OK) {
		doc_verdict(k, XPU_VERDICT_SKIP, "firmware state not visible: %s (debugfs: run as root to see it)",
			    rc == XSYS_DENIED ? "permission denied" : "no uc/guc_info");
		return;
	}
	const char *st = strstr(text, "status: ");
	char status[32] = "";
	if (st)
		sscanf(st + 8, "%31s", status);
	if (!status[0])
		doc_verdict(k, XPU_VERDICT_SKIP, "%s: no status line", path);
	else if (strcmp(status, "RUNNING") == 0 || strcmp(status, "TRANSFERRED") == 0)
		doc_verdict(k, XPU_VERDICT_PASS, "GuC %s (%s)", status, path);
	else {
		doc_verdict(k, XPU_VERDICT_FAIL, "GuC firmware %s (%s): compute submission needs it", status, path);
		doc_fix_install(c, k, "hardware.enableRedistributableFirmware = true;",
				"firmware-misc-nonfree (Ubuntu: linux-firmware)", "update-initramfs -u and reboot");
	}
	free(text);
}

/* The loaded kernel module's version: /proc/driver/nvidia/version ("NVRM
 * version: NVIDIA UNIX ... Kernel Module  580.159.04  Release Build ..."),
 * else /sys/module/nvidia/version.  where names the file read. */
static bool module_version(doc_ctx *c, char *out, size_t len, const char **where)
{
	char text[512];
	*where = "/proc/driver/nvidia/version";
	if (xsys_text(&c->fs, text, sizeof(text), "%s", *where) == XSYS_OK) {
		const char *m = strstr(text, "Kernel Module");
		char ver[64] = "";
		if (m && sscanf(m + strlen("Kernel Module"), " for %*s %63s", ver) != 1)
			sscanf(m + strlen("Kernel Module"), " %63s", ver);
		if (ver[0] >= '0' && ver[0] <= '9') {
			xpu_strlcpy(out, ver, len);
			return true;
		}
	}
	*where = "/sys/module/nvidia/version";
	return xsys_text(&c->fs, out, len, "%s", *where) == XSYS_OK;
}

/* The userspace driver's version: what NVML reports (nvmlSystemGetDriverVersion),
 * else the version in the file name behind libcuda.so.1 / libnvidia-ml.so.1. */
static bool userspace_version(const doc_ctx *c, char *out, size_t len, char *from, size_t fromlen)
{
	const xpu_runtime_info *nvml = xpu_runtime_at(c->sys, XPU_RT_NVML);
	if (nvml && nvml->probed && nvml->status.state == XPU_OK && nvml->version[0]) {
		xpu_strlcpy(out, nvml->version, len);
		snprintf(from, fromlen, "NVML (%s)", nvml->library);
		return true;
	}
	const xpu_runtime_kind nvidia[] = { XPU_RT_CUDA, XPU_RT_NVML };
	char file[512];
	for (size_t i = 0; i < XPU_ARRAY_LEN(nvidia); i++) {
		const char *soname = xpu_runtime_desc_of(nvidia[i])->libraries[0];
		if (!doc_lib_file(soname, file, sizeof(file)))
			continue;
		doc_lib_version(file, soname, out, len);
		if (out[0]) {
			xpu_strlcpy(from, file, fromlen);
			return true;
		}
	}
	return false;
}

/* After a driver update without a reboot, the module and the userspace
 * libraries differ: cuInit fails with 803 (or 35), NVML with "driver/library
 * version mismatch". */
static void nvidia_versions_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "kernel", "NVIDIA module vs library", "kernel.nvidia_versions");
	char module[64] = "", lib[64] = "", from[512] = "";
	const char *where;
	if (!module_version(c, module, sizeof(module), &where)) {
		doc_verdict(k, XPU_VERDICT_SKIP, "nvidia kernel module not loaded (no /proc/driver/nvidia/version "
			    "or /sys/module/nvidia/version)");
		return;
	}
	if (!xpu_system_runtimes_probed(c->sys)) {
		doc_verdict(k, XPU_VERDICT_SKIP, "module %s; userspace not checked (runtimes not probed)", module);
		return;
	}
	if (!userspace_version(c, lib, sizeof(lib), from, sizeof(from))) {
		doc_verdict(k, XPU_VERDICT_SKIP, "module %s (%s); the userspace version is unknown: NVML did not "
			    "answer and no %s or %s carries a version in its file name", module, where,
			    xpu_runtime_desc_of(XPU_RT_CUDA)->libraries[0],
			    xpu_runtime_desc_of(XPU_RT_NVML)->libraries[0]);
		return;
	}
	if (strcmp(lib, module) == 0) {
		doc_verdict(k, XPU_VERDICT_PASS, "module %s = %s %s", module, from, lib);
		return;
	}
	doc_verdict(k, XPU_VERDICT_FAIL, "kernel module %s (%s) but %s is %s", module, where, from, lib);
	doc_fix(k, "reboot to load the module that matches the installed driver (%s); if that does not "
		"help, reinstall one driver version for both", lib);
}

void doc_kernel_checks(doc_ctx *c)
{
	char release[128], cmdline[4096] = "";
	int kver = doc_kernel_version(c, release, sizeof(release));
	if (xsys_text(&c->fs, cmdline, sizeof(cmdline), "/proc/cmdline") != XSYS_OK)
		cmdline[0] = '\0';
	bool any = false;
	for (size_t i = 0; i < xpu_device_count(c->sys); i++) {
		const xpu_device *d = xpu_device_at(c->sys, i);
		if (!doc_is_gpu(d))
			continue;
		any = true;
		driver_check(c, d, kver, cmdline);
		if (d->vendor == XPU_VENDOR_INTEL && d->driver.status.state == XPU_OK)
			firmware_check(c, d);
	}
	if (!any) {
		xpu_check *k = doc_add(c, "kernel", "kernel driver", "kernel.driver");
		doc_verdict(k, XPU_VERDICT_SKIP, "no GPU found on the PCI bus (kernel %s)",
			    kver ? release : "unknown");
	}
	if (c->has_nvidia_gpu || xsys_exists(&c->fs, "/sys/module/nvidia") ||
	    xsys_exists(&c->fs, "/proc/driver/nvidia/version"))
		nvidia_versions_check(c);
}
