/* The topology of the GPUs (include/xpu/topology.h).  sysfs first, for
 * every vendor: where each GPU sits in the PCI hierarchy (the link
 * /sys/bus/pci/devices/ADDR resolves to), its numa_node and local_cpulist;
 * the PCIe path of each pair follows from them, as NVML classifies it
 * (nvml.h, nvmlGpuTopologyLevel_t):
 *   PIX   the lowest bridge both sit under is one PCIe switch: each GPU is at
 *         most two functions below it (a switch's downstream port, then the
 *         GPU);
 *   PXB   under one bridge, but deeper: several switches, no host bridge;
 *   PHB   no common bridge under the host bridge (root ports of one root
 *         complex);
 *   NODE  different host bridges, one NUMA node;
 *   SYS   different host bridges on different NUMA nodes.
 * Then each vendor's fabric, where something shows it: AMD's KFD topology in
 * sysfs (the vendor's fabric_links), NVML for NVLink, Level Zero's fabric
 * ports for Xe Link (runtimes/links.h), each only where discovery probed the
 * runtimes (not when replaying a sysroot).  A pair whose fabric no source
 * answered keeps its PCIe path, with the reason the faster one is unknown. */
#include "xpu/topology.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "core/cache.h"
#include "core/topology_json.h"
#include "model/system.h"
#include "model/read.h"
#include "model/value.h"
#include "runtimes/links.h"
#include "sys/parse.h"
#include "sys/sys.h"
#include "vendors/vendor.h"

/* What sysfs says of one GPU's place. */
typedef struct place {
	bool known; /* the PCI hierarchy: root and chain */
	xpu_pci_place pci;
	int numa;   /* numa_node; -1 unknown */
	xpu_status why; /* why the PCI hierarchy is unknown */
} place;

static const char *const kind_names[XPU_LINK_COUNT] = {
	[XPU_LINK_UNKNOWN] = "unknown", [XPU_LINK_SELF] = "self",   [XPU_LINK_NVLINK] = "nvlink",
	[XPU_LINK_XGMI] = "xgmi",       [XPU_LINK_XELINK] = "xelink", [XPU_LINK_PIX] = "pix",
	[XPU_LINK_PXB] = "pxb",         [XPU_LINK_PHB] = "phb",     [XPU_LINK_NODE] = "node",
	[XPU_LINK_SYS] = "sys",
};

const char *xpu_link_kind_name(xpu_link_kind k)
{
	return (unsigned)k < XPU_LINK_COUNT ? kind_names[k] : "unknown";
}

const char *xpu_link_label(const xpu_link *l, char *buf, size_t len)
{
	static const char *const letters[XPU_LINK_COUNT] = {
		[XPU_LINK_UNKNOWN] = "?", [XPU_LINK_SELF] = "X",     [XPU_LINK_NVLINK] = "NV",
		[XPU_LINK_XGMI] = "XGMI", [XPU_LINK_XELINK] = "XL",  [XPU_LINK_PIX] = "PIX",
		[XPU_LINK_PXB] = "PXB",   [XPU_LINK_PHB] = "PHB",    [XPU_LINK_NODE] = "NODE",
		[XPU_LINK_SYS] = "SYS",
	};
	xpu_link_kind k = (unsigned)l->kind < XPU_LINK_COUNT ? l->kind : XPU_LINK_UNKNOWN;
	/* NVLink and Xe Link count their links, as nvidia-smi's NV# does */
	if ((k == XPU_LINK_NVLINK || k == XPU_LINK_XELINK) && l->links)
		snprintf(buf, len, "%s%u", letters[k], l->links);
	else
		xpu_strlcpy(buf, letters[k], len);
	return buf;
}

/* --- each GPU: where it sits, its NUMA node and CPUs --- */

static void read_place(const xsys *s, const char *addr, place *p)
{
	char path[XSYS_PATH_MAX];
	p->numa = -1;
	char mpath[64];
	snprintf(mpath, sizeof(mpath), "/sys/bus/pci/devices/%s", addr);
	xsys_rc rc = xsys_real_path(s, path, sizeof(path), "%s", mpath);
	if (rc != XSYS_OK)
		xpu_read_fail(&p->why, rc, mpath); /* missing, or a loop, a link out of the sysroot */
	else if (!(p->known = xpu_parse_pci_place(path, &p->pci)) ||
		 strcmp(p->pci.chain[p->pci.depth - 1], addr) != 0)
		/* a snapshot's plain folder, or a path without the hierarchy */
		xpu_set_status(&p->why, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "%s is no link into /sys/devices/pci*: PCI hierarchy unknown", addr);
	else
		xpu_set_ok(&p->why);
	p->known = xpu_is_ok(&p->why);
	int64_t numa;
	if (xsys_i64(s, &numa, "/sys/bus/pci/devices/%s/numa_node", addr) == XSYS_OK && numa >= 0)
		p->numa = (int)numa;
}

