/* AMD's fabric links from the KFD topology in sysfs (amd_kfd.c), the AMD
 * descriptor's fabric_links. */
#ifndef XPU_VENDORS_AMD_KFD_H
#define XPU_VENDORS_AMD_KFD_H

#include "sys/sys.h"
#include "xpu/topology.h"

void xpu_amd_fabric_links(const xsys *s, xpu_topology *t, xpu_vendor v);

#endif
