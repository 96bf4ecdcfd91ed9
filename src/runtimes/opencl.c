/* OpenCL (libOpenCL.so.1, the ICD loader): backend opencl on every GPU and
 * the CPU.  The Khronos headers supply types and constants only; calls go
 * through dlsym.  Each platform (ICD) is probed on its own, so one whose
 * clGetDeviceIDs fails (Intel's ICD on a machine without its GPU) does not
 * hide the others. */
#define CL_TARGET_OPENCL_VERSION 300
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/file.h"
#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"

/* Vendor queries not in every cl_ext.h (values from the extension specs). */
#define XCL_DEVICE_PCI_BUS_ID_NV 0x4008
#define XCL_DEVICE_PCI_SLOT_ID_NV 0x4009
#define XCL_DEVICE_PCI_DOMAIN_ID_NV 0x400A
#define XCL_DEVICE_TOPOLOGY_AMD 0x4037
#define XCL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD 1
#define XCL_DEVICE_ID_INTEL 0x4251 /* cl_intel_device_attribute_query: PCI device id */
#define XCL_PLATFORM_NOT_FOUND_KHR (-1001)

#define CL_LIB "libOpenCL.so.1"
#define CL_MAX_PLATFORMS 16
#define CL_MAX_DEVS 32
#define ICD_MAX 4096 /* a manifest is one line: a library's path */

typedef struct cl_api {
	cl_int (*platforms)(cl_uint n, cl_platform_id *ids, cl_uint *count);
	cl_int (*platform_info)(cl_platform_id p, cl_platform_info what, size_t len, void *val,
				size_t *ret);
	cl_int (*device_ids)(cl_platform_id p, cl_device_type type, cl_uint n, cl_device_id *ids,
			     cl_uint *count);
	cl_int (*device_info)(cl_device_id d, cl_device_info what, size_t len, void *val,
			      size_t *ret);
} cl_api;

/* What one platform gave, for the reasons of devices no platform claimed. */
typedef struct cl_plat {
	char name[64];
	xpu_vendor vendor;
	int gpu_platform; /* meant for GPUs ("Graphics", or a GPU vendor's) */
	cl_int rc;        /* of clGetDeviceIDs */
	cl_uint ndev;
} cl_plat;

typedef struct cl_probe {
	struct xpu_system *s;
	xpu_runtime_info *info;
	const cl_api *a;
	cl_plat plat[CL_MAX_PLATFORMS];
	cl_uint nplat;
	unsigned ndev;
} cl_probe;

static const char *const cl_libs[] = {"libOpenCL.so.1", "libOpenCL.so", NULL};

static int cl_load(void *lib, cl_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->platforms, "clGetPlatformIDs", NULL);
	xpu_dl_fn(lib, &a->platform_info, "clGetPlatformInfo", NULL);
	xpu_dl_fn(lib, &a->device_ids, "clGetDeviceIDs", NULL);
	xpu_dl_fn(lib, &a->device_info, "clGetDeviceInfo", NULL);
	return a->platforms && a->platform_info && a->device_ids && a->device_info;
}

static void plat_str(const cl_api *a, cl_platform_id p, cl_platform_info what, char *out,
		     size_t len)
{
	char buf[256];
	size_t got = 0;
	if (a->platform_info(p, what, sizeof(buf), buf, &got) != CL_SUCCESS)
		got = 0;
	xpu_strlcpy_n(out, len, buf, got < sizeof(buf) ? got : sizeof(buf));
}

static void dev_str(const cl_api *a, cl_device_id d, cl_device_info what, char *out, size_t len)
{
	char buf[256];
	size_t got = 0;
	if (a->device_info(d, what, sizeof(buf), buf, &got) != CL_SUCCESS)
		got = 0;
	xpu_strlcpy_n(out, len, buf, got < sizeof(buf) ? got : sizeof(buf));
}

/* Reads a fixed-size value; false unless the runtime wrote exactly that. */
static int dev_val(const cl_api *a, cl_device_id d, cl_device_info what, void *val, size_t len)
{
	size_t got = 0;
	return a->device_info(d, what, len, val, &got) == CL_SUCCESS && got == len;
}

/* "OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, ..." -> "OpenCL 3.0 PoCL
 * 3.1+debian": the build details after a comma or double space are noise. */
static void short_version(char *v)
{
	char *cut = strchr(v, ',');
	if (cut)
		*cut = '\0';
	cut = strstr(v, "  ");
	if (cut)
		*cut = '\0';
	size_t n = strlen(v);
	while (n && v[n - 1] == ' ')
		v[--n] = '\0';
}

