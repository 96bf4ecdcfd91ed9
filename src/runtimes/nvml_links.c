/* NVML's view of the links between NVIDIA GPUs (runtimes/links.h), through
 * the one NVML symbol table (nvml_api.h).  Per GPU, each NVLink's state and
 * what is at its far end (nvmlDeviceGetNvLinkRemoteDeviceType, else its PCI
 * address): another GPU of ours, or an NVSwitch.  A pair's NVLinks are its
 * direct links plus, where both reach NVSwitches, the fewer of their switch
 * links: on an HGX board every GPU has 18 links into the switches, and
 * `nvidia-smi topo -m` shows NV18 between every pair.  The per-link rate is
 * NVML_FI_DEV_NVLINK_SPEED_MBPS_COMMON (`nvidia-smi nvlink -s`). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "runtimes/links.h"
#include "runtimes/nvml_api.h"
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"
#include "sys/parse.h"

enum { NV_INVALID_ARGUMENT = 2 };

/* What NVML says of one GPU of the topology. */
typedef struct nv_gpu {
	xnv_device h;        /* NULL: NVML does not list it */
	unsigned to_switch;  /* active links to an NVSwitch */
	unsigned to_gpu[XPU_MAX_DEVICES]; /* active links straight to row j */
	double link_gbs;     /* per link and direction; 0 unknown */
	xpu_status nvlink;   /* OK, or why its links are unknown */
} nv_gpu;

/* The row of t whose PCI address NVML's bus id names; -1 none. */
static int row_of(const xpu_topology *t, const char *bus_id)
{
	char addr[16];
	if (!xpu_pci_normalize(bus_id, addr, sizeof(addr)))
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->devices[i].pci_address, addr) == 0)
			return (int)i;
	return -1;
}

static void handles(const xpu_nvml_api *a, const xpu_topology *t, nv_gpu *g)
{
	unsigned count = 0;
	if (a->count(&count) != XNV_SUCCESS)
		return;
	for (unsigned i = 0; i < count; i++) {
		xnv_device h = NULL;
		xnv_pci_info pci;
		memset(&pci, 0, sizeof(pci));
		if (a->handle(i, &h) != XNV_SUCCESS || !h || !a->pci || a->pci(h, &pci) != XNV_SUCCESS)
			continue;
		char bus[sizeof(pci.bus_id) + 1];
		xpu_strlcpy_n(bus, sizeof(bus), pci.bus_id, sizeof(pci.bus_id));
		int row = row_of(t, bus);
		if (row >= 0 && t->devices[row].vendor == XPU_VENDOR_NVIDIA)
			g[row].h = h;
	}
}

/* One active link: to which GPU of ours, or to a switch. */
static void far_end(const xpu_nvml_api *a, const xpu_topology *t, nv_gpu *g, unsigned link)
{
	int type = -1;
	if (a->nvlink_remote_type && a->nvlink_remote_type(g->h, link, &type) == XNV_SUCCESS &&
	    type == XNV_NVLINK_DEVICE_TYPE_SWITCH) {
		g->to_switch++;
		return;
	}
	xnv_pci_info pci;
	memset(&pci, 0, sizeof(pci));
	if (!a->nvlink_remote_pci || a->nvlink_remote_pci(g->h, link, &pci) != XNV_SUCCESS)
		return;
	char bus[sizeof(pci.bus_id) + 1];
	xpu_strlcpy_n(bus, sizeof(bus), pci.bus_id, sizeof(pci.bus_id));
	int row = row_of(t, bus);
	if (row >= 0)
		g->to_gpu[row]++;
	/* else a GPU this machine does not show (a VM given part of a board) */
}

static double link_rate(const xpu_nvml_api *a, xnv_device h)
{
	xnv_field_value f;
	memset(&f, 0, sizeof(f));
	f.field_id = XNV_FI_NVLINK_SPEED_MBPS_COMMON;
	if (!a->field_values || a->field_values(h, 1, &f) != XNV_SUCCESS ||
	    f.nvml_return != XNV_SUCCESS)
		return 0;
	return xnv_field_number(&f) / 1000.0;
}

