/* oneAPI Level Zero (libze_loader.so.1): backend level_zero on Intel GPUs.
 *
 * <level_zero/ze_api.h> (libze-dev) supplies the types only; every call goes
 * through the one symbol table of runtimes/level_zero_api.h, so the loader is
 * never a link-time dependency.  The gather initialises Level Zero and reads
 * every GPU into a private result; the apply matches them to the system's
 * devices. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/level_zero_api.h"

#define ZE_MAX_DRIVERS 8
#define ZE_MAX_DEVS 32

static xpu_ze_api ze_table;
static pthread_once_t ze_once = PTHREAD_ONCE_INIT;

static void ze_load(void)
{
	xpu_ze_api *a = &ze_table;
	if (!xpu_rt_lib_open(XPU_RT_LEVEL_ZERO, &a->lib))
		return;
	xpu_dl_fn(a->lib.handle, &a->init, "zeInit", NULL);
	xpu_dl_fn(a->lib.handle, &a->driver_get, "zeDriverGet", NULL);
	xpu_dl_fn(a->lib.handle, &a->api_version, "zeDriverGetApiVersion", NULL);
	xpu_dl_fn(a->lib.handle, &a->device_get, "zeDeviceGet", NULL);
	xpu_dl_fn(a->lib.handle, &a->props, "zeDeviceGetProperties", NULL);
	xpu_dl_fn(a->lib.handle, &a->pci, "zeDevicePciGetPropertiesExt", NULL);
	xpu_dl_fn(a->lib.handle, &a->memory, "zeDeviceGetMemoryProperties", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_init, "zesInit", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_driver_get, "zesDriverGet", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_device_get, "zesDeviceGet", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_pci, "zesDevicePciGetProperties", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_fabric_ports, "zesDeviceEnumFabricPorts", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_port_props, "zesFabricPortGetProperties", NULL);
	xpu_dl_fn(a->lib.handle, &a->zes_port_state, "zesFabricPortGetState", NULL);
}

const xpu_ze_api *xpu_ze_api_get(void)
{
	pthread_once(&ze_once, ze_load);
	return &ze_table;
}

/* What Level Zero said of one GPU. */
typedef struct ze_dev {
	char name[XPU_TEXT_LEN];
	char uuid[48];
	char ver[48];      /* its driver's API version */
	int index;         /* across drivers: what ONEAPI_DEVICE_SELECTOR counts */
	bool have_pci;
	char bus[16];
	bool integrated;
	uint32_t device_id, vendor_id;
	uint32_t slices, subslices_per_slice, eus_per_subslice;
	uint64_t memory;   /* the sum of its memory regions; 0 unknown */
} ze_dev;

enum { ZE_MAX_GPUS = ZE_MAX_DRIVERS * ZE_MAX_DEVS };

typedef struct ze_result {
	xpu_runtime_info info;
	int count; /* GPUs listed */
	ze_dev devs[ZE_MAX_GPUS];
} ze_result;

/* --- gather --- */

/* Whether Intel's GPU driver for Level Zero is installed: the loader says
 * 0x78000001 both when it has no driver and when the driver saw no GPU. */
static int ze_intel_driver_present(void)
{
	const char *name = xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->driver;
	void *h = dlopen(name, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD); /* the loader's copy */
	if (!h)
		h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return 0;
	dlclose(h); /* only drops our reference */
	return 1;
}

static void ze_init_failed(xpu_runtime_info *info, ze_result_t rc)
{
	const char *driver = xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->driver;
	xpu_status *st = &info->status;
	if (rc != ZE_RESULT_ERROR_UNINITIALIZED)
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "zeInit failed: 0x%08x",
			       (unsigned)rc);
	else if (ze_intel_driver_present())
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE,
			       "zeInit failed: 0x%08x, %s found no GPU it drives", (unsigned)rc, driver);
	else
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING,
			       "zeInit failed: 0x%08x, no Level Zero GPU driver (install "
			       "intel-level-zero-gpu / %s)",
			       (unsigned)rc, driver);
}

