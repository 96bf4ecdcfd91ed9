/* The registry: every vendor's descriptor, in the order of the one list in
 * src/vendors/meson.build (vendors/vendor_list.h is generated from it), so
 * that a vendor's index is its xpu_vendor. */
#include <string.h>

#include "base/util.h"
#include "vendors/vendor.h"
#include "vendors/vendor_list.h"

#define XPU_VENDOR_DECLARE(name) extern const xpu_vendor_desc xpu_vendor_desc_##name;
XPU_VENDOR_LIST(XPU_VENDOR_DECLARE)

#define XPU_VENDOR_ENTRY(name) &xpu_vendor_desc_##name,
static const xpu_vendor_desc *const registry[] = { XPU_VENDOR_LIST(XPU_VENDOR_ENTRY) };

#define XPU_VENDOR_INDEX(name) vendor_index_##name,
enum { XPU_VENDOR_LIST(XPU_VENDOR_INDEX) vendor_index_count };

/* The vendors other layers name (include/xpu/xpu.h) sit at their values. */
#define XPU_VENDOR_AT(name, value)                                                       \
	_Static_assert((int)vendor_index_##name == (int)(value),                          \
		       #name " must stay at " #value " in src/vendors/meson.build's list")
XPU_VENDOR_AT(cpu, XPU_VENDOR_CPU);
XPU_VENDOR_AT(intel, XPU_VENDOR_INTEL);
XPU_VENDOR_AT(nvidia, XPU_VENDOR_NVIDIA);
XPU_VENDOR_AT(amd, XPU_VENDOR_AMD);
XPU_VENDOR_AT(other, XPU_VENDOR_OTHER);

const xpu_vendor_desc *xpu_vendor_desc_of(xpu_vendor v)
{
	return (unsigned)v < XPU_ARRAY_LEN(registry) ? registry[v] : NULL;
}

size_t xpu_vendor_count(void)
{
	return XPU_ARRAY_LEN(registry);
}

const char *xpu_vendor_name(xpu_vendor v)
{
	const xpu_vendor_desc *d = xpu_vendor_desc_of(v);
	return d ? d->id : "unknown";
}

static bool has_pci_id(const xpu_vendor_desc *d, uint16_t id)
{
	for (const uint16_t *p = d->pci_vendor_ids; p && *p; p++)
		if (*p == id)
			return true;
	return false;
}

static bool has_driver(const xpu_vendor_desc *d, const char *driver)
{
	for (const char *const *p = d->drivers; p && *p && driver && *driver; p++)
		if (strcmp(*p, driver) == 0)
			return true;
	return false;
}

static bool has_compatible(const xpu_vendor_desc *d, const char *compatible)
{
	for (const char *const *p = d->compatible_prefixes; p && *p && compatible; p++)
		if (xpu_compatible_find(compatible, *p))
			return true;
	return false;
}

xpu_vendor xpu_vendor_of_pci_id(unsigned pci_vendor_id)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(registry); i++)
		if (pci_vendor_id && has_pci_id(registry[i], (uint16_t)pci_vendor_id))
			return (xpu_vendor)i;
	return XPU_VENDOR_OTHER;
}

xpu_vendor xpu_vendor_identify(uint16_t pci_vendor_id, const char *driver, const char *compatible)
{
	if (pci_vendor_id)
		return xpu_vendor_of_pci_id(pci_vendor_id);
	for (size_t i = 0; i < XPU_ARRAY_LEN(registry); i++)
		if (has_driver(registry[i], driver))
			return (xpu_vendor)i;
	for (size_t i = 0; i < XPU_ARRAY_LEN(registry); i++)
		if (has_compatible(registry[i], compatible))
			return (xpu_vendor)i;
	return XPU_VENDOR_OTHER;
}

const char *xpu_compatible_find(const char *compatible, const char *prefix)
{
	for (const char *c = compatible; c && *c; c += strlen(c) + 1)
		if (xpu_starts_with(c, prefix))
			return c;
	return NULL;
}