static void pci_path_text(const place *p, char *out, size_t len)
{
	out[0] = '\0';
	if (!p->known)
		return;
	size_t used = (size_t)snprintf(out, len, "%s", p->pci.root);
	for (size_t i = 0; i < p->pci.depth && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "/%s", p->pci.chain[i]);
}

/* NUMA node and CPUs from sysfs.  numa_node is -1 where the firmware gives
 * no proximity; with one node online that node is the only answer. */
static void sysfs_affinity(const xsys *s, const char *addr, const place *p, unsigned nodes,
			   xpu_topo_device *d)
{
	char text[XSYS_ATTR_MAX];
	char mpath[80];
	snprintf(mpath, sizeof(mpath), "/sys/bus/pci/devices/%s/local_cpulist", addr);
	xsys_rc rc = xsys_text(s, text, sizeof(text), "%s", mpath);
	if (rc == XSYS_OK)
		xpu_set_text(&d->cpu_affinity, "%s", text);
	else
		xpu_read_fail(&d->cpu_affinity.status, rc, mpath);
	if (p->numa >= 0)
		xpu_set_text(&d->numa_affinity, "%d", p->numa);
	else if (nodes == 1)
		xpu_set_text(&d->numa_affinity, "0");
	else
		xpu_set_status(&d->numa_affinity.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "numa_node is -1 (the firmware gives no proximity) on %u nodes", nodes);
	xpu_strlcpy(d->affinity_source, "sysfs", sizeof(d->affinity_source));
	xpu_set_status(&d->gpu_numa_id.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
		       "only NVML says whether a GPU's memory is a NUMA node");
}

static unsigned numa_nodes_online(const xsys *s)
{
	char text[256];
	unsigned n = 0;
	if (xsys_text(s, text, sizeof(text), "/sys/devices/system/node/online") != XSYS_OK ||
	    !xpu_parse_cpulist_count(text, &n))
		return 0;
	return n;
}

static void add_device(const struct xpu_system *sys, const xpu_device *dev, xpu_topology *t,
		       place *p)
{
	xpu_topo_device *d = &t->devices[t->n];
	d->index = dev->index;
	xpu_strlcpy(d->id, dev->id, sizeof(d->id));
	xpu_strlcpy(d->pci_address, dev->pci_address, sizeof(d->pci_address));
	xpu_strlcpy(d->name, xpu_is_ok(&dev->name.status) ? dev->name.value : dev->id,
		    sizeof(d->name));
	d->vendor = dev->vendor;
	if (dev->pci_address[0]) {
		read_place(&sys->sys, dev->pci_address, p);
		pci_path_text(p, d->pci_path, sizeof(d->pci_path));
		sysfs_affinity(&sys->sys, dev->pci_address, p, t->numa_nodes, d);
	} else {
		p->numa = -1;
		xpu_set_status(&p->why, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "%s is no PCI device", dev->id);
		xpu_set_status(&d->cpu_affinity.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "a SoC GPU shares the CPUs' memory");
		d->numa_affinity.status = d->cpu_affinity.status;
		d->gpu_numa_id.status = d->cpu_affinity.status;
	}
	t->n++;
}

/* --- each pair: the PCIe path --- */

/* NODE or SYS for GPUs under different host bridges. */
static void across_bridges(const place *a, const place *b, unsigned nodes, xpu_link *l)
{
	int na = a->numa < 0 && nodes == 1 ? 0 : a->numa;
	int nb = b->numa < 0 && nodes == 1 ? 0 : b->numa;
	if (na < 0 || nb < 0) {
		l->pcie = XPU_LINK_UNKNOWN;
		xpu_set_status(&l->pcie_status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "host bridges %s and %s: numa_node is -1 on %u nodes", a->pci.root,
			       b->pci.root, nodes);
		return;
	}
	l->pcie = na == nb ? XPU_LINK_NODE : XPU_LINK_SYS;
	xpu_set_ok(&l->pcie_status);
}

