/* NVML (libnvidia-ml.so.1): name, UUID, memory, clocks, temperature, power
 * of NVIDIA GPUs (the energy counter is left to the telemetry sampler).  NVML does not drive a backend; it fills values.
 *
 * The declarations and the one symbol table are in runtimes/nvml_api.h. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/nvml_api.h"

const char *const xpu_nvml_libs[] = { "libnvidia-ml.so.1", "libnvidia-ml.so", NULL };

static void nvml_resolve(void *lib, xpu_nvml_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->init, "nvmlInit_v2", "nvmlInit", NULL);
	xpu_dl_fn(lib, &a->shutdown, "nvmlShutdown", NULL);
	xpu_dl_fn(lib, &a->driver_version, "nvmlSystemGetDriverVersion", NULL);
	xpu_dl_fn(lib, &a->count, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount", NULL);
	xpu_dl_fn(lib, &a->handle, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex",
		   NULL);
	/* Not the unversioned nvmlDeviceGetPciInfo: its struct lacks busId[32]. */
	xpu_dl_fn(lib, &a->pci, "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2", NULL);
	xpu_dl_fn(lib, &a->name, "nvmlDeviceGetName", NULL);
	xpu_dl_fn(lib, &a->uuid, "nvmlDeviceGetUUID", NULL);
	xpu_dl_fn(lib, &a->memory_v2, "nvmlDeviceGetMemoryInfo_v2", NULL);
	xpu_dl_fn(lib, &a->memory, "nvmlDeviceGetMemoryInfo", NULL);
	xpu_dl_fn(lib, &a->clock, "nvmlDeviceGetClockInfo", NULL);
	xpu_dl_fn(lib, &a->max_clock, "nvmlDeviceGetMaxClockInfo", NULL);
	xpu_dl_fn(lib, &a->temperature, "nvmlDeviceGetTemperature", NULL);
	xpu_dl_fn(lib, &a->power_usage, "nvmlDeviceGetPowerUsage", NULL);
	xpu_dl_fn(lib, &a->power_limit, "nvmlDeviceGetEnforcedPowerLimit", NULL);
	xpu_dl_fn(lib, &a->power_constraints, "nvmlDeviceGetPowerManagementLimitConstraints", NULL);
	xpu_dl_fn(lib, &a->energy, "nvmlDeviceGetTotalEnergyConsumption", NULL);
	xpu_dl_fn(lib, &a->utilization, "nvmlDeviceGetUtilizationRates", NULL);
	xpu_dl_fn(lib, &a->fan, "nvmlDeviceGetFanSpeed", NULL);
	xpu_dl_fn(lib, &a->throttle, "nvmlDeviceGetCurrentClocksEventReasons",
		   "nvmlDeviceGetCurrentClocksThrottleReasons", NULL);
	xpu_dl_fn(lib, &a->compute_procs, "nvmlDeviceGetComputeRunningProcesses_v3",
		   "nvmlDeviceGetComputeRunningProcesses_v2", NULL);
	xpu_dl_fn(lib, &a->graphics_procs, "nvmlDeviceGetGraphicsRunningProcesses_v3",
		   "nvmlDeviceGetGraphicsRunningProcesses_v2", NULL);
	xpu_dl_fn(lib, &a->process_util, "nvmlDeviceGetProcessUtilization", NULL);
}

const xpu_nvml_api *xpu_nvml_api_of(void *lib)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static xpu_nvml_api table;
	static void *resolved_for;
	pthread_mutex_lock(&lock);
	if (resolved_for != lib) {
		nvml_resolve(lib, &table);
		resolved_for = lib;
	}
	pthread_mutex_unlock(&lock);
	return &table;
}

/* A failed NVML call, as the value's status.  fn NULL: the symbol was
 * missing from the library (named by sym). */
void xpu_nvml_why(xpu_status *st, const char *sym, bool have_fn, int rc)
{
	if (!have_fn)
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s missing in " XPU_NVML_LIB,
			       sym);
	else if (rc == XNV_ERROR_NOT_SUPPORTED)
		xpu_set_status(st, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "%s: not supported on this GPU",
			       sym);
	else if (rc == XNV_ERROR_NO_PERMISSION)
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_PERMISSION_DENIED, "%s: error 4", sym);
	else
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s: error %d", sym, rc);
}

