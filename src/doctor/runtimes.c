/* Userspace runtime checks, on top of what discovery already probed (the
 * runtimes section of xpu_system and each device's backends): no runtime is
 * loaded twice.  Added here: CUDA error codes turned into fixes, cuBLAS by
 * dlopen, Level Zero's driver override, Intel's OpenCL ICD on its own.
 * Library names and Debian packages come from the runtime table
 * (runtimes/runtime.h); the NixOS options are the doctor's own. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doctor/doctor_int.h"
#include "runtimes/cublas_api.h"
#include "runtimes/opencl_api.h"
#include "runtimes/runtime.h"

/* A runtime's probe result, or NULL (and the check skipped) when runtimes
 * were not probed. */
static const xpu_runtime_info *probed(doc_ctx *c, xpu_check *k, xpu_runtime_kind r)
{
	const xpu_runtime_info *info = xpu_runtime_at(c->sys, r);
	if (!xpu_system_runtimes_probed(c->sys) || !info || !info->probed) {
		doc_verdict(k, XPU_VERDICT_SKIP, "%s not probed (%s)", xpu_runtime_name(r),
			    info && info->status.detail[0] ? info->status.detail :
							      "--sysroot without --runtimes, or --no-runtimes");
		return NULL;
	}
	return info;
}

/* The runtime table's first library name and Debian packages of k. */
static const char *lib_of(xpu_runtime_kind k)
{
	return xpu_runtime_desc_of(k)->libraries[0];
}

static const char *packages_of(xpu_runtime_kind k)
{
	return xpu_runtime_desc_of(k)->packages;
}

/* "runtime not installed: libcuda.so.1 (...)" */
static const char *describe(const xpu_status *st, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", xpu_reason_text(st->reason), st->detail[0] ? ": " : "", st->detail);
	return buf;
}

/* The first GPU of vendor v, or NULL. */
static const xpu_device *first_gpu(const doc_ctx *c, xpu_vendor v)
{
	for (size_t i = 0; i < xpu_device_count(c->sys); i++) {
		const xpu_device *d = xpu_device_at(c->sys, i);
		if (doc_is_gpu(d) && d->vendor == v)
			return d;
	}
	return NULL;
}

/* --- CUDA --- */

static int cuda_error_code(const char *detail)
{
	const char *e = strstr(detail, "error ");
	return e ? atoi(e + 6) : 0;
}

/* cuInit 35 or 803, NVML error 18: the loaded module is not the driver
 * version the userspace library belongs to. */
static void mismatch_fix(xpu_check *k, const char *library)
{
	doc_fix(k, "the NVIDIA kernel module and %s differ (see kernel.nvidia_versions): reboot after a "
		"driver update, or reinstall one driver version for both", library);
}

static void cuda_error_fix(xpu_check *k, int code)
{
	switch (code) {
	case 35:
	case 803:
		mismatch_fix(k, "libcuda");
		break;
	case 100:
		doc_fix(k, "CUDA sees no GPU: check access.nvidia_nodes, unset CUDA_VISIBLE_DEVICES if it hides it, "
			"and in a container pass the GPU (--gpus all)");
		break;
	case 804:
		doc_fix(k, "this GPU does not support the CUDA forward-compatibility package: remove cuda-compat "
			"from LD_LIBRARY_PATH or install a newer driver");
		break;
	case 802:
		doc_fix(k, "start the fabric manager: sudo systemctl start nvidia-fabricmanager");
		break;
	case 999:
	case 304:
		doc_fix(k, "see 'dmesg | grep -i nvrm'; loading nvidia_uvm (sudo modprobe nvidia_uvm) often helps");
		break;
	default:
		doc_fix(k, "see 'nvidia-smi' and 'dmesg | grep -i nvrm' for the driver's own error");
	}
}