/* A discrete GPU's VRAM where sysfs gives none (i915 on most kernels): the
 * sum of the device's memory regions. */
static uint64_t ze_memory(const xpu_ze_api *a, ze_device_handle_t h)
{
	ze_device_memory_properties_t m[8];
	uint32_t n = 8;
	memset(m, 0, sizeof(m));
	for (uint32_t i = 0; i < n; i++)
		m[i].stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
	if (!a->memory || a->memory(h, &n, m) != ZE_RESULT_SUCCESS)
		return 0;
	uint64_t total = 0;
	for (uint32_t i = 0; i < n && i < 8; i++)
		total += m[i].totalSize;
	return total;
}

static void ze_pci(const xpu_ze_api *a, ze_device_handle_t h, ze_dev *g)
{
	ze_pci_ext_properties_t pci;
	memset(&pci, 0, sizeof(pci));
	pci.stype = ZE_STRUCTURE_TYPE_PCI_EXT_PROPERTIES;
	g->have_pci = a->pci && a->pci(h, &pci) == ZE_RESULT_SUCCESS;
	if (g->have_pci)
		xpu_rt_pci_format(g->bus, sizeof(g->bus), pci.address.domain, pci.address.bus,
				  pci.address.device, pci.address.function);
}

/* Returns whether the device is a GPU (it then took an index). */
static int gather_device(const xpu_ze_api *a, ze_device_handle_t h, const char *ver, int index,
			 ze_dev *g)
{
	ze_device_properties_t p;
	memset(&p, 0, sizeof(p));
	p.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
	if (a->props(h, &p) != ZE_RESULT_SUCCESS || p.type != ZE_DEVICE_TYPE_GPU)
		return 0;
	xpu_strlcpy_n(g->name, sizeof(g->name), p.name, sizeof(p.name));
	xpu_rt_uuid_format(g->uuid, sizeof(g->uuid), p.uuid.id);
	xpu_strlcpy(g->ver, ver, sizeof(g->ver));
	g->index = index;
	g->integrated = (p.flags & ZE_DEVICE_PROPERTY_FLAG_INTEGRATED) != 0;
	g->device_id = p.deviceId;
	g->vendor_id = p.vendorId;
	g->slices = p.numSlices;
	g->subslices_per_slice = p.numSubslicesPerSlice;
	g->eus_per_subslice = p.numEUsPerSubslice;
	ze_pci(a, h, g);
	g->memory = ze_memory(a, h);
	return 1;
}

static void ze_version(const xpu_ze_api *a, ze_driver_handle_t drv, char *ver, size_t len)
{
	ze_api_version_t v = 0;
	if (a->api_version && a->api_version(drv, &v) == ZE_RESULT_SUCCESS && v)
		snprintf(ver, len, "Level Zero %u.%u", (unsigned)ZE_MAJOR_VERSION(v),
			 (unsigned)ZE_MINOR_VERSION(v));
	else
		snprintf(ver, len, "Level Zero");
}

/* Walks every driver's devices into r; r->count: the GPUs listed. */
static void ze_walk(const xpu_ze_api *a, ze_result *r)
{
	ze_driver_handle_t drivers[ZE_MAX_DRIVERS];
	uint32_t nd = ZE_MAX_DRIVERS;
	if (a->driver_get(&nd, drivers) != ZE_RESULT_SUCCESS)
		return;
	for (uint32_t i = 0; i < nd && i < ZE_MAX_DRIVERS; i++) {
		char ver[48];
		ze_version(a, drivers[i], ver, sizeof(ver));
		if (!r->info.version[0])
			xpu_strlcpy(r->info.version, ver, sizeof(r->info.version));
		ze_device_handle_t devs[ZE_MAX_DEVS];
		uint32_t n = ZE_MAX_DEVS;
		if (a->device_get(drivers[i], &n, devs) != ZE_RESULT_SUCCESS)
			continue;
		/* One index across drivers: what ONEAPI_DEVICE_SELECTOR's
		 * level_zero:N counts with a single GPU driver. */
		for (uint32_t k = 0; k < n && k < ZE_MAX_DEVS; k++)
			r->count += gather_device(a, devs[k], ver, r->count, &r->devs[r->count]);
	}
}

