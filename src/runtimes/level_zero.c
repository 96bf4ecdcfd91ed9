/* oneAPI Level Zero (libze_loader.so.1): backend level_zero on Intel GPUs.
 *
 * <level_zero/ze_api.h> (libze-dev) supplies the types only; every call goes
 * through dlsym, so the loader is never a link-time dependency. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <dlfcn.h>
#include <level_zero/ze_api.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"

typedef struct ze_api {
	ze_result_t (*init)(ze_init_flags_t flags);
	ze_result_t (*driver_get)(uint32_t *count, ze_driver_handle_t *drivers);
	ze_result_t (*api_version)(ze_driver_handle_t drv, ze_api_version_t *version);
	ze_result_t (*device_get)(ze_driver_handle_t drv, uint32_t *count, ze_device_handle_t *devs);
	ze_result_t (*props)(ze_device_handle_t dev, ze_device_properties_t *props);
	ze_result_t (*pci)(ze_device_handle_t dev, ze_pci_ext_properties_t *props); /* optional */
	ze_result_t (*memory)(ze_device_handle_t dev, uint32_t *count,
			      ze_device_memory_properties_t *props); /* optional */
} ze_api;

static const char *const ze_libs[] = {"libze_loader.so.1", "libze_loader.so", NULL};
#define ZE_HINT "libze_loader.so.1 (install libze1)"
#define ZE_MAX_DRIVERS 8
#define ZE_MAX_DEVS 32

static int ze_load(void *lib, ze_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->init, "zeInit", NULL);
	xpu_dl_fn(lib, &a->driver_get, "zeDriverGet", NULL);
	xpu_dl_fn(lib, &a->api_version, "zeDriverGetApiVersion", NULL);
	xpu_dl_fn(lib, &a->device_get, "zeDeviceGet", NULL);
	xpu_dl_fn(lib, &a->props, "zeDeviceGetProperties", NULL);
	xpu_dl_fn(lib, &a->pci, "zeDevicePciGetPropertiesExt", NULL);
	xpu_dl_fn(lib, &a->memory, "zeDeviceGetMemoryProperties", NULL);
	return a->init && a->driver_get && a->device_get && a->props;
}

static void ze_mark_applies(struct xpu_system *s)
{
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (d->vendor == XPU_VENDOR_INTEL && d->kind != XPU_KIND_CPU)
			xpu_rt_applies(d, XPU_BACKEND_LEVEL_ZERO);
	}
}

/* Whether Intel's GPU driver for Level Zero is installed: the loader says
 * 0x78000001 both when it has no driver and when the driver saw no GPU. */
static int ze_intel_driver_present(void)
{
	const char *name = "libze_intel_gpu.so.1";
	void *h = dlopen(name, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD); /* the loader's copy */
	if (!h)
		h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return 0;
	dlclose(h); /* only drops our reference */
	return 1;
}

static void ze_init_failed(struct xpu_system *s, xpu_runtime_info *info, ze_result_t rc)
{
	xpu_status *st = &info->status;
	if (rc != ZE_RESULT_ERROR_UNINITIALIZED)
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "zeInit failed: 0x%08x",
			       (unsigned)rc);
	else if (ze_intel_driver_present())
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE,
			       "zeInit failed: 0x%08x, libze_intel_gpu.so.1 found no GPU it drives",
			       (unsigned)rc);
	else
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING,
			       "zeInit failed: 0x%08x, no Level Zero GPU driver (install "
			       "intel-level-zero-gpu / libze_intel_gpu.so.1)",
			       (unsigned)rc);
	xpu_rt_unusable_all(s, XPU_BACKEND_LEVEL_ZERO, st->reason, "%s", st->detail);
}

/* The sysfs device of a Level Zero device: PCI address from the PCI
 * extension, else UUID, else the only Intel GPU with that PCI device id. */
static xpu_device *ze_match(struct xpu_system *s, const ze_api *a, ze_device_handle_t h,
			    const ze_device_properties_t *p, const char *name)
{
	char uuid[48];
	xpu_rt_uuid_format(uuid, sizeof(uuid), p->uuid.id);
	if (a->pci) {
		ze_pci_ext_properties_t pci;
		memset(&pci, 0, sizeof(pci));
		pci.stype = ZE_STRUCTURE_TYPE_PCI_EXT_PROPERTIES;
		if (a->pci(h, &pci) == ZE_RESULT_SUCCESS) {
			char bus[16];
			xpu_rt_pci_format(bus, sizeof(bus), pci.address.domain, pci.address.bus,
					  pci.address.device, pci.address.function);
			xpu_kind k = (p->flags & ZE_DEVICE_PROPERTY_FLAG_INTEGRATED) ?
					     XPU_KIND_INTEGRATED :
					     XPU_KIND_DISCRETE;
			return xpu_rt_find_or_add(s, bus, XPU_VENDOR_INTEL, k, name);
		}
	}
	xpu_device *d = xpu_system_find_uuid(s, uuid);
	if (!d)
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_LEVEL_ZERO, XPU_VENDOR_INTEL, p->deviceId);
	return d;
}

/* Compute units as the family table names them: an Xe-core is a sub-slice,
 * older GPUs count EUs.  Sysfs has neither, so this is the only source. */
