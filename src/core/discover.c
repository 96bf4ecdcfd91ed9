/* Discovery: find PCI accelerators through /sys/class/drm and/or
 * /sys/bus/pci/devices (either may be absent: containers, the H200 machine
 * without nvidia-drm), let each vendor's ops table fill them, add the CPU,
 * then let the userspace runtimes say which backends work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "core/cache.h"
#include "core/pci.h"
#include "model/system.h"
#include "model/value.h"
#include "runtimes/runtime.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

static const xpu_vendor_ops *const vendors[] = {
	&xpu_vendor_intel,
	&xpu_vendor_nvidia,
	&xpu_vendor_amd,
};

typedef struct candidate {
	char address[16];
	xpu_gpu_paths paths;
	char card_name[32];   /* "card1" */
	char render_name[32]; /* "renderD128" */
} candidate;

typedef struct candidates {
	candidate items[XPU_MAX_DEVICES];
	size_t count;
} candidates;

static candidate *candidate_for(candidates *c, const char *address)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->items[i].address, address) == 0)
			return &c->items[i];
	if (c->count == XPU_MAX_DEVICES)
		return NULL;
	candidate *n = &c->items[c->count++];
	memset(n, 0, sizeof(*n));
	xpu_strlcpy(n->address, address, sizeof(n->address));
	return n;
}

static const xpu_vendor_ops *vendor_ops(uint16_t id)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(vendors); i++)
		if (vendors[i]->pci_vendor_id == id)
			return vendors[i];
	return NULL;
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

static void from_drm(const xsys *s, candidates *c)
{
	xsys_names n;
	if (xsys_list(s, &n, "/sys/class/drm") != XSYS_OK)
		return;
	for (size_t i = 0; i < n.count; i++) {
		const char *name = n.names[i];
		bool card = is_index_name(name, "card"), render = is_index_name(name, "renderD");
		if (!card && !render)
			continue; /* connectors (card1-DP-1), version, ttm */
		char dev[XSYS_PATH_MAX], addr[16];
		snprintf(dev, sizeof(dev), "/sys/class/drm/%s/device", name);
		if (!xpu_pci_read_uevent(s, dev, addr, sizeof(addr)))
			continue; /* simpledrm, vgem, virtual devices */
		candidate *cand = candidate_for(c, addr);
		if (!cand)
			break;
		if (!cand->paths.pci[0])
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

static bool is_accelerator_class(uint64_t cls)
{
	unsigned base = (unsigned)(cls >> 16);
	return base == 0x03 /* display: VGA, 3D */ || base == 0x12 /* processing accelerator */;
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
		if (xsys_u64(s, &cls, "%s/class", dir) != XSYS_OK || !is_accelerator_class(cls))
			continue;
		if (xsys_u64(s, &vendor, "%s/vendor", dir) != XSYS_OK || !vendor_ops((uint16_t)vendor))
			continue; /* BMC display controllers (ASPEED) are no accelerators */
		if (!xpu_pci_normalize(n.names[i], addr, sizeof(addr)))
			continue;
		candidate *cand = candidate_for(c, addr);
		if (!cand)
			break;
		xpu_strlcpy(cand->paths.pci, dir, sizeof(cand->paths.pci));
		drm_children(s, cand);
	}
	xsys_names_free(&n);
}

static int by_address(const void *a, const void *b)
{
	return strcmp(((const candidate *)a)->address, ((const candidate *)b)->address);
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
	else
		xpu_set_status(&node->status, XPU_UNAVAILABLE, XPU_R_NO_DEVICE_NODE, "%s", dev);
}

static void probe_gpu(struct xpu_system *sys, const candidate *cand)
{
	const xsys *s = &sys->sys;
	xpu_device *d = xpu_system_add(sys, cand->address);
	if (!d)
		return;
	xpu_pci_fill(s, d, cand->paths.pci);
	const xpu_vendor_ops *ops = vendor_ops(d->pci_vendor_id);
	d->vendor = ops ? ops->vendor : XPU_VENDOR_OTHER;
	if (d->vendor != XPU_VENDOR_NVIDIA) {
		node_state(s, &d->card_node, cand->card_name, NULL);
		node_state(s, &d->render_node, cand->render_name, "render");
	} else {
		xpu_set_status(&d->render_node.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "CUDA uses /dev/nvidia*, not DRM render nodes");
	}
	if (ops && xpu_is_ok(&d->driver.status))
		ops->probe(s, d, &cand->paths);
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

/* Which backends can drive a device of this vendor: the CPU the cpu backend,
 * each GPU vendor its own runtime's, every device OpenCL and Vulkan. */
static bool backend_concerns(const xpu_device *d, xpu_backend_kind b)
{
	switch (b) {
	case XPU_BACKEND_CPU: return d->vendor == XPU_VENDOR_CPU;
	case XPU_BACKEND_CUDA: return d->vendor == XPU_VENDOR_NVIDIA;
	case XPU_BACKEND_LEVEL_ZERO: return d->vendor == XPU_VENDOR_INTEL;
	case XPU_BACKEND_ROCM: return d->vendor == XPU_VENDOR_AMD;
	default: return true;
	}
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
		const xpu_text *node = d->vendor == XPU_VENDOR_NVIDIA ? &d->card_node : &d->render_node;
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
	xpu_trace_time("find PCI devices", t0);
	t0 = xpu_now_ms();
	qsort(c->items, c->count, sizeof(c->items[0]), by_address);
	for (size_t i = 0; i < c->count; i++)
		probe_gpu(sys, &c->items[i]);
	free(c);
	xpu_trace_time("vendor probes", t0);

	t0 = xpu_now_ms();
	xpu_device *cpu = xpu_system_add(sys, NULL);
	if (cpu)
		xpu_cpu_probe(&sys->sys, cpu);
	mark_backends(sys);
	xpu_trace_time("cpu", t0);

	int probe = opt ? opt->probe_runtimes : -1;
	sys->runtimes_probed = probe > 0 || (probe < 0 && xsys_is_live(&sys->sys));
	bool store = false;
	if (sys->runtimes_probed)
		store = runtimes_from_cache_or_probe(sys, opt);
	else
		not_probed(sys);
	explain_backends(sys);
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
