/* NVML sampling, through the symbol table the discovery probe resolves
 * (runtimes/nvml_api.h): one list of entry points for both. */
#include "telemetry/nvml_sample.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "runtimes/nvml_api.h"
#include "runtimes/runtime.h"
#include "sys/parse.h"

enum {
	NV_MAX_DEVICES = XPU_MAX_DEVICES,
	NV_MAX_PROCS = 256,
};

struct xpu_nvml {
	const xpu_nvml_api *a;
	xpu_status status;
	unsigned count;
	xnv_device handles[NV_MAX_DEVICES];
	char pci[NV_MAX_DEVICES][16];
	unsigned long long util_seen[NV_MAX_DEVICES]; /* last process-utilisation timestamp */
};

static void list_devices(xpu_nvml *n)
{
	unsigned count = 0;
	if (n->a->count(&count) != XNV_SUCCESS)
		count = 0;
	for (unsigned i = 0; i < count && n->count < NV_MAX_DEVICES; i++) {
		xnv_device h = NULL;
		xnv_pci_info p;
		memset(&p, 0, sizeof(p));
		if (n->a->handle(i, &h) != XNV_SUCCESS || !h || !n->a->pci || n->a->pci(h, &p) != XNV_SUCCESS)
			continue;
		char bus[sizeof(p.bus_id) + 1];
		xpu_strlcpy_n(bus, sizeof(bus), p.bus_id, sizeof(p.bus_id));
		if (!xpu_pci_normalize(bus, n->pci[n->count], sizeof(n->pci[0])))
			continue;
		n->handles[n->count++] = h;
	}
}

xpu_nvml *xpu_nvml_open(void)
{
	xpu_nvml *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->a = xpu_nvml_api_get();
	if (!n->a->lib.handle) {
		xpu_set_status(&n->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING, "%s",
			       n->a->lib.error);
		return n;
	}
	if (!n->a->init || !n->a->count || !n->a->handle) {
		xpu_set_status(&n->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks nvmlInit/nvmlDeviceGetCount",
			       xpu_runtime_desc_of(XPU_RT_NVML)->libraries[0]);
		return n;
	}
	xnv_return rc = n->a->init();
	if (rc != XNV_SUCCESS) {
		xpu_set_status(&n->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "nvmlInit_v2: error %d",
			       rc);
		return n;
	}
	xpu_set_ok(&n->status);
	list_devices(n);
	return n;
}

void xpu_nvml_close(xpu_nvml *n)
{
	if (!n)
		return;
	if (xpu_is_ok(&n->status) && n->a->shutdown)
		n->a->shutdown();
	/* the library stays mapped: unloading NVML is not documented safe */
	free(n);
}

const xpu_status *xpu_nvml_status(const xpu_nvml *n)
{
	return &n->status;
}

unsigned xpu_nvml_count(const xpu_nvml *n)
{
	return n->count;
}

const char *xpu_nvml_pci(const xpu_nvml *n, unsigned i)
{
	return i < n->count ? n->pci[i] : "";
}

static void identity(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	char s[96];
	if (a->name && a->name(h, s, (unsigned)sizeof(s)) == XNV_SUCCESS) {
		s[sizeof(s) - 1] = '\0';
		xpu_set_text(&d->name, "%s", s);
	}
	if (a->uuid && a->uuid(h, s, (unsigned)sizeof(s)) == XNV_SUCCESS) {
		s[sizeof(s) - 1] = '\0';
		xpu_set_text(&d->uuid, "%s", s);
	}
}

static void memory(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	if (a->memory_v2) {
		xnv_memory_v2 m = { .version = XNV_MEMORY_V2_VERSION };
		if (a->memory_v2(h, &m) == XNV_SUCCESS) {
			xpu_set_uint(&d->memory_total_bytes, m.total);
			xpu_set_uint(&d->memory_used_bytes, m.used);
			return;
		}
	}
	xnv_memory m;
	memset(&m, 0, sizeof(m));
	xnv_return rc = a->memory ? a->memory(h, &m) : -1;
	xpu_nvml_set_uint(&d->memory_total_bytes, "nvmlDeviceGetMemoryInfo", a->memory, rc, m.total);
	xpu_nvml_set_uint(&d->memory_used_bytes, "nvmlDeviceGetMemoryInfo", a->memory, rc, m.used);
}

static void clock_of(const xpu_nvml_api *a, xnv_device h, bool max, int type, xpu_uint *v)
{
	unsigned mhz = 0;
	xnv_return (*fn)(xnv_device, int, unsigned *) = max ? a->max_clock : a->clock;
	xnv_return rc = fn ? fn(h, type, &mhz) : -1;
	xpu_nvml_set_uint(v, max ? "nvmlDeviceGetMaxClockInfo" : "nvmlDeviceGetClockInfo", fn, rc, mhz);
}

