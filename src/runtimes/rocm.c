/* ROCm (HIP runtime, libamdhip64.so): backend rocm on AMD GPUs.  Usable
 * needs the KFD node (/dev/kfd) readable and writable, and HIP to list the
 * device.  The few HIP entry points are declared from hip_runtime_api.h:
 * hipError_t and hipDevice_t are ints. */
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

/* ROCm installs under /opt/rocm without an ld.so.conf entry on some
 * distributions: the absolute path is the last resort. */
static const char *const hip_libs[] = {"libamdhip64.so.6", "libamdhip64.so.7",
				       "libamdhip64.so",   "libamdhip64.so.5",
				       "/opt/rocm/lib/libamdhip64.so", NULL};
#define HIP_HINT "libamdhip64.so (install ROCm: hip-runtime-amd / libamdhip64)"

static void hip_load(void *lib, hip_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->count, "hipGetDeviceCount", NULL);
	xpu_dl_fn(lib, &a->runtime_version, "hipRuntimeGetVersion", NULL);
	xpu_dl_fn(lib, &a->name, "hipDeviceGetName", NULL);
	xpu_dl_fn(lib, &a->pci_bus_id, "hipDeviceGetPCIBusId", NULL);
}

/* Returns how many AMD GPUs the backend concerns. */
static size_t rocm_mark_applies(struct xpu_system *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (d->vendor == XPU_VENDOR_AMD && d->kind != XPU_KIND_CPU) {
			xpu_rt_applies(d, XPU_BACKEND_ROCM);
			n++;
		}
	}
	return n;
}

/* Records on the runtime and on every AMD GPU why ROCm cannot work. */
static void rocm_fail(struct xpu_system *s, xpu_runtime_info *info, xpu_reason r,
		      const char *detail)
{
	xpu_set_status(&info->status, XPU_UNAVAILABLE, r, "%s", detail);
	xpu_rt_unusable_all(s, XPU_BACKEND_ROCM, r, "%s", detail);
}

/* Whether /dev/kfd lets this process in; records why not otherwise. */
static int rocm_kfd(struct xpu_system *s, xpu_runtime_info *info)
{
	xsys_rc rc = xsys_access_rw(&s->sys, "/dev/kfd");
	if (rc == XSYS_OK)
		return 1;
	if (rc == XSYS_MISSING)
		rocm_fail(s, info, XPU_R_NO_DEVICE_NODE, "/dev/kfd");
	else if (rc == XSYS_DENIED)
		rocm_fail(s, info, XPU_R_PERMISSION_DENIED, "/dev/kfd (join group render)");
	else
		rocm_fail(s, info, XPU_R_IO_ERROR, "/dev/kfd");
	return 0;
}

static void hip_device(struct xpu_system *s, const hip_api *a, int i, const char *ver)
{
	char name[XPU_TEXT_LEN] = "", bus[32] = "";
	if (a->name && a->name(name, (int)sizeof(name), i) != XHIP_SUCCESS)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	xpu_device *d = NULL;
	if (a->pci_bus_id && a->pci_bus_id(bus, (int)sizeof(bus), i) == XHIP_SUCCESS) {
		bus[sizeof(bus) - 1] = '\0';
		d = xpu_rt_find_or_add(s, bus, XPU_VENDOR_AMD, XPU_KIND_DISCRETE, name);
	} else {
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_ROCM, XPU_VENDOR_AMD, 0);
	}
	if (!d || d->backends[XPU_BACKEND_ROCM].usable)
		return;
	xpu_backend_set_usable(d, XPU_BACKEND_ROCM, ver, name, i);
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

void xpu_runtime_rocm_probe(struct xpu_system *s)
{
	xpu_runtime_info *info = xpu_rt_info(s, XPU_RT_ROCM, hip_libs[0]);
	size_t amd = rocm_mark_applies(s);
	/* Without an AMD GPU, HIP (slow to load) is only worth asking when
	 * the KFD node says the kernel sees one sysfs did not show. */
	if (!amd && !xsys_exists(&s->sys, "/dev/kfd")) {
		info->probed = false;
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
			       "no AMD GPU and no /dev/kfd");
		return;
	}
	if (!rocm_kfd(s, info))
		return;
	void *lib = xpu_rt_open(hip_libs, HIP_HINT, info);
	if (!lib) {
		xpu_rt_unusable_all(s, XPU_BACKEND_ROCM, info->status.reason, "%s",
				    info->status.detail);
		return;
	}
	/* HIP starts threads: it stays loaded for the process. */
	hip_api a;
	hip_load(lib, &a);
	if (!a.count) {
		rocm_fail(s, info, XPU_R_RUNTIME_ERROR, "libamdhip64.so lacks hipGetDeviceCount");
		return;
	}
	int n = 0;
	xhip_error rc = a.count(&n);
	if (rc != XHIP_SUCCESS) {
		char detail[XPU_DETAIL_LEN];
		snprintf(detail, sizeof(detail), "hipGetDeviceCount: error %d", rc);
		rocm_fail(s, info,
			  rc == XHIP_ERROR_NO_DEVICE ? XPU_R_RUNTIME_NO_DEVICE : XPU_R_RUNTIME_ERROR,
			  detail);
		return;
	}
	int v = 0;
	char ver[48] = "HIP";
	/* HIP_VERSION = major * 10000000 + minor * 100000 + patch */
	if (a.runtime_version && a.runtime_version(&v) == XHIP_SUCCESS && v > 0)
		snprintf(ver, sizeof(ver), "HIP %d.%d", v / 10000000, (v / 100000) % 100);
	xpu_rt_info_ok(info, ver, (unsigned)(n > 0 ? n : 0));
	for (int i = 0; i < n && i < XPU_MAX_DEVICES * 4; i++)
		hip_device(s, &a, i, ver);
	hip_unseen(s, n);
}
