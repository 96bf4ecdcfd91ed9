/* A STAND-IN libcuda.so.1 for the doctor's tests: it plays the CUDA driver
 * API's error paths, which no machine without a broken NVIDIA driver can
 * show.  The pass path is proven on a real H200 (docs/hardware-runs.d/
 * doctor.md); this library never claims to be CUDA anywhere else.
 *
 * Only the entry points src/runtimes/cuda.c dlsym's exist, with the
 * documented driver API signatures (CUresult and CUdevice are ints).
 * Behaviour comes from the environment, so one build serves every case:
 *   XPU_STANDIN_CUINIT=N          cuInit returns N (default 0, success)
 *   XPU_STANDIN_CUDA_VERSION=N    cuDriverGetVersion (default 13000)
 *   XPU_STANDIN_DEVICES=N         N devices (default 1)
 *   XPU_STANDIN_CUDA_PCI=BUSID    device 0's PCI bus id (default
 *                                 0000:00:06.0, the tests/fixtures/h200 GPU);
 *                                 device k's is device number 6 + k
 *   XPU_STANDIN_CUDA_NAME=NAME    its name (default "NVIDIA H200")
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the project builds with hidden visibility: these are the library's API */
#define EXPORT __attribute__((visibility("default")))

enum { SUCCESS = 0, INVALID_VALUE = 1, NOT_INITIALIZED = 3, INVALID_DEVICE = 101 };

typedef struct standin_uuid {
	unsigned char bytes[16];
} standin_uuid;

EXPORT int cuInit(unsigned flags);
EXPORT int cuDriverGetVersion(int *version);
EXPORT int cuDeviceGetCount(int *count);
EXPORT int cuDeviceGet(int *dev, int ordinal);
EXPORT int cuDeviceGetName(char *name, int len, int dev);
EXPORT int cuDeviceGetPCIBusId(char *bus_id, int len, int dev);
EXPORT int cuDeviceGetUuid_v2(standin_uuid *uuid, int dev);
EXPORT int cuDeviceGetAttribute(int *value, int attrib, int dev);
EXPORT int cuDeviceTotalMem_v2(size_t *bytes, int dev);

static int initialised;

static const char *env_or(const char *name, const char *fallback);

static int devices(void)
{
	int n = atoi(env_or("XPU_STANDIN_DEVICES", "1"));
	return n < 1 ? 1 : n > 8 ? 8 : n;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

EXPORT int cuInit(unsigned flags)
{
	(void)flags;
	int rc = atoi(env_or("XPU_STANDIN_CUINIT", "0"));
	initialised = rc == SUCCESS;
	return rc;
}

EXPORT int cuDriverGetVersion(int *version)
{
	if (!version)
		return INVALID_VALUE;
	*version = atoi(env_or("XPU_STANDIN_CUDA_VERSION", "13000"));
	return SUCCESS;
}

EXPORT int cuDeviceGetCount(int *count)
{
	if (!initialised)
		return NOT_INITIALIZED;
	*count = devices();
	return SUCCESS;
}

EXPORT int cuDeviceGet(int *dev, int ordinal)
{
	if (!initialised)
		return NOT_INITIALIZED;
	if (ordinal < 0 || ordinal >= devices())
		return INVALID_DEVICE;
	*dev = ordinal;
	return SUCCESS;
}

EXPORT int cuDeviceGetName(char *name, int len, int dev)
{
	if (dev < 0 || dev >= devices() || len <= 0)
		return INVALID_VALUE;
	snprintf(name, (size_t)len, "%s", env_or("XPU_STANDIN_CUDA_NAME", "NVIDIA H200"));
	return SUCCESS;
}

EXPORT int cuDeviceGetPCIBusId(char *bus_id, int len, int dev)
{
	if (dev < 0 || dev >= devices() || len <= 0)
		return INVALID_VALUE;
	unsigned dom = 0, bus = 0, slot = 6, fn = 0;
	sscanf(env_or("XPU_STANDIN_CUDA_PCI", "0000:00:06.0"), "%x:%x:%x.%x", &dom, &bus, &slot, &fn);
	snprintf(bus_id, (size_t)len, "%04x:%02x:%02x.%x", dom, bus, slot + (unsigned)dev, fn);
	return SUCCESS;
}

EXPORT int cuDeviceGetUuid_v2(standin_uuid *uuid, int dev)
{
	if (dev < 0 || dev >= devices())
		return INVALID_VALUE;
	for (unsigned i = 0; i < sizeof(uuid->bytes); i++)
		uuid->bytes[i] = (unsigned char)(0xa0 + i);
	uuid->bytes[15] = (unsigned char)(0xaf - dev); /* as the stand-in NVML's UUIDs */
	return SUCCESS;
}

/* compute capability 9.0 and 132 SMs: an H200's */
EXPORT int cuDeviceGetAttribute(int *value, int attrib, int dev)
{
	if (dev < 0 || dev >= devices())
		return INVALID_VALUE;
	switch (attrib) {
	case 16: *value = 132; return SUCCESS; /* MULTIPROCESSOR_COUNT */
	case 75: *value = 9; return SUCCESS;   /* COMPUTE_CAPABILITY_MAJOR */
	case 76: *value = 0; return SUCCESS;   /* COMPUTE_CAPABILITY_MINOR */
	default: return INVALID_VALUE;
	}
}

EXPORT int cuDeviceTotalMem_v2(size_t *bytes, int dev)
{
	if (dev < 0 || dev >= devices())
		return INVALID_VALUE;
	*bytes = (size_t)150754820096ull;
	return SUCCESS;
}