static void temperature(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	unsigned c = 0;
	xnv_return rc = a->temperature ? a->temperature(h, XNV_TEMPERATURE_GPU, &c) : -1;
	xpu_nvml_set_real(&d->temperature_c, "nvmlDeviceGetTemperature", a->temperature, rc, c);
	d->n_temps = 0;
	if (!xpu_is_ok(&d->temperature_c.status)) {
		d->sensors_status = d->temperature_c.status;
		return;
	}
	xpu_sensor *t = &d->temps[d->n_temps++];
	memset(t, 0, sizeof(*t));
	xpu_strlcpy(t->label, "gpu", sizeof(t->label));
	t->reading = d->temperature_c;
	xpu_set_ok(&d->sensors_status);
}

static void power(const xpu_nvml_api *a, xnv_device h, xpu_device *d)
{
	unsigned mw = 0;
	xnv_return rc = a->power_usage ? a->power_usage(h, &mw) : -1;
	xpu_nvml_set_real(&d->power_draw_w, "nvmlDeviceGetPowerUsage", a->power_usage, rc, mw / 1000.0);
	mw = 0;
	rc = a->power_limit ? a->power_limit(h, &mw) : -1;
	xpu_nvml_set_real(&d->power_cap_w, "nvmlDeviceGetEnforcedPowerLimit", a->power_limit, rc, mw / 1000.0);
	unsigned long long mj = 0;
	rc = a->energy ? a->energy(h, &mj) : -1;
	xpu_nvml_set_real(&d->energy_j, "nvmlDeviceGetTotalEnergyConsumption", a->energy, rc, (double)mj / 1000.0);
}

static const struct {
	unsigned long long bit;
	const char *name;
} throttle_names[] = {
	/* nvmlClocksEventReason* / nvmlClocksThrottleReason* bits */
	{ 0x1, "gpu_idle" },
	{ 0x2, "applications_clocks_setting" },
	{ 0x4, "sw_power_cap" },
	{ 0x8, "hw_slowdown" },
	{ 0x10, "sync_boost" },
	{ 0x20, "sw_thermal_slowdown" },
	{ 0x40, "hw_thermal_slowdown" },
	{ 0x80, "hw_power_brake_slowdown" },
	{ 0x100, "display_clock_setting" },
};

static void throttle(const xpu_nvml_api *a, xnv_device h, xpu_device_sample *ds)
{
	unsigned long long mask = 0;
	xnv_return rc = a->throttle ? a->throttle(h, &mask) : -1;
	if (!a->throttle || rc != XNV_SUCCESS) {
		xpu_nvml_why(&ds->throttle_reasons.status, "nvmlDeviceGetCurrentClocksEventReasons", a->throttle,
		     rc);
		return;
	}
	char list[XPU_TEXT_LEN] = "";
	size_t used = 0;
	for (size_t i = 0; i < XPU_ARRAY_LEN(throttle_names); i++) {
		if (!(mask & throttle_names[i].bit))
			continue;
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", used ? "," : "",
				 throttle_names[i].name);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	xpu_set_text(&ds->throttle_reasons, "%s", list);
}

/* The NVLink data and PCIe byte counters, in one call: the NVLink ones are
 * KiB summed over the links (scope UINT_MAX, nvml.h), the PCIe ones bytes. */
static void traffic(const xpu_nvml_api *a, xnv_device h, xpu_device_sample *ds)
{
	static const struct {
		unsigned field, scale;
		xpu_traffic_kind kind;
	} fields[] = {
		{ XNV_FI_NVLINK_THROUGHPUT_DATA_TX, 1024, XPU_TRAFFIC_NVLINK_TX },
		{ XNV_FI_NVLINK_THROUGHPUT_DATA_RX, 1024, XPU_TRAFFIC_NVLINK_RX },
		{ XNV_FI_PCIE_COUNT_TX_BYTES, 1, XPU_TRAFFIC_PCIE_TX },
		{ XNV_FI_PCIE_COUNT_RX_BYTES, 1, XPU_TRAFFIC_PCIE_RX },
	};
	xnv_field_value v[XPU_ARRAY_LEN(fields)];
	memset(v, 0, sizeof(v));
	for (size_t k = 0; k < XPU_ARRAY_LEN(fields); k++) {
		v[k].field_id = fields[k].field;
		v[k].scope_id = UINT_MAX;
	}
	xnv_return rc = a->field_values ? a->field_values(h, (int)XPU_ARRAY_LEN(v), v) : -1;
	for (size_t k = 0; k < XPU_ARRAY_LEN(fields); k++) {
		xpu_link_traffic *t = &ds->traffic[fields[k].kind];
		xnv_return one = rc == XNV_SUCCESS ? v[k].nvml_return : rc;
		xpu_nvml_set_uint(&t->bytes, "nvmlDeviceGetFieldValues", a->field_values, one,
				  (uint64_t)xnv_field_number(&v[k]) * fields[k].scale);
		t->at_s = one == XNV_SUCCESS && v[k].timestamp_us > 0 ? v[k].timestamp_us * 1e-6 : 0;
		t->bytes_per_s.status = t->bytes.status;
		if (xpu_is_ok(&t->bytes.status))
			xpu_set_status(&t->bytes_per_s.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
				       "a rate of the counter");
	}
}

