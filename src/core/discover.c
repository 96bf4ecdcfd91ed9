/* Discovery: find the GPUs through /sys/class/drm (PCI and platform
 * devices: SoC GPUs are no PCI devices) and /sys/bus/pci/devices (either may
 * be absent: containers, the H200 machine without nvidia-drm), let each
 * vendor's descriptor fill them, add the CPU, then let the userspace
 * runtimes say which backends work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "core/cache.h"
#include "core/pci.h"
#include "model/system.h"
#include "model/read.h"
#include "model/value.h"
#include "runtimes/runtime.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

typedef struct candidate {
	char key[48];         /* "0000:03:00.0" or "platform:fb000000.gpu": PCI sorts first */
	bool pci;
	xpu_vendor vendor;
	char driver[64];      /* the driver bound to the device, "" none */
	xpu_gpu_paths paths;
	char card_name[32];   /* "card1" */
	char render_name[32]; /* "renderD128" */
} candidate;

typedef struct candidates {
	candidate items[XPU_MAX_DEVICES];
	size_t count;
} candidates;

static candidate *candidate_for(candidates *c, const char *key)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->items[i].key, key) == 0)
			return &c->items[i];
	if (c->count == XPU_MAX_DEVICES)
		return NULL;
	candidate *n = &c->items[c->count++];
	memset(n, 0, sizeof(*n));
	xpu_strlcpy(n->key, key, sizeof(n->key));
	return n;
}

static bool is_index_name(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(name, prefix, n) != 0 || !name[n])
		return false;
	for (const char *p = name + n; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* The key of the device behind a DRM minor: its PCI address, or for a
 * platform device "platform:" and the name of its folder (links followed:
 * card0/device and renderD128/device resolve to the same folder). */
static bool device_key(const xsys *s, const char *dev, char *key, size_t len, bool *pci)
{
	char addr[16], name[XSYS_PATH_MAX];
	*pci = xpu_pci_read_uevent(s, dev, addr, sizeof(addr));
	if (*pci) {
		xpu_strlcpy(key, addr, len);
		return true;
	}
	if (!xsys_exists(s, "%s/uevent", dev) || xsys_real_name(s, name, sizeof(name), "%s", dev) != XSYS_OK)
		return false; /* a minor without a device: nothing to read */
	snprintf(key, len, "platform:%s", name);
	return true;
}

static void from_drm(const xsys *s, candidates *c)
{
	xsys_names n;
	if (xsys_list(s, &n, "/sys/class/drm") != XSYS_OK)
		return;
	for (size_t i = 0; i < n.count; i++) {
		const char *name = n.names[i];
		bool card = is_index_name(name, "card"), render = is_index_name(name, "renderD"), pci;
		if (!card && !render)
			continue; /* connectors (card1-DP-1), version, ttm */
		char dev[XSYS_PATH_MAX], key[48];
		snprintf(dev, sizeof(dev), "/sys/class/drm/%s/device", name);
		if (!device_key(s, dev, key, sizeof(key), &pci))
			continue;
		candidate *cand = candidate_for(c, key);
		if (!cand)
			break;
		cand->pci = pci;
		if (!cand->paths.device[0])
			xpu_strlcpy(cand->paths.device, dev, sizeof(cand->paths.device));
		if (pci && !cand->paths.pci[0])
			xpu_strlcpy(cand->paths.pci, dev, sizeof(cand->paths.pci));
		if (card) {
			snprintf(cand->paths.card, sizeof(cand->paths.card), "/sys/class/drm/%s", name);
			xpu_strlcpy(cand->card_name, name, sizeof(cand->card_name));
		} else {
			xpu_strlcpy(cand->render_name, name, sizeof(cand->render_name));
		}
	}
	xsys_names_free(&n);
}

/* The DRM minors of a device found through the PCI bus, from its drm/ folder. */
static void drm_children(const xsys *s, candidate *cand)
{
	xsys_names n;
	if (xsys_list(s, &n, "%s/drm", cand->paths.pci) != XSYS_OK)
		return;
	for (size_t i = 0; i < n.count; i++) {
		if (is_index_name(n.names[i], "card") && !cand->card_name[0]) {
			xpu_strlcpy(cand->card_name, n.names[i], sizeof(cand->card_name));
			snprintf(cand->paths.card, sizeof(cand->paths.card), "%s/drm/%s", cand->paths.pci,
				 n.names[i]);
		} else if (is_index_name(n.names[i], "renderD") && !cand->render_name[0]) {
			xpu_strlcpy(cand->render_name, n.names[i], sizeof(cand->render_name));
		}
	}
	xsys_names_free(&n);
}

static void from_pci_bus(const xsys *s, candidates *c)
{
	xsys_names n;
	if (xsys_list(s, &n, "/sys/bus/pci/devices") != XSYS_OK)
		return;
	for (size_t i = 0; i < n.count; i++) {
		char dir[XSYS_PATH_MAX], addr[16];
		uint64_t cls, vendor;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", n.names[i]);
		if (xsys_u64(s, &cls, "%s/class", dir) != XSYS_OK || !xpu_pci_accelerator_class(cls))
			continue;
		if (xsys_u64(s, &vendor, "%s/vendor", dir) != XSYS_OK ||
		    xpu_vendor_of_pci_id((unsigned)vendor) == XPU_VENDOR_OTHER)
			continue; /* BMC display controllers (ASPEED) are no accelerators */
		if (!xpu_pci_normalize(n.names[i], addr, sizeof(addr)))
			continue;
		candidate *cand = candidate_for(c, addr);
		if (!cand)
			break;
		cand->pci = true;
		xpu_strlcpy(cand->paths.pci, dir, sizeof(cand->paths.pci));
		xpu_strlcpy(cand->paths.device, dir, sizeof(cand->paths.device));
		drm_children(s, cand);
	}
	xsys_names_free(&n);
}

/* Compatible strings from the device's uevent (OF_COMPATIBLE_0..N-1, which
 * the kernel's of_device_uevent() writes for every device-tree device), in
 * of_node/compatible's form: NUL after each, an empty string last. */
static void read_compatible(const char *uevent, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < 16; i++) {
		char key[32], v[XPU_COMPATIBLE_MAX];
		snprintf(key, sizeof(key), "OF_COMPATIBLE_%d", i);
		if (!xpu_kv_get(uevent, key, '=', v, sizeof(v)))
			break;
		size_t n = strlen(v) + 1;
		if (used + n + 1 > len)
			break;
		memcpy(out + used, v, n);
		used += n;
		out[used] = '\0';
	}
}

