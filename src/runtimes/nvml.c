/* NVML (libnvidia-ml.so.1): name, UUID, memory, clocks, temperature, power
 * of NVIDIA GPUs (the energy counter is left to the telemetry sampler).
 * NVML does not drive a backend; it fills values of the devices CUDA
 * drives.  The gather reads every value into a private result; the apply
 * matches NVML's devices to the system's and writes them.
 *
 * The declarations and the one symbol table are in runtimes/nvml_api.h. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "runtimes/nvml_api.h"

static void nvml_resolve(void *lib, xpu_nvml_api *a)
{
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
	xpu_dl_fn(lib, &a->handle_by_pci, "nvmlDeviceGetHandleByPciBusId_v2",
		  "nvmlDeviceGetHandleByPciBusId", NULL);
	xpu_dl_fn(lib, &a->common_ancestor, "nvmlDeviceGetTopologyCommonAncestor", NULL);
	xpu_dl_fn(lib, &a->p2p_status, "nvmlDeviceGetP2PStatus", NULL);
	xpu_dl_fn(lib, &a->nvlink_state, "nvmlDeviceGetNvLinkState", NULL);
	xpu_dl_fn(lib, &a->nvlink_version, "nvmlDeviceGetNvLinkVersion", NULL);
	xpu_dl_fn(lib, &a->nvlink_remote_pci, "nvmlDeviceGetNvLinkRemotePciInfo_v2", NULL);
	xpu_dl_fn(lib, &a->nvlink_remote_type, "nvmlDeviceGetNvLinkRemoteDeviceType", NULL);
	xpu_dl_fn(lib, &a->cpu_affinity, "nvmlDeviceGetCpuAffinity", NULL);
	xpu_dl_fn(lib, &a->memory_affinity, "nvmlDeviceGetMemoryAffinity", NULL);
	xpu_dl_fn(lib, &a->numa_node_id, "nvmlDeviceGetNumaNodeId", NULL);
	xpu_dl_fn(lib, &a->field_values, "nvmlDeviceGetFieldValues", NULL);
}

double xnv_field_number(const xnv_field_value *f)
{
	switch (f->value_type) {
	case XNV_VALUE_DOUBLE: return f->value.d;
	case XNV_VALUE_UINT: return f->value.ui;
	case XNV_VALUE_ULONG: return (double)f->value.ul;
	case XNV_VALUE_ULONGLONG: return (double)f->value.ull;
	case XNV_VALUE_SLONGLONG: return (double)f->value.sll;
	case XNV_VALUE_SINT: return f->value.si;
	case XNV_VALUE_USHORT: return f->value.us;
	default: return (double)f->value.ull;
	}
}

static xpu_nvml_api nvml_table;
static pthread_once_t nvml_once = PTHREAD_ONCE_INIT;

static void nvml_load(void)
{
	if (xpu_rt_lib_open(XPU_RT_NVML, &nvml_table.lib))
		nvml_resolve(nvml_table.lib.handle, &nvml_table);
}

const xpu_nvml_api *xpu_nvml_api_get(void)
{
	pthread_once(&nvml_once, nvml_load);
	return &nvml_table;
}

/* "libnvidia-ml.so.1", the name messages give NVML. */
static const char *nvml_lib(void)
{
	return xpu_runtime_desc_of(XPU_RT_NVML)->libraries[0];
}

/* A failed NVML call, as the value's status.  fn NULL: the symbol was
 * missing from the library (named by sym). */