static void cuda_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "runtimes", "CUDA driver API", "runtime.cuda");
	const xpu_runtime_info *info = probed(c, k, XPU_RT_CUDA);
	if (!info)
		return;
	char why[200];
	const xpu_device *gpu = first_gpu(c, XPU_VENDOR_NVIDIA);
	if (info->status.state == XPU_OK) {
		if (gpu && !gpu->backends[XPU_BACKEND_CUDA].usable) {
			doc_verdict(k, XPU_VERDICT_FAIL, "%s works but not for %s: %s", info->version, doc_dev_name(gpu),
				    describe(&gpu->backends[XPU_BACKEND_CUDA].status, why, sizeof(why)));
			cuda_error_fix(k, 100);
			return;
		}
		const char *drv = gpu && gpu->driver_version.status.state == XPU_OK ? gpu->driver_version.value : "?";
		doc_verdict(k, info->devices ? XPU_VERDICT_PASS : XPU_VERDICT_SKIP,
			    "%s, driver %s (%s): %u device%s%s%s", info->version, drv, info->library, info->devices,
			    info->devices == 1 ? "" : "s", gpu ? ", " : "",
			    gpu ? gpu->backends[XPU_BACKEND_CUDA].device_name : "");
		return;
	}
	if (!gpu && info->status.reason == XPU_R_RUNTIME_MISSING) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no NVIDIA GPU and no %s", lib_of(XPU_RT_CUDA));
		return;
	}
	int code = cuda_error_code(info->status.detail);
	doc_verdict(k, gpu ? XPU_VERDICT_FAIL : XPU_VERDICT_SKIP, "%s%s", describe(&info->status, why, sizeof(why)),
		    gpu ? "" : " (no NVIDIA GPU here)");
	if (!gpu)
		return;
	if (info->status.reason == XPU_R_RUNTIME_MISSING)
		doc_fix_install(c, k, "hardware.graphics.enable = true; services.xserver.videoDrivers = [ \"nvidia\" ];",
				packages_of(XPU_RT_CUDA), NULL);
	else
		cuda_error_fix(k, code);
}

static void nvml_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "runtimes", "NVML (monitoring)", "runtime.nvml");
	const xpu_runtime_info *info = probed(c, k, XPU_RT_NVML);
	if (!info)
		return;
	char why[200];
	if (info->status.state == XPU_OK) {
		doc_verdict(k, XPU_VERDICT_PASS, "%s: driver %s, %u device%s", info->library,
			    info->version[0] ? info->version : "?", info->devices, info->devices == 1 ? "" : "s");
		return;
	}
	if (!c->has_nvidia_gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no NVIDIA GPU (%s)", describe(&info->status, why, sizeof(why)));
		return;
	}
	/* only monitoring needs NVML: apps still run */
	doc_verdict(k, XPU_VERDICT_WARN, "%s: memory, power and clocks are not readable",
		    describe(&info->status, why, sizeof(why)));
	if (strstr(info->status.detail, "mismatch"))
		mismatch_fix(k, "libnvidia-ml");
	else
		doc_fix_install(c, k, "hardware.nvidia.package (it brings libnvidia-ml)",
				packages_of(XPU_RT_NVML), NULL);
}

/* Whether name loads: PASS naming the file.  A name present but broken
 * leaves its error in err (it says more than "not found"). */
static bool cublas_loads(xpu_check *k, const char *name, char *err, size_t len)
{
	void *h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
	if (h) {
		/* kept loaded: unloading a C++ library leaves its runtime's
		 * allocations behind (LeakSanitizer reports them), and the
		 * process ends soon anyway */
		char file[512] = "";
		if (!doc_lib_file(name, file, sizeof(file)))
			xpu_strlcpy(file, name, sizeof(file));
		doc_verdict(k, XPU_VERDICT_PASS, "%s loads (%s)", name, file);
		return true;
	}
	const char *e = dlerror();
	if (e && !strstr(e, "No such file"))
		xpu_strlcpy(err, e, len);
	return false;
}