/* Drivers of DRM devices that are no hardware accelerator: virtual GPUs of
 * a guest (virtio_gpu, vmwgfx) and the kernel's own test devices (vgem,
 * vkms; since 6.15 both sit on the faux bus, whose one driver is
 * faux_driver).  They have render nodes, yet no app should be sent there. */
static const char virtual_drivers[] = "vgem vkms virtio_gpu vmwgfx faux_driver";

/* Which vendor the device is, and whether it is an accelerator at all.  A
 * device of a known PCI vendor is one (as found on the PCI bus).  Any other
 * needs a bound driver, a render node (the kernel makes render nodes only
 * for DRIVER_RENDER drivers, those that run GPU work: display-only devices
 * such as simpledrm, the ASPEED BMC's ast or a SoC's display controller have
 * a card node alone) and a driver that is no virtual GPU. */
static bool identify(const xsys *s, candidate *cand)
{
	char uevent[XSYS_ATTR_MAX] = "";
	uint16_t vendor_id = 0, device_id;
	if (xsys_text(s, uevent, sizeof(uevent), "%s/uevent", cand->paths.device) == XSYS_OK) {
		char v[64];
		if (xpu_kv_get(uevent, "PCI_ID", '=', v, sizeof(v)))
			xpu_parse_id_pair(v, &vendor_id, &device_id);
		xpu_kv_get(uevent, "DRIVER", '=', cand->driver, sizeof(cand->driver));
		read_compatible(uevent, cand->paths.compatible, sizeof(cand->paths.compatible));
	}
	cand->vendor = xpu_vendor_identify(vendor_id, cand->driver, cand->paths.compatible);
	if (cand->pci && cand->vendor != XPU_VENDOR_OTHER)
		return true;
	return cand->render_name[0] && cand->driver[0] && !xpu_word_in(virtual_drivers, cand->driver);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const candidate *)a)->key, ((const candidate *)b)->key);
}

