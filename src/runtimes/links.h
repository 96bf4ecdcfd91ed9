/* What the vendor runtimes say of the links between GPUs, for the topology
 * (src/core/topology.c): NVML for NVIDIA (NVLinks direct or through
 * NVSwitches, P2P status, the PCIe common ancestor, CPU and memory
 * affinity), Level Zero's Sysman fabric ports for Intel (Xe Link).  Each
 * fills the pairs of its vendor's GPUs in t that it can answer; the others
 * keep the status they had, or get the runtime's reason. */
#ifndef XPU_RUNTIMES_LINKS_H
#define XPU_RUNTIMES_LINKS_H

#include "xpu/topology.h"

void xpu_nvml_links(xpu_topology *t);
void xpu_ze_links(xpu_topology *t);

#endif