/* cuBLAS: torch wheels and Ollama bring their own; a CUDA build of
 * llama.cpp or whisper.cpp from the distribution needs the system's. */
static void cublas_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "runtimes", "cuBLAS", "runtime.cublas");
	if (!c->has_nvidia_gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no NVIDIA GPU");
		return;
	}
	if (!xpu_system_runtimes_probed(c->sys)) {
		doc_verdict(k, XPU_VERDICT_SKIP, "not probed (--sysroot without --runtimes)");
		return;
	}
	char err[256] = "";
	/* the versioned names first, then a toolkit's development name */
	const char *const *lists[] = { xpu_cublas_libs, xpu_cublas_dev_libs };
	for (size_t l = 0; l < XPU_ARRAY_LEN(lists); l++)
		for (const char *const *name = lists[l]; *name; name++)
			if (cublas_loads(k, *name, err, sizeof(err)))
				return;
	char names[64];
	xpu_sonames_text(xpu_cublas_libs, "/.", names, sizeof(names));
	if (err[0])
		doc_verdict(k, XPU_VERDICT_WARN, "cuBLAS is present but does not load: %s", err);
	else
		doc_verdict(k, XPU_VERDICT_WARN, "no %s on the loader path: apps that bundle it (PyTorch "
			    "wheels, Ollama) are fine; distribution CUDA builds (llama.cpp) are not", names);
	doc_fix_install(c, k, "the app's package from nixpkgs with cudaSupport (it brings cudaPackages.libcublas)",
			xpu_cublas_packages, NULL);
}

/* --- Level Zero --- */

/* ZE_ENABLE_ALT_DRIVERS replaces the loader's driver list: when none of its
 * names exists, the loader has no GPU driver whatever is installed. */
static bool alt_drivers_absent(char *names, size_t len)
{
	const char *env = getenv("ZE_ENABLE_ALT_DRIVERS");
	if (!env || !*env)
		return false;
	xpu_strlcpy(names, env, len);
	char *copy = strdup(env), *save = NULL, file[512];
	bool any = false;
	for (char *n = copy ? strtok_r(copy, ",", &save) : NULL; n && !any; n = strtok_r(NULL, ",", &save))
		any = doc_lib_file(n, file, sizeof(file));
	free(copy);
	return !any;
}

static void ze_fix_driver(const doc_ctx *c, xpu_check *k)
{
	doc_fix_install(c, k, "hardware.graphics.extraPackages = [ pkgs.intel-compute-runtime "
			"pkgs.intel-compute-runtime.drivers ];",
			xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->driver_packages, NULL);
}

static void level_zero_failed(doc_ctx *c, xpu_check *k, const xpu_runtime_info *info, const xpu_device *gpu)
{
	char why[200], alt[128];
	if (alt_drivers_absent(alt, sizeof(alt))) {
		doc_verdict(k, XPU_VERDICT_FAIL, "no GPU driver: ZE_ENABLE_ALT_DRIVERS=%s names no installed "
			    "driver, so zeInit finds none", alt);
		doc_fix(k, "unset ZE_ENABLE_ALT_DRIVERS (or name %s in it)",
			xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->driver);
		return;
	}
	if (info->status.reason == XPU_R_RUNTIME_MISSING && strstr(info->status.detail, "zeInit")) {
		doc_verdict(k, XPU_VERDICT_FAIL, "no GPU driver: %s", info->status.detail);
		ze_fix_driver(c, k);
		return;
	}
	if (info->status.reason == XPU_R_RUNTIME_MISSING) {
		doc_verdict(k, XPU_VERDICT_FAIL, "no Level Zero loader: %s", info->status.detail);
		doc_fix_install(c, k, "hardware.graphics.extraPackages = [ pkgs.intel-compute-runtime.drivers ]; and "
				"pkgs.level-zero in the app's environment", packages_of(XPU_RT_LEVEL_ZERO), NULL);
		return;
	}
	doc_verdict(k, XPU_VERDICT_FAIL, "%s: %s", info->library, describe(&info->status, why, sizeof(why)));
	doc_fix(k, "see kernel.driver.%s and access.nodes.%s above; a compute-runtime older than the GPU "
		"(compat.%s) also sees no device", doc_dev_label(gpu), doc_dev_label(gpu), doc_dev_label(gpu));
}