void xpu_nvml_set_uint(xpu_uint *v, const char *sym, bool have_fn, int rc, uint64_t value)
{
	if (have_fn && rc == XNV_SUCCESS)
		xpu_set_uint(v, value);
	else
		xpu_nvml_why(&v->status, sym, have_fn, rc);
}

void xpu_nvml_set_real(xpu_real *v, const char *sym, bool have_fn, int rc, double value)
{
	if (have_fn && rc == XNV_SUCCESS)
		xpu_set_real(v, value);
	else
		xpu_nvml_why(&v->status, sym, have_fn, rc);
}

/* mW (or mJ) -> W (or J) */
static void nv_milli(xpu_real *v, const char *sym, int have_fn, xnv_return rc, double milli)
{
	if (have_fn && rc == XNV_SUCCESS)
		xpu_set_real(v, milli / 1000.0);
	else
		xpu_nvml_why(&v->status, sym, have_fn, rc);
}

static void nvml_memory(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	xnv_memory m;
	memset(&m, 0, sizeof(m));
	xnv_return rc = a->memory ? a->memory(h, &m) : -1;
	xpu_nvml_set_uint(&d->memory_total_bytes, "nvmlDeviceGetMemoryInfo", a->memory != NULL, rc, m.total);
	xpu_nvml_set_uint(&d->memory_used_bytes, "nvmlDeviceGetMemoryInfo", a->memory != NULL, rc, m.used);
}

static void nvml_clocks(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	unsigned mhz = 0;
	int have = a->max_clock != NULL;
	xnv_return rc;
	/* the board's maxima never change: 1.3-3.6 ms each on an H200, so a
	 * value the discovery cache brought is not read again */
	if (!xpu_is_ok(&d->clock_max_mhz.status)) {
		rc = have ? a->max_clock(h, XNV_CLOCK_SM, &mhz) : -1;
		xpu_nvml_set_uint(&d->clock_max_mhz, "nvmlDeviceGetMaxClockInfo", have, rc, mhz);
	}
	if (!xpu_is_ok(&d->memory_clock_max_mhz.status)) {
		mhz = 0;
		rc = have ? a->max_clock(h, XNV_CLOCK_MEM, &mhz) : -1;
		xpu_nvml_set_uint(&d->memory_clock_max_mhz, "nvmlDeviceGetMaxClockInfo", have, rc, mhz);
	}

	have = a->clock != NULL;
	mhz = 0;
	rc = have ? a->clock(h, XNV_CLOCK_SM, &mhz) : -1;
	xpu_nvml_set_uint(&d->clock_actual_mhz, "nvmlDeviceGetClockInfo", have, rc, mhz);
	mhz = 0;
	rc = have ? a->clock(h, XNV_CLOCK_MEM, &mhz) : -1;
	xpu_nvml_set_uint(&d->memory_clock_mhz, "nvmlDeviceGetClockInfo", have, rc, mhz);
}

static void nvml_temperature(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	unsigned c = 0;
	int have = a->temperature != NULL;
	xnv_return rc = have ? a->temperature(h, XNV_TEMPERATURE_GPU, &c) : -1;
	if (!have || rc != XNV_SUCCESS) {
		xpu_nvml_why(&d->temperature_c.status, "nvmlDeviceGetTemperature", have, rc);
		return;
	}
	xpu_set_real(&d->temperature_c, (double)c);
	for (unsigned i = 0; i < d->n_temps; i++)
		if (strcmp(d->temps[i].label, "gpu") == 0)
			return;
	if (d->n_temps >= XPU_MAX_TEMPS)
		return;
	xpu_sensor *t = &d->temps[d->n_temps++];
	memset(t, 0, sizeof(*t));
	xpu_strlcpy(t->label, "gpu", sizeof(t->label));
	xpu_set_real(&t->reading, (double)c);
}