/* PCI address of a GPU from whichever vendor query the ICD answers. */
static int dev_pci(const cl_api *a, cl_device_id d, xpu_vendor v, char *bus, size_t len)
{
	cl_device_pci_bus_info_khr khr;
	memset(&khr, 0, sizeof(khr));
	if (dev_val(a, d, CL_DEVICE_PCI_BUS_INFO_KHR, &khr, sizeof(khr))) {
		xpu_rt_pci_format(bus, len, khr.pci_domain, khr.pci_bus, khr.pci_device,
				  khr.pci_function);
		return 1;
	}
	cl_uint b = 0, slot = 0, dom = 0;
	if (v == XPU_VENDOR_NVIDIA && dev_val(a, d, XCL_DEVICE_PCI_BUS_ID_NV, &b, sizeof(b)) &&
	    dev_val(a, d, XCL_DEVICE_PCI_SLOT_ID_NV, &slot, sizeof(slot))) {
		if (!dev_val(a, d, XCL_DEVICE_PCI_DOMAIN_ID_NV, &dom, sizeof(dom)))
			dom = 0;
		/* As hwloc decodes it: slot = device << 3 | function. */
		xpu_rt_pci_format(bus, len, dom, b, slot >> 3, slot & 7u);
		return 1;
	}
	cl_device_topology_amd topo;
	memset(&topo, 0, sizeof(topo));
	if (v == XPU_VENDOR_AMD && dev_val(a, d, XCL_DEVICE_TOPOLOGY_AMD, &topo, sizeof(topo)) &&
	    topo.raw.type == XCL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD) {
		xpu_rt_pci_format(bus, len, 0, (unsigned char)topo.pcie.bus,
				  (unsigned char)topo.pcie.device, (unsigned char)topo.pcie.function);
		return 1;
	}
	return 0;
}

static xpu_device *gpu_match(cl_probe *p, cl_device_id d, xpu_vendor v, const char *name)
{
	char bus[16];
	if (dev_pci(p->a, d, v, bus, sizeof(bus)))
		return xpu_rt_find_or_add(p->s, bus, v, XPU_KIND_DISCRETE, name);
	cl_uint did = 0;
	if (v != XPU_VENDOR_INTEL || !dev_val(p->a, d, XCL_DEVICE_ID_INTEL, &did, sizeof(did)))
		did = 0;
	return xpu_rt_unique_gpu(p->s, XPU_BACKEND_OPENCL, v, did);
}

static void cl_device(cl_probe *p, cl_device_id d, const char *ver, int index)
{
	cl_device_type type = 0;
	cl_uint vid = 0;
	char name[XPU_TEXT_LEN];
	if (!dev_val(p->a, d, CL_DEVICE_TYPE, &type, sizeof(type)))
		return;
	if (!dev_val(p->a, d, CL_DEVICE_VENDOR_ID, &vid, sizeof(vid)))
		vid = 0;
	dev_str(p->a, d, CL_DEVICE_NAME, name, sizeof(name));
	xpu_device *dev = NULL;
	if (type & CL_DEVICE_TYPE_CPU)
		dev = xpu_system_cpu(p->s);
	else if (type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR))
		dev = gpu_match(p, d, xpu_rt_vendor_of(vid), name);
	if (!dev || dev->backends[XPU_BACKEND_OPENCL].usable)
		return;
	xpu_backend_set_usable(dev, XPU_BACKEND_OPENCL, ver, name, index);
}

static void plat_classify(cl_plat *pl, const char *vendor)
{
	if (strstr(vendor, "Intel"))
		pl->vendor = XPU_VENDOR_INTEL;
	else if (strstr(vendor, "NVIDIA"))
		pl->vendor = XPU_VENDOR_NVIDIA;
	else if (strstr(vendor, "Advanced Micro Devices") || strstr(vendor, "AMD"))
		pl->vendor = XPU_VENDOR_AMD;
	else
		pl->vendor = XPU_VENDOR_OTHER;
	/* Intel ships a CPU platform too ("Intel(R) OpenCL"); its GPU one is
	 * "Intel(R) OpenCL Graphics" / "... HD Graphics". */
	pl->gpu_platform = pl->vendor == XPU_VENDOR_INTEL ? strstr(pl->name, "Graphics") != NULL :
							    pl->vendor != XPU_VENDOR_OTHER;
}

