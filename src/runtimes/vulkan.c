/* Vulkan (libvulkan.so.1, the loader): backend vulkan on every GPU and on the
 * CPU (lavapipe).  <vulkan/vulkan.h> supplies types only (VK_NO_PROTOTYPES);
 * everything is reached through a dlsym'd vkGetInstanceProcAddr.  An instance
 * is created without layers or extensions, and destroyed before returning. */
#define VK_NO_PROTOTYPES
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"

#define VK_LIB "libvulkan.so.1"
#define VK_MAX_DEVS 32
#define VK_MAX_EXTS 1024

typedef struct vk_api {
	PFN_vkDestroyInstance destroy;
	PFN_vkEnumeratePhysicalDevices enumerate;
	PFN_vkGetPhysicalDeviceProperties props;
	PFN_vkGetPhysicalDeviceProperties2 props2; /* NULL on a 1.0 instance */
	PFN_vkEnumerateDeviceExtensionProperties extensions;
} vk_api;

static const char *const vk_libs[] = {"libvulkan.so.1", "libvulkan.so", NULL};

/* The loader's version, written into info; the instance asks for 1.1 when
 * the loader knows it (props2 and device UUIDs are core there). */
static uint32_t vk_instance_version(PFN_vkGetInstanceProcAddr gipa, xpu_runtime_info *info)
{
	PFN_vkEnumerateInstanceVersion eiv =
		(PFN_vkEnumerateInstanceVersion)gipa(NULL, "vkEnumerateInstanceVersion");
	uint32_t v = VK_API_VERSION_1_0;
	if (eiv && eiv(&v) != VK_SUCCESS)
		v = VK_API_VERSION_1_0;
	snprintf(info->version, sizeof(info->version), "Vulkan %u.%u.%u", VK_API_VERSION_MAJOR(v),
		 VK_API_VERSION_MINOR(v), VK_API_VERSION_PATCH(v));
	return v >= VK_API_VERSION_1_1 ? VK_API_VERSION_1_1 : VK_API_VERSION_1_0;
}

static VkResult vk_create(PFN_vkGetInstanceProcAddr gipa, uint32_t api, VkInstance *inst)
{
	PFN_vkCreateInstance create = (PFN_vkCreateInstance)gipa(NULL, "vkCreateInstance");
	if (!create)
		return VK_ERROR_INITIALIZATION_FAILED;
	VkApplicationInfo app;
	memset(&app, 0, sizeof(app));
	app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
	app.pApplicationName = "xpu";
	app.apiVersion = api;
	VkInstanceCreateInfo ci;
	memset(&ci, 0, sizeof(ci));
	ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
	ci.pApplicationInfo = &app;
	return create(&ci, NULL, inst);
}

static void vk_load(PFN_vkGetInstanceProcAddr gipa, VkInstance inst, uint32_t api, vk_api *a)
{
	memset(a, 0, sizeof(*a));
	a->destroy = (PFN_vkDestroyInstance)gipa(inst, "vkDestroyInstance");
	a->enumerate = (PFN_vkEnumeratePhysicalDevices)gipa(inst, "vkEnumeratePhysicalDevices");
	a->props = (PFN_vkGetPhysicalDeviceProperties)gipa(inst, "vkGetPhysicalDeviceProperties");
	if (api >= VK_API_VERSION_1_1)
		a->props2 = (PFN_vkGetPhysicalDeviceProperties2)gipa(
			inst, "vkGetPhysicalDeviceProperties2");
	a->extensions = (PFN_vkEnumerateDeviceExtensionProperties)gipa(
		inst, "vkEnumerateDeviceExtensionProperties");
}

