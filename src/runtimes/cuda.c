/* CUDA driver API (libcuda.so.1): backend cuda, compute capability, SMs.
 *
 * NVIDIA's headers are not redistributable, so the entry points used are
 * declared from the documented driver API in runtimes/cuda_api.h, with the
 * one symbol table the benchmarks share.  No context is created: everything
 * read here is a device attribute, so probing never allocates GPU memory.
 * The gather initialises CUDA and reads every device into a private result;
 * the apply matches them to the system's devices. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/cuda_api.h"

static xpu_cuda_api cuda_table;
static pthread_once_t cuda_once = PTHREAD_ONCE_INIT;

static void cuda_resolve_probe(void *lib, xpu_cuda_api *a)
{
	xpu_dl_fn(lib, &a->init, "cuInit", NULL);
	xpu_dl_fn(lib, &a->driver_version, "cuDriverGetVersion", NULL);
	xpu_dl_fn(lib, &a->count, "cuDeviceGetCount", NULL);
	xpu_dl_fn(lib, &a->device_get, "cuDeviceGet", NULL);
	xpu_dl_fn(lib, &a->name, "cuDeviceGetName", NULL);
	xpu_dl_fn(lib, &a->pci_bus_id, "cuDeviceGetPCIBusId", NULL);
	xpu_dl_fn(lib, &a->uuid, "cuDeviceGetUuid_v2", "cuDeviceGetUuid", NULL);
	xpu_dl_fn(lib, &a->attribute, "cuDeviceGetAttribute", NULL);
	/* cuDeviceTotalMem without _v2 returns a 32-bit size: never use it. */
	xpu_dl_fn(lib, &a->total_mem, "cuDeviceTotalMem_v2", NULL);
}

static void cuda_resolve_bench(void *lib, xpu_cuda_api *a)
{
	xpu_dl_fn(lib, &a->primary_retain, "cuDevicePrimaryCtxRetain", NULL);
	xpu_dl_fn(lib, &a->primary_release, "cuDevicePrimaryCtxRelease_v2",
		   "cuDevicePrimaryCtxRelease", NULL);
	xpu_dl_fn(lib, &a->ctx_set_current, "cuCtxSetCurrent", NULL);
	xpu_dl_fn(lib, &a->mem_get_info, "cuMemGetInfo_v2", NULL);
	xpu_dl_fn(lib, &a->mem_alloc, "cuMemAlloc_v2", NULL);
	xpu_dl_fn(lib, &a->mem_free, "cuMemFree_v2", NULL);
	xpu_dl_fn(lib, &a->host_alloc, "cuMemHostAlloc", NULL);
	xpu_dl_fn(lib, &a->host_free, "cuMemFreeHost", NULL);
	xpu_dl_fn(lib, &a->memset_d32, "cuMemsetD32_v2", NULL);
	xpu_dl_fn(lib, &a->copy_dtod_async, "cuMemcpyDtoDAsync_v2", NULL);
	xpu_dl_fn(lib, &a->copy_htod_async, "cuMemcpyHtoDAsync_v2", NULL);
	xpu_dl_fn(lib, &a->copy_dtoh_async, "cuMemcpyDtoHAsync_v2", NULL);
	xpu_dl_fn(lib, &a->copy_htod, "cuMemcpyHtoD_v2", NULL);
	xpu_dl_fn(lib, &a->copy_dtoh, "cuMemcpyDtoH_v2", NULL);
	xpu_dl_fn(lib, &a->stream_create, "cuStreamCreate", NULL);
	xpu_dl_fn(lib, &a->stream_destroy, "cuStreamDestroy_v2", NULL);
	xpu_dl_fn(lib, &a->stream_sync, "cuStreamSynchronize", NULL);
	xpu_dl_fn(lib, &a->event_create, "cuEventCreate", NULL);
	xpu_dl_fn(lib, &a->event_destroy, "cuEventDestroy_v2", NULL);
	xpu_dl_fn(lib, &a->event_record, "cuEventRecord", NULL);
	xpu_dl_fn(lib, &a->event_sync, "cuEventSynchronize", NULL);
	xpu_dl_fn(lib, &a->event_elapsed, "cuEventElapsedTime_v2", "cuEventElapsedTime", NULL);
	xpu_dl_fn(lib, &a->module_load_data, "cuModuleLoadData", NULL);
	xpu_dl_fn(lib, &a->module_unload, "cuModuleUnload", NULL);
	xpu_dl_fn(lib, &a->module_function, "cuModuleGetFunction", NULL);
	xpu_dl_fn(lib, &a->launch, "cuLaunchKernel", NULL);
	xpu_dl_fn(lib, &a->error_name, "cuGetErrorName", NULL);
	xpu_dl_fn(lib, &a->can_access_peer, "cuDeviceCanAccessPeer", NULL);
	xpu_dl_fn(lib, &a->ctx_enable_peer, "cuCtxEnablePeerAccess", NULL);
	xpu_dl_fn(lib, &a->copy_peer_async, "cuMemcpyPeerAsync", NULL);
}

