/* OpenCL (libOpenCL.so.1, the ICD loader): backend opencl on every GPU and
 * the CPU.  The Khronos headers supply types and constants only; calls go
 * through the one symbol table of runtimes/opencl_api.h.  Each platform (ICD) is probed on its own, so one whose
 * clGetDeviceIDs fails (Intel's ICD on a machine without its GPU) does not
 * hide the others.  The gather lists every platform and device into a private
 * result; the apply matches the devices to the system's and says why each
 * device no platform listed is missing. */
#define CL_TARGET_OPENCL_VERSION 300
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/file.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/opencl_api.h"
#include "sys/parse.h"

/* Vendor queries not in every cl_ext.h (values from the extension specs). */
#define XCL_DEVICE_PCI_BUS_ID_NV 0x4008
#define XCL_DEVICE_PCI_SLOT_ID_NV 0x4009
#define XCL_DEVICE_PCI_DOMAIN_ID_NV 0x400A
#define XCL_DEVICE_TOPOLOGY_AMD 0x4037
#define XCL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD 1
#define XCL_DEVICE_ID_INTEL 0x4251 /* cl_intel_device_attribute_query: PCI device id */
#define XCL_PLATFORM_NOT_FOUND_KHR (-1001)

#define CL_MAX_PLATFORMS 16
#define CL_MAX_DEVS 32
#define ICD_MAX 4096 /* a manifest is one line: a library's path */

static xpu_opencl_api cl_table;
static pthread_once_t cl_once = PTHREAD_ONCE_INIT;

static void cl_resolve_bench(void *lib, xpu_opencl_api *a)
{
	xpu_dl_fn(lib, &a->create_context, "clCreateContext", NULL);
	xpu_dl_fn(lib, &a->create_queue, "clCreateCommandQueue", NULL);
	xpu_dl_fn(lib, &a->create_buffer, "clCreateBuffer", NULL);
	xpu_dl_fn(lib, &a->create_program, "clCreateProgramWithSource", NULL);
	xpu_dl_fn(lib, &a->build_program, "clBuildProgram", NULL);
	xpu_dl_fn(lib, &a->build_info, "clGetProgramBuildInfo", NULL);
	xpu_dl_fn(lib, &a->create_kernel, "clCreateKernel", NULL);
	xpu_dl_fn(lib, &a->set_arg, "clSetKernelArg", NULL);
	xpu_dl_fn(lib, &a->enqueue_kernel, "clEnqueueNDRangeKernel", NULL);
	xpu_dl_fn(lib, &a->write, "clEnqueueWriteBuffer", NULL);
	xpu_dl_fn(lib, &a->read, "clEnqueueReadBuffer", NULL);
	xpu_dl_fn(lib, &a->map, "clEnqueueMapBuffer", NULL);
	xpu_dl_fn(lib, &a->unmap, "clEnqueueUnmapMemObject", NULL);
	xpu_dl_fn(lib, &a->finish, "clFinish", NULL);
	xpu_dl_fn(lib, &a->wait, "clWaitForEvents", NULL);
	xpu_dl_fn(lib, &a->profiling, "clGetEventProfilingInfo", NULL);
	xpu_dl_fn(lib, &a->release_event, "clReleaseEvent", NULL);
	xpu_dl_fn(lib, &a->release_kernel, "clReleaseKernel", NULL);
	xpu_dl_fn(lib, &a->release_program, "clReleaseProgram", NULL);
	xpu_dl_fn(lib, &a->release_mem, "clReleaseMemObject", NULL);
	xpu_dl_fn(lib, &a->release_queue, "clReleaseCommandQueue", NULL);
	xpu_dl_fn(lib, &a->release_context, "clReleaseContext", NULL);
}

static void cl_load(void)
{
	xpu_opencl_api *a = &cl_table;
	if (!xpu_rt_lib_open(XPU_RT_OPENCL, &a->lib))
		return;
	xpu_dl_fn(a->lib.handle, &a->platforms, "clGetPlatformIDs", NULL);
	xpu_dl_fn(a->lib.handle, &a->platform_info, "clGetPlatformInfo", NULL);
	xpu_dl_fn(a->lib.handle, &a->device_ids, "clGetDeviceIDs", NULL);
	xpu_dl_fn(a->lib.handle, &a->device_info, "clGetDeviceInfo", NULL);
	cl_resolve_bench(a->lib.handle, a);
}

const xpu_opencl_api *xpu_opencl_api_get(void)
{
	pthread_once(&cl_once, cl_load);
	return &cl_table;
}

