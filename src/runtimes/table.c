/* The runtime table: one row per userspace runtime, and the public names
 * and masks (xpu_runtime_name, xpu_runtime_mask_parse...) read from it. */
#include "runtimes/runtime.h"

#include <stdio.h>
#include <string.h>

#include "runtimes/rt_int.h"

static const char *const nvml_libs[] = { "libnvidia-ml.so.1", "libnvidia-ml.so", NULL };
static const char *const cuda_libs[] = { "libcuda.so.1", "libcuda.so", NULL };
static const char *const ze_libs[] = { "libze_loader.so.1", "libze_loader.so", NULL };
/* ROCm installs under /opt/rocm without an ld.so.conf entry on some
 * distributions: the absolute path is the last resort. */
static const char *const hip_libs[] = { "libamdhip64.so.6", "libamdhip64.so.7",
					"libamdhip64.so", "libamdhip64.so.5",
					"/opt/rocm/lib/libamdhip64.so", NULL };
static const char *const vk_libs[] = { "libvulkan.so.1", "libvulkan.so", NULL };
static const char *const cl_libs[] = { "libOpenCL.so.1", "libOpenCL.so", NULL };

const xpu_runtime_desc xpu_runtimes[XPU_RT_COUNT] = {
	{ .kind = XPU_RT_NVML, .name = "nvml", .title = "NVML",
	  .backend = XPU_BACKEND_CUDA, .drives = false, .libraries = nvml_libs,
	  .packages = "libnvidia-ml1 (Ubuntu: libnvidia-compute-<driver version>)",
	  .lane = 0, .probe = &xpu_rt_probe_nvml },
	{ .kind = XPU_RT_CUDA, .name = "cuda", .title = "CUDA",
	  .backend = XPU_BACKEND_CUDA, .drives = true, .libraries = cuda_libs,
	  .install = "install libcuda1 or libnvidia-compute-<driver version>",
	  .packages = "libcuda1 (Ubuntu: libnvidia-compute-<driver version>)",
	  .lane = 0, .probe = &xpu_rt_probe_cuda },
	{ .kind = XPU_RT_LEVEL_ZERO, .name = "level_zero", .title = "Level Zero",
	  .backend = XPU_BACKEND_LEVEL_ZERO, .drives = true, .libraries = ze_libs,
	  .install = "install libze1", .packages = "libze1 libze-intel-gpu1",
	  .driver = "libze_intel_gpu.so.1",
	  .driver_packages = "libze-intel-gpu1 (older releases: intel-level-zero-gpu)",
	  .lane = 1, .probe = &xpu_rt_probe_level_zero },
	{ .kind = XPU_RT_ROCM, .name = "rocm", .title = "ROCm",
	  .backend = XPU_BACKEND_ROCM, .drives = true, .libraries = hip_libs,
	  .missing_name = "libamdhip64.so",
	  .install = "install ROCm: hip-runtime-amd / libamdhip64",
	  .lane = 2, .probe = &xpu_rt_probe_rocm },
	{ .kind = XPU_RT_VULKAN, .name = "vulkan", .title = "Vulkan",
	  .backend = XPU_BACKEND_VULKAN, .drives = true, .libraries = vk_libs,
	  .install = "install libvulkan1", .packages = "libvulkan1 mesa-vulkan-drivers",
	  .lane = 3, .probe = &xpu_rt_probe_vulkan },
	{ .kind = XPU_RT_OPENCL, .name = "opencl", .title = "OpenCL",
	  .backend = XPU_BACKEND_OPENCL, .drives = true, .libraries = cl_libs,
	  .install = "install ocl-icd-libopencl1", .packages = "ocl-icd-libopencl1",
	  .lane = 4, .probe = &xpu_rt_probe_opencl },
};

const xpu_runtime_desc *xpu_runtime_desc_of(xpu_runtime_kind k)
{
	for (size_t i = 0; i < XPU_RT_COUNT; i++)
		if (xpu_runtimes[i].kind == k)
			return &xpu_runtimes[i];
	return NULL;
}

const char *xpu_runtime_name(xpu_runtime_kind k)
{
	const xpu_runtime_desc *rt = xpu_runtime_desc_of(k);
	return rt ? rt->name : "unknown";
}

const char *xpu_runtime_title(xpu_runtime_kind k)
{
	const xpu_runtime_desc *rt = xpu_runtime_desc_of(k);
	return rt ? rt->title : "unknown";
}

/* The runtime called name (n bytes, not terminated); NULL when none is. */
static const xpu_runtime_desc *by_name(const char *name, size_t n)
{
	for (size_t i = 0; i < XPU_RT_COUNT; i++)
		if (strlen(xpu_runtimes[i].name) == n && strncmp(name, xpu_runtimes[i].name, n) == 0)
			return &xpu_runtimes[i];
	return NULL;
}

bool xpu_runtime_mask_parse(const char *list, unsigned *mask, char *bad, size_t badlen)
{
	*mask = 0;
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		const xpu_runtime_desc *rt = by_name(p, n);
		if (!rt) {
			snprintf(bad, badlen, "%.*s", (int)n, p);
			return false;
		}
		*mask |= 1u << rt->kind;
		p += n;
		if (*p == ',')
			p++;
	}
	return *mask != 0;
}

unsigned xpu_runtime_mask_for_backend(xpu_backend_kind b)
{
	unsigned mask = 0;
	for (size_t i = 0; i < XPU_RT_COUNT; i++)
		if (xpu_runtimes[i].backend == b)
			mask |= 1u << xpu_runtimes[i].kind;
	return mask;
}