static void level_zero_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "runtimes", "Level Zero", "runtime.level_zero");
	const xpu_runtime_info *info = probed(c, k, XPU_RT_LEVEL_ZERO);
	if (!info)
		return;
	char why[200];
	const xpu_device *gpu = first_gpu(c, XPU_VENDOR_INTEL);
	if (!gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no Intel GPU (Level Zero: %s)",
			    info->status.state == XPU_OK ? info->version : describe(&info->status, why, sizeof(why)));
		return;
	}
	if (info->status.state != XPU_OK) {
		level_zero_failed(c, k, info, gpu);
		return;
	}
	const xpu_backend *be = &gpu->backends[XPU_BACKEND_LEVEL_ZERO];
	if (!be->usable) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s lists %u GPU%s, not %s: %s", info->version, info->devices,
			    info->devices == 1 ? "" : "s", doc_dev_name(gpu), describe(&be->status, why, sizeof(why)));
		doc_fix(k, "see kernel.driver.%s and access.nodes.%s; ZE_AFFINITY_MASK or ONEAPI_DEVICE_SELECTOR may "
			"hide it", doc_dev_label(gpu), doc_dev_label(gpu));
		return;
	}
	doc_verdict(k, XPU_VERDICT_PASS, "%s sees %s (level_zero:%d)", be->runtime_version, be->device_name,
		    be->runtime_index);
}

/* --- OpenCL --- */

/* The ICD loader and Intel's ICD. */
static const char *intel_opencl_packages(char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", packages_of(XPU_RT_OPENCL), xpu_opencl_icd_package(XPU_VENDOR_INTEL));
	return buf;
}

static void opencl_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "runtimes", "OpenCL", "runtime.opencl");
	const xpu_runtime_info *info = probed(c, k, XPU_RT_OPENCL);
	if (!info)
		return;
	char why[200], apt[128];
	if (info->status.state == XPU_OK && info->devices) {
		doc_verdict(k, XPU_VERDICT_PASS, "%u device%s: %s", info->devices, info->devices == 1 ? "" : "s",
			    info->summary);
		return;
	}
	doc_verdict(k, c->has_intel_gpu ? XPU_VERDICT_FAIL : XPU_VERDICT_SKIP, "%s%s%s",
		    describe(&info->status, why, sizeof(why)), info->summary[0] ? "; " : "", info->summary);
	if (c->has_intel_gpu)
		doc_fix_install(c, k, "hardware.graphics.extraPackages = [ pkgs.intel-compute-runtime ];",
				intel_opencl_packages(apt, sizeof(apt)), NULL);
}

static void opencl_intel_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "runtimes", "Intel OpenCL ICD", "runtime.opencl.intel");
	const xpu_runtime_info *info = probed(c, k, XPU_RT_OPENCL);
	if (!info)
		return;
	const xpu_device *gpu = first_gpu(c, XPU_VENDOR_INTEL);
	bool registered = strstr(info->summary, "Intel(R) OpenCL Graphics") != NULL;
	if (!gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no Intel GPU (%s)",
			    registered ? "Intel's ICD is registered and offers no device, as expected" :
					 "Intel's ICD offers no platform");
		return;
	}
	const xpu_backend *be = &gpu->backends[XPU_BACKEND_OPENCL];
	char why[200];
	if (be->usable) {
		doc_verdict(k, XPU_VERDICT_PASS, "%s sees %s", be->runtime_version, be->device_name);
		return;
	}
	doc_verdict(k, XPU_VERDICT_FAIL, "no OpenCL platform sees %s: %s%s%s", doc_dev_name(gpu),
		    describe(&be->status, why, sizeof(why)), info->summary[0] ? "; " : "", info->summary);
	if (registered)
		doc_fix(k, "Intel's ICD is registered but sees no GPU: see kernel.driver.%s, access.nodes.%s and "
			"compat.%s (a compute-runtime older than the GPU)", doc_dev_label(gpu), doc_dev_label(gpu),
			doc_dev_label(gpu));
	else
		doc_fix_install(c, k, "hardware.graphics.extraPackages = [ pkgs.intel-compute-runtime ];",
				xpu_opencl_icd_package(XPU_VENDOR_INTEL), NULL);
}