void xpu_nvml_why(xpu_status *st, const char *sym, bool have_fn, int rc)
{
	if (!have_fn)
		xpu_set_status(st, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s missing in %s", sym,
			       nvml_lib());
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


/* One value as NVML answered: its return code (-1: the entry point is
 * missing), and the value when rc is 0. */
typedef struct nv_reading {
	xnv_return rc;
	unsigned value;
} nv_reading;

/* What NVML said of one device handle. */
typedef struct nvml_dev {
	bool listed; /* it gave a handle */
	char uuid[96], name[96];
	bool have_pci;
	char bus[33];
	unsigned pci_ids; /* device id << 16 | vendor id */
	xnv_return memory_rc;
	xnv_memory memory;
	bool read_max;       /* the board's clock maxima were not known yet */
	bool read_power_max; /* nor its highest power limit */
	nv_reading max_sm, max_mem, sm, mem, temperature, power, power_limit, power_max;
} nvml_dev;

enum { NVML_MAX_HANDLES = XPU_MAX_DEVICES * 4 };

typedef struct nvml_result {
	xpu_runtime_info info;
	unsigned count; /* devices NVML counts */
	nvml_dev devs[NVML_MAX_HANDLES];
	char driver_version[96]; /* "" unknown */
} nvml_result;

/* The devices NVML describes: those CUDA drives. */
static bool nvidia_gpu(const struct xpu_system *s, const xpu_device *d)
{
	return xpu_rt_concerns(s, d, XPU_BACKEND_CUDA);
}

/* --- gather: NVML's answers, into the private result --- */

static nv_reading nv_clock(xnv_return (*fn)(xnv_device, int, unsigned *), xnv_device h, int type)
{
	nv_reading r = { .rc = -1 };
	if (fn)
		r.rc = fn(h, type, &r.value);
	return r;
}

static nv_reading nv_read(xnv_return (*fn)(xnv_device, unsigned *), xnv_device h)
{
	nv_reading r = { .rc = -1 };
	if (fn)
		r.rc = fn(h, &r.value);
	return r;
}

static void gather_identity(const xpu_nvml_api *a, xnv_device h, nvml_dev *g)
{
	if (a->uuid && a->uuid(h, g->uuid, (unsigned)sizeof(g->uuid)) != XNV_SUCCESS)
		g->uuid[0] = '\0';
	g->uuid[sizeof(g->uuid) - 1] = '\0';
	if (a->name && a->name(h, g->name, (unsigned)sizeof(g->name)) != XNV_SUCCESS)
		g->name[0] = '\0';
	g->name[sizeof(g->name) - 1] = '\0';
	xnv_pci_info pci;
	memset(&pci, 0, sizeof(pci));
	g->have_pci = a->pci && a->pci(h, &pci) == XNV_SUCCESS;
	if (g->have_pci) {
		xpu_strlcpy_n(g->bus, sizeof(g->bus), pci.bus_id, sizeof(pci.bus_id));
		g->pci_ids = pci.pci_device_id;
	}
}

static void gather_values(const xpu_nvml_api *a, xnv_device h, nvml_dev *g)
{
	g->memory_rc = a->memory ? a->memory(h, &g->memory) : -1;
	/* the board's maxima never change: 1.3-3.6 ms each on an H200, so a
	 * value the discovery cache brought is not read again */
	if (g->read_max) {
		g->max_sm = nv_clock(a->max_clock, h, XNV_CLOCK_SM);
		g->max_mem = nv_clock(a->max_clock, h, XNV_CLOCK_MEM);
	}
	g->sm = nv_clock(a->clock, h, XNV_CLOCK_SM);
	g->mem = nv_clock(a->clock, h, XNV_CLOCK_MEM);
	g->temperature = nv_clock(a->temperature, h, XNV_TEMPERATURE_GPU);
	g->power = nv_read(a->power_usage, h);
	g->power_limit = nv_read(a->power_limit, h);
	unsigned min_mw = 0;
	if (g->read_power_max)
		g->power_max.rc = a->power_constraints ?
					  a->power_constraints(h, &min_mw, &g->power_max.value) : -1;
}

static void gather_device(const struct xpu_system *s, const xpu_nvml_api *a, unsigned index,
			  nvml_dev *g)
{
	xnv_device h = NULL;
	double t0 = xpu_now_ms();
	xnv_return hrc = a->handle(index, &h);
	xpu_trace_time("nvml: handle", t0);
	if (hrc != XNV_SUCCESS || !h)
		return;
	g->listed = true;
	gather_identity(a, h, g);
	/* The device it will match (nothing writes s while gathers run). */
	const xpu_device *known = xpu_rt_lookup(s, g->have_pci ? g->bus : NULL, g->uuid);
	g->read_max = !known || !xpu_is_ok(&known->clock_max_mhz.status) ||
		      !xpu_is_ok(&known->memory_clock_max_mhz.status);
	g->read_power_max = !known || !xpu_is_ok(&known->power_cap_max_w.status);
	t0 = xpu_now_ms();
	gather_values(a, h, g);
	xpu_trace_time("nvml: values", t0);
}

/* One device's gather, in a thread of its own. */
typedef struct nvml_job {
	const struct xpu_system *s;
	const xpu_nvml_api *a;
	unsigned index;
	nvml_dev *g;
	pthread_t thread;
	bool threaded;
} nvml_job;

static void *gather_job(void *arg)
{
	nvml_job *j = arg;
	double t0 = xpu_now_ms();
	gather_device(j->s, j->a, j->index, j->g);
	xpu_trace_time("nvml: one device", t0);
	return NULL;
}

/* Every device's handle and values, side by side.  Each device costs about
 * 16 ms on an H200 (the handle attaches the GPU: 6.6 ms; the values 9 ms),
 * nearly all of it waiting on the driver, and NVML is thread-safe: with
 * several GPUs a listing then costs one device's time, not their sum.  A
 * thread that cannot be started runs its device here. */
static void gather_devices(const struct xpu_system *s, const xpu_nvml_api *a, unsigned n,
			   nvml_dev *devs)
{
	nvml_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (!jobs) {
		for (unsigned i = 0; i < n; i++) {
			nvml_job one = { .s = s, .a = a, .index = i, .g = &devs[i] };
			gather_job(&one);
		}
		return;
	}
	bool serial = xpu_rt_serial();
	for (unsigned i = 0; i < n; i++) {
		jobs[i] = (nvml_job){ .s = s, .a = a, .index = i, .g = &devs[i] };
		if (i > 0 && !serial) /* the first device runs in this thread */
			jobs[i].threaded = pthread_create(&jobs[i].thread, NULL, gather_job, &jobs[i]) == 0;
	}
	for (unsigned i = 0; i < n; i++)
		if (!jobs[i].threaded)
			gather_job(&jobs[i]);
	for (unsigned i = 0; i < n; i++)
		if (jobs[i].threaded)
			pthread_join(jobs[i].thread, NULL);
	free(jobs);
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

/* Loads and initialises NVML; false with info->status saying why not. */
static bool nvml_start(const xpu_nvml_api *a, xpu_runtime_info *info)
{
	if (!xpu_rt_loaded(&a->lib, XPU_RT_NVML, info))
		return false;
	if (!a->init || !a->count || !a->handle) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks nvmlInit/nvmlDeviceGetCount", info->library);
		return false;
	}
	double t0 = xpu_now_ms();
	xnv_return rc = a->init();
	xpu_trace_time("nvml: init", t0);
	if (rc != XNV_SUCCESS) {
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "nvmlInit_v2: error %d%s", rc, init_hint(rc));
		return false;
	}
	return true;
}