static void cuda_load(void)
{
	if (!xpu_rt_lib_open(XPU_RT_CUDA, &cuda_table.lib))
		return;
	cuda_resolve_probe(cuda_table.lib.handle, &cuda_table);
	cuda_resolve_bench(cuda_table.lib.handle, &cuda_table);
}

const xpu_cuda_api *xpu_cuda_api_get(void)
{
	pthread_once(&cuda_once, cuda_load);
	return &cuda_table;
}

/* "libcuda.so.1", the name messages give CUDA. */
static const char *cuda_lib(void)
{
	return xpu_runtime_desc_of(XPU_RT_CUDA)->libraries[0];
}

/* What CUDA said of one ordinal. */
typedef struct cuda_dev {
	bool listed; /* cuDeviceGet gave it */
	char name[XPU_TEXT_LEN];
	char uuid[48];   /* "" unknown */
	bool have_bus;
	char bus[32];
	bool have_attribute; /* cuDeviceGetAttribute exists */
	xcu_result cc_rc, sms_rc;
	int major, minor, sms;
	bool have_memory;
	size_t memory;
} cuda_dev;

enum { CUDA_MAX_ORDINALS = XPU_MAX_DEVICES * 4 };

typedef struct cuda_result {
	xpu_runtime_info info;
	int count;
	cuda_dev devs[CUDA_MAX_ORDINALS];
} cuda_result;

/* --- gather --- */

/* What a failing cuInit means, for a person. */
static const char *init_hint(int rc)
{
	switch (rc) {
	case XCU_ERROR_INSUFFICIENT_DRIVER:
	case XCU_ERROR_SYSTEM_DRIVER_MISMATCH:
		return "driver/library version mismatch";
	case XCU_ERROR_COMPAT_NOT_SUPPORTED:
		return "CUDA forward compatibility not supported on this device";
	case XCU_ERROR_SYSTEM_NOT_READY:
		return "system not ready: start nvidia-fabricmanager";
	case XCU_ERROR_NO_DEVICE:
		return "no CUDA device";
	default:
		return NULL;
	}
}

static void gather_attributes(const xpu_cuda_api *a, xcu_device cd, cuda_dev *g)
{
	g->have_attribute = a->attribute != NULL;
	if (!g->have_attribute)
		return;
	g->cc_rc = a->attribute(&g->major, XCU_ATTR_CC_MAJOR, cd);
	if (g->cc_rc == XCU_SUCCESS)
		g->cc_rc = a->attribute(&g->minor, XCU_ATTR_CC_MINOR, cd);
	g->sms_rc = a->attribute(&g->sms, XCU_ATTR_MULTIPROCESSOR_COUNT, cd);
}