static void cl_platform(cl_probe *p, cl_platform_id id, cl_plat *pl)
{
	char vendor[64], ver[48];
	plat_str(p->a, id, CL_PLATFORM_NAME, pl->name, sizeof(pl->name));
	plat_str(p->a, id, CL_PLATFORM_VENDOR, vendor, sizeof(vendor));
	plat_str(p->a, id, CL_PLATFORM_VERSION, ver, sizeof(ver));
	short_version(ver);
	plat_classify(pl, vendor);
	cl_device_id devs[CL_MAX_DEVS];
	pl->ndev = 0;
	pl->rc = p->a->device_ids(id, CL_DEVICE_TYPE_ALL, CL_MAX_DEVS, devs, &pl->ndev);
	if (pl->rc != CL_SUCCESS)
		pl->ndev = 0;
	for (cl_uint i = 0; i < pl->ndev && i < CL_MAX_DEVS; i++)
		cl_device(p, devs[i], ver, (int)i);
	p->ndev += pl->ndev;
	if (pl->rc == CL_SUCCESS)
		xpu_rt_summary(p->info, "%s: %u device%s", pl->name, pl->ndev,
			       pl->ndev == 1 ? "" : "s");
	else if (pl->rc == CL_DEVICE_NOT_FOUND)
		xpu_rt_summary(p->info, "%s: no device", pl->name);
	else
		xpu_rt_summary(p->info, "%s: clGetDeviceIDs error %d", pl->name, (int)pl->rc);
}

static const char *icd_package(const xpu_device *d)
{
	switch (d->vendor) {
	case XPU_VENDOR_INTEL:
		return "intel-opencl-icd";
	case XPU_VENDOR_NVIDIA:
		return "the NVIDIA driver's OpenCL ICD";
	case XPU_VENDOR_AMD:
		return "ROCm OpenCL or mesa-opencl-icd";
	case XPU_VENDOR_CPU:
		return "pocl-opencl-icd";
	default:
		return "the vendor's OpenCL ICD";
	}
}

/* The part of a vendor's GPU ICD library name, as its .icd file names it. */
static const char *icd_library(xpu_vendor v)
{
	switch (v) {
	case XPU_VENDOR_INTEL:
		return "igdrcl"; /* libigdrcl.so: intel-opencl-icd (NEO) */
	case XPU_VENDOR_NVIDIA:
		return "nvidia-opencl";
	case XPU_VENDOR_AMD:
		return "amdocl";
	default:
		return NULL;
	}
}

/* Whether the manifest at path registers a library whose file name holds
 * lib.  Read as any file is (base/file.h): a FIFO planted among the
 * manifests would otherwise hang every xpu list. */
static int icd_file_names(const char *path, const char *lib)
{
	char *text, err[16], library[1024];
	size_t n;
	if (xpu_file_read(-1, path, 0, ICD_MAX, &text, &n, err, sizeof(err)) != XPU_FILE_OK)
		return 0;
	bool named = xpu_parse_icd_library(text, library, sizeof(library));
	free(text);
	const char *slash = named ? strrchr(library, '/') : NULL;
	return named && strstr(slash ? slash + 1 : library, lib) != NULL;
}

/* Whether an .icd file registers the vendor's GPU ICD: an ICD that finds no
 * device may hide its platform altogether (NEO does), and then only this
 * file says it is installed.  Read directly: a configuration file, outside
 * what a sysroot replays. */
static int icd_registered(xpu_vendor v, char *file, size_t len)
{
	const char *lib = icd_library(v);
	const char *dir = getenv("OCL_ICD_VENDORS");
	if (!dir || !*dir)
		dir = "/etc/OpenCL/vendors";
	DIR *dp = lib ? opendir(dir) : NULL;
	if (!dp)
		return 0;
	int found = 0;
	for (struct dirent *e = readdir(dp); e && !found; e = readdir(dp)) {
		size_t nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".icd") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		found = icd_file_names(path, lib);
		if (found)
			xpu_strlcpy(file, e->d_name, len);
	}
	closedir(dp);
	return found;
}

/* Why no platform listed this GPU when none of its vendor's did. */
static void cl_no_platform(cl_probe *p, xpu_device *d)
{
	char icd[64];
	if (d->vendor == XPU_VENDOR_INTEL && icd_registered(d->vendor, icd, sizeof(icd)))
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"Intel(R) OpenCL Graphics platform has no device (%s lists none)", icd);
	else if (icd_registered(d->vendor, icd, sizeof(icd)))
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"%s is registered but lists no platform", icd);
	else if (d->vendor == XPU_VENDOR_CPU && p->ndev)
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"not among the %u OpenCL devices", p->ndev);
	else
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_MISSING,
				"no OpenCL platform for it (install %s)", icd_package(d));
}