/* What one platform gave, for the reasons of devices no platform claimed. */
typedef struct cl_plat {
	char name[64];
	char version[48]; /* "OpenCL 3.0 PoCL 3.1+debian" */
	xpu_vendor vendor;
	int gpu_platform; /* meant for GPUs ("Graphics", or a GPU vendor's) */
	cl_int rc;        /* of clGetDeviceIDs */
	cl_uint ndev;
} cl_plat;

/* What one device said of itself. */
typedef struct cl_dev {
	cl_device_type type; /* 0: CL_DEVICE_TYPE did not answer */
	xpu_vendor vendor;
	char name[XPU_TEXT_LEN];
	bool have_pci;
	char bus[16];
	cl_uint intel_id; /* Intel's PCI device id; 0 unknown */
	int index;        /* within its platform */
	cl_uint plat;
} cl_dev;

enum { CL_MAX_ALL_DEVS = CL_MAX_PLATFORMS * CL_MAX_DEVS };

typedef struct cl_result {
	xpu_runtime_info info;
	bool listed; /* clGetPlatformIDs answered (perhaps with no platform) */
	cl_plat plat[CL_MAX_PLATFORMS];
	cl_uint nplat;
	unsigned ndev; /* devices all platforms count */
	unsigned n_devs;
	cl_dev devs[CL_MAX_ALL_DEVS];
} cl_result;

/* The OpenCL driver (ICD) of each vendor's devices, in the order a
 * platform's vendor string is matched. */
typedef struct cl_icd {
	xpu_vendor vendor;
	const char *platform_vendor[2]; /* in CL_PLATFORM_VENDOR; NULL-padded */
	const char *library; /* part of its library's name, as its .icd file names it */
	const char *package; /* what installs it */
} cl_icd;

static const cl_icd icds[] = {
	{ XPU_VENDOR_INTEL, { "Intel" }, "igdrcl", "intel-opencl-icd" }, /* libigdrcl.so: NEO */
	{ XPU_VENDOR_NVIDIA, { "NVIDIA" }, "nvidia-opencl", "the NVIDIA driver's OpenCL ICD" },
	{ XPU_VENDOR_AMD, { "Advanced Micro Devices", "AMD" }, "amdocl",
	  "ROCm OpenCL or mesa-opencl-icd" },
	{ XPU_VENDOR_CPU, { NULL }, NULL, "pocl-opencl-icd" },
};

static const cl_icd *icd_of(xpu_vendor v)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(icds); i++)
		if (icds[i].vendor == v)
			return &icds[i];
	return NULL;
}

/* --- gather --- */

static void plat_str(const xpu_opencl_api *a, cl_platform_id p, cl_platform_info what, char *out,
		     size_t len)
{
	char buf[256];
	size_t got = 0;
	if (a->platform_info(p, what, sizeof(buf), buf, &got) != CL_SUCCESS)
		got = 0;
	xpu_strlcpy_n(out, len, buf, got < sizeof(buf) ? got : sizeof(buf));
}

static void dev_str(const xpu_opencl_api *a, cl_device_id d, cl_device_info what, char *out, size_t len)
{
	char buf[256];
	size_t got = 0;
	if (a->device_info(d, what, sizeof(buf), buf, &got) != CL_SUCCESS)
		got = 0;
	xpu_strlcpy_n(out, len, buf, got < sizeof(buf) ? got : sizeof(buf));
}

/* Reads a fixed-size value; false unless the runtime wrote exactly that. */
static int dev_val(const xpu_opencl_api *a, cl_device_id d, cl_device_info what, void *val, size_t len)
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
static int dev_pci(const xpu_opencl_api *a, cl_device_id d, xpu_vendor v, char *bus, size_t len)
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

static void gather_device(const xpu_opencl_api *a, cl_device_id id, cl_dev *g)
{
	cl_uint vid = 0;
	if (!dev_val(a, id, CL_DEVICE_TYPE, &g->type, sizeof(g->type))) {
		g->type = 0;
		return;
	}
	if (!dev_val(a, id, CL_DEVICE_VENDOR_ID, &vid, sizeof(vid)))
		vid = 0;
	g->vendor = xpu_rt_vendor_of(vid);
	dev_str(a, id, CL_DEVICE_NAME, g->name, sizeof(g->name));
	if (!(g->type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) ||
	    (g->type & CL_DEVICE_TYPE_CPU))
		return;
	g->have_pci = dev_pci(a, id, g->vendor, g->bus, sizeof(g->bus));
	if (g->have_pci || g->vendor != XPU_VENDOR_INTEL ||
	    !dev_val(a, id, XCL_DEVICE_ID_INTEL, &g->intel_id, sizeof(g->intel_id)))
		g->intel_id = 0;
}