/* --- Vulkan: what Ollama and llama.cpp use on Intel and AMD --- */

static const xpu_device *first_cpu(const doc_ctx *c)
{
	for (size_t i = 0; i < xpu_device_count(c->sys); i++)
		if (xpu_device_at(c->sys, i)->vendor == XPU_VENDOR_CPU)
			return xpu_device_at(c->sys, i);
	return NULL;
}

static void vulkan_check(doc_ctx *c, const xpu_device *d)
{
	xpu_check *k = doc_add(c, "runtimes", "Vulkan", "runtime.vulkan.%s", doc_dev_label(d));
	const xpu_runtime_info *info = probed(c, k, XPU_RT_VULKAN);
	if (!info)
		return;
	const xpu_backend *be = &d->backends[XPU_BACKEND_VULKAN];
	char why[200];
	if (be->usable) {
		doc_verdict(k, XPU_VERDICT_PASS, "%s sees %s", be->runtime_version, be->device_name);
		return;
	}
	if (d->vendor == XPU_VENDOR_NVIDIA && d->backends[XPU_BACKEND_CUDA].usable) {
		doc_verdict(k, XPU_VERDICT_SKIP, "CUDA drives %s; no Vulkan for it (%s)", doc_dev_name(d),
			    describe(&be->status, why, sizeof(why)));
		return;
	}
	doc_verdict(k, XPU_VERDICT_FAIL, "no Vulkan device for %s: %s", doc_dev_name(d),
		    describe(&be->status, why, sizeof(why)));
	if (d->vendor == XPU_VENDOR_NVIDIA)
		doc_fix_install(c, k, "hardware.graphics.enable = true;", "libnvidia-gl-<driver version> (its Vulkan ICD)", NULL);
	else
		doc_fix_install(c, k, "hardware.graphics.enable = true;", packages_of(XPU_RT_VULKAN), NULL);
}

void doc_runtime_checks(doc_ctx *c)
{
	cuda_check(c);
	nvml_check(c);
	cublas_check(c);
	level_zero_check(c);
	opencl_check(c);
	opencl_intel_check(c);
	bool any = false;
	for (size_t i = 0; i < xpu_device_count(c->sys); i++) {
		const xpu_device *d = xpu_device_at(c->sys, i);
		if (doc_is_gpu(d)) {
			vulkan_check(c, d);
			any = true;
		}
	}
	if (!any) {
		xpu_check *k = doc_add(c, "runtimes", "Vulkan", "runtime.vulkan");
		const xpu_runtime_info *info = probed(c, k, XPU_RT_VULKAN);
		/* what xpu list says of the CPU's Vulkan (lavapipe: seen, not usable) */
		const xpu_device *cpu = first_cpu(c);
		const xpu_backend *be = cpu ? &cpu->backends[XPU_BACKEND_VULKAN] : NULL;
		if (info && be && be->device_name[0] && !be->usable)
			doc_verdict(k, XPU_VERDICT_SKIP, "no GPU (Vulkan: %s)", be->status.detail);
		else if (info)
			doc_verdict(k, XPU_VERDICT_SKIP, "no GPU (Vulkan: %s)",
				    info->status.state == XPU_OK ? info->summary : info->status.detail);
	}
}