void xpu_nvml_sample_device(xpu_nvml *n, unsigned i, xpu_device_sample *ds)
{
	if (i >= n->count)
		return;
	const xpu_nvml_api *a = n->a;
	xnv_device h = n->handles[i];
	xpu_device *d = &ds->dev;
	identity(a, h, d);
	memory(a, h, d);
	clock_of(a, h, false, XNV_CLOCK_SM, &d->clock_actual_mhz);
	clock_of(a, h, true, XNV_CLOCK_SM, &d->clock_max_mhz);
	clock_of(a, h, false, XNV_CLOCK_MEM, &d->memory_clock_mhz);
	clock_of(a, h, true, XNV_CLOCK_MEM, &d->memory_clock_max_mhz);
	temperature(a, h, d);
	power(a, h, d);

	xnv_utilization u = { 0, 0 };
	xnv_return rc = a->utilization ? a->utilization(h, &u) : -1;
	xpu_nvml_set_real(&ds->util_percent, "nvmlDeviceGetUtilizationRates", a->utilization, rc, u.gpu);
	xpu_nvml_set_real(&ds->memory_util_percent, "nvmlDeviceGetUtilizationRates", a->utilization, rc,
		 u.memory);
	unsigned fan = 0;
	rc = a->fan ? a->fan(h, &fan) : -1;
	xpu_nvml_set_real(&ds->fan_percent, "nvmlDeviceGetFanSpeed", a->fan, rc, fan);
	throttle(a, h, ds);
	traffic(a, h, ds);
}

/* Appends the processes of one list (compute or graphics), each pid once. */
static size_t add_list(xnv_return (*fn)(xnv_device, unsigned *, xnv_process *), xnv_device h,
		       xpu_nvml_process *out, size_t have, size_t max, xnv_return *rc)
{
	xnv_process buf[NV_MAX_PROCS];
	unsigned count = NV_MAX_PROCS;
	*rc = fn(h, &count, buf);
	if (*rc != XNV_SUCCESS)
		return have;
	for (unsigned k = 0; k < count && k < NV_MAX_PROCS; k++) {
		size_t j = 0;
		while (j < have && out[j].pid != (int)buf[k].pid)
			j++;
		if (j < have || have == max)
			continue;
		out[have].pid = (int)buf[k].pid;
		out[have].used_bytes = buf[k].used_gpu_memory == XNV_VALUE_NOT_AVAILABLE
					       ? UINT64_MAX
					       : buf[k].used_gpu_memory;
		xpu_set_status(&out[have].sm_percent.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "nvmlDeviceGetProcessUtilization has no sample for it");
		have++;
	}
	return have;
}

/* SM use per process since the last call; a process without a sample in
 * that window did not run. */
static void process_util(xpu_nvml *n, unsigned i, xpu_nvml_process *out, size_t count)
{
	const xpu_nvml_api *a = n->a;
	if (!a->process_util || count == 0)
		return;
	xnv_process_util samples[NV_MAX_PROCS];
	unsigned ns = NV_MAX_PROCS;
	xnv_return rc = a->process_util(n->handles[i], samples, &ns, n->util_seen[i]);
	bool none = rc == XNV_ERROR_NOT_FOUND;
	if (rc != XNV_SUCCESS && !none) {
		for (size_t k = 0; k < count; k++)
			xpu_nvml_why(&out[k].sm_percent.status, "nvmlDeviceGetProcessUtilization", true, rc);
		return;
	}
	for (size_t k = 0; k < count; k++)
		xpu_set_real(&out[k].sm_percent, 0);
	for (unsigned s = 0; !none && s < ns && s < NV_MAX_PROCS; s++) {
		if (samples[s].timestamp > n->util_seen[i])
			n->util_seen[i] = samples[s].timestamp;
		for (size_t k = 0; k < count; k++)
			if (out[k].pid == (int)samples[s].pid && samples[s].sm > out[k].sm_percent.value)
				out[k].sm_percent.value = samples[s].sm;
	}
}

size_t xpu_nvml_processes(xpu_nvml *n, unsigned i, xpu_nvml_process *out, size_t max,
			  xpu_status *st)
{
	if (i >= n->count) {
		*st = n->status;
		return 0;
	}
	xnv_device h = n->handles[i];
	size_t have = 0;
	xnv_return rc = -1, rc_g = -1;
	if (n->a->compute_procs)
		have = add_list(n->a->compute_procs, h, out, have, max, &rc);
	if (n->a->graphics_procs)
		have = add_list(n->a->graphics_procs, h, out, have, max, &rc_g);
	if (rc != XNV_SUCCESS)
		xpu_nvml_why(st, "nvmlDeviceGetComputeRunningProcesses_v3", n->a->compute_procs, rc);
	else
		xpu_set_ok(st);
	process_util(n, i, out, have);
	return have;
}