static void plat_classify(cl_plat *pl, const char *vendor)
{
	pl->vendor = XPU_VENDOR_OTHER;
	for (size_t i = 0; i < XPU_ARRAY_LEN(icds) && pl->vendor == XPU_VENDOR_OTHER; i++)
		for (size_t k = 0; k < 2 && icds[i].platform_vendor[k]; k++)
			if (strstr(vendor, icds[i].platform_vendor[k]))
				pl->vendor = icds[i].vendor;
	/* Intel ships a CPU platform too ("Intel(R) OpenCL"); its GPU one is
	 * "Intel(R) OpenCL Graphics" / "... HD Graphics". */
	pl->gpu_platform = pl->vendor == XPU_VENDOR_INTEL ? strstr(pl->name, "Graphics") != NULL :
							    pl->vendor != XPU_VENDOR_OTHER;
}

static void gather_platform(const xpu_opencl_api *a, cl_platform_id id, cl_uint k,
			    cl_result *r)
{
	cl_plat *pl = &r->plat[k];
	char vendor[64];
	plat_str(a, id, CL_PLATFORM_NAME, pl->name, sizeof(pl->name));
	plat_str(a, id, CL_PLATFORM_VENDOR, vendor, sizeof(vendor));
	plat_str(a, id, CL_PLATFORM_VERSION, pl->version, sizeof(pl->version));
	short_version(pl->version);
	plat_classify(pl, vendor);
	cl_device_id devs[CL_MAX_DEVS];
	pl->ndev = 0;
	pl->rc = a->device_ids(id, CL_DEVICE_TYPE_ALL, CL_MAX_DEVS, devs, &pl->ndev);
	if (pl->rc != CL_SUCCESS)
		pl->ndev = 0;
	for (cl_uint i = 0; i < pl->ndev && i < CL_MAX_DEVS && r->n_devs < CL_MAX_ALL_DEVS; i++) {
		cl_dev *g = &r->devs[r->n_devs++];
		g->index = (int)i;
		g->plat = k;
		gather_device(a, devs[i], g);
	}
	r->ndev += pl->ndev;
	if (pl->rc == CL_SUCCESS)
		xpu_rt_summary(&r->info, "%s: %u device%s", pl->name, pl->ndev,
			       pl->ndev == 1 ? "" : "s");
	else if (pl->rc == CL_DEVICE_NOT_FOUND)
		xpu_rt_summary(&r->info, "%s: no device", pl->name);
	else
		xpu_rt_summary(&r->info, "%s: clGetDeviceIDs error %d", pl->name, (int)pl->rc);
}

const char *xpu_opencl_icd_package(xpu_vendor v)
{
	const cl_icd *icd = icd_of(v);
	return icd ? icd->package : "the vendor's OpenCL ICD";
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
	const cl_icd *icd = icd_of(v);
	const char *lib = icd ? icd->library : NULL;
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

/* GPU ICDs registered in /etc/OpenCL/vendors that offered no platform. */
static void cl_hidden_icds(cl_result *r)
{
	for (size_t k = 0; k < XPU_ARRAY_LEN(icds); k++) {
		xpu_vendor v = icds[k].vendor;
		int listed = 0;
		for (cl_uint i = 0; i < r->nplat; i++)
			listed |= r->plat[i].vendor == v && r->plat[i].gpu_platform;
		char icd[64];
		if (listed || !icd_registered(v, icd, sizeof(icd)))
			continue;
		/* NEO hides its platform when it finds no GPU: name it anyway. */
		if (v == XPU_VENDOR_INTEL)
			xpu_rt_summary(&r->info, "Intel(R) OpenCL Graphics (%s): no device", icd);
		else
			xpu_rt_summary(&r->info, "%s: no platform", icd);
	}
}

/* clGetPlatformIDs; false (info->status saying why) on a hard failure.
 * -1001 (no ICD offered a platform) is not one: each device says why. */
static bool cl_platforms(const xpu_opencl_api *a, cl_platform_id *ids, cl_result *r)
{
	cl_int rc = a->platforms(CL_MAX_PLATFORMS, ids, &r->nplat);
	if (rc != CL_SUCCESS && rc != XCL_PLATFORM_NOT_FOUND_KHR) {
		xpu_set_status(&r->info.status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "clGetPlatformIDs: error %d", (int)rc);
		return false;
	}
	if (rc != CL_SUCCESS)
		r->nplat = 0;
	if (r->nplat > CL_MAX_PLATFORMS)
		r->nplat = CL_MAX_PLATFORMS;
	return true;
}

static void cl_gather(const struct xpu_system *s, void *result)
{
	cl_result *r = result;
	xpu_runtime_info *info = &r->info;
	xpu_rt_info_init(info, XPU_RT_OPENCL);
	/* Kept loaded: ICDs such as PoCL register exit handlers. */
	const xpu_opencl_api *a = xpu_opencl_api_get();
	if (!xpu_rt_loaded(&a->lib, XPU_RT_OPENCL, info))
		return;
	if (!a->platforms || !a->platform_info || !a->device_ids || !a->device_info) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks clGetPlatformIDs/clGetDeviceIDs",
			       xpu_runtime_desc_of(XPU_RT_OPENCL)->libraries[0]);
		return;
	}
	cl_platform_id ids[CL_MAX_PLATFORMS];
	r->listed = cl_platforms(a, ids, r);
	if (!r->listed)
		return;
	for (cl_uint i = 0; i < r->nplat; i++)
		gather_platform(a, ids[i], i, r);
	cl_hidden_icds(r);
	if (r->nplat)
		xpu_rt_info_ok(info, NULL, r->ndev);
	else
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE,
			       "no ICD in /etc/OpenCL/vendors offers a platform");
}

