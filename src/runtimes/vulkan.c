/* Vulkan (libvulkan.so.1, the loader): backend vulkan on every GPU and on the
 * CPU (lavapipe).  <vulkan/vulkan.h> supplies types only (VK_NO_PROTOTYPES);
 * everything is reached through a dlsym'd vkGetInstanceProcAddr.  An instance
 * is created without layers or extensions, and destroyed before the gather
 * returns: it reads every physical device into a private result, which the
 * apply matches to the system's devices. */
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

#define VK_MAX_DEVS 32
#define VK_MAX_EXTS 1024

typedef struct vk_api {
	PFN_vkDestroyInstance destroy;
	PFN_vkEnumeratePhysicalDevices enumerate;
	PFN_vkGetPhysicalDeviceProperties props;
	PFN_vkGetPhysicalDeviceProperties2 props2; /* NULL on a 1.0 instance */
	PFN_vkEnumerateDeviceExtensionProperties extensions;
} vk_api;

/* What one physical device says about itself. */
typedef struct vk_info {
	char name[XPU_TEXT_LEN];
	uint32_t vendor_id, device_id, api_version;
	VkPhysicalDeviceType type;
	char uuid[48]; /* "" when unknown */
	char pci[16];  /* "" when unknown */
} vk_info;

typedef struct vk_result {
	xpu_runtime_info info;
	uint32_t count; /* physical devices listed */
	vk_info devs[VK_MAX_DEVS];
} vk_result;

/* --- gather --- */

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

/* The device's UUID and PCI address, where Vulkan 1.1 gives them. */
static void vk_identity(const vk_api *a, VkPhysicalDevice pd, vk_info *out)
{
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

static void vk_describe(const vk_api *a, VkPhysicalDevice pd, vk_info *out)
{
	VkPhysicalDeviceProperties p;
	memset(&p, 0, sizeof(p));
	a->props(pd, &p);
	xpu_strlcpy_n(out->name, sizeof(out->name), p.deviceName, sizeof(p.deviceName));
	out->vendor_id = p.vendorID;
	out->device_id = p.deviceID;
	out->api_version = p.apiVersion;
	out->type = p.deviceType;
	if (a->props2 && p.apiVersion >= VK_API_VERSION_1_1)
		vk_identity(a, pd, out);
}

/* Lists the physical devices into r. */
static void vk_walk(const vk_api *a, VkInstance inst, vk_result *r)
{
	VkPhysicalDevice pds[VK_MAX_DEVS];
	uint32_t n = VK_MAX_DEVS;
	VkResult rc = a->enumerate(inst, &n, pds);
	if (rc != VK_SUCCESS && rc != VK_INCOMPLETE)
		return;
	r->count = n;
	for (uint32_t i = 0; i < n && i < VK_MAX_DEVS; i++) {
		vk_describe(a, pds[i], &r->devs[i]);
		xpu_rt_summary(&r->info, "%s", r->devs[i].name);
	}
}

/* Creates an instance; false with info->status saying why not. */
static bool vk_start(PFN_vkGetInstanceProcAddr gipa, xpu_runtime_info *info, uint32_t *api,
		     VkInstance *inst)
{
	*api = vk_instance_version(gipa, info);
	VkResult rc = vk_create(gipa, *api, inst);
	if (rc == VK_ERROR_INCOMPATIBLE_DRIVER) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING,
			       "no Vulkan driver (ICD) installed (install mesa-vulkan-drivers)");
		return false;
	}
	if (rc != VK_SUCCESS || *inst == VK_NULL_HANDLE) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "vkCreateInstance: error %d", (int)rc);
		return false;
	}
	return true;
}

static void vk_gather(const struct xpu_system *s, void *result)
{
	vk_result *r = result;
	xpu_runtime_info *info = &r->info;
	xpu_rt_info_init(info, XPU_RT_VULKAN);
	xpu_rt_lib lib;
	xpu_rt_lib_open(XPU_RT_VULKAN, &lib);
	if (!xpu_rt_loaded(&lib, XPU_RT_VULKAN, info))
		return;
	/* Kept loaded: ICDs may leave threads or exit handlers behind. */
	PFN_vkGetInstanceProcAddr gipa = NULL;
	if (!xpu_dl_fn(lib.handle, &gipa, "vkGetInstanceProcAddr", NULL)) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks vkGetInstanceProcAddr",
			       xpu_runtime_desc_of(XPU_RT_VULKAN)->libraries[0]);
		return;
	}
	uint32_t api = VK_API_VERSION_1_0;
	VkInstance inst = VK_NULL_HANDLE;
	if (!vk_start(gipa, info, &api, &inst))
		return;
	vk_api a;
	vk_load(gipa, inst, api, &a);
	if (a.enumerate && a.props)
		vk_walk(&a, inst, r);
	if (a.destroy)
		a.destroy(inst, NULL);
	xpu_rt_info_ok(info, NULL, r->count);
}

/* --- apply --- */

static xpu_device *vk_match(struct xpu_system *s, const vk_info *in)
{
	xpu_vendor v = xpu_rt_vendor_of(in->vendor_id);
	if (in->type == VK_PHYSICAL_DEVICE_TYPE_CPU)
		return xpu_system_cpu(s);
	if (in->pci[0]) {
		xpu_kind k = in->type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ? XPU_KIND_INTEGRATED :
										  XPU_KIND_DISCRETE;
		return xpu_rt_find_or_add(s, in->pci, v, k, in->name);
	}
	/* NVIDIA's deviceUUID is the GPU UUID nvidia-smi shows. */
	xpu_device *d = in->uuid[0] ? xpu_system_find_uuid(s, in->uuid) : NULL;
	if (!d && v != XPU_VENDOR_OTHER)
		d = xpu_rt_unique_gpu(s, XPU_BACKEND_VULKAN, v, in->device_id);
	return d;
}

static void apply_device(struct xpu_system *s, const vk_info *in, int index)
{
	xpu_device *d = vk_match(s, in);
	if (!d || d->backends[XPU_BACKEND_VULKAN].usable)
		return;
	char ver[48];
	snprintf(ver, sizeof(ver), "Vulkan %u.%u.%u", VK_API_VERSION_MAJOR(in->api_version),
		 VK_API_VERSION_MINOR(in->api_version), VK_API_VERSION_PATCH(in->api_version));
	xpu_backend_set_usable(d, XPU_BACKEND_VULKAN, ver, in->name, index);
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

static void vk_apply(struct xpu_system *s, const void *result)
{
	const vk_result *r = result;
	if (!xpu_rt_apply_start(s, &r->info, XPU_RT_VULKAN, true))
		return;
	for (uint32_t i = 0; i < r->count && i < VK_MAX_DEVS; i++)
		apply_device(s, &r->devs[i], (int)i);
	vk_unseen(s, r->count);
}

const xpu_rt_probe xpu_rt_probe_vulkan = {
	.result_size = sizeof(vk_result),
	.gather = vk_gather,
	.apply = vk_apply,
};