static void node_state(const xsys *s, xpu_text *node, const char *name, const char *group)
{
	if (!name[0]) {
		xpu_set_status(&node->status, XPU_UNSUPPORTED, XPU_R_NO_DEVICE_NODE,
			       "no DRM %s minor in sysfs", group ? "render" : "card");
		return;
	}
	char dev[48];
	snprintf(dev, sizeof(dev), "/dev/dri/%s", name);
	xsys_rc rc = xsys_access_rw(s, "%s", dev);
	if (rc == XSYS_OK)
		xpu_set_text(node, "%s", dev);
	else if (rc == XSYS_DENIED)
		xpu_set_status(&node->status, XPU_UNAVAILABLE, XPU_R_PERMISSION_DENIED,
			       "%s (join group %s)", dev, group ? group : "video");
	else if (rc == XSYS_NOT_FILE || rc == XSYS_OUTSIDE) /* a sysroot's loop or link out */
		xpu_read_fail(&node->status, rc, dev);
	else
		xpu_set_status(&node->status, XPU_UNAVAILABLE, XPU_R_NO_DEVICE_NODE, "%s", dev);
}

/* What a platform device's folder says whatever its vendor: the driver and
 * that it is part of the chip, with no PCI family. */
static void platform_fill(xpu_device *d, const candidate *cand)
{
	if (cand->driver[0])
		xpu_set_text(&d->driver, "%s", cand->driver);
	else
		xpu_set_status(&d->driver.status, XPU_UNAVAILABLE, XPU_R_DRIVER_NOT_BOUND,
			       "%s/uevent has no DRIVER", cand->paths.device);
	xpu_set_status(&d->family.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
		       "xpu's family table covers PCI devices only");
}

static void probe_gpu(struct xpu_system *sys, const candidate *cand)
{
	const xsys *s = &sys->sys;
	xpu_device *d = cand->pci ? xpu_system_add(sys, cand->key)
				  : xpu_system_add_platform(sys, cand->key + strlen("platform:"));
	if (!d)
		return;
	if (cand->pci)
		xpu_pci_fill(s, d, cand->paths.pci);
	else
		platform_fill(d, cand);
	d->vendor = cand->vendor;
	const xpu_vendor_desc *v = xpu_vendor_desc_of(d->vendor);
	if (!v->render_node_not_applicable) {
		node_state(s, &d->card_node, cand->card_name, NULL);
		node_state(s, &d->render_node, cand->render_name, "render");
	} else {
		xpu_set_status(&d->render_node.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, "%s",
			       v->render_node_not_applicable);
	}
	if (xpu_is_ok(&d->driver.status))
		v->probe(s, d, &cand->paths);
}

/* Every candidate found, identified, sorted (PCI addresses first, as
 * before SoC GPUs were known) and probed. */
static void probe_gpus(struct xpu_system *sys, candidates *c)
{
	size_t kept = 0;
	for (size_t i = 0; i < c->count; i++)
		if (identify(&sys->sys, &c->items[i]))
			c->items[kept++] = c->items[i];
	c->count = kept;
	qsort(c->items, c->count, sizeof(c->items[0]), by_key);
	for (size_t i = 0; i < c->count; i++)
		probe_gpu(sys, &c->items[i]);
}

/* Names from the PCI id database, last: the driver (NVIDIA's procfs, NVML)
 * names a device better, and a cache hit brings them without reading the
 * 1.3 MB database (4.8 ms on the H200 machine). */
static void name_devices(struct xpu_system *sys)
{
	for (size_t i = 0; i < sys->count; i++) {
		xpu_device *d = &sys->devices[i];
		bool looked_up = d->pci_vendor_name.status.state != XPU_UNSUPPORTED ||
				 d->pci_vendor_name.status.detail[0];
		if (d->vendor == XPU_VENDOR_CPU || !d->pci_vendor_id || looked_up)
			continue;
		xpu_pci_names(d);
	}
}