static int vk_has_extension(const vk_api *a, VkPhysicalDevice pd, const char *want)
{
	uint32_t n = 0;
	if (!a->extensions || a->extensions(pd, NULL, &n, NULL) != VK_SUCCESS || !n)
		return 0;
	if (n > VK_MAX_EXTS)
		n = VK_MAX_EXTS;
	VkExtensionProperties *ext = calloc(n, sizeof(*ext));
	if (!ext)
		return 0;
	int found = 0;
	VkResult rc = a->extensions(pd, NULL, &n, ext);
	for (uint32_t i = 0; (rc == VK_SUCCESS || rc == VK_INCOMPLETE) && i < n && !found; i++)
		found = strncmp(ext[i].extensionName, want, sizeof(ext[i].extensionName)) == 0;
	free(ext);
	return found;
}

/* What one physical device says about itself. */
typedef struct vk_info {
	VkPhysicalDeviceProperties p;
	char uuid[48]; /* "" when unknown */
	char pci[16];  /* "" when unknown */
} vk_info;

static void vk_describe(const vk_api *a, VkPhysicalDevice pd, vk_info *out)
{
	memset(out, 0, sizeof(*out));
	a->props(pd, &out->p);
	if (!a->props2 || out->p.apiVersion < VK_API_VERSION_1_1)
		return;
	VkPhysicalDevicePCIBusInfoPropertiesEXT pci;
	memset(&pci, 0, sizeof(pci));
	pci.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT;
	VkPhysicalDeviceIDProperties id;
	memset(&id, 0, sizeof(id));
	id.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES;
	/* Chaining a struct of an extension the device lacks is invalid. */
	int has_pci = vk_has_extension(a, pd, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME);
	id.pNext = has_pci ? &pci : NULL;
	VkPhysicalDeviceProperties2 p2;
	memset(&p2, 0, sizeof(p2));
	p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
	p2.pNext = &id;
	a->props2(pd, &p2);
	xpu_rt_uuid_format(out->uuid, sizeof(out->uuid), id.deviceUUID);
	if (has_pci)
		xpu_rt_pci_format(out->pci, sizeof(out->pci), pci.pciDomain, pci.pciBus,
				  pci.pciDevice, pci.pciFunction);
}

static xpu_device *vk_match(struct xpu_system *s, const vk_info *in, const char *name)
{
	xpu_vendor v = xpu_rt_vendor_of(in->p.vendorID);
	if (in->p.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU)
		return xpu_system_cpu(s);
	if (in->pci[0]) {
		xpu_kind k = in->p.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ?
				     XPU_KIND_INTEGRATED :
				     XPU_KIND_DISCRETE;
		return xpu_rt_find_or_add(s, in->pci, v, k, name);
	}
	/* NVIDIA's deviceUUID is the GPU UUID nvidia-smi shows. */
	xpu_device *d = in->uuid[0] ? xpu_system_find_uuid(s, in->uuid) : NULL;
	if (!d && v != XPU_VENDOR_OTHER)
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_VULKAN, v, in->p.deviceID);
	return d;
}

static void vk_device(struct xpu_system *s, const vk_api *a, VkPhysicalDevice pd, int index,
		      xpu_runtime_info *info)
{
	vk_info in;
	vk_describe(a, pd, &in);
	char name[XPU_TEXT_LEN];
	xpu_strlcpy_n(name, sizeof(name), in.p.deviceName, sizeof(in.p.deviceName));
	xpu_rt_summary(info, "%s", name);
	xpu_device *d = vk_match(s, &in, name);
	if (!d || d->backends[XPU_BACKEND_VULKAN].usable)
		return;
	char ver[48];
	snprintf(ver, sizeof(ver), "Vulkan %u.%u.%u", VK_API_VERSION_MAJOR(in.p.apiVersion),
		 VK_API_VERSION_MINOR(in.p.apiVersion), VK_API_VERSION_PATCH(in.p.apiVersion));
	xpu_backend_set_usable(d, XPU_BACKEND_VULKAN, ver, name, index);
}

