/* AMD's fabric from sysfs (the vendor's fabric_links): the KFD topology
 * (/sys/class/kfd/kfd/topology/nodes/N), where amdgpu lists each GPU as a
 * node (gpu_id non-zero; properties "location_id" = PCI bus << 8 | devfn and
 * "domain") and each node's links in io_links/M/properties ("type",
 * "node_to", "max_bandwidth" in MB/s, "flags").  Link type 11 is xGMI
 * (CRAT_IOLINK_TYPE_XGMI, drivers/gpu/drm/amd/amdkfd/kfd_crat.h); flag bit 4
 * is CRAT_IOLINK_FLAGS_NO_PEER_TO_PEER_DMA.  PCIe peer access shows in
 * p2p_links/M (kernel 6.2 and later, kfd_topology.c).  Where KFD is absent,
 * two GPUs whose xgmi_hive_info/xgmi_hive_id agree (amdgpu_xgmi.c) are in
 * one xGMI hive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"
#include "vendors/amd_kfd.h"
#include "vendors/vendor.h"

#define KFD_NODES "/sys/class/kfd/kfd/topology/nodes"

enum { KFD_LINK_XGMI = 11, KFD_FLAG_NO_P2P = 1u << 4 };

/* "key value" lines, as kfd_topology.c's sysfs_show_32bit_prop writes them. */
static bool prop(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, n) != 0 || line[n] != ' ')
			continue;
		char val[32];
		size_t len = strcspn(line + n + 1, "\n");
		snprintf(val, sizeof(val), "%.*s", (int)(len < sizeof(val) ? len : sizeof(val) - 1),
			 line + n + 1);
		return xpu_parse_u64(val, v);
	}
	return false;
}

/* The row of t that KFD node N is; -1 for a CPU node or one not listed. */
static int node_row(const xsys *s, const xpu_topology *t, const char *node)
{
	char *text = NULL;
	size_t text_len = 0;
	uint64_t gpu_id = 0, loc = 0, domain = 0;
	if (xsys_u64(s, &gpu_id, KFD_NODES "/%s/gpu_id", node) != XSYS_OK || !gpu_id ||
	    xsys_slurp(s, &text, &text_len, 1 << 16, KFD_NODES "/%s/properties", node) != XSYS_OK)
		return -1;
	bool ok = prop(text, "location_id", &loc);
	prop(text, "domain", &domain);
	free(text);
	if (!ok)
		return -1;
	char addr[16];
	snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", (unsigned)(domain & 0xffff),
		 (unsigned)(loc >> 8 & 0xff), (unsigned)(loc >> 3 & 0x1f), (unsigned)(loc & 7));
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->devices[i].pci_address, addr) == 0)
			return (int)i;
	return -1;
}

/* One io_link (or p2p_link) of row i. */
static void one_link(const char *text, const int *rows, size_t nodes, xpu_topology *t, int i,
		     bool p2p_dir)
{
	uint64_t type = 0, to = 0, bw = 0, flags = 0;
	if (!prop(text, "node_to", &to) || to >= nodes || rows[to] < 0)
		return;
	prop(text, "type", &type);
	prop(text, "max_bandwidth", &bw);
	prop(text, "flags", &flags);
	xpu_link *l = &t->links[i][rows[to]];
	if (type == KFD_LINK_XGMI) {
		l->kind = XPU_LINK_XGMI;
		l->links = 0; /* KFD gives the bandwidth, not the link count */
		if (bw)
			xpu_set_real(&l->bandwidth_gbs, (double)bw / 1000.0);
	}
	if ((type == KFD_LINK_XGMI || p2p_dir) && !(flags & KFD_FLAG_NO_P2P))
		xpu_set_text(&l->p2p, "OK");
	else if (flags & KFD_FLAG_NO_P2P)
		xpu_set_text(&l->p2p, "NS");
}