static void pcie_path(const place *a, const place *b, unsigned nodes, xpu_link *l)
{
	if (!a->known || !b->known) {
		l->pcie = XPU_LINK_UNKNOWN;
		l->pcie_status = a->known ? b->why : a->why;
		return;
	}
	if (strcmp(a->pci.root, b->pci.root) != 0) {
		across_bridges(a, b, nodes, l);
		return;
	}
	/* the functions both sit under (the device itself excluded) */
	size_t common = 0;
	while (common + 1 < a->pci.depth && common + 1 < b->pci.depth &&
	       strcmp(a->pci.chain[common], b->pci.chain[common]) == 0)
		common++;
	size_t below = a->pci.depth - common > b->pci.depth - common ? a->pci.depth - common :
								   b->pci.depth - common;
	l->pcie = common == 0 ? XPU_LINK_PHB : below <= 2 ? XPU_LINK_PIX : XPU_LINK_PXB;
	xpu_set_ok(&l->pcie_status);
}

/* The status of a pair whose fabric no source has answered yet. */
static const char not_asked[] = "fabric not asked";

static bool unanswered(const xpu_status *st)
{
	return st->reason == XPU_R_NOT_PROBED && strcmp(st->detail, not_asked) == 0;
}

/* Which vendors have a fabric, and who tells of it when sysfs does not. */
static void fabric_unknown(const xpu_topo_device *a, const xpu_topo_device *b, xpu_link *l)
{
	if (a->vendor != b->vendor || a->vendor == XPU_VENDOR_OTHER ||
	    (a->vendor != XPU_VENDOR_NVIDIA && a->vendor != XPU_VENDOR_AMD &&
	     a->vendor != XPU_VENDOR_INTEL)) {
		xpu_set_ok(&l->status);
		xpu_set_status(&l->p2p.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       a->vendor != b->vendor ? "GPUs of two vendors" :
							"no peer-to-peer source for this vendor");
		return;
	}
	/* a vendor's source fills these in, or says why not */
	xpu_set_status(&l->status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED, "%s", not_asked);
	l->p2p.status = l->status;
}

static void pair(xpu_topology *t, const place *places, size_t i, size_t j)
{
	xpu_link *l = &t->links[i][j];
	memset(l, 0, sizeof(*l));
	xpu_set_status(&l->bandwidth_gbs.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
		       "no NVLink, xGMI or Xe Link between them");
	if (i == j) {
		l->kind = l->pcie = XPU_LINK_SELF;
		xpu_set_ok(&l->status);
		xpu_set_ok(&l->pcie_status);
		xpu_set_status(&l->p2p.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, "itself");
		return;
	}
	pcie_path(&places[i], &places[j], t->numa_nodes, l);
	l->kind = l->pcie;
	xpu_strlcpy(l->source, "sysfs", sizeof(l->source));
	fabric_unknown(&t->devices[i], &t->devices[j], l);
	if (l->pcie == XPU_LINK_UNKNOWN && xpu_is_ok(&l->status))
		l->status = l->pcie_status;
}

/* --- the fabrics --- */

/* The NVIDIA, AMD or Intel pairs no source answered keep why. */
static void fabric_why(xpu_topology *t, xpu_vendor v, const xpu_status *why)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++) {
			xpu_link *l = &t->links[i][j];
			if (i == j || t->devices[i].vendor != v || t->devices[j].vendor != v ||
			    !unanswered(&l->status))
				continue;
			l->status = *why;
			if (unanswered(&l->p2p.status))
				l->p2p.status = *why;
		}
}

/* Whether discovery may ask runtime k (a live machine, or --runtimes), or why not. */
static bool may_ask(const struct xpu_system *s, xpu_runtime_kind k, xpu_status *why)
{
	const xpu_runtime_info *ri = &s->runtimes[k];
	if (!s->runtimes_probed)
		xpu_set_status(why, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
			       "%s not probed (a sysroot replays files only)", xpu_runtime_name(k));
	else if (!ri->probed)
		xpu_set_status(why, XPU_UNAVAILABLE, XPU_R_NOT_PROBED, "%s not probed (--runtimes)",
			       xpu_runtime_name(k));
	else if (!xpu_is_ok(&ri->status))
		*why = ri->status;
	else
		return true;
	return false;
}

