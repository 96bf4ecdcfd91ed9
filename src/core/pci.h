/* What every PCI accelerator has, whatever its vendor: ids, address, driver,
 * names from the PCI id database, family. */
#ifndef XPU_PCI_H
#define XPU_PCI_H

#include "sys/sys.h"
#include "xpu/xpu.h"

/* The PCI id database, opened at the first name that xpu's own table lacks. */

/* Reads dir/uevent (dir is a machine path such as
 * "/sys/bus/pci/devices/0000:03:00.0") into dev: ids, class, driver.
 * Returns false when uevent has no PCI_SLOT_NAME (not a PCI device). */
bool xpu_pci_read_uevent(const xsys *s, const char *dir, char *address, size_t len);
void xpu_pci_fill(const xsys *s, xpu_device *dev, const char *dir);
/* The PCI database's names of dev, and dev->name from them unless a driver
 * already named it. */
void xpu_pci_names(xpu_device *dev);

/* Whether a PCI class (sysfs `class`: 0xCCSSPP) is one an accelerator has:
 * display (VGA, 3D) or processing accelerator. */
static inline bool xpu_pci_accelerator_class(uint64_t cls)
{
	unsigned base = (unsigned)(cls >> 16);
	return base == 0x03 || base == 0x12;
}

#endif