static void nvml_gather(const struct xpu_system *s, void *result)
{
	nvml_result *r = result;
	xpu_rt_info_init(&r->info, XPU_RT_NVML);
	double t0 = xpu_now_ms();
	const xpu_nvml_api *a = xpu_nvml_api_get();
	xpu_trace_time("nvml: dlopen", t0);
	/* NVML stays loaded: it is cheap, and unloading it is not documented safe. */
	if (!nvml_start(a, &r->info))
		return;
	if (a->count(&r->count) != XNV_SUCCESS)
		r->count = 0;
	xpu_rt_info_ok(&r->info, NULL, r->count);
	gather_devices(s, a, r->count < NVML_MAX_HANDLES ? r->count : NVML_MAX_HANDLES, r->devs);
	char *v = r->driver_version;
	if (!a->driver_version || a->driver_version(v, (unsigned)sizeof(r->driver_version)) != XNV_SUCCESS)
		v[0] = '\0';
	v[sizeof(r->driver_version) - 1] = '\0';
	if (v[0])
		xpu_strlcpy(r->info.version, v, sizeof(r->info.version));
	/* No nvmlShutdown: it costs 3-10 ms on an H200 (half of what
	 * `nvidia-smi -L` takes in all), and NVML stays loaded anyway. */
}