/* Which backends can drive a device: those its vendor's descriptor names.
 * The runtimes ask the same rule (sys->backend_concerns) for a device they
 * add themselves (a container without /sys/bus/pci). */
static bool backend_concerns(const xpu_device *d, xpu_backend_kind b)
{
	const xpu_vendor_desc *v = xpu_vendor_desc_of(d->vendor);
	return v && (v->backends & (1u << b));
}

static void mark_backends(struct xpu_system *sys)
{
	sys->backend_concerns = backend_concerns;
	for (size_t i = 0; i < sys->count; i++) {
		xpu_device *d = &sys->devices[i];
		for (int i_b = 0; i_b < XPU_BACKEND_COUNT; i_b++) {
			xpu_backend_kind b = (xpu_backend_kind)i_b;
			if (!backend_concerns(d, b))
				continue;
			if (b == XPU_BACKEND_CPU) /* needs no runtime: usable as found */
				xpu_backend_set_usable(d, b, "", d->name.value, 0);
			else
				xpu_backend_applies(d, b);
		}
	}
}

/* A backend whose runtime does not see the device, on a device whose node
 * this user cannot open: the node is the cause to report. */
static void explain_backends(struct xpu_system *sys)
{
	for (size_t i = 0; i < sys->count; i++) {
		xpu_device *d = &sys->devices[i];
		const xpu_vendor_desc *v = xpu_vendor_desc_of(d->vendor);
		const xpu_text *node = v && v->render_node_not_applicable ? &d->card_node : &d->render_node;
		for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
			xpu_backend *be = &d->backends[b];
			if (!be->applies || be->usable || d->vendor == XPU_VENDOR_CPU)
				continue;
			if (!xpu_is_ok(&d->driver.status))
				be->status = d->driver.status;
			else if (node->status.reason == XPU_R_PERMISSION_DENIED)
				be->status = node->status;
		}
	}
}

/* One meaning of usable for xpu list, run and doctor: the backend drives the
 * device at the device's own speed, so xpu run may send an app there.  A
 * Vulkan driver of the CPU type (lavapipe) emulates a GPU on the CPU's
 * cores: an app is faster on the cpu backend, so it is seen and named but not
 * usable; OpenCL on the CPU (PoCL) compiles for the CPU itself and stays. */
static void software_backends(struct xpu_system *sys)
{
	xpu_device *cpu = xpu_system_cpu(sys);
	xpu_backend *be = cpu ? &cpu->backends[XPU_BACKEND_VULKAN] : NULL;
	if (!be || !be->usable)
		return;
	be->usable = false;
	xpu_set_status(&be->status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
		       "%s is Vulkan in software on the CPU: apps run faster on the cpu "
		       "backend", be->device_name[0] ? be->device_name : "a CPU Vulkan driver");
}

static void not_probed(struct xpu_system *sys)
{
	xpu_strlcpy(sys->cache_detail, "runtimes were not probed", sizeof(sys->cache_detail));
	for (int k = 0; k < XPU_RT_COUNT; k++)
		xpu_set_status(&sys->runtimes[k].status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
			       "runtimes describe this machine, not the sysroot");
	for (size_t i = 0; i < sys->count; i++)
		for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
			xpu_backend *be = &sys->devices[i].backends[b];
			if (be->applies && !be->usable)
				xpu_set_status(&be->status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
					       "runtimes describe this machine, not the sysroot");
		}
}

static bool wants(unsigned mask, xpu_runtime_kind k)
{
	return !mask || (mask & (1u << k));
}

/* Runtime results from the cache when asked and it matches (plus NVML's live
 * values when asked), else from probing every runtime now.  Returns whether
 * the results are to be stored once complete. */
