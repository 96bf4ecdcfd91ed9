/* A STAND-IN libnvidia-ml.so.1 for the tests: NVML's error paths (the
 * doctor's "driver/library version mismatch", NVML_ERROR_LIB_RM_VERSION_
 * MISMATCH 18), and N GPUs answering the topology, NVLink and counter
 * queries as the 2-GPU H200 machine does (docs/hardware-runs.d/topology.md:
 * `nvidia-smi topo -m` NV18, P2P OK, 18 links at 26.562 GB/s, CPU affinity
 * 0-31, NUMA node 0, no GPU NUMA id).  The real NVML's pass paths are
 * proven on that machine.
 *
 * The entry points are the versioned ones src/runtimes/nvml.c dlsym's,
 * with nvml.h's signatures (nvmlReturn_t is an int, nvmlDevice_t a
 * pointer).  What NVML does not find here (clocks, power, temperature) the
 * probe reports as missing, as it would for an old NVML.
 *   XPU_STANDIN_NVML_INIT=N       nvmlInit_v2 returns N (default 0)
 *   XPU_STANDIN_NVML_VERSION=V    nvmlSystemGetDriverVersion (default
 *                                 580.159.04)
 *   XPU_STANDIN_DEVICES=N         N GPUs (default 1), as the stand-in libcuda
 *   XPU_STANDIN_CUDA_PCI=BUSID    GPU 0's bus id, as the stand-in libcuda
 *                                 (default 0000:00:06.0); GPU k's is the
 *                                 device number 6 + k on the same bus
 *   XPU_STANDIN_NVLINK=MODE       where each GPU's 18 NVLinks go: "switch"
 *                                 (NVSwitches, the default), "ring" (9 to
 *                                 each neighbour), "none" (no NVLink)
 *   XPU_STANDIN_NVLINK_SPEED=MBPS NVML_FI_DEV_NVLINK_SPEED_MBPS_COMMON; unset,
 *                                 not supported, as on the H200 machine
 *   XPU_STANDIN_NVLINK_GBPS=R     bytes per second the NVLink counters grow
 *                                 by, each direction (1e9; PCIe's: R / 100) */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the project builds with hidden visibility: these are the library's API */
#define EXPORT __attribute__((visibility("default")))

enum { SUCCESS = 0, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, MAX_GPUS = 8,
       LINKS = 18 };

typedef struct standin_pci { /* nvmlPciInfo_t as _v3 fills it */
	char bus_id_legacy[16];
	unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
	char bus_id[32];
} standin_pci;

typedef struct standin_memory { /* nvmlMemory_t */
	unsigned long long total, free, used;
} standin_memory;

typedef struct standin_field { /* nvmlFieldValue_t */
	unsigned int field_id, scope_id;
	long long timestamp, latency;
	int value_type, nvml_return;
	union {
		double d;
		unsigned int ui;
		unsigned long long ull;
	} value;
} standin_field;

EXPORT int nvmlInit_v2(void);
EXPORT int nvmlSystemGetDriverVersion(char *version, unsigned len);
EXPORT int nvmlDeviceGetCount_v2(unsigned *count);
EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **dev);
EXPORT int nvmlDeviceGetPciInfo_v3(void *dev, standin_pci *pci);
EXPORT int nvmlDeviceGetName(void *dev, char *name, unsigned len);
EXPORT int nvmlDeviceGetUUID(void *dev, char *uuid, unsigned len);
EXPORT int nvmlDeviceGetMemoryInfo(void *dev, standin_memory *mem);
EXPORT int nvmlDeviceGetTopologyCommonAncestor(void *a, void *b, int *level);
EXPORT int nvmlDeviceGetP2PStatus(void *a, void *b, int index, int *status);
EXPORT int nvmlDeviceGetNvLinkState(void *dev, unsigned link, int *active);
EXPORT int nvmlDeviceGetNvLinkRemoteDeviceType(void *dev, unsigned link, int *type);
EXPORT int nvmlDeviceGetNvLinkRemotePciInfo_v2(void *dev, unsigned link, standin_pci *pci);
EXPORT int nvmlDeviceGetCpuAffinity(void *dev, unsigned words, unsigned long *set);
EXPORT int nvmlDeviceGetMemoryAffinity(void *dev, unsigned words, unsigned long *set, int scope);
EXPORT int nvmlDeviceGetNumaNodeId(void *dev, unsigned *node);
EXPORT int nvmlDeviceGetFieldValues(void *dev, int count, standin_field *values);