static void nvlinks(const xpu_nvml_api *a, const xpu_topology *t, nv_gpu *g)
{
	if (!a->nvlink_state) {
		xpu_nvml_why(&g->nvlink, "nvmlDeviceGetNvLinkState", false, -1);
		return;
	}
	for (unsigned link = 0; link < XNV_NVLINK_MAX_LINKS; link++) {
		int active = 0;
		xnv_return rc = a->nvlink_state(g->h, link, &active);
		if (rc == NV_INVALID_ARGUMENT)
			break; /* no link of that number on this GPU */
		if (rc == XNV_ERROR_NOT_SUPPORTED)
			continue; /* a GPU without NVLink answers so for every link */
		if (rc != XNV_SUCCESS) {
			xpu_nvml_why(&g->nvlink, "nvmlDeviceGetNvLinkState", true, rc);
			return;
		}
		if (active)
			far_end(a, t, g, link);
	}
	g->link_gbs = link_rate(a, g->h);
	xpu_set_ok(&g->nvlink);
}

/* CPU and memory affinity, and the GPU's own NUMA node. */
static void affinity(const xpu_nvml_api *a, const nv_gpu *g, xpu_topo_device *d)
{
	unsigned long mask[64];
	char list[XPU_TEXT_LEN];
	memset(mask, 0, sizeof(mask));
	if (a->cpu_affinity && a->cpu_affinity(g->h, 64, mask) == XNV_SUCCESS &&
	    xpu_cpulist_from_mask(mask, 64, list, sizeof(list))) {
		xpu_set_text(&d->cpu_affinity, "%s", list);
		xpu_strlcpy(d->affinity_source, "nvml", sizeof(d->affinity_source));
	}
	memset(mask, 0, sizeof(mask));
	if (a->memory_affinity &&
	    a->memory_affinity(g->h, 64, mask, XNV_AFFINITY_SCOPE_NODE) == XNV_SUCCESS &&
	    xpu_cpulist_from_mask(mask, 64, list, sizeof(list)))
		xpu_set_text(&d->numa_affinity, "%s", list);
	unsigned node = 0;
	xnv_return rc = a->numa_node_id ? a->numa_node_id(g->h, &node) : -1;
	xpu_nvml_set_uint(&d->gpu_numa_id, "nvmlDeviceGetNumaNodeId", a->numa_node_id, rc, node);
}

static const char *p2p_letters(int status)
{
	/* nvmlGpuP2PStatus_t, as `nvidia-smi topo -p2p` writes them */
	static const char *const letters[] = { "OK", "CNS", "GNS", "TNS", "NS", "NS", "U" };
	return status >= 0 && status < 7 ? letters[status] : "U";
}

static xpu_link_kind pcie_of_level(int level)
{
	if (level <= XNV_TOPOLOGY_SINGLE)
		return XPU_LINK_PIX; /* INTERNAL: two GPUs of one board */
	if (level <= XNV_TOPOLOGY_MULTIPLE)
		return XPU_LINK_PXB;
	if (level <= XNV_TOPOLOGY_HOSTBRIDGE)
		return XPU_LINK_PHB;
	return level <= XNV_TOPOLOGY_NODE ? XPU_LINK_NODE : XPU_LINK_SYS;
}

static void pair_p2p_pcie(const xpu_nvml_api *a, const nv_gpu *gi, const nv_gpu *gj, xpu_link *l)
{
	int status = 0, level = 0;
	xnv_return rc = a->p2p_status ? a->p2p_status(gi->h, gj->h, XNV_P2P_CAPS_INDEX_READ, &status)
				      : -1;
	if (a->p2p_status && rc == XNV_SUCCESS)
		xpu_set_text(&l->p2p, "%s", p2p_letters(status));
	else
		xpu_nvml_why(&l->p2p.status, "nvmlDeviceGetP2PStatus", a->p2p_status, rc);
	rc = a->common_ancestor ? a->common_ancestor(gi->h, gj->h, &level) : -1;
	if (a->common_ancestor && rc == XNV_SUCCESS) {
		l->pcie = pcie_of_level(level);
		xpu_set_ok(&l->pcie_status);
	}
}

static void pair_links(const nv_gpu *gi, const nv_gpu *gj, size_t j, xpu_link *l)
{
	if (!xpu_is_ok(&gi->nvlink) || !xpu_is_ok(&gj->nvlink)) {
		l->status = xpu_is_ok(&gi->nvlink) ? gj->nvlink : gi->nvlink;
		l->kind = l->pcie;
		return;
	}
	unsigned n = gi->to_gpu[j];
	if (gi->to_switch && gj->to_switch)
		n += gi->to_switch < gj->to_switch ? gi->to_switch : gj->to_switch;
	xpu_set_ok(&l->status);
	xpu_strlcpy(l->source, "nvml", sizeof(l->source));
	l->links = n;
	if (!n) {
		l->kind = l->pcie;
		return;
	}
	l->kind = XPU_LINK_NVLINK;
	double rate = gi->link_gbs < gj->link_gbs || !gj->link_gbs ? gi->link_gbs : gj->link_gbs;
	if (rate > 0)
		xpu_set_real(&l->bandwidth_gbs, n * rate);
	else
		xpu_set_status(&l->bandwidth_gbs.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "NVML gives no NVLink speed (field 90)");
}