/* --- apply: the answers, onto the system's devices --- */

/* mW (or mJ) -> W (or J) */
static void nv_milli(xpu_real *v, const char *sym, bool have_fn, nv_reading r)
{
	if (have_fn && r.rc == XNV_SUCCESS)
		xpu_set_real(v, r.value / 1000.0);
	else
		xpu_nvml_why(&v->status, sym, have_fn, r.rc);
}

static void apply_memory(const xpu_nvml_api *a, const nvml_dev *g, xpu_device *d)
{
	xpu_nvml_set_uint(&d->memory_total_bytes, "nvmlDeviceGetMemoryInfo", a->memory != NULL,
			  g->memory_rc, g->memory.total);
	xpu_nvml_set_uint(&d->memory_used_bytes, "nvmlDeviceGetMemoryInfo", a->memory != NULL,
			  g->memory_rc, g->memory.used);
}

static void apply_clocks(const xpu_nvml_api *a, const nvml_dev *g, xpu_device *d)
{
	bool have = a->max_clock != NULL;
	if (g->read_max && !xpu_is_ok(&d->clock_max_mhz.status))
		xpu_nvml_set_uint(&d->clock_max_mhz, "nvmlDeviceGetMaxClockInfo", have, g->max_sm.rc,
				  g->max_sm.value);
	if (g->read_max && !xpu_is_ok(&d->memory_clock_max_mhz.status))
		xpu_nvml_set_uint(&d->memory_clock_max_mhz, "nvmlDeviceGetMaxClockInfo", have,
				  g->max_mem.rc, g->max_mem.value);
	have = a->clock != NULL;
	xpu_nvml_set_uint(&d->clock_actual_mhz, "nvmlDeviceGetClockInfo", have, g->sm.rc,
			  g->sm.value);
	xpu_nvml_set_uint(&d->memory_clock_mhz, "nvmlDeviceGetClockInfo", have, g->mem.rc,
			  g->mem.value);
}

static void apply_temperature(const xpu_nvml_api *a, const nvml_dev *g, xpu_device *d)
{
	bool have = a->temperature != NULL;
	if (!have || g->temperature.rc != XNV_SUCCESS) {
		xpu_nvml_why(&d->temperature_c.status, "nvmlDeviceGetTemperature", have,
			     g->temperature.rc);
		return;
	}
	double c = (double)g->temperature.value;
	xpu_set_real(&d->temperature_c, c);
	for (unsigned i = 0; i < d->n_temps; i++)
		if (strcmp(d->temps[i].label, "gpu") == 0)
			return;
	if (d->n_temps >= XPU_MAX_TEMPS)
		return;
	xpu_sensor *t = &d->temps[d->n_temps++];
	memset(t, 0, sizeof(*t));
	xpu_strlcpy(t->label, "gpu", sizeof(t->label));
	xpu_set_real(&t->reading, c);
}