/* Returns the number of physical devices listed. */
static uint32_t vk_walk(struct xpu_system *s, const vk_api *a, VkInstance inst,
		       xpu_runtime_info *info)
{
	VkPhysicalDevice pds[VK_MAX_DEVS];
	uint32_t n = VK_MAX_DEVS;
	VkResult rc = a->enumerate(inst, &n, pds);
	if (rc != VK_SUCCESS && rc != VK_INCOMPLETE)
		return 0;
	for (uint32_t i = 0; i < n && i < VK_MAX_DEVS; i++)
		vk_device(s, a, pds[i], (int)i, info);
	return n;
}

static void vk_mark_applies(struct xpu_system *s)
{
	for (size_t i = 0; i < s->count; i++)
		xpu_rt_applies(&s->devices[i], XPU_BACKEND_VULKAN);
}

static const char *vk_driver_hint(const xpu_device *d)
{
	switch (d->vendor) {
	case XPU_VENDOR_NVIDIA:
		return "the NVIDIA driver's Vulkan ICD";
	case XPU_VENDOR_CPU:
		return "lavapipe in mesa-vulkan-drivers";
	default:
		return "mesa-vulkan-drivers";
	}
}

static void vk_unseen(struct xpu_system *s, uint32_t n)
{
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (!d->backends[XPU_BACKEND_VULKAN].applies || d->backends[XPU_BACKEND_VULKAN].usable)
			continue;
		xpu_rt_unusable(d, XPU_BACKEND_VULKAN, XPU_R_RUNTIME_NO_DEVICE,
				"not among the %u Vulkan devices (its driver: %s)", n, vk_driver_hint(d));
	}
}

static void vk_fail(struct xpu_system *s, xpu_runtime_info *info, xpu_reason r, const char *detail)
{
	xpu_set_status(&info->status, XPU_UNAVAILABLE, r, "%s", detail);
	xpu_rt_unusable_all(s, XPU_BACKEND_VULKAN, r, "%s", detail);
}

void xpu_runtime_vulkan_probe(struct xpu_system *s)
{
	xpu_runtime_info *info = xpu_rt_info(s, XPU_RT_VULKAN, vk_libs[0]);
	vk_mark_applies(s);
	void *lib = xpu_rt_open(vk_libs, VK_LIB " (install libvulkan1)", info);
	if (!lib) {
		xpu_rt_unusable_all(s, XPU_BACKEND_VULKAN, info->status.reason, "%s",
				    info->status.detail);
		return;
	}
	/* Kept loaded: ICDs may leave threads or exit handlers behind. */
	PFN_vkGetInstanceProcAddr gipa = NULL;
	if (!xpu_dl_fn(lib, &gipa, "vkGetInstanceProcAddr", NULL)) {
		vk_fail(s, info, XPU_R_RUNTIME_ERROR, VK_LIB " lacks vkGetInstanceProcAddr");
		return;
	}
	uint32_t api = vk_instance_version(gipa, info);
	VkInstance inst = VK_NULL_HANDLE;
	VkResult rc = vk_create(gipa, api, &inst);
	if (rc == VK_ERROR_INCOMPATIBLE_DRIVER) {
		vk_fail(s, info, XPU_R_RUNTIME_MISSING,
			"no Vulkan driver (ICD) installed (install mesa-vulkan-drivers)");
		return;
	}
	if (rc != VK_SUCCESS || inst == VK_NULL_HANDLE) {
		char detail[XPU_DETAIL_LEN];
		snprintf(detail, sizeof(detail), "vkCreateInstance: error %d", (int)rc);
		vk_fail(s, info, XPU_R_RUNTIME_ERROR, detail);
		return;
	}
	vk_api a;
	vk_load(gipa, inst, api, &a);
	uint32_t n = 0;
	if (a.enumerate && a.props)
		n = vk_walk(s, &a, inst, info);
	if (a.destroy)
		a.destroy(inst, NULL);
	xpu_rt_info_ok(info, NULL, n);
	vk_unseen(s, n);
}