static void fabrics(const struct xpu_system *s, xpu_topology *t)
{
	for (size_t v = 0; v < xpu_vendor_count(); v++) {
		const xpu_vendor_desc *vd = xpu_vendor_desc_of((xpu_vendor)v);
		if (vd && vd->fabric_links)
			vd->fabric_links(&s->sys, t, (xpu_vendor)v);
	}
	xpu_status why;
	if (may_ask(s, XPU_RT_NVML, &why)) {
		xpu_nvml_links(t);
	} else {
		fabric_why(t, XPU_VENDOR_NVIDIA, &why);
		for (size_t i = 0; i < t->n; i++)
			if (t->devices[i].vendor == XPU_VENDOR_NVIDIA)
				t->devices[i].gpu_numa_id.status = why;
	}
	if (may_ask(s, XPU_RT_LEVEL_ZERO, &why))
		xpu_ze_links(t);
	else
		fabric_why(t, XPU_VENDOR_INTEL, &why);
	/* what no source answered */
	xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "no source answered");
	for (size_t v = 0; v < xpu_vendor_count(); v++)
		fabric_why(t, (xpu_vendor)v, &why);
	/* a fabric not known has no known bandwidth either */
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++) {
			xpu_link *l = &t->links[i][j];
			if (!xpu_is_ok(&l->status) && !xpu_is_ok(&l->bandwidth_gbs.status))
				l->bandwidth_gbs.status = l->status;
		}
}

/* --- the discovery cache: the runtimes' answers are kept with theirs --- */

/* The record: t's n devices, then its n x n links. */
static size_t record_size(size_t n)
{
	return n * sizeof(xpu_topo_device) + n * n * sizeof(xpu_link);
}

static void terminate(char *s, size_t len)
{
	s[len - 1] = '\0';
}

#define TERMINATE(a) terminate((a), sizeof(a))

/* Strings read back from a file are ended before use, and kinds bounded, so
 * that a damaged record that passed the checksum by chance cannot overrun. */
static void sanitize_link(xpu_link *l)
{
	TERMINATE(l->status.detail);
	TERMINATE(l->bandwidth_gbs.status.detail);
	TERMINATE(l->pcie_status.detail);
	TERMINATE(l->source);
	TERMINATE(l->p2p.value);
	TERMINATE(l->p2p.status.detail);
	if ((unsigned)l->kind >= XPU_LINK_COUNT)
		l->kind = XPU_LINK_UNKNOWN;
	if ((unsigned)l->pcie >= XPU_LINK_COUNT)
		l->pcie = XPU_LINK_UNKNOWN;
}

static void sanitize_device(xpu_topo_device *d)
{
	TERMINATE(d->id);
	TERMINATE(d->pci_address);
	TERMINATE(d->name);
	TERMINATE(d->pci_path);
	TERMINATE(d->cpu_affinity.value);
	TERMINATE(d->cpu_affinity.status.detail);
	TERMINATE(d->numa_affinity.value);
	TERMINATE(d->numa_affinity.status.detail);
	TERMINATE(d->gpu_numa_id.status.detail);
	TERMINATE(d->affinity_source);
}

/* The fabric part (NVML's NVLink and P2P answers, KFD's, Level Zero's) from
 * the record made under this discovery's fingerprint: the same devices,
 * drivers, libraries and environment give the same links.  The sysfs part
 * just read must name the same devices. */
static bool from_cache(const struct xpu_system *s, xpu_topology *t)
{
	size_t n = t->n, size = record_size(n);
	if (!n)
		return false;
	unsigned char *rec = malloc(size);
	if (!rec || !xpu_cache_record_load(s, "topology", rec, size)) {
		free(rec);
		return false;
	}
	const xpu_topo_device *devs = (const xpu_topo_device *)rec;
	const xpu_link *links = (const xpu_link *)(rec + n * sizeof(xpu_topo_device));
	bool same = true;
	for (size_t i = 0; i < n && same; i++)
		same = strncmp(devs[i].id, t->devices[i].id, sizeof(devs[i].id)) == 0;
	for (size_t i = 0; i < n && same; i++) {
		t->devices[i] = devs[i];
		sanitize_device(&t->devices[i]);
		for (size_t j = 0; j < n; j++) {
			t->links[i][j] = links[i * n + j];
			sanitize_link(&t->links[i][j]);
		}
	}
	free(rec);
	t->from_cache = same;
	return same;
}

static void to_cache(const struct xpu_system *s, const xpu_topology *t)
{
	size_t n = t->n, size = record_size(n);
	unsigned char *rec = n ? malloc(size) : NULL;
	if (!rec)
		return;
	memcpy(rec, t->devices, n * sizeof(xpu_topo_device));
	xpu_link *links = (xpu_link *)(rec + n * sizeof(xpu_topo_device));
	for (size_t i = 0; i < n; i++)
		memcpy(&links[i * n], t->links[i], n * sizeof(xpu_link));
	xpu_cache_record_store(s, "topology", rec, size);
	free(rec);
}