static void ze_compute_units(xpu_device *d, const ze_device_properties_t *p)
{
	if (xpu_is_ok(&d->compute_units.status) || !p->numSlices || !p->numSubslicesPerSlice)
		return;
	uint64_t subslices = (uint64_t)p->numSlices * p->numSubslicesPerSlice;
	if (strcmp(d->compute_unit_name, "Xe-cores") == 0) {
		xpu_set_uint(&d->compute_units, subslices);
	} else if (p->numEUsPerSubslice) {
		xpu_set_uint(&d->compute_units, subslices * p->numEUsPerSubslice);
		xpu_strlcpy(d->compute_unit_name, "EUs", sizeof(d->compute_unit_name));
	}
}

/* A discrete GPU's VRAM where sysfs gave none (i915 on most kernels): the
 * sum of the device's memory regions. */
static void ze_memory(const ze_api *a, ze_device_handle_t h, xpu_device *d)
{
	if (!a->memory || xpu_is_ok(&d->memory_total_bytes.status) || d->kind != XPU_KIND_DISCRETE)
		return;
	ze_device_memory_properties_t m[8];
	uint32_t n = 8;
	memset(m, 0, sizeof(m));
	for (uint32_t i = 0; i < n; i++)
		m[i].stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
	if (a->memory(h, &n, m) != ZE_RESULT_SUCCESS || n == 0)
		return;
	uint64_t total = 0;
	for (uint32_t i = 0; i < n && i < 8; i++)
		total += m[i].totalSize;
	if (total)
		xpu_set_uint(&d->memory_total_bytes, total);
}

/* Returns whether the device is a GPU (it then took an index). */
static int ze_device(struct xpu_system *s, const ze_api *a, ze_device_handle_t h,
		     const char *ver, int index)
{
	ze_device_properties_t p;
	memset(&p, 0, sizeof(p));
	p.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
	if (a->props(h, &p) != ZE_RESULT_SUCCESS || p.type != ZE_DEVICE_TYPE_GPU)
		return 0;
	char name[XPU_TEXT_LEN];
	xpu_strlcpy_n(name, sizeof(name), p.name, sizeof(p.name));
	xpu_device *d = ze_match(s, a, h, &p, name);
	if (!d || d->backends[XPU_BACKEND_LEVEL_ZERO].usable)
		return 1;
	if (d->vendor == XPU_VENDOR_OTHER)
		d->vendor = xpu_rt_vendor_of(p.vendorId);
	ze_compute_units(d, &p);
	ze_memory(a, h, d);
	xpu_backend_set_usable(d, XPU_BACKEND_LEVEL_ZERO, ver, name, index);
	return 1;
}

static void ze_version(const ze_api *a, ze_driver_handle_t drv, char *ver, size_t len)
{
	ze_api_version_t v = 0;
	if (a->api_version && a->api_version(drv, &v) == ZE_RESULT_SUCCESS && v)
		snprintf(ver, len, "Level Zero %u.%u", (unsigned)ZE_MAJOR_VERSION(v),
			 (unsigned)ZE_MINOR_VERSION(v));
	else
		snprintf(ver, len, "Level Zero");
}

/* Walks every driver's devices; returns how many GPUs Level Zero listed. */
static int ze_walk(struct xpu_system *s, const ze_api *a, xpu_runtime_info *info)
{
	ze_driver_handle_t drivers[ZE_MAX_DRIVERS];
	uint32_t nd = ZE_MAX_DRIVERS;
	if (a->driver_get(&nd, drivers) != ZE_RESULT_SUCCESS)
		return 0;
	int index = 0;
	for (uint32_t i = 0; i < nd && i < ZE_MAX_DRIVERS; i++) {
		char ver[48];
		ze_version(a, drivers[i], ver, sizeof(ver));
		if (!info->version[0])
			xpu_strlcpy(info->version, ver, sizeof(info->version));
		ze_device_handle_t devs[ZE_MAX_DEVS];
		uint32_t n = ZE_MAX_DEVS;
		if (a->device_get(drivers[i], &n, devs) != ZE_RESULT_SUCCESS)
			continue;
		/* One index across drivers: what ONEAPI_DEVICE_SELECTOR's
		 * level_zero:N counts with a single GPU driver. */
		for (uint32_t k = 0; k < n && k < ZE_MAX_DEVS; k++)
			index += ze_device(s, a, devs[k], ver, index);
	}
	return index;
}

void xpu_runtime_level_zero_probe(struct xpu_system *s)
{
	xpu_runtime_info *info = xpu_rt_info(s, XPU_RT_LEVEL_ZERO, ze_libs[0]);
	ze_mark_applies(s);
	void *lib = xpu_rt_open(ze_libs, ZE_HINT, info);
	if (!lib) {
		xpu_rt_unusable_all(s, XPU_BACKEND_LEVEL_ZERO, info->status.reason, "%s",
				    info->status.detail);
		return;
	}
	/* The loader stays loaded: drivers it loaded keep threads running. */
	ze_api a;
	if (!ze_load(lib, &a)) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks zeInit/zeDeviceGet", info->library);
		xpu_rt_unusable_all(s, XPU_BACKEND_LEVEL_ZERO, XPU_R_RUNTIME_ERROR, "%s",
				    info->status.detail);
		return;
	}
	ze_result_t rc = a.init(0);
	if (rc != ZE_RESULT_SUCCESS) {
		ze_init_failed(s, info, rc);
		return;
	}
	int n = ze_walk(s, &a, info);
	xpu_rt_info_ok(info, info->version, (unsigned)n);
	xpu_rt_unusable_all(s, XPU_BACKEND_LEVEL_ZERO, XPU_R_RUNTIME_NO_DEVICE,
			    "not among the %d GPUs Level Zero lists", n);
}
