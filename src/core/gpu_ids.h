/* What xpu knows about GPU PCI ids: the architecture family of each, and
 * names of accelerators newer than the PCI id databases that distributions
 * still ship (Debian 12's is from April 2023: no Battlemage, no H200). */
#ifndef XPU_GPU_IDS_H
#define XPU_GPU_IDS_H

#include <stdint.h>

#include "xpu/xpu.h"

typedef struct xpu_gpu_family {
	uint16_t vendor;
	uint16_t first, last;   /* inclusive device id range */
	const char *family;     /* "Battlemage (Xe2-HPG)" */
	xpu_kind kind;
	const char *unit_name;  /* what its compute units are called */
} xpu_gpu_family;

/* NULL when the id is in no known range. */
const xpu_gpu_family *xpu_gpu_family_of(uint16_t vendor, uint16_t device);

/* The PCI-database-style device name ("Battlemage G21 [Arc B580]") from
 * xpu's own table, or NULL. */
const char *xpu_gpu_known_name(uint16_t vendor, uint16_t device);

/* "Battlemage G21 [Arc B580]" -> "Arc B580"; a name without brackets is
 * copied whole. */
void xpu_gpu_short_name(const char *pci_name, char *out, size_t len);

#endif