static void gather_device(const xpu_cuda_api *a, int ordinal, cuda_dev *g)
{
	xcu_device cd = 0;
	if (a->device_get(&cd, ordinal) != XCU_SUCCESS)
		return;
	g->listed = true;
	if (a->name && a->name(g->name, (int)sizeof(g->name), cd) != XCU_SUCCESS)
		g->name[0] = '\0';
	g->name[sizeof(g->name) - 1] = '\0';
	xcu_uuid u;
	memset(&u, 0, sizeof(u));
	if (a->uuid && a->uuid(&u, cd) == XCU_SUCCESS)
		xpu_rt_uuid_format(g->uuid, sizeof(g->uuid), u.bytes);
	g->have_bus = a->pci_bus_id && a->pci_bus_id(g->bus, (int)sizeof(g->bus), cd) == XCU_SUCCESS;
	g->bus[sizeof(g->bus) - 1] = '\0';
	gather_attributes(a, cd, g);
	g->have_memory = a->total_mem && a->total_mem(&g->memory, cd) == XCU_SUCCESS && g->memory;
}

/* Loads and initialises CUDA; false with info->status saying why not. */
static bool cuda_start(const xpu_cuda_api *a, xpu_runtime_info *info)
{
	if (!xpu_rt_loaded(&a->lib, XPU_RT_CUDA, info))
		return false;
	if (!a->init || !a->count || !a->device_get) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks cuInit/cuDeviceGetCount", info->library);
		return false;
	}
	int rc = a->init(0);
	if (rc == XCU_SUCCESS)
		return true;
	const char *hint = init_hint(rc);
	xpu_set_status(&info->status, XPU_UNAVAILABLE,
		       rc == XCU_ERROR_NO_DEVICE ? XPU_R_RUNTIME_NO_DEVICE : XPU_R_RUNTIME_ERROR,
		       "cuInit failed: error %d%s%s%s", rc, hint ? " (" : "", hint ? hint : "",
		       hint ? ")" : "");
	return false;
}

static void cuda_gather(const struct xpu_system *s, void *result)
{
	cuda_result *r = result;
	xpu_runtime_info *info = &r->info;
	xpu_rt_info_init(info, XPU_RT_CUDA);
	/* libcuda starts threads in cuInit: it stays loaded for the process. */
	const xpu_cuda_api *a = xpu_cuda_api_get();
	if (!cuda_start(a, info))
		return;
	int v = 0;
	char ver[48] = "CUDA";
	if (a->driver_version && a->driver_version(&v) == XCU_SUCCESS && v > 0)
		snprintf(ver, sizeof(ver), "CUDA %d.%d", v / 1000, (v % 1000) / 10);
	if (a->count(&r->count) != XCU_SUCCESS || r->count < 0)
		r->count = 0;
	xpu_rt_info_ok(info, ver, (unsigned)r->count);
	for (int i = 0; i < r->count && i < CUDA_MAX_ORDINALS; i++)
		gather_device(a, i, &r->devs[i]);
	if (getenv("CUDA_VISIBLE_DEVICES"))
		xpu_rt_summary(info, "CUDA_VISIBLE_DEVICES=%.64s", getenv("CUDA_VISIBLE_DEVICES"));
}

/* --- apply --- */

/* Values only CUDA gives, marked when CUDA cannot give them. */
static void cuda_values_fail(struct xpu_system *s, xpu_reason r, const char *detail)
{
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (!xpu_rt_concerns(s, d, XPU_BACKEND_CUDA))
			continue;
		if (!xpu_is_ok(&d->compute_capability.status))
			xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, r, "%s", detail);
		if (!xpu_is_ok(&d->compute_units.status))
			xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, r, "%s", detail);
	}
}

/* The sysfs device this CUDA ordinal is: PCI address, else UUID; added when
 * sysfs did not show it. */