static void node_links(const xsys *s, const char *node, const char *dir, const int *rows,
		       size_t nodes, xpu_topology *t, int i)
{
	xsys_names links;
	xsys_list(s, &links, KFD_NODES "/%s/%s", node, dir);
	for (size_t k = 0; k < links.count; k++) {
		char *text = NULL;
		size_t text_len = 0;
		if (xsys_slurp(s, &text, &text_len, 1 << 16, KFD_NODES "/%s/%s/%s/properties", node, dir,
			       links.names[k]) != XSYS_OK)
			continue;
		one_link(text, rows, nodes, t, i, strcmp(dir, "p2p_links") == 0);
		free(text);
	}
	xsys_names_free(&links);
}

/* Pairs KFD lists: answered (xGMI or not), and their P2P where it says. */
static void kfd_answered(xpu_topology *t, const bool *listed)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++) {
			xpu_link *l = &t->links[i][j];
			if (i == j || !listed[i] || !listed[j])
				continue;
			xpu_set_ok(&l->status);
			xpu_strlcpy(l->source, "kfd", sizeof(l->source));
			if (l->kind != XPU_LINK_XGMI)
				l->kind = l->pcie;
			if (!xpu_is_ok(&l->p2p.status))
				xpu_set_status(&l->p2p.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
					       "KFD lists no peer link (p2p_links: kernel 6.2+)");
		}
}

/* Without KFD: the xGMI hive each GPU belongs to. */
static void hives(const xsys *s, xpu_topology *t, xpu_vendor v)
{
	uint64_t hive[XPU_MAX_DEVICES] = { 0 };
	for (size_t i = 0; i < t->n; i++)
		if (t->devices[i].vendor == v && t->devices[i].pci_address[0])
			xsys_u64(s, &hive[i], "/sys/bus/pci/devices/%s/xgmi_hive_info/xgmi_hive_id",
				 t->devices[i].pci_address);
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++) {
			xpu_link *l = &t->links[i][j];
			if (i == j || !hive[i] || hive[i] != hive[j])
				continue;
			l->kind = XPU_LINK_XGMI;
			xpu_strlcpy(l->source, "xgmi_hive_info", sizeof(l->source));
			xpu_set_status(&l->status, XPU_UNAVAILABLE, XPU_R_FILE_MISSING,
				       "one xGMI hive; links unknown without " KFD_NODES);
		}
}

void xpu_amd_fabric_links(const xsys *s, xpu_topology *t, xpu_vendor v)
{
	xsys_names nodes;
	xsys_rc rc = xsys_list(s, &nodes, KFD_NODES);
	int *rows = calloc(nodes.count ? nodes.count : 1, sizeof(int));
	bool listed[XPU_MAX_DEVICES] = { false };
	for (size_t k = 0; rows && k < nodes.count; k++)
		rows[k] = -1;
	for (size_t k = 0; rows && k < nodes.count; k++) {
		/* node folders are numbers: the io_links' node_to */
		uint64_t id;
		if (xpu_parse_u64(nodes.names[k], &id) && id < nodes.count)
			rows[id] = node_row(s, t, nodes.names[k]);
	}
	for (size_t k = 0; rows && k < nodes.count; k++) {
		uint64_t id;
		if (!xpu_parse_u64(nodes.names[k], &id) || id >= nodes.count || rows[id] < 0)
			continue;
		listed[rows[id]] = t->devices[rows[id]].vendor == v;
		node_links(s, nodes.names[k], "io_links", rows, nodes.count, t, rows[id]);
		node_links(s, nodes.names[k], "p2p_links", rows, nodes.count, t, rows[id]);
	}
	free(rows);
	xsys_names_free(&nodes);
	if (rc == XSYS_OK) {
		kfd_answered(t, listed);
		return;
	}
	hives(s, t, v);
	xpu_status why;
	xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_FILE_MISSING,
		       KFD_NODES " (amdgpu's KFD not loaded)");
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++)
			if (i != j && t->devices[i].vendor == v && t->devices[j].vendor == v &&
			    t->links[i][j].status.reason == XPU_R_NOT_PROBED) {
				t->links[i][j].status = why;
				t->links[i][j].p2p.status = why;
			}
}