static void not_listed(xpu_topology *t, const nv_gpu *g)
{
	xpu_status why;
	xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE, "not among the GPUs %s lists",
		       xpu_runtime_desc_of(XPU_RT_NVML)->libraries[0]);
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++)
			if (i != j && (!g[i].h || !g[j].h) &&
			    t->devices[i].vendor == XPU_VENDOR_NVIDIA &&
			    t->devices[j].vendor == XPU_VENDOR_NVIDIA) {
				t->links[i][j].status = why;
				t->links[i][j].p2p.status = why;
			}
}

/* One GPU's part, in a thread of its own: its links and affinity, then its
 * row of pairs (P2P status, common ancestor).  NVML is thread-safe, and
 * each call waits on the driver: on the 2-GPU H200 the links of one GPU
 * took about 10 ms. */
typedef struct nv_job {
	const xpu_nvml_api *a;
	xpu_topology *t;
	nv_gpu *g;
	size_t i;
	int phase;
	pthread_t thread;
	bool threaded;
} nv_job;

static void *nv_job_run(void *arg)
{
	nv_job *j = arg;
	nv_gpu *gi = &j->g[j->i];
	if (!gi->h)
		return NULL;
	if (j->phase == 0) {
		nvlinks(j->a, j->t, gi);
		affinity(j->a, gi, &j->t->devices[j->i]);
		return NULL;
	}
	for (size_t k = 0; k < j->t->n; k++)
		if (k != j->i && j->g[k].h) {
			pair_p2p_pcie(j->a, gi, &j->g[k], &j->t->links[j->i][k]);
			pair_links(gi, &j->g[k], k, &j->t->links[j->i][k]);
		}
	return NULL;
}

/* Runs a phase for every GPU side by side; a thread that cannot start runs
 * its GPU here. */
static void side_by_side(const xpu_nvml_api *a, xpu_topology *t, nv_gpu *g, int phase)
{
	nv_job jobs[XPU_MAX_DEVICES];
	bool serial = xpu_rt_serial();
	for (size_t i = 0; i < t->n; i++) {
		jobs[i] = (nv_job){ .a = a, .t = t, .g = g, .i = i, .phase = phase };
		if (i > 0 && g[i].h && !serial)
			jobs[i].threaded = pthread_create(&jobs[i].thread, NULL, nv_job_run, &jobs[i]) == 0;
	}
	for (size_t i = 0; i < t->n; i++)
		if (!jobs[i].threaded)
			nv_job_run(&jobs[i]);
	for (size_t i = 0; i < t->n; i++)
		if (jobs[i].threaded)
			pthread_join(jobs[i].thread, NULL);
}

void xpu_nvml_links(xpu_topology *t)
{
	const xpu_nvml_api *a = xpu_nvml_api_get();
	xnv_return rc = a->lib.handle && a->init && a->count && a->handle ? a->init() : -1;
	if (rc != XNV_SUCCESS) {
		/* the probe's answer came from the discovery cache: NVML fails now */
		xpu_status why;
		if (rc == -1)
			xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING, "%s", a->lib.error);
		else
			xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "nvmlInit_v2: error %d",
				       rc);
		for (size_t i = 0; i < t->n; i++)
			for (size_t j = 0; j < t->n; j++)
				if (i != j && t->devices[i].vendor == XPU_VENDOR_NVIDIA &&
				    t->devices[j].vendor == XPU_VENDOR_NVIDIA)
					t->links[i][j].status = t->links[i][j].p2p.status = why;
		return;
	}
	nv_gpu *g = calloc(XPU_MAX_DEVICES, sizeof(*g)); /* 130 KB: not on the stack */
	if (!g)
		return;
	double t0 = xpu_now_ms();
	handles(a, t, g);
	xpu_trace_time("topology: nvml handles", t0);
	t0 = xpu_now_ms();
	side_by_side(a, t, g, 0);
	xpu_trace_time("topology: nvml links and affinity", t0);
	t0 = xpu_now_ms();
	/* after every GPU's links: a pair needs both ends */
	side_by_side(a, t, g, 1);
	xpu_trace_time("topology: nvml pairs", t0);
	not_listed(t, g);
	free(g);
}