/* Why no platform listed this device. */
static void cl_unseen(cl_probe *p, xpu_device *d)
{
	const cl_plat *mine = NULL;
	for (cl_uint i = 0; i < p->nplat && !mine; i++)
		if (d->vendor != XPU_VENDOR_CPU && p->plat[i].vendor == d->vendor &&
		    p->plat[i].gpu_platform)
			mine = &p->plat[i];
	if (!mine)
		cl_no_platform(p, d);
	else if (mine->rc == CL_DEVICE_NOT_FOUND)
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"%s platform has no device", mine->name);
	else if (mine->rc != CL_SUCCESS)
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_ERROR,
				"%s: clGetDeviceIDs error %d", mine->name, (int)mine->rc);
	else
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"not among the %u OpenCL devices", p->ndev);
}

static void cl_mark_applies(struct xpu_system *s)
{
	for (size_t i = 0; i < s->count; i++)
		xpu_rt_applies(&s->devices[i], XPU_BACKEND_OPENCL);
}

/* GPU ICDs registered in /etc/OpenCL/vendors that offered no platform. */
static void cl_hidden_icds(cl_probe *p)
{
	static const xpu_vendor vendors[] = {XPU_VENDOR_INTEL, XPU_VENDOR_NVIDIA, XPU_VENDOR_AMD};
	for (size_t k = 0; k < XPU_ARRAY_LEN(vendors); k++) {
		int listed = 0;
		for (cl_uint i = 0; i < p->nplat; i++)
			listed |= p->plat[i].vendor == vendors[k] && p->plat[i].gpu_platform;
		char icd[64];
		if (listed || !icd_registered(vendors[k], icd, sizeof(icd)))
			continue;
		/* NEO hides its platform when it finds no GPU: name it anyway. */
		if (vendors[k] == XPU_VENDOR_INTEL)
			xpu_rt_summary(p->info, "Intel(R) OpenCL Graphics (%s): no device", icd);
		else
			xpu_rt_summary(p->info, "%s: no platform", icd);
	}
}

static void cl_fail(struct xpu_system *s, xpu_runtime_info *info, xpu_reason r,
		    const char *detail)
{
	xpu_set_status(&info->status, XPU_UNAVAILABLE, r, "%s", detail);
	xpu_rt_unusable_all(s, XPU_BACKEND_OPENCL, r, "%s", detail);
}

/* clGetPlatformIDs; false (and everything marked) on a hard failure.
 * -1001 (no ICD offered a platform) is not one: each device says why. */
static int cl_platforms(cl_probe *p, cl_platform_id *ids)
{
	cl_int rc = p->a->platforms(CL_MAX_PLATFORMS, ids, &p->nplat);
	if (rc != CL_SUCCESS && rc != XCL_PLATFORM_NOT_FOUND_KHR) {
		char detail[XPU_DETAIL_LEN];
		snprintf(detail, sizeof(detail), "clGetPlatformIDs: error %d", (int)rc);
		cl_fail(p->s, p->info, XPU_R_RUNTIME_ERROR, detail);
		return 0;
	}
	if (rc != CL_SUCCESS)
		p->nplat = 0;
	if (p->nplat > CL_MAX_PLATFORMS)
		p->nplat = CL_MAX_PLATFORMS;
	return 1;
}

void xpu_runtime_opencl_probe(struct xpu_system *s)
{
	xpu_runtime_info *info = xpu_rt_info(s, XPU_RT_OPENCL, cl_libs[0]);
	cl_mark_applies(s);
	void *lib = xpu_rt_open(cl_libs, CL_LIB " (install ocl-icd-libopencl1)", info);
	if (!lib) {
		xpu_rt_unusable_all(s, XPU_BACKEND_OPENCL, info->status.reason, "%s",
				    info->status.detail);
		return;
	}
	/* Kept loaded: ICDs such as PoCL register exit handlers. */
	cl_api a;
	if (!cl_load(lib, &a)) {
		cl_fail(s, info, XPU_R_RUNTIME_ERROR, CL_LIB " lacks clGetPlatformIDs/clGetDeviceIDs");
		return;
	}
	cl_probe p;
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.info = info;
	p.a = &a;
	cl_platform_id ids[CL_MAX_PLATFORMS];
	if (!cl_platforms(&p, ids))
		return;
	for (cl_uint i = 0; i < p.nplat; i++)
		cl_platform(&p, ids[i], &p.plat[i]);
	cl_hidden_icds(&p);
	if (p.nplat)
		xpu_rt_info_ok(info, NULL, p.ndev);
	else
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE,
			       "no ICD in /etc/OpenCL/vendors offers a platform");
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (d->backends[XPU_BACKEND_OPENCL].applies && !d->backends[XPU_BACKEND_OPENCL].usable)
			cl_unseen(&p, d);
	}
}