static void ze_gather(const struct xpu_system *s, void *result)
{
	ze_result *r = result;
	xpu_runtime_info *info = &r->info;
	xpu_rt_info_init(info, XPU_RT_LEVEL_ZERO);
	/* The loader stays loaded: drivers it loaded keep threads running. */
	const xpu_ze_api *a = xpu_ze_api_get();
	if (!xpu_rt_loaded(&a->lib, XPU_RT_LEVEL_ZERO, info))
		return;
	if (!a->init || !a->driver_get || !a->device_get || !a->props) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks zeInit/zeDeviceGet", info->library);
		return;
	}
	ze_result_t rc = a->init(0);
	if (rc != ZE_RESULT_SUCCESS) {
		ze_init_failed(info, rc);
		return;
	}
	ze_walk(a, r);
	xpu_rt_info_ok(info, info->version, (unsigned)r->count);
}

/* --- apply --- */

/* The sysfs device of a Level Zero device: PCI address from the PCI
 * extension, else UUID, else the only Intel GPU with that PCI device id. */
static xpu_device *ze_match(struct xpu_system *s, const ze_dev *g)
{
	if (g->have_pci)
		return xpu_rt_find_or_add(s, g->bus, XPU_VENDOR_INTEL,
					  g->integrated ? XPU_KIND_INTEGRATED : XPU_KIND_DISCRETE,
					  g->name);
	xpu_device *d = xpu_system_find_uuid(s, g->uuid);
	if (!d)
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_LEVEL_ZERO, XPU_VENDOR_INTEL, g->device_id);
	return d;
}

/* Compute units as the family table names them: an Xe-core is a sub-slice,
 * older GPUs count EUs.  Sysfs has neither, so this is the only source. */
static void ze_compute_units(xpu_device *d, const ze_dev *g)
{
	if (xpu_is_ok(&d->compute_units.status) || !g->slices || !g->subslices_per_slice)
		return;
	uint64_t subslices = (uint64_t)g->slices * g->subslices_per_slice;
	if (strcmp(d->compute_unit_name, "Xe-cores") == 0) {
		xpu_set_uint(&d->compute_units, subslices);
	} else if (g->eus_per_subslice) {
		xpu_set_uint(&d->compute_units, subslices * g->eus_per_subslice);
		xpu_strlcpy(d->compute_unit_name, "EUs", sizeof(d->compute_unit_name));
	}
}

static void apply_device(struct xpu_system *s, const ze_dev *g)
{
	xpu_device *d = ze_match(s, g);
	if (!d || d->backends[XPU_BACKEND_LEVEL_ZERO].usable)
		return;
	if (d->vendor == XPU_VENDOR_OTHER)
		d->vendor = xpu_rt_vendor_of(g->vendor_id);
	ze_compute_units(d, g);
	if (g->memory && !xpu_is_ok(&d->memory_total_bytes.status) && d->kind == XPU_KIND_DISCRETE)
		xpu_set_uint(&d->memory_total_bytes, g->memory);
	xpu_backend_set_usable(d, XPU_BACKEND_LEVEL_ZERO, g->ver, g->name, g->index);
}

static void ze_apply(struct xpu_system *s, const void *result)
{
	const ze_result *r = result;
	if (!xpu_rt_apply_start(s, &r->info, XPU_RT_LEVEL_ZERO, true))
		return;
	for (int i = 0; i < r->count; i++)
		apply_device(s, &r->devs[i]);
	xpu_rt_unusable_all(s, XPU_BACKEND_LEVEL_ZERO, XPU_R_RUNTIME_NO_DEVICE,
			    "not among the %d GPUs Level Zero lists", r->count);
}

const xpu_rt_probe xpu_rt_probe_level_zero = {
	.result_size = sizeof(ze_result),
	.gather = ze_gather,
	.apply = ze_apply,
};