static bool runtimes_from_cache_or_probe(struct xpu_system *sys, const xpu_options *opt)
{
	unsigned mask = opt ? opt->runtime_mask : 0;
	int cache = opt ? opt->cache : XPU_CACHE_OFF;
	xpu_strlcpy(sys->cache_detail, "not asked for: every runtime was probed now",
		    sizeof(sys->cache_detail));
	if (cache != XPU_CACHE_OFF)
		xpu_cache_fingerprint(sys, mask);
	if (cache == XPU_CACHE_USE && xpu_cache_load(sys)) {
		if (opt->live_values && wants(mask, XPU_RT_NVML) &&
		    xpu_is_ok(&sys->runtimes[XPU_RT_NVML].status)) {
			double t0 = xpu_now_ms();
			xpu_runtime_probe_one(sys, XPU_RT_NVML);
			xpu_trace_time("nvml (live values)", t0);
		}
		return false;
	}
	xpu_runtimes_probe(sys, mask);
	return cache != XPU_CACHE_OFF;
}

/* The boot-static facts the discovery cache did not give. */
static void static_facts(struct xpu_system *sys)
{
	double t0 = xpu_now_ms();
	for (size_t i = 0; i < sys->count; i++) {
		xpu_device *d = &sys->devices[i];
		const xpu_vendor_desc *v = xpu_vendor_desc_of(d->vendor);
		if (v && v->probe_static && !sys->static_kept[i])
			v->probe_static(&sys->sys, d);
	}
	xpu_trace_time("boot-static facts", t0);
}

int xpu_discover(const xpu_options *opt, xpu_system **out, char *err, size_t errlen)
{
	*out = NULL;
	struct xpu_system *sys = calloc(1, sizeof(*sys));
	if (!sys) {
		xpu_strlcpy(err, "out of memory", errlen);
		return XPU_E_NOMEM;
	}
	if (xsys_init(&sys->sys, opt ? opt->sysroot : NULL, err, errlen) != 0) {
		free(sys);
		return XPU_E_SYSROOT;
	}
	candidates *c = calloc(1, sizeof(*c));
	if (!c) {
		free(sys);
		xpu_strlcpy(err, "out of memory", errlen);
		return XPU_E_NOMEM;
	}
	double t0 = xpu_now_ms();
	from_drm(&sys->sys, c);
	from_pci_bus(&sys->sys, c);
	xpu_trace_time("find DRM and PCI devices", t0);
	t0 = xpu_now_ms();
	probe_gpus(sys, c);
	free(c);
	xpu_trace_time("vendor probes", t0);

	t0 = xpu_now_ms();
	xpu_device *cpu = xpu_system_add(sys, NULL);
	if (cpu)
		xpu_vendor_desc_of(XPU_VENDOR_CPU)->probe(&sys->sys, cpu, NULL);
	mark_backends(sys);
	xpu_trace_time("cpu", t0);

	int probe = opt ? opt->probe_runtimes : -1;
	sys->runtimes_probed = probe > 0 || (probe < 0 && xsys_is_live(&sys->sys));
	bool store = false;
	if (sys->runtimes_probed)
		store = runtimes_from_cache_or_probe(sys, opt);
	else
		not_probed(sys);
	static_facts(sys);
	explain_backends(sys);
	software_backends(sys);
	t0 = xpu_now_ms();
	name_devices(sys);
	xpu_trace_time("PCI database names", t0);
	if (store)
		xpu_cache_store(sys);
	*out = sys;
	return XPU_E_OK;
}

void xpu_system_free(xpu_system *sys)
{
	free(sys);
}

size_t xpu_device_count(const xpu_system *sys)
{
	return sys->count;
}

const xpu_device *xpu_device_at(const xpu_system *sys, size_t i)
{
	return i < sys->count ? &sys->devices[i] : NULL;
}

const char *xpu_system_sysroot(const xpu_system *sys)
{
	return sys->sys.root[0] ? sys->sys.root : "/";
}

bool xpu_system_runtimes_probed(const xpu_system *sys)
{
	return sys->runtimes_probed;
}

xpu_cache_state xpu_system_cache(const xpu_system *sys, const char **detail, long long *probed_at)
{
	if (detail)
		*detail = sys->cache_detail;
	if (probed_at)
		*probed_at = sys->cache_probed_at;
	return sys->cache_state;
}

const xpu_runtime_info *xpu_runtime_at(const xpu_system *sys, xpu_runtime_kind k)
{
	return (unsigned)k < XPU_RT_COUNT ? &sys->runtimes[k] : NULL;
}