static int initialised;
static char the_devices[MAX_GPUS]; /* their addresses are the handles */

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static unsigned gpus(void)
{
	int n = atoi(env_or("XPU_STANDIN_DEVICES", "1"));
	return n < 1 ? 1 : n > MAX_GPUS ? MAX_GPUS : (unsigned)n;
}

/* The GPU a handle is, or -1. */
static int gpu_of(const void *dev)
{
	const char *p = dev;
	return p >= the_devices && p < the_devices + gpus() ? (int)(p - the_devices) : -1;
}

static void bus_id(int k, char *out, size_t len)
{
	unsigned dom = 0, bus = 0, dev = 6, fn = 0;
	sscanf(env_or("XPU_STANDIN_CUDA_PCI", "0000:00:06.0"), "%x:%x:%x.%x", &dom, &bus, &dev, &fn);
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev + (unsigned)k, fn);
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
	*count = gpus();
	return SUCCESS;
}

EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **dev)
{
	if (!initialised)
		return UNINITIALIZED;
	if (index >= gpus())
		return INVALID_ARGUMENT;
	*dev = &the_devices[index];
	return SUCCESS;
}

EXPORT int nvmlDeviceGetPciInfo_v3(void *dev, standin_pci *pci)
{
	int k = gpu_of(dev);
	if (k < 0)
		return INVALID_ARGUMENT;
	memset(pci, 0, sizeof(*pci));
	bus_id(k, pci->bus_id, sizeof(pci->bus_id));
	pci->pci_device_id = 0x233510deu; /* H200: device 0x2335, vendor 0x10de */
	return SUCCESS;
}

EXPORT int nvmlDeviceGetName(void *dev, char *name, unsigned len)
{
	if (gpu_of(dev) < 0)
		return INVALID_ARGUMENT;
	snprintf(name, len, "NVIDIA H200");
	return SUCCESS;
}

EXPORT int nvmlDeviceGetUUID(void *dev, char *uuid, unsigned len)
{
	int k = gpu_of(dev);
	if (k < 0)
		return INVALID_ARGUMENT;
	/* the bytes the stand-in libcuda gives GPU k */
	snprintf(uuid, len, "GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadae%02x", 0xaf - k);
	return SUCCESS;
}

EXPORT int nvmlDeviceGetMemoryInfo(void *dev, standin_memory *mem)
{
	if (gpu_of(dev) < 0)
		return INVALID_ARGUMENT;
	mem->total = 150754820096ull;
	mem->used = 0;
	mem->free = mem->total;
	return SUCCESS;
}

/* --- topology --- */

EXPORT int nvmlDeviceGetTopologyCommonAncestor(void *a, void *b, int *level)
{
	if (gpu_of(a) < 0 || gpu_of(b) < 0)
		return INVALID_ARGUMENT;
	*level = 30; /* NVML_TOPOLOGY_HOSTBRIDGE: both on the root bus, as sysfs shows */
	return SUCCESS;
}

EXPORT int nvmlDeviceGetP2PStatus(void *a, void *b, int index, int *status)
{
	if (gpu_of(a) < 0 || gpu_of(b) < 0 || index < 0 || index > 4)
		return INVALID_ARGUMENT;
	*status = 0; /* NVML_P2P_STATUS_OK */
	return SUCCESS;
}

static const char *nvlink_mode(void)
{
	return env_or("XPU_STANDIN_NVLINK", "switch");
}

EXPORT int nvmlDeviceGetNvLinkState(void *dev, unsigned link, int *active)
{
	if (gpu_of(dev) < 0 || link >= LINKS)
		return INVALID_ARGUMENT;
	if (strcmp(nvlink_mode(), "none") == 0)
		return NOT_SUPPORTED;
	*active = 1;
	return SUCCESS;
}