xpu_topology *xpu_topology_of(const xpu_system *sys)
{
	xpu_topology *t = calloc(1, sizeof(*t));
	place *places = calloc(XPU_MAX_DEVICES, sizeof(*places));
	if (!t || !places) {
		free(t);
		free(places);
		return NULL;
	}
	double t0 = xpu_now_ms();
	t->numa_nodes = numa_nodes_online(&sys->sys);
	for (size_t i = 0; i < sys->count && t->n < XPU_MAX_DEVICES; i++)
		if (sys->devices[i].kind != XPU_KIND_CPU)
			add_device(sys, &sys->devices[i], t, &places[t->n]);
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++)
			pair(t, places, i, j);
	free(places);
	xpu_trace_time("topology: sysfs", t0);
	t0 = xpu_now_ms();
	if (!from_cache(sys, t)) {
		fabrics(sys, t);
		to_cache(sys, t);
	}
	xpu_trace_time("topology: fabrics (KFD, NVML, Level Zero)", t0);
	return t;
}

void xpu_topology_free(xpu_topology *t)
{
	free(t);
}

/* --- JSON --- */

static json_t *device_json(const xpu_topo_device *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "index", json_integer(d->index));
	json_object_set_new(o, "id", json_string(d->id));
	json_object_set_new(o, "name", json_string(d->name));
	json_object_set_new(o, "vendor", json_string(xpu_vendor_name(d->vendor)));
	json_object_set_new(o, "pci_path", d->pci_path[0] ? json_string(d->pci_path) : json_null());
	json_object_set_new(o, "cpu_affinity",
			    xpu_json_value(&d->cpu_affinity.status, json_string(d->cpu_affinity.value)));
	json_object_set_new(o, "numa_affinity",
			    xpu_json_value(&d->numa_affinity.status, json_string(d->numa_affinity.value)));
	json_object_set_new(o, "gpu_numa_id", xpu_json_value(&d->gpu_numa_id.status,
						     json_integer((json_int_t)d->gpu_numa_id.value)));
	json_object_set_new(o, "affinity_source", json_string(d->affinity_source));
	return o;
}

static json_t *link_json(const xpu_topology *t, size_t i, size_t j)
{
	const xpu_link *l = &t->links[i][j];
	char label[16];
	json_t *o = json_object();
	json_object_set_new(o, "from", json_integer(t->devices[i].index));
	json_object_set_new(o, "to", json_integer(t->devices[j].index));
	json_object_set_new(o, "label", json_string(xpu_link_label(l, label, sizeof(label))));
	json_object_set_new(o, "kind", xpu_json_value(&l->status, json_string(xpu_link_kind_name(l->kind))));
	if (l->kind != XPU_LINK_UNKNOWN && !xpu_is_ok(&l->status))
		json_object_set_new(o, "known", json_string(xpu_link_kind_name(l->kind)));
	json_object_set_new(o, "source", json_string(l->source));
	json_object_set_new(o, "links", json_integer(l->links));
	json_object_set_new(o, "bandwidth_gbs",
			    xpu_json_value(&l->bandwidth_gbs.status, json_real(l->bandwidth_gbs.value)));
	json_object_set_new(o, "pcie", xpu_json_value(&l->pcie_status,
					      json_string(xpu_link_kind_name(l->pcie))));
	json_object_set_new(o, "p2p", xpu_json_value(&l->p2p.status, json_string(l->p2p.value)));
	return o;
}

json_t *xpu_topology_json_object(const xpu_topology *t)
{
	json_t *root = json_object();
	json_object_set_new(root, "numa_nodes",
			    t->numa_nodes ? json_integer(t->numa_nodes) : json_null());
	json_t *devs = json_array(), *links = json_array(), *matrix = json_array();
	for (size_t i = 0; i < t->n; i++) {
		json_array_append_new(devs, device_json(&t->devices[i]));
		json_t *row = json_array();
		for (size_t j = 0; j < t->n; j++) {
			char label[16];
			json_array_append_new(row, json_string(xpu_link_label(&t->links[i][j], label,
										sizeof(label))));
			if (i != j)
				json_array_append_new(links, link_json(t, i, j));
		}
		json_array_append_new(matrix, row);
	}
	json_object_set_new(root, "links_from_cache", json_boolean(t->from_cache));
	json_object_set_new(root, "devices", devs);
	json_object_set_new(root, "matrix", matrix);
	json_object_set_new(root, "links", links);
	return root;
}

char *xpu_topology_json(const xpu_topology *t, bool pretty)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", json_integer(XPU_SCHEMA_VERSION));
	json_object_set_new(root, "topology", xpu_topology_json_object(t));
	char *out = json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(10));
	json_decref(root);
	return out;
}
