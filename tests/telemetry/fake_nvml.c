/* A stand-in libnvidia-ml.so.1 for the one NVML symbol table
 * (runtimes/nvml_api.h): the discovery probe and the telemetry sampler must
 * both resolve and call the entry points they name, and say which one a
 * library lacks.  Fixed values, laid out as nvml.h's structs; nvmlDeviceGet
 * MemoryInfo (v1) and nvmlDeviceGetPowerManagementLimitConstraints are left
 * out on purpose.  The real NVML is checked on the H200 (docs/hardware-runs.d
 * /telemetry.md); this only runs where no NVIDIA driver is. */
#include <stdio.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#define API __attribute__((visibility("default")))

typedef struct {
	char legacy[16];
	unsigned domain, bus, device, pci_device_id, pci_subsystem_id;
	char bus_id[32];
} pci_info;
typedef struct {
	unsigned version;
	unsigned long long total, reserved, free, used;
} memory_v2;
typedef struct {
	unsigned pid;
	unsigned long long used;
	unsigned gi, ci;
} process_info;

static int the_device;

API int nvmlInit_v2(void) { return 0; }
API int nvmlShutdown(void) { return 0; }
API int nvmlSystemGetDriverVersion(char *v, unsigned n) { snprintf(v, n, "999.1"); return 0; }
API int nvmlDeviceGetCount_v2(unsigned *n) { *n = 1; return 0; }
API int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **h) { *h = i == 0 ? &the_device : NULL; return i == 0 ? 0 : 2; }
API int nvmlDeviceGetPciInfo_v3(void *h, pci_info *p)
{
	(void)h;
	memset(p, 0, sizeof(*p));
	strcpy(p->bus_id, "00000000:06:00.0");
	p->pci_device_id = 0x233510de;
	return 0;
}
API int nvmlDeviceGetName(void *h, char *s, unsigned n) { (void)h; snprintf(s, n, "Fake NVML GPU"); return 0; }
API int nvmlDeviceGetUUID(void *h, char *s, unsigned n) { (void)h; snprintf(s, n, "GPU-fake-0"); return 0; }
API int nvmlDeviceGetMemoryInfo_v2(void *h, memory_v2 *m) { (void)h; m->total = 1000ull << 20; m->used = 123ull << 20; return 0; }
API int nvmlDeviceGetClockInfo(void *h, int t, unsigned *m) { (void)h; *m = t == 1 ? 1980 : 3201; return 0; }
API int nvmlDeviceGetMaxClockInfo(void *h, int t, unsigned *m) { (void)h; *m = t == 1 ? 1985 : 3202; return 0; }
API int nvmlDeviceGetTemperature(void *h, int s, unsigned *c) { (void)h; (void)s; *c = 42; return 0; }
API int nvmlDeviceGetPowerUsage(void *h, unsigned *mw) { (void)h; *mw = 321500; return 0; }
API int nvmlDeviceGetEnforcedPowerLimit(void *h, unsigned *mw) { (void)h; *mw = 700000; return 0; }
API int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj) { (void)h; *mj = 5000000; return 0; }
API int nvmlDeviceGetUtilizationRates(void *h, unsigned *u) { (void)h; u[0] = 77; u[1] = 6; return 0; }
API int nvmlDeviceGetFanSpeed(void *h, unsigned *p) { (void)h; (void)p; return 3; /* not supported */ }
API int nvmlDeviceGetCurrentClocksEventReasons(void *h, unsigned long long *m) { (void)h; *m = 0x4; return 0; }
API int nvmlDeviceGetComputeRunningProcesses_v3(void *h, unsigned *n, process_info *p)
{
	(void)h;
	if (*n < 1) {
		*n = 1;
		return 7; /* insufficient size */
	}
	*n = 1;
	p[0].pid = 1;
	p[0].used = 55ull << 20;
	return 0;
}
API int nvmlDeviceGetGraphicsRunningProcesses_v3(void *h, unsigned *n, process_info *p)
{
	(void)h;
	(void)p;
	*n = 0;
	return 0;
}