EXPORT int nvmlDeviceGetNvLinkRemoteDeviceType(void *dev, unsigned link, int *type)
{
	if (gpu_of(dev) < 0 || link >= LINKS)
		return INVALID_ARGUMENT;
	*type = strcmp(nvlink_mode(), "switch") == 0 ? 2 : 0; /* SWITCH or GPU */
	return SUCCESS;
}

/* ring: links 0-8 to the next GPU, 9-17 to the previous one */
EXPORT int nvmlDeviceGetNvLinkRemotePciInfo_v2(void *dev, unsigned link, standin_pci *pci)
{
	int k = gpu_of(dev), n = (int)gpus();
	if (k < 0 || link >= LINKS)
		return INVALID_ARGUMENT;
	memset(pci, 0, sizeof(*pci));
	if (strcmp(nvlink_mode(), "switch") == 0) {
		snprintf(pci->bus_id, sizeof(pci->bus_id), "00000000:ff:00.0"); /* no GPU of ours */
		return SUCCESS;
	}
	bus_id(link < LINKS / 2 ? (k + 1) % n : (k + n - 1) % n, pci->bus_id, sizeof(pci->bus_id));
	return SUCCESS;
}

EXPORT int nvmlDeviceGetCpuAffinity(void *dev, unsigned words, unsigned long *set)
{
	if (gpu_of(dev) < 0 || words < 1)
		return INVALID_ARGUMENT;
	memset(set, 0, words * sizeof(*set));
	set[0] = 0xfffffffful; /* CPUs 0-31 */
	return SUCCESS;
}

EXPORT int nvmlDeviceGetMemoryAffinity(void *dev, unsigned words, unsigned long *set, int scope)
{
	if (gpu_of(dev) < 0 || words < 1 || scope != 0)
		return INVALID_ARGUMENT;
	memset(set, 0, words * sizeof(*set));
	set[0] = 1; /* node 0 */
	return SUCCESS;
}

EXPORT int nvmlDeviceGetNumaNodeId(void *dev, unsigned *node)
{
	(void)node;
	return gpu_of(dev) < 0 ? INVALID_ARGUMENT : NOT_SUPPORTED; /* a PCIe GPU: N/A */
}

/* --- field values: the NVLink speed and the traffic counters --- */

/* Counters that grow by XPU_STANDIN_NVLINK_GBPS bytes a second from the
 * first call, so that two samples give that rate. */
static unsigned long long traffic_bytes(long long *now_us)
{
	static long long start_us;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	*now_us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	if (!start_us)
		start_us = *now_us;
	double rate = atof(env_or("XPU_STANDIN_NVLINK_GBPS", "1e9"));
	return (unsigned long long)(rate * (double)(*now_us - start_us) / 1e6);
}

static void field(standin_field *f)
{
	long long now;
	unsigned long long bytes = traffic_bytes(&now);
	f->timestamp = now;
	f->nvml_return = SUCCESS;
	f->value_type = 3; /* unsigned long long */
	switch (f->field_id) {
	case 90: /* MB/s per link */
		f->value_type = 1;
		f->value.ui = (unsigned)atoi(env_or("XPU_STANDIN_NVLINK_SPEED", "0"));
		if (!f->value.ui)
			f->nvml_return = NOT_SUPPORTED;
		break;
	case 138: case 139: /* NVLink data, KiB, all links (scope UINT_MAX) */
		if (strcmp(nvlink_mode(), "none") == 0)
			f->nvml_return = NOT_SUPPORTED;
		else if (f->scope_id != UINT_MAX)
			f->value.ull = bytes / 1024 / LINKS;
		else
			f->value.ull = bytes / 1024;
		break;
	case 197: case 198: f->value.ull = bytes / 100; break; /* PCIe bytes: a hundredth */
	default: f->nvml_return = NOT_SUPPORTED;
	}
}

EXPORT int nvmlDeviceGetFieldValues(void *dev, int count, standin_field *values)
{
	if (gpu_of(dev) < 0 || count < 0)
		return INVALID_ARGUMENT;
	for (int i = 0; i < count; i++)
		field(&values[i]);
	return SUCCESS;
}
