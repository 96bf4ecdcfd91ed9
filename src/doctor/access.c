/* Access checks: can this user open each GPU's render and card nodes (and
 * NVIDIA's /dev/nvidia*), and do CAP_PERFMON or perf_event_paranoid allow
 * the metrics that need them. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "doctor/doctor_int.h"
#include "vendors/vendor.h"

#define CAP_PERFMON_BIT 38

static const char *user_name(void)
{
	const struct passwd *pw = getpwuid(geteuid());
	return pw && pw->pw_name ? pw->pw_name : "$USER";
}

/* The group that owns a node: the one to join. */
static void node_group(const doc_ctx *c, const char *node, char *out, size_t len)
{
	char path[XSYS_PATH_MAX];
	struct stat st;
	xpu_strlcpy(out, strstr(node, "renderD") ? "render" : "video", len);
	/* xsys_exists first: under a sysroot, a node is one inside it */
	if (!xsys_exists(&c->fs, "%s", node) ||
	    stat(xsys_path(&c->fs, path, sizeof(path), "%s", node), &st) != 0)
		return;
	const struct group *g = getgrgid(st.st_gid);
	if (g && g->gr_name && strcmp(g->gr_name, "root") != 0)
		xpu_strlcpy(out, g->gr_name, len);
}

static void fix_group(const doc_ctx *c, xpu_check *k, const char *group)
{
	if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "set users.users.%s.extraGroups = [ \"%s\" ]; rebuild, then log out and in "
			"(services: SupplementaryGroups=%s)", user_name(), group, group);
	else
		doc_fix(k, "sudo usermod -aG %s %s, then log out and in (services: SupplementaryGroups=%s)", group,
			user_name(), group);
}

/* One node: OK, or the verdict and fix already written.  Discovery marks a
 * node it could not open as denied, with the path in the detail. */
static bool node_ok(doc_ctx *c, xpu_check *k, const xpu_device *d, const xpu_text *node, xpu_verdict bad)
{
	char path[XPU_DETAIL_LEN];
	if (!doc_node_path(node, path, sizeof(path))) {
		char why[160];
		doc_verdict(k, bad, "%s has no %s node: %s", doc_dev_name(d), bad == XPU_VERDICT_FAIL ? "render" : "card",
			    xpu_status_describe(&node->status, why, sizeof(why)));
		doc_fix(k, "the kernel driver creates it: fix kernel.driver.%s first", doc_dev_label(d));
		return false;
	}
	xsys_rc rc = node->status.state == XPU_OK ? xsys_access_rw(&c->fs, "%s", path) : XSYS_DENIED;
	if (rc == XSYS_OK)
		return true;
	char group[64];
	node_group(c, path, group, sizeof(group));
	doc_verdict(k, bad, "%s cannot open %s read-write (%s; owned by group %s)", user_name(), path,
		    rc == XSYS_DENIED ? "permission denied" : rc == XSYS_MISSING ? "missing" : "error", group);
	if (rc == XSYS_DENIED)
		fix_group(c, k, group);
	else
		doc_fix(k, "the kernel driver creates %s: fix kernel.driver.%s first", path, doc_dev_label(d));
	return false;
}

static void dri_nodes_check(doc_ctx *c, const xpu_device *d)
{
	xpu_check *k = doc_add(c, "access", "device nodes", "access.nodes.%s", doc_dev_label(d));
	if (d->driver.status.state != XPU_OK) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no driver bound (see kernel.driver.%s)", doc_dev_label(d));
		return;
	}
	if (!node_ok(c, k, d, &d->render_node, XPU_VERDICT_FAIL))
		return;
	/* the render node is enough to compute; the card node serves the VRAM
	 * queries of monitoring tools */
	if (!node_ok(c, k, d, &d->card_node, XPU_VERDICT_WARN))
		return;
	doc_verdict(k, XPU_VERDICT_PASS, "%s can open %s and %s", user_name(), d->render_node.value,
		    d->card_node.value);
}

bool doc_node_path(const xpu_text *node, char *path, size_t len)
{
	if (node->status.state == XPU_OK) {
		xpu_strlcpy(path, node->value, len);
		return true;
	}
	/* "/dev/dri/renderD128 (join group render)" */
	if (node->status.reason != XPU_R_PERMISSION_DENIED || !xpu_starts_with(node->status.detail, "/dev/"))
		return false;
	xpu_strlcpy(path, node->status.detail, len);
	path[strcspn(path, " ")] = '\0';
	return true;
}