static xpu_device *cuda_match(struct xpu_system *s, const cuda_dev *g)
{
	xpu_device *d = NULL;
	if (g->have_bus) {
		d = xpu_system_find_pci(s, g->bus);
		if (!d)
			d = g->uuid[0] ? xpu_system_find_uuid(s, g->uuid) : NULL;
		if (!d)
			d = xpu_rt_find_or_add(s, g->bus, XPU_VENDOR_NVIDIA, XPU_KIND_DISCRETE, g->name);
	} else if (g->uuid[0]) {
		d = xpu_system_find_uuid(s, g->uuid);
	}
	if (!d)
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_CUDA, XPU_VENDOR_NVIDIA, 0);
	return d;
}

static void apply_attributes(const cuda_dev *g, xpu_device *d)
{
	if (!g->have_attribute) {
		xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "cuDeviceGetAttribute missing in %s", cuda_lib());
		return;
	}
	if (g->cc_rc == XCU_SUCCESS)
		xpu_set_text(&d->compute_capability, "%d.%d", g->major, g->minor);
	else
		xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "cuDeviceGetAttribute: error %d", g->cc_rc);
	if (g->sms_rc == XCU_SUCCESS && g->sms > 0) {
		xpu_set_uint(&d->compute_units, (uint64_t)g->sms);
		xpu_strlcpy(d->compute_unit_name, "SMs", sizeof(d->compute_unit_name));
	} else if (!xpu_is_ok(&d->compute_units.status)) {
		xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT): error %d", g->sms_rc);
	}
}

static void apply_device(struct xpu_system *s, const cuda_dev *g, int ordinal, const char *ver)
{
	xpu_device *d = g->listed ? cuda_match(s, g) : NULL;
	if (!d)
		return;
	xpu_rt_applies(d, XPU_BACKEND_CUDA);
	if (g->uuid[0] && !xpu_is_ok(&d->uuid.status))
		xpu_set_text(&d->uuid, "GPU-%s", g->uuid);
	if (g->name[0] && !xpu_is_ok(&d->name.status))
		xpu_set_text(&d->name, "%s", g->name);
	apply_attributes(g, d);
	if (!xpu_is_ok(&d->memory_total_bytes.status) && g->have_memory)
		xpu_set_uint(&d->memory_total_bytes, (uint64_t)g->memory);
	if (!d->backends[XPU_BACKEND_CUDA].usable)
		xpu_backend_set_usable(d, XPU_BACKEND_CUDA, ver, g->name, ordinal);
}

/* Devices CUDA concerns that it did not list: hidden by
 * CUDA_VISIBLE_DEVICES, or not seen at all. */
static void cuda_unseen(struct xpu_system *s, int n)
{
	const char *vis = getenv("CUDA_VISIBLE_DEVICES");
	if (vis)
		xpu_rt_unusable_all(s, XPU_BACKEND_CUDA, XPU_R_RUNTIME_NO_DEVICE,
				    "not among the %d devices CUDA lists (CUDA_VISIBLE_DEVICES=%.40s)",
				    n, vis);
	else
		xpu_rt_unusable_all(s, XPU_BACKEND_CUDA, XPU_R_RUNTIME_NO_DEVICE,
				    "not among the %d devices %s lists", n, cuda_lib());
}

static void cuda_apply(struct xpu_system *s, const void *result)
{
	const cuda_result *r = result;
	if (!xpu_rt_apply_start(s, &r->info, XPU_RT_CUDA, true)) {
		cuda_values_fail(s, r->info.status.reason, r->info.status.detail);
		return;
	}
	for (int i = 0; i < r->count && i < CUDA_MAX_ORDINALS; i++)
		apply_device(s, &r->devs[i], i, r->info.version);
	cuda_unseen(s, r->count);
}

const xpu_rt_probe xpu_rt_probe_cuda = {
	.result_size = sizeof(cuda_result),
	.gather = cuda_gather,
	.apply = cuda_apply,
};