static void apply_power(const xpu_nvml_api *a, const nvml_dev *g, xpu_device *d)
{
	nv_milli(&d->power_draw_w, "nvmlDeviceGetPowerUsage", a->power_usage != NULL, g->power);
	nv_milli(&d->power_cap_w, "nvmlDeviceGetEnforcedPowerLimit", a->power_limit != NULL,
		 g->power_limit);
	if (g->read_power_max || !xpu_is_ok(&d->power_cap_max_w.status))
		nv_milli(&d->power_cap_max_w, "nvmlDeviceGetPowerManagementLimitConstraints",
			 a->power_constraints != NULL, g->power_max);
	/* The energy counter is left to `xpu top` and `xpu exporter`: reading it
	 * takes 3-7 ms on an H200, more than the rest of a device together. */
	xpu_set_status(&d->energy_j.status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
		       "a counter for xpu top / xpu exporter (nvmlDeviceGetTotalEnergyConsumption)");
}

/* The sysfs device of this handle (PCI address, else UUID), or a new one. */
static xpu_device *nvml_match(struct xpu_system *s, const nvml_dev *g)
{
	if (!g->have_pci)
		return g->uuid[0] ? xpu_system_find_uuid(s, g->uuid) : NULL;
	xpu_device *d = xpu_system_find_pci(s, g->bus);
	if (!d && g->uuid[0])
		d = xpu_system_find_uuid(s, g->uuid);
	if (!d)
		d = xpu_rt_find_or_add(s, g->bus, XPU_VENDOR_NVIDIA, XPU_KIND_DISCRETE, g->name);
	if (d && !d->pci_device_id)
		d->pci_device_id = (uint16_t)(g->pci_ids >> 16);
	if (d && !d->pci_vendor_id)
		d->pci_vendor_id = (uint16_t)(g->pci_ids & 0xffffu);
	return d;
}

static xpu_device *apply_device(struct xpu_system *s, const xpu_nvml_api *a, const nvml_dev *g)
{
	xpu_device *d = g->listed ? nvml_match(s, g) : NULL;
	if (!d)
		return NULL;
	if (g->name[0])
		xpu_set_text(&d->name, "%s", g->name);
	if (g->uuid[0])
		xpu_set_text(&d->uuid, "%s", g->uuid);
	apply_memory(a, g, d);
	apply_clocks(a, g, d);
	apply_temperature(a, g, d);
	apply_power(a, g, d);
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

/* NVML failed as status says: so did every value it reads. */
static void nvml_values_fail(struct xpu_system *s, const xpu_status *status)
{
	for (size_t i = 0; i < s->count; i++)
		if (nvidia_gpu(s, &s->devices[i]))
			nvml_values_fail_dev(&s->devices[i], status->reason, status->detail);
}

/* The devices NVML describes but did not list. */
static void nvml_unseen(struct xpu_system *s, const bool *seen, unsigned n)
{
	char detail[XPU_DETAIL_LEN];
	snprintf(detail, sizeof(detail), "not among the %u devices %s lists", n, nvml_lib());
	for (size_t i = 0; i < s->count; i++)
		if (nvidia_gpu(s, &s->devices[i]) && !seen[i])
			nvml_values_fail_dev(&s->devices[i], XPU_R_RUNTIME_NO_DEVICE, detail);
}

static void nvml_apply(struct xpu_system *s, const void *result)
{
	const nvml_result *r = result;
	if (!xpu_rt_apply_start(s, &r->info, XPU_RT_NVML, false)) {
		nvml_values_fail(s, &r->info.status);
		return;
	}
	const xpu_nvml_api *a = xpu_nvml_api_get();
	bool seen[XPU_MAX_DEVICES] = { false };
	for (unsigned i = 0; i < r->count && i < NVML_MAX_HANDLES; i++) {
		xpu_device *d = apply_device(s, a, &r->devs[i]);
		if (d)
			seen[d - s->devices] = true;
	}
	/* after the loop: it may have added devices */
	for (size_t i = 0; i < s->count && r->driver_version[0]; i++)
		if (nvidia_gpu(s, &s->devices[i]))
			xpu_set_text(&s->devices[i].driver_version, "%s", r->driver_version);
	nvml_unseen(s, seen, r->count);
}

const xpu_rt_probe xpu_rt_probe_nvml = {
	.result_size = sizeof(nvml_result),
	.gather = nvml_gather,
	.apply = nvml_apply,
};