/* CUDA needs /dev/nvidiactl, /dev/nvidia-uvm and the GPU's /dev/nvidiaN. */
static void nvidia_nodes_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "access", "NVIDIA device nodes", "access.nvidia_nodes");
	static const char *const nodes[] = { "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0" };
	for (size_t i = 0; i < XPU_ARRAY_LEN(nodes); i++) {
		xsys_rc rc = xsys_access_rw(&c->fs, "%s", nodes[i]);
		if (rc == XSYS_OK)
			continue;
		if (rc == XSYS_MISSING) {
			doc_verdict(k, XPU_VERDICT_FAIL, "%s is missing", nodes[i]);
			if (i == 1)
				doc_fix(k, c->pkg == DOC_PKG_NIX ? "set boot.kernelModules = [ \"nvidia_uvm\" ]; and rebuild" :
								   "sudo modprobe nvidia_uvm (or run nvidia-modprobe -u -c=0)");
			else
				doc_fix(k, "load the driver: sudo modprobe nvidia (in a container: run it with --gpus all "
					"or the NVIDIA container toolkit)");
			return;
		}
		char group[64];
		node_group(c, nodes[i], group, sizeof(group));
		doc_verdict(k, XPU_VERDICT_FAIL, "%s cannot open %s read-write", user_name(), nodes[i]);
		fix_group(c, k, group);
		return;
	}
	doc_verdict(k, XPU_VERDICT_PASS, "%s can open /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia0", user_name());
}

/* CapEff of this process, from /proc/self/status; false when unreadable. */
static bool cap_effective(const doc_ctx *c, unsigned long long *caps)
{
	char *text = NULL;
	size_t n = 0;
	bool ok = false;
	if (xsys_slurp(&c->fs, &text, &n, 65536, "/proc/self/status") == XSYS_OK) {
		const char *p = strstr(text, "\nCapEff:");
		ok = p && sscanf(p + 8, "%llx", caps) == 1;
	}
	free(text);
	return ok;
}

static void perfmon_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "access", "CAP_PERFMON / perf_event_paranoid", "access.perfmon");
	if (!c->has_intel_gpu && !c->has_amd_gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no Intel or AMD GPU: their PMU and VRAM-used metrics do not apply");
		return;
	}
	int64_t paranoid = 0;
	xsys_rc prc = xsys_i64(&c->fs, &paranoid, "/proc/sys/kernel/perf_event_paranoid");
	unsigned long long caps = 0;
	bool known = cap_effective(c, &caps);
	bool perfmon = known && (caps >> CAP_PERFMON_BIT) & 1;
	char par[48];
	if (prc == XSYS_OK)
		snprintf(par, sizeof(par), "perf_event_paranoid=%lld", (long long)paranoid);
	else
		snprintf(par, sizeof(par), "perf_event_paranoid unreadable");
	if (perfmon) {
		doc_verdict(k, XPU_VERDICT_PASS, "CAP_PERFMON held (%s): GPU busy and VRAM used are readable", par);
		return;
	}
	doc_verdict(k, XPU_VERDICT_WARN, "%s, %s: Intel VRAM used%s are hidden from xpu and Ollama's Vulkan "
		    "VRAM query", known ? "no CAP_PERFMON" : "CAP_PERFMON unknown", par,
		    prc == XSYS_OK && paranoid <= 0 ? "" : " and the GPU busy PMU");
	if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "grant it per service: systemd.services.ollama.serviceConfig.AmbientCapabilities = "
			"[ \"CAP_PERFMON\" ]; (and CapabilityBoundingSet), or boot.kernel.sysctl.\"kernel.perf_event_paranoid\" = 0;");
	else
		doc_fix(k, "sudo setcap cap_perfmon=ep \"$(command -v xpu)\"; for a service: AmbientCapabilities=CAP_PERFMON; "
			"or sudo sysctl kernel.perf_event_paranoid=0");
}

void doc_access_checks(doc_ctx *c)
{
	for (size_t i = 0; i < xpu_device_count(c->sys); i++) {
		const xpu_device *d = xpu_device_at(c->sys, i);
		const xpu_vendor_desc *v = xpu_vendor_desc_of(d->vendor);
		if (doc_is_gpu(d) && v && !v->render_node_not_applicable)
			dri_nodes_check(c, d);
	}
	if (c->has_nvidia_gpu)
		nvidia_nodes_check(c);
	perfmon_check(c);
}