/* --- apply --- */

static xpu_device *gpu_match(struct xpu_system *s, const cl_dev *g)
{
	if (g->have_pci)
		return xpu_rt_find_or_add(s, g->bus, g->vendor, XPU_KIND_DISCRETE, g->name);
	return xpu_rt_unique_gpu(s, XPU_BACKEND_OPENCL, g->vendor, g->intel_id);
}

static void apply_device(struct xpu_system *s, const cl_result *r, const cl_dev *g)
{
	xpu_device *dev = NULL;
	if (g->type & CL_DEVICE_TYPE_CPU)
		dev = xpu_system_cpu(s);
	else if (g->type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR))
		dev = gpu_match(s, g);
	if (!dev || dev->backends[XPU_BACKEND_OPENCL].usable)
		return;
	xpu_backend_set_usable(dev, XPU_BACKEND_OPENCL, r->plat[g->plat].version, g->name, g->index);
}

/* Why no platform listed this GPU when none of its vendor's did. */
static void cl_no_platform(const cl_result *r, xpu_device *d)
{
	char icd[64];
	if (d->vendor == XPU_VENDOR_INTEL && icd_registered(d->vendor, icd, sizeof(icd)))
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"Intel(R) OpenCL Graphics platform has no device (%s lists none)", icd);
	else if (icd_registered(d->vendor, icd, sizeof(icd)))
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"%s is registered but lists no platform", icd);
	else if (d->vendor == XPU_VENDOR_CPU && r->ndev)
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"not among the %u OpenCL devices", r->ndev);
	else
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_MISSING,
				"no OpenCL platform for it (install %s)", xpu_opencl_icd_package(d->vendor));
}

/* Why no platform listed this device. */
static void cl_unseen(const cl_result *r, xpu_device *d)
{
	const cl_plat *mine = NULL;
	for (cl_uint i = 0; i < r->nplat && !mine; i++)
		if (d->vendor != XPU_VENDOR_CPU && r->plat[i].vendor == d->vendor &&
		    r->plat[i].gpu_platform)
			mine = &r->plat[i];
	if (!mine)
		cl_no_platform(r, d);
	else if (mine->rc == CL_DEVICE_NOT_FOUND)
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"%s platform has no device", mine->name);
	else if (mine->rc != CL_SUCCESS)
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_ERROR,
				"%s: clGetDeviceIDs error %d", mine->name, (int)mine->rc);
	else
		xpu_rt_unusable(d, XPU_BACKEND_OPENCL, XPU_R_RUNTIME_NO_DEVICE,
				"not among the %u OpenCL devices", r->ndev);
}

static void cl_apply(struct xpu_system *s, const void *result)
{
	const cl_result *r = result;
	/* No platform is no failure of the loader: each device says why below. */
	if (!xpu_rt_apply_start(s, &r->info, XPU_RT_OPENCL, !r->listed) && !r->listed)
		return;
	for (unsigned i = 0; i < r->n_devs; i++)
		apply_device(s, r, &r->devs[i]);
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (d->backends[XPU_BACKEND_OPENCL].applies && !d->backends[XPU_BACKEND_OPENCL].usable)
			cl_unseen(r, d);
	}
}

const xpu_rt_probe xpu_rt_probe_opencl = {
	.result_size = sizeof(cl_result),
	.gather = cl_gather,
	.apply = cl_apply,
};
