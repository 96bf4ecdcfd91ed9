/* CUDA driver API (libcuda.so.1): backend cuda, compute capability, SMs.
 *
 * NVIDIA's headers are not redistributable, so the few entry points used are
 * declared here from the documented driver API (types and constants in
 * runtimes/cuda_api.h, shared with src/bench).  No context is created:
 * everything read here is a device attribute, so probing never allocates GPU
 * memory. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/cuda_api.h"

typedef struct cuda_api {
	xcu_result (*init)(unsigned flags);
	xcu_result (*driver_version)(int *version);
	xcu_result (*count)(int *count);
	xcu_result (*get)(xcu_device *dev, int ordinal);
	xcu_result (*name)(char *name, int len, xcu_device dev);
	xcu_result (*pci_bus_id)(char *bus_id, int len, xcu_device dev);
	xcu_result (*uuid)(xcu_uuid *uuid, xcu_device dev);
	xcu_result (*attribute)(int *value, int attrib, xcu_device dev);
	xcu_result (*total_mem)(size_t *bytes, xcu_device dev);
} cuda_api;

static const char *const cuda_libs[] = {"libcuda.so.1", "libcuda.so", NULL};
#define CUDA_HINT "libcuda.so.1 (install libcuda1 or libnvidia-compute-<driver version>)"

static int cuda_load(void *lib, cuda_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->init, "cuInit", NULL);
	xpu_dl_fn(lib, &a->driver_version, "cuDriverGetVersion", NULL);
	xpu_dl_fn(lib, &a->count, "cuDeviceGetCount", NULL);
	xpu_dl_fn(lib, &a->get, "cuDeviceGet", NULL);
	xpu_dl_fn(lib, &a->name, "cuDeviceGetName", NULL);
	xpu_dl_fn(lib, &a->pci_bus_id, "cuDeviceGetPCIBusId", NULL);
	xpu_dl_fn(lib, &a->uuid, "cuDeviceGetUuid_v2", "cuDeviceGetUuid", NULL);
	xpu_dl_fn(lib, &a->attribute, "cuDeviceGetAttribute", NULL);
	/* cuDeviceTotalMem without _v2 returns a 32-bit size: never use it. */
	xpu_dl_fn(lib, &a->total_mem, "cuDeviceTotalMem_v2", NULL);
	return a->init && a->count && a->get;
}

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

/* Values only CUDA gives, marked when CUDA cannot give them. */
static void cuda_values_fail(struct xpu_system *s, xpu_reason r, const char *detail)
{
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (d->vendor != XPU_VENDOR_NVIDIA)
			continue;
		if (!xpu_is_ok(&d->compute_capability.status))
			xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, r, "%s", detail);
		if (!xpu_is_ok(&d->compute_units.status))
			xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, r, "%s", detail);
	}
}

/* The runtime failed as info->status says: so did everything it gives. */
static void cuda_fail(struct xpu_system *s, const xpu_runtime_info *info)
{
	xpu_rt_unusable_all(s, XPU_BACKEND_CUDA, info->status.reason, "%s", info->status.detail);
	cuda_values_fail(s, info->status.reason, info->status.detail);
}

/* The sysfs device this CUDA ordinal is: PCI address, else UUID; added when
 * sysfs did not show it. */
static xpu_device *cuda_match(struct xpu_system *s, const cuda_api *a, xcu_device cd,
			      const char *name, const char *uuid)
{
	char bus[32] = "";
	xpu_device *d = NULL;
	if (a->pci_bus_id && a->pci_bus_id(bus, (int)sizeof(bus), cd) == XCU_SUCCESS) {
		bus[sizeof(bus) - 1] = '\0';
		d = xpu_system_find_pci(s, bus);
		if (!d)
			d = uuid[0] ? xpu_system_find_uuid(s, uuid) : NULL;
		if (!d)
			d = xpu_rt_find_or_add(s, bus, XPU_VENDOR_NVIDIA, XPU_KIND_DISCRETE, name);
	} else if (uuid[0]) {
		d = xpu_system_find_uuid(s, uuid);
	}
	if (!d)
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_CUDA, XPU_VENDOR_NVIDIA, 0);
	return d;
}

static void cuda_attributes(const cuda_api *a, xcu_device cd, xpu_device *d)
{
	int major = 0, minor = 0, sms = 0;
	if (!a->attribute) {
		xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "cuDeviceGetAttribute missing in libcuda.so.1");
		return;
	}
	int rc = a->attribute(&major, XCU_ATTR_CC_MAJOR, cd);
	if (rc == XCU_SUCCESS)
		rc = a->attribute(&minor, XCU_ATTR_CC_MINOR, cd);
	if (rc == XCU_SUCCESS)
		xpu_set_text(&d->compute_capability, "%d.%d", major, minor);
	else
		xpu_set_status(&d->compute_capability.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "cuDeviceGetAttribute: error %d", rc);
	rc = a->attribute(&sms, XCU_ATTR_MULTIPROCESSOR_COUNT, cd);
	if (rc == XCU_SUCCESS && sms > 0) {
		xpu_set_uint(&d->compute_units, (uint64_t)sms);
		xpu_strlcpy(d->compute_unit_name, "SMs", sizeof(d->compute_unit_name));
	} else if (!xpu_is_ok(&d->compute_units.status)) {
		xpu_set_status(&d->compute_units.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT): error %d", rc);
	}
}

