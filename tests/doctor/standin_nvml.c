/* A STAND-IN libnvidia-ml.so.1 for the doctor's tests: NVML's
 * "driver/library version mismatch" (NVML_ERROR_LIB_RM_VERSION_MISMATCH,
 * 18) and a userspace driver version to hold against the kernel module's.
 * The real NVML's pass path is proven on the H200 (docs/hardware-runs.d/
 * doctor.md).
 *
 * The entry points are the versioned ones src/runtimes/nvml.c dlsym's,
 * with nvml.h's signatures (nvmlReturn_t is an int, nvmlDevice_t a
 * pointer).  What NVML does not find here (clocks, power, temperature) the
 * probe reports as missing, as it would for an old NVML.
 *   XPU_STANDIN_NVML_INIT=N       nvmlInit_v2 returns N (default 0)
 *   XPU_STANDIN_NVML_VERSION=V    nvmlSystemGetDriverVersion (default
 *                                 580.159.04)
 *   XPU_STANDIN_CUDA_PCI=BUSID    the device's bus id, as the stand-in
 *                                 libcuda (default 0000:00:06.0) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the project builds with hidden visibility: these are the library's API */
#define EXPORT __attribute__((visibility("default")))

enum { SUCCESS = 0, INVALID_ARGUMENT = 2, UNINITIALIZED = 1 };

typedef struct standin_pci { /* nvmlPciInfo_t as _v3 fills it */
	char bus_id_legacy[16];
	unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
	char bus_id[32];
} standin_pci;

typedef struct standin_memory { /* nvmlMemory_t */
	unsigned long long total, free, used;
} standin_memory;

EXPORT int nvmlInit_v2(void);
EXPORT int nvmlSystemGetDriverVersion(char *version, unsigned len);
EXPORT int nvmlDeviceGetCount_v2(unsigned *count);
EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **dev);
EXPORT int nvmlDeviceGetPciInfo_v3(void *dev, standin_pci *pci);
EXPORT int nvmlDeviceGetName(void *dev, char *name, unsigned len);
EXPORT int nvmlDeviceGetUUID(void *dev, char *uuid, unsigned len);
EXPORT int nvmlDeviceGetMemoryInfo(void *dev, standin_memory *mem);

static int initialised;
static int the_device; /* its address is the one handle */

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

EXPORT int nvmlInit_v2(void)
{
	int rc = atoi(env_or("XPU_STANDIN_NVML_INIT", "0"));
	initialised = rc == SUCCESS;
	return rc;
}

EXPORT int nvmlSystemGetDriverVersion(char *version, unsigned len)
{
	if (!initialised)
		return UNINITIALIZED;
	snprintf(version, len, "%s", env_or("XPU_STANDIN_NVML_VERSION", "580.159.04"));
	return SUCCESS;
}

EXPORT int nvmlDeviceGetCount_v2(unsigned *count)
{
	if (!initialised)
		return UNINITIALIZED;
	*count = 1;
	return SUCCESS;
}

EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **dev)
{
	if (!initialised)
		return UNINITIALIZED;
	if (index != 0)
		return INVALID_ARGUMENT;
	*dev = &the_device;
	return SUCCESS;
}

EXPORT int nvmlDeviceGetPciInfo_v3(void *dev, standin_pci *pci)
{
	if (dev != &the_device)
		return INVALID_ARGUMENT;
	memset(pci, 0, sizeof(*pci));
	snprintf(pci->bus_id, sizeof(pci->bus_id), "%s", env_or("XPU_STANDIN_CUDA_PCI", "0000:00:06.0"));
	pci->pci_device_id = 0x233510deu; /* H200: device 0x2335, vendor 0x10de */
	return SUCCESS;
}

EXPORT int nvmlDeviceGetName(void *dev, char *name, unsigned len)
{
	if (dev != &the_device)
		return INVALID_ARGUMENT;
	snprintf(name, len, "NVIDIA H200");
	return SUCCESS;
}

EXPORT int nvmlDeviceGetUUID(void *dev, char *uuid, unsigned len)
{
	if (dev != &the_device)
		return INVALID_ARGUMENT;
	snprintf(uuid, len, "GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	return SUCCESS;
}

EXPORT int nvmlDeviceGetMemoryInfo(void *dev, standin_memory *mem)
{
	if (dev != &the_device)
		return INVALID_ARGUMENT;
	mem->total = 150754820096ull;
	mem->used = 0;
	mem->free = mem->total;
	return SUCCESS;
}
