/* ROCm (HIP runtime, libamdhip64.so): backend rocm on AMD GPUs.  Usable
 * needs the KFD node (/dev/kfd) readable and writable, and HIP to list the
 * device.  The few HIP entry points are declared from hip_runtime_api.h:
 * hipError_t and hipDevice_t are ints.  The gather loads HIP and reads every
 * device into a private result; the apply matches them to the system's. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "model/value.h"

typedef int xhip_error;

enum {
	XHIP_SUCCESS = 0,
	XHIP_ERROR_NO_DEVICE = 100,
};

typedef struct hip_api {
	xhip_error (*count)(int *count);
	xhip_error (*runtime_version)(int *version);
	xhip_error (*name)(char *name, int len, int device);
	xhip_error (*pci_bus_id)(char *bus_id, int len, int device);
} hip_api;

static void hip_load(void *lib, hip_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->count, "hipGetDeviceCount", NULL);
	xpu_dl_fn(lib, &a->runtime_version, "hipRuntimeGetVersion", NULL);
	xpu_dl_fn(lib, &a->name, "hipDeviceGetName", NULL);
	xpu_dl_fn(lib, &a->pci_bus_id, "hipDeviceGetPCIBusId", NULL);
}

/* What HIP said of one device. */
typedef struct hip_dev {
	char name[XPU_TEXT_LEN];
	bool have_bus;
	char bus[32];
} hip_dev;

enum { HIP_MAX_DEVICES = XPU_MAX_DEVICES * 4 };

typedef struct rocm_result {
	xpu_runtime_info info;
	int count;
	hip_dev devs[HIP_MAX_DEVICES];
} rocm_result;

/* --- gather --- */

/* Whether ROCm concerns any GPU of the system. */
static bool any_amd_gpu(const struct xpu_system *s)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->devices[i].kind != XPU_KIND_CPU &&
		    xpu_rt_concerns(s, &s->devices[i], XPU_BACKEND_ROCM))
			return true;
	return false;
}

/* Whether /dev/kfd lets this process in; info->status says why not
 * otherwise. */
static bool rocm_kfd(const struct xpu_system *s, xpu_runtime_info *info)
{
	xsys_rc rc = xsys_access_rw(&s->sys, "/dev/kfd");
	if (rc == XSYS_OK)
		return true;
	if (rc == XSYS_MISSING)
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_NO_DEVICE_NODE, "/dev/kfd");
	else if (rc == XSYS_DENIED)
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_PERMISSION_DENIED,
			       "/dev/kfd (join group render)");
	else
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_IO_ERROR, "/dev/kfd");
	return false;
}

static void gather_device(const hip_api *a, int i, hip_dev *g)
{
	if (a->name && a->name(g->name, (int)sizeof(g->name), i) != XHIP_SUCCESS)
		g->name[0] = '\0';
	g->name[sizeof(g->name) - 1] = '\0';
	g->have_bus = a->pci_bus_id && a->pci_bus_id(g->bus, (int)sizeof(g->bus), i) == XHIP_SUCCESS;
	g->bus[sizeof(g->bus) - 1] = '\0';
}

/* Loads HIP and counts its devices; false with info->status saying why not. */
static bool hip_start(const struct xpu_system *s, hip_api *a, rocm_result *r)
{
	xpu_runtime_info *info = &r->info;
	if (!rocm_kfd(s, info))
		return false;
	xpu_rt_lib lib;
	xpu_rt_lib_open(XPU_RT_ROCM, &lib);
	if (!xpu_rt_loaded(&lib, XPU_RT_ROCM, info))
		return false;
	/* HIP starts threads: it stays loaded for the process. */
	hip_load(lib.handle, a);
	if (!a->count) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks hipGetDeviceCount",
			       xpu_runtime_desc_of(XPU_RT_ROCM)->missing_name);
		return false;
	}
	xhip_error rc = a->count(&r->count);
	if (rc != XHIP_SUCCESS)
		xpu_set_status(&info->status, XPU_UNAVAILABLE,
			       rc == XHIP_ERROR_NO_DEVICE ? XPU_R_RUNTIME_NO_DEVICE : XPU_R_RUNTIME_ERROR,
			       "hipGetDeviceCount: error %d", rc);
	return rc == XHIP_SUCCESS;
}

static void rocm_gather(const struct xpu_system *s, void *result)
{
	rocm_result *r = result;
	xpu_runtime_info *info = &r->info;
	xpu_rt_info_init(info, XPU_RT_ROCM);
	/* Without an AMD GPU, HIP (slow to load) is only worth asking when
	 * the KFD node says the kernel sees one sysfs did not show.  (No probe
	 * before ROCm's adds an AMD device: this is the state it began with.) */
	if (!any_amd_gpu(s) && !xsys_exists(&s->sys, "/dev/kfd")) {
		info->probed = false;
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
			       "no AMD GPU and no /dev/kfd");
		return;
	}
	hip_api a;
	if (!hip_start(s, &a, r))
		return;
	int v = 0;
	char ver[48] = "HIP";
	/* HIP_VERSION = major * 10000000 + minor * 100000 + patch */
	if (a.runtime_version && a.runtime_version(&v) == XHIP_SUCCESS && v > 0)
		snprintf(ver, sizeof(ver), "HIP %d.%d", v / 10000000, (v / 100000) % 100);
	xpu_rt_info_ok(info, ver, (unsigned)(r->count > 0 ? r->count : 0));
	for (int i = 0; i < r->count && i < HIP_MAX_DEVICES; i++)
		gather_device(&a, i, &r->devs[i]);
}

/* --- apply --- */

static void apply_device(struct xpu_system *s, const hip_dev *g, int i, const char *ver)
{
	xpu_device *d = g->have_bus ?
				xpu_rt_find_or_add(s, g->bus, XPU_VENDOR_AMD, XPU_KIND_DISCRETE, g->name) :
				xpu_rt_unique_gpu(s, XPU_BACKEND_ROCM, XPU_VENDOR_AMD, 0);
	if (!d || d->backends[XPU_BACKEND_ROCM].usable)
		return;
	xpu_backend_set_usable(d, XPU_BACKEND_ROCM, ver, g->name, i);
}

static void hip_unseen(struct xpu_system *s, int n)
{
	const char *vis = getenv("HIP_VISIBLE_DEVICES");
	if (!vis)
		vis = getenv("ROCR_VISIBLE_DEVICES");
	if (vis)
		xpu_rt_unusable_all(s, XPU_BACKEND_ROCM, XPU_R_RUNTIME_NO_DEVICE,
				    "not among the %d devices HIP lists (visible devices: %.40s)", n,
				    vis);
	else
		xpu_rt_unusable_all(s, XPU_BACKEND_ROCM, XPU_R_RUNTIME_NO_DEVICE,
				    "not among the %d devices HIP lists", n);
}

static void rocm_apply(struct xpu_system *s, const void *result)
{
	const rocm_result *r = result;
	/* not probed (no AMD GPU, no /dev/kfd): nothing to say of a device */
	if (!xpu_rt_apply_start(s, &r->info, XPU_RT_ROCM, r->info.probed))
		return;
	for (int i = 0; i < r->count && i < HIP_MAX_DEVICES; i++)
		apply_device(s, &r->devs[i], i, r->info.version);
	hip_unseen(s, r->count);
}

const xpu_rt_probe xpu_rt_probe_rocm = {
	.result_size = sizeof(rocm_result),
	.gather = rocm_gather,
	.apply = rocm_apply,
};