static void nvml_power(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	unsigned mw = 0, min_mw = 0;
	int have = a->power_usage != NULL;
	xnv_return rc = have ? a->power_usage(h, &mw) : -1;
	nv_milli(&d->power_draw_w, "nvmlDeviceGetPowerUsage", have, rc, mw);

	mw = 0;
	have = a->power_limit != NULL;
	rc = have ? a->power_limit(h, &mw) : -1;
	nv_milli(&d->power_cap_w, "nvmlDeviceGetEnforcedPowerLimit", have, rc, mw);

	mw = 0;
	have = a->power_constraints != NULL;
	rc = have ? a->power_constraints(h, &min_mw, &mw) : -1;
	nv_milli(&d->power_cap_max_w, "nvmlDeviceGetPowerManagementLimitConstraints", have, rc, mw);
	/* The energy counter is left to `xpu top` and `xpu exporter`: reading it
	 * takes 3-7 ms on an H200, more than the rest of a device together. */
	xpu_set_status(&d->energy_j.status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
		       "a counter for xpu top / xpu exporter (nvmlDeviceGetTotalEnergyConsumption)");
}

/* The sysfs device of this handle (PCI address, else UUID), or a new one. */
static xpu_device *nvml_match(struct xpu_system *s, const xpu_nvml_api *a, xnv_device h,
			      const char *uuid, const char *name)
{
	xnv_pci_info pci;
	memset(&pci, 0, sizeof(pci));
	if (a->pci && a->pci(h, &pci) == XNV_SUCCESS) {
		char bus[sizeof(pci.bus_id) + 1];
		xpu_strlcpy_n(bus, sizeof(bus), pci.bus_id, sizeof(pci.bus_id));
		xpu_device *d = xpu_system_find_pci(s, bus);
		if (!d && uuid[0])
			d = xpu_system_find_uuid(s, uuid);
		if (!d)
			d = xpu_rt_find_or_add(s, bus, XPU_VENDOR_NVIDIA, XPU_KIND_DISCRETE, name);
		if (d && !d->pci_device_id)
			d->pci_device_id = (uint16_t)(pci.pci_device_id >> 16);
		if (d && !d->pci_vendor_id)
			d->pci_vendor_id = (uint16_t)(pci.pci_device_id & 0xffffu);
		return d;
	}
	return uuid[0] ? xpu_system_find_uuid(s, uuid) : NULL;
}

static xpu_device *nvml_device(struct xpu_system *s, const xpu_nvml_api *a, unsigned index)
{
	xnv_device h = NULL;
	double t0 = xpu_now_ms();
	xnv_return hrc = a->handle(index, &h);
	xpu_trace_time("nvml: handle", t0);
	if (hrc != XNV_SUCCESS || !h)
		return NULL;
	char uuid[96] = "", name[96] = "";
	if (a->uuid && a->uuid(h, uuid, (unsigned)sizeof(uuid)) != XNV_SUCCESS)
		uuid[0] = '\0';
	uuid[sizeof(uuid) - 1] = '\0';
	if (a->name && a->name(h, name, (unsigned)sizeof(name)) != XNV_SUCCESS)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';

	xpu_device *d = nvml_match(s, a, h, uuid, name);
	if (!d)
		return NULL;
	if (name[0])
		xpu_set_text(&d->name, "%s", name);
	if (uuid[0])
		xpu_set_text(&d->uuid, "%s", uuid);
	t0 = xpu_now_ms();
	nvml_memory(a, h, d);
	nvml_clocks(a, h, d);
	nvml_temperature(a, h, d);
	nvml_power(a, h, d);
	xpu_trace_time("nvml: values", t0);
	/* Fans: nvmlDeviceGetFanSpeed is a percentage of the maximum, fans[]
	 * holds RPM; left as "unsupported" (data-centre boards have no fan). */
	return d;
}

/* Every value NVML alone reads that is not read yet on d: why not. */
static void nvml_values_fail_dev(xpu_device *d, xpu_reason r, const char *detail)
{
	xpu_status *st[] = {
		&d->memory_total_bytes.status, &d->memory_used_bytes.status,
		&d->clock_max_mhz.status,      &d->clock_actual_mhz.status,
		&d->memory_clock_mhz.status,   &d->memory_clock_max_mhz.status,
		&d->temperature_c.status,      &d->power_draw_w.status,
		&d->power_cap_w.status,        &d->power_cap_max_w.status,
		&d->energy_j.status,
	};
	for (size_t k = 0; k < XPU_ARRAY_LEN(st); k++)
		if (!xpu_is_ok(st[k]))
			xpu_set_status(st[k], XPU_UNAVAILABLE, r, "%s", detail);
}

