/* libxpu topology: how the accelerators of one machine connect to each other
 * and to the CPUs (`xpu topo`, and "topology" in `xpu list --json`).
 *
 * For each pair of GPUs: the fastest path between them, in the categories
 * and letters of `nvidia-smi topo -m` (X, NV#, PIX, PXB, PHB, NODE, SYS) plus
 * XGMI (AMD Infinity Fabric) and XL (Intel Xe Link); whether peer-to-peer
 * access works; and, apart, the PCIe path alone.  For each GPU: its NUMA
 * node and the CPUs next to it.  Sources: the PCI hierarchy in sysfs (the
 * bridges between two devices, numa_node, local_cpulist), NVML (NVLink,
 * P2P status, affinity), AMD's KFD topology (io_links of type xGMI) and
 * Level Zero's fabric ports.  Every value that no source gave says why. */
#ifndef XPU_TOPOLOGY_H
#define XPU_TOPOLOGY_H

#include "xpu/xpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds of path between two devices, fastest first after SELF. */
typedef enum xpu_link_kind {
	XPU_LINK_UNKNOWN = 0,
	XPU_LINK_SELF,   /* X */
	XPU_LINK_NVLINK, /* NV#: a bonded set of # NVLinks (direct or through NVSwitches) */
	XPU_LINK_XGMI,   /* XGMI: AMD Infinity Fabric (KFD io_link type 11) */
	XPU_LINK_XELINK, /* XL: Intel Xe Link (Level Zero fabric ports) */
	XPU_LINK_PIX,    /* at most one PCIe switch */
	XPU_LINK_PXB,    /* several PCIe switches, no host bridge */
	XPU_LINK_PHB,    /* through a PCIe host bridge (the CPU) */
	XPU_LINK_NODE,   /* between host bridges of one NUMA node */
	XPU_LINK_SYS,    /* across the interconnect between NUMA nodes (UPI, xGMI of CPUs) */
	XPU_LINK_COUNT
} xpu_link_kind;

/* The path from one device to another. */
typedef struct xpu_link {
	xpu_link_kind kind;       /* the fastest known path; UNKNOWN with status */
	xpu_status status;        /* OK, or why the fastest path is not known */
	unsigned links;           /* NVLink/xGMI/Xe Link links between them; 0 none */
	xpu_real bandwidth_gbs;   /* those links together, GB/s per direction */
	xpu_link_kind pcie;       /* the PCIe path alone (PIX..SYS) */
	xpu_status pcie_status;
	char source[24];          /* what said kind: "nvml", "sysfs", "kfd", "level_zero" */
	/* Peer-to-peer reads as NVML answers them ("OK", "CNS", "GNS", "TNS",
	 * "NS", "U": `nvidia-smi topo -p2p r`), or as KFD says. */
	xpu_text p2p;
} xpu_link;

typedef struct xpu_topo_device {
	unsigned index;               /* as `xpu list` numbers it */
	char id[40];
	char pci_address[16];         /* "" for a SoC GPU */
	char name[XPU_TEXT_LEN];
	xpu_vendor vendor;
	char pci_path[160];           /* "pci0000:00/0000:00:01.0/0000:03:00.0"; "" unknown */
	xpu_text cpu_affinity;        /* "0-31": the CPUs next to it */
	xpu_text numa_affinity;       /* "0": the NUMA node(s) of its memory traffic */
	xpu_uint gpu_numa_id;         /* the GPU's own memory as a NUMA node (Grace Hopper) */
	char affinity_source[24];     /* "nvml" or "sysfs": what said the affinities */
} xpu_topo_device;

typedef struct xpu_topology {
	size_t n;                     /* GPUs (the CPU is no row) */
	xpu_topo_device devices[XPU_MAX_DEVICES];
	xpu_link links[XPU_MAX_DEVICES][XPU_MAX_DEVICES]; /* [from][to] */
	unsigned numa_nodes;          /* NUMA nodes online; 0 unknown */
	/* The runtimes' links came from the discovery cache (kept with the
	 * backends, under the same fingerprint; --refresh asks again). */
	bool from_cache;
} xpu_topology;

/* The topology of the system's GPUs: sysfs always (the sysroot's under
 * --sysroot), the runtimes' answers where discovery probed them.  NULL only
 * when memory ran out. */
xpu_topology *xpu_topology_of(const xpu_system *sys);
void xpu_topology_free(xpu_topology *t);

/* "NV18", "PIX", "X", "XGMI", "XL2"; "?" for an unknown link. */
const char *xpu_link_label(const xpu_link *l, char *buf, size_t len);
/* The kind's stable name: "nvlink", "pix", "sys", "unknown". */
const char *xpu_link_kind_name(xpu_link_kind k);

/* JSON of the topology (jansson string, caller frees with free()). */
char *xpu_topology_json(const xpu_topology *t, bool pretty);

#ifdef __cplusplus
}
#endif
#endif