static void cuda_device(struct xpu_system *s, const cuda_api *a, int ordinal, const char *ver)
{
	xcu_device cd = 0;
	if (a->get(&cd, ordinal) != XCU_SUCCESS)
		return;
	char name[XPU_TEXT_LEN] = "";
	if (a->name && a->name(name, (int)sizeof(name), cd) != XCU_SUCCESS)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	char uuid[48] = "";
	xcu_uuid u;
	memset(&u, 0, sizeof(u));
	if (a->uuid && a->uuid(&u, cd) == XCU_SUCCESS)
		xpu_rt_uuid_format(uuid, sizeof(uuid), u.bytes);

	xpu_device *d = cuda_match(s, a, cd, name, uuid);
	if (!d)
		return;
	xpu_rt_applies(d, XPU_BACKEND_CUDA);
	if (uuid[0] && !xpu_is_ok(&d->uuid.status))
		xpu_set_text(&d->uuid, "GPU-%s", uuid);
	if (name[0] && !xpu_is_ok(&d->name.status))
		xpu_set_text(&d->name, "%s", name);
	cuda_attributes(a, cd, d);
	size_t bytes = 0;
	if (!xpu_is_ok(&d->memory_total_bytes.status) && a->total_mem &&
	    a->total_mem(&bytes, cd) == XCU_SUCCESS && bytes)
		xpu_set_uint(&d->memory_total_bytes, (uint64_t)bytes);
	if (!d->backends[XPU_BACKEND_CUDA].usable)
		xpu_backend_set_usable(d, XPU_BACKEND_CUDA, ver, name, ordinal);
}

static void cuda_mark_applies(struct xpu_system *s)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->devices[i].vendor == XPU_VENDOR_NVIDIA)
			xpu_rt_applies(&s->devices[i], XPU_BACKEND_CUDA);
}

/* NVIDIA devices CUDA did not list: hidden by CUDA_VISIBLE_DEVICES, or not
 * seen at all. */
static void cuda_unseen(struct xpu_system *s, int n)
{
	const char *vis = getenv("CUDA_VISIBLE_DEVICES");
	if (vis)
		xpu_rt_unusable_all(s, XPU_BACKEND_CUDA, XPU_R_RUNTIME_NO_DEVICE,
				    "not among the %d devices CUDA lists (CUDA_VISIBLE_DEVICES=%.40s)",
				    n, vis);
	else
		xpu_rt_unusable_all(s, XPU_BACKEND_CUDA, XPU_R_RUNTIME_NO_DEVICE,
				    "not among the %d devices libcuda.so.1 lists", n);
}

static void cuda_init_failed(struct xpu_system *s, xpu_runtime_info *info, int rc)
{
	const char *hint = init_hint(rc);
	xpu_set_status(&info->status, XPU_UNAVAILABLE,
		       rc == XCU_ERROR_NO_DEVICE ? XPU_R_RUNTIME_NO_DEVICE : XPU_R_RUNTIME_ERROR,
		       "cuInit failed: error %d%s%s%s", rc, hint ? " (" : "", hint ? hint : "",
		       hint ? ")" : "");
	cuda_fail(s, info);
}

void xpu_runtime_cuda_probe(struct xpu_system *s)
{
	xpu_runtime_info *info = xpu_rt_info(s, XPU_RT_CUDA, cuda_libs[0]);
	cuda_mark_applies(s);
	void *lib = xpu_rt_open(cuda_libs, CUDA_HINT, info);
	if (!lib) {
		cuda_fail(s, info);
		return;
	}
	/* libcuda starts threads in cuInit: it stays loaded for the process. */
	cuda_api a;
	if (!cuda_load(lib, &a)) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks cuInit/cuDeviceGetCount", info->library);
		cuda_fail(s, info);
		return;
	}
	int rc = a.init(0);
	if (rc != XCU_SUCCESS) {
		cuda_init_failed(s, info, rc);
		return;
	}
	int v = 0;
	char ver[48] = "CUDA";
	if (a.driver_version && a.driver_version(&v) == XCU_SUCCESS && v > 0)
		snprintf(ver, sizeof(ver), "CUDA %d.%d", v / 1000, (v % 1000) / 10);
	int n = 0;
	if (a.count(&n) != XCU_SUCCESS || n < 0)
		n = 0;
	xpu_rt_info_ok(info, ver, (unsigned)n);
	for (int i = 0; i < n && i < XPU_MAX_DEVICES * 4; i++)
		cuda_device(s, &a, i, ver);
	if (getenv("CUDA_VISIBLE_DEVICES"))
		xpu_rt_summary(info, "CUDA_VISIBLE_DEVICES=%.64s", getenv("CUDA_VISIBLE_DEVICES"));
	cuda_unseen(s, n);
}