static void nvml_values_fail(struct xpu_system *s, xpu_reason r, const char *detail)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->devices[i].vendor == XPU_VENDOR_NVIDIA)
			nvml_values_fail_dev(&s->devices[i], r, detail);
}

static void nvml_driver_version(struct xpu_system *s, const xpu_nvml_api *a, xpu_runtime_info *info)
{
	char v[96] = "";
	if (!a->driver_version || a->driver_version(v, (unsigned)sizeof(v)) != XNV_SUCCESS)
		return;
	v[sizeof(v) - 1] = '\0';
	xpu_strlcpy(info->version, v, sizeof(info->version));
	for (size_t i = 0; i < s->count && v[0]; i++)
		if (s->devices[i].vendor == XPU_VENDOR_NVIDIA)
			xpu_set_text(&s->devices[i].driver_version, "%s", v);
}

static const char *init_hint(xnv_return rc)
{
	if (rc == XNV_ERROR_DRIVER_NOT_LOADED)
		return " (NVIDIA kernel driver not loaded)";
	if (rc == XNV_ERROR_LIB_RM_VERSION_MISMATCH)
		return " (driver/library version mismatch)";
	if (rc == XNV_ERROR_NO_PERMISSION)
		return " (no permission on /dev/nvidia*)";
	return "";
}

/* Records why NVML gave nothing, on itself and on every NVML value. */
static void nvml_fail(struct xpu_system *s, xpu_runtime_info *info)
{
	nvml_values_fail(s, info->status.reason, info->status.detail);
}

/* The NVIDIA devices NVML did not list. */
static void nvml_unseen(struct xpu_system *s, const bool *seen, unsigned n)
{
	char detail[XPU_DETAIL_LEN];
	snprintf(detail, sizeof(detail), "not among the %u devices " XPU_NVML_LIB " lists", n);
	for (size_t i = 0; i < s->count; i++)
		if (s->devices[i].vendor == XPU_VENDOR_NVIDIA && !seen[i])
			nvml_values_fail_dev(&s->devices[i], XPU_R_RUNTIME_NO_DEVICE, detail);
}

void xpu_runtime_nvml_probe(struct xpu_system *s)
{
	xpu_runtime_info *info = xpu_rt_info(s, XPU_RT_NVML, xpu_nvml_libs[0]);
	double t0 = xpu_now_ms();
	void *lib = xpu_rt_open(xpu_nvml_libs, XPU_NVML_LIB, info);
	xpu_trace_time("nvml: dlopen", t0);
	if (!lib) {
		nvml_fail(s, info);
		return;
	}
	/* NVML stays loaded: it is cheap, and unloading it is not documented safe. */
	const xpu_nvml_api *a = xpu_nvml_api_of(lib);
	if (!a->init || !a->count || !a->handle) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks nvmlInit/nvmlDeviceGetCount", info->library);
		nvml_fail(s, info);
		return;
	}
	t0 = xpu_now_ms();
	xnv_return rc = a->init();
	xpu_trace_time("nvml: init", t0);
	if (rc != XNV_SUCCESS) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "nvmlInit_v2: error %d%s", rc, init_hint(rc));
		nvml_fail(s, info);
		return;
	}
	unsigned n = 0;
	if (a->count(&n) != XNV_SUCCESS)
		n = 0;
	xpu_rt_info_ok(info, NULL, n);
	bool seen[XPU_MAX_DEVICES] = {false};
	for (unsigned i = 0; i < n && i < XPU_MAX_DEVICES * 4; i++) {
		t0 = xpu_now_ms();
		xpu_device *d = nvml_device(s, a, i);
		xpu_trace_time("nvml: one device", t0);
		if (d)
			seen[d - s->devices] = true;
	}
	nvml_driver_version(s, a, info); /* after the loop: it may have added devices */
	nvml_unseen(s, seen, n);
	/* No nvmlShutdown: it costs 3-10 ms on an H200 (half of what
	 * `nvidia-smi -L` takes in all), and NVML stays loaded anyway. */
}
