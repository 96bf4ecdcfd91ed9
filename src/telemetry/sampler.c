/* The sampler: each refresh runs discovery without the runtimes (sysfs and
 * procfs only: cheap, and a device whose files vanished simply drops out),
 * reads NVIDIA GPUs through an NVML kept open, sweeps /proc once for DRM
 * clients, and derives the rates (engine busy, power from energy) from the
 * previous sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "model/value.h"
#include "runtimes/runtime.h"
#include "sys/sys.h"
#include "telemetry/intel_query.h"
#include "telemetry/nvml_sample.h"
#include "telemetry/pmu.h"
#include "telemetry/procscan.h"
#include "telemetry/sampler_int.h"
#include "xpu/telemetry.h"

struct xpu_sampler {
	xpu_options discovery;
	char sysroot[XSYS_PATH_MAX];
	xsys sys;
	xpu_nvml *nvml; /* NULL: NVML not used (a sysroot, or runtimes turned off) */
	bool perfmon;   /* CAP_PERFMON or CAP_SYS_ADMIN: the kernel shows Intel VRAM use */
	xpu_pmu *pmu;   /* Intel engine busy counters, device-wide */
	xpu_sample last;
	uint64_t last_ns;
	xpu_drm_clients clients, prev_clients;
};

static bool use_nvml(const xpu_options *o, bool live)
{
	if (o->probe_runtimes == 0)
		return false;
	if (o->probe_runtimes < 0 && !live)
		return false;
	return !o->runtime_mask || (o->runtime_mask & (1u << XPU_RT_NVML));
}

xpu_sampler *xpu_sampler_new(const xpu_sampler_options *opt, char *err, size_t errlen)
{
	xpu_sampler *s = calloc(1, sizeof(*s));
	if (!s) {
		xpu_strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	if (opt)
		s->discovery = opt->discovery;
	else
		s->discovery.probe_runtimes = -1;
	if (s->discovery.sysroot) {
		xpu_strlcpy(s->sysroot, s->discovery.sysroot, sizeof(s->sysroot));
		s->discovery.sysroot = s->sysroot;
	}
	if (xsys_init(&s->sys, s->discovery.sysroot, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	if (use_nvml(&s->discovery, xsys_is_live(&s->sys)))
		s->nvml = xpu_nvml_open();
	s->perfmon = xpu_perfmon_capable(&s->sys);
	s->pmu = xpu_pmu_new();
	/* the per-sample discovery reads files only; NVML is ours */
	s->discovery.probe_runtimes = 0;
	return s;
}

static void sample_clear(xpu_sample *x)
{
	free(x->devices);
	free(x->processes);
	memset(x, 0, sizeof(*x));
}

void xpu_sampler_free(xpu_sampler *s)
{
	if (!s)
		return;
	sample_clear(&s->last);
	xpu_drm_clients_free(&s->clients);
	xpu_drm_clients_free(&s->prev_clients);
	xpu_nvml_close(s->nvml);
	xpu_pmu_free(s->pmu);
	free(s);
}

const xpu_sample *xpu_sampler_last(const xpu_sampler *s)
{
	return s->last.seq ? &s->last : NULL;
}

int xpu_sampler_refresh(xpu_sampler *s, char *err, size_t errlen)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return xpu_sampler_refresh_at(s, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
				      err, errlen);
}

/* --- devices --- */

static const xpu_device_sample *previous_device(const xpu_sample *prev, const char *id)
{
	for (size_t i = 0; prev && i < prev->n_devices; i++)
		if (strcmp(prev->devices[i].dev.id, id) == 0)
			return &prev->devices[i];
	return NULL;
}

/* Power as the rate of the energy counter, where the device has only that. */
static void power_from_energy(xpu_device_sample *ds, const xpu_device_sample *before, double dt)
{
	xpu_device *d = &ds->dev;
	if (d->power_draw_w.status.reason != XPU_R_NEEDS_TWO_SAMPLES || !xpu_is_ok(&d->energy_j.status))
		return;
	if (!before || !xpu_is_ok(&before->dev.energy_j.status) || dt <= 0)
		return; /* stays "needs two samples" */
	double de = d->energy_j.value - before->dev.energy_j.value;
	if (de < 0) {
		xpu_set_status(&d->power_draw_w.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
			       "the energy counter went back (reset or wrap); next sample");
		return;
	}
	xpu_set_real(&d->power_draw_w, de / dt);
}

/* Link traffic as the rate of each counter: over the driver's own clock
 * where it stamps its readings, else over the sampler's interval. */
static void traffic_rates(xpu_device_sample *ds, const xpu_device_sample *before, double dt)
{
	for (int k = 0; k < XPU_TRAFFIC_COUNT; k++) {
		xpu_link_traffic *t = &ds->traffic[k];
		const xpu_link_traffic *b = before ? &before->traffic[k] : NULL;
		if (t->bytes_per_s.status.reason != XPU_R_NEEDS_TWO_SAMPLES || !b ||
		    !xpu_is_ok(&b->bytes.status))
			continue;
		double span = t->at_s > 0 && b->at_s > 0 ? t->at_s - b->at_s : dt;
		if (t->bytes.value < b->bytes.value)
			xpu_set_status(&t->bytes_per_s.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
				       "the counter went back (reset or wrap); next sample");
		else if (span > 0)
			xpu_set_real(&t->bytes_per_s, (double)(t->bytes.value - b->bytes.value) / span);
	}
}

static void not_from_nvml(xpu_device_sample *ds, const xpu_status *why)
{
	xpu_status *st[] = { &ds->util_percent.status, &ds->memory_util_percent.status,
			     &ds->fan_percent.status, &ds->throttle_reasons.status };
	for (size_t i = 0; i < XPU_ARRAY_LEN(st); i++)
		*st[i] = *why;
	for (int k = 0; k < XPU_TRAFFIC_COUNT; k++)
		ds->traffic[k].bytes.status = ds->traffic[k].bytes_per_s.status = *why;
}

static void nvidia_without_nvml(xpu_sampler *s, xpu_device_sample *ds)
{
	xpu_status why;
	if (s->nvml && !xpu_is_ok(xpu_nvml_status(s->nvml)))
		why = *xpu_nvml_status(s->nvml);
	else if (s->nvml)
		xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE,
			       "not among the devices %s lists",
			       xpu_runtime_desc_of(XPU_RT_NVML)->libraries[0]);
	else
		xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_NOT_PROBED,
			       "read through NVML, which describes this machine, not the sysroot");
	not_from_nvml(ds, &why);
}

static xpu_device_sample *device_by_pci(xpu_sample *x, const char *pci)
{
	for (size_t i = 0; i < x->n_devices; i++)
		if (strcmp(x->devices[i].dev.pci_address, pci) == 0)
			return &x->devices[i];
	return NULL;
}

/* An NVML GPU that sysfs did not show (a container without /sys/bus/pci). */
static xpu_device_sample *add_nvml_device(xpu_sample *x, size_t cap, const char *pci)
{
	if (x->n_devices >= cap)
		return NULL;
	xpu_device_sample *ds = &x->devices[x->n_devices];
	memset(ds, 0, sizeof(*ds));
	ds->dev.index = (unsigned)x->n_devices++;
	ds->dev.vendor = XPU_VENDOR_NVIDIA;
	ds->dev.kind = XPU_KIND_DISCRETE;
	xpu_strlcpy(ds->dev.pci_address, pci, sizeof(ds->dev.pci_address));
	snprintf(ds->dev.id, sizeof(ds->dev.id), "pci:%s", pci);
	xpu_set_text(&ds->dev.driver, "nvidia");
	return ds;
}

static void sample_nvidia(xpu_sampler *s, xpu_sample *x, size_t cap)
{
	unsigned n = s->nvml && xpu_is_ok(xpu_nvml_status(s->nvml)) ? xpu_nvml_count(s->nvml) : 0;
	bool done[XPU_MAX_DEVICES] = { false };
	for (unsigned i = 0; i < n; i++) {
		xpu_device_sample *ds = device_by_pci(x, xpu_nvml_pci(s->nvml, i));
		if (!ds)
			ds = add_nvml_device(x, cap, xpu_nvml_pci(s->nvml, i));
		if (!ds)
			continue;
		xpu_nvml_sample_device(s->nvml, i, ds);
		done[ds - x->devices] = true;
	}
	for (size_t i = 0; i < x->n_devices; i++)
		if (x->devices[i].dev.vendor == XPU_VENDOR_NVIDIA && !done[i])
			nvidia_without_nvml(s, &x->devices[i]);
}

static int copy_devices(xpu_sampler *s, xpu_sample *x, char *err, size_t errlen)
{
	xpu_system *sys = NULL;
	int rc = xpu_discover(&s->discovery, &sys, err, errlen);
	if (rc != XPU_E_OK)
		return rc;
	size_t n = xpu_device_count(sys);
	x->devices = calloc(XPU_MAX_DEVICES, sizeof(*x->devices));
	if (!x->devices) {
		xpu_system_free(sys);
		xpu_strlcpy(err, "out of memory", errlen);
		return XPU_E_NOMEM;
	}
	for (size_t i = 0; i < n && i < XPU_MAX_DEVICES; i++) {
		x->devices[i].dev = *xpu_device_at(sys, i);
		/* the sample's order is the device's index */
		x->devices[i].dev.index = (unsigned)i;
	}
	x->n_devices = n < XPU_MAX_DEVICES ? n : XPU_MAX_DEVICES;
	xpu_system_free(sys);
	sample_nvidia(s, x, XPU_MAX_DEVICES);
	return XPU_E_OK;
}

static bool any_drm_device(const xpu_sample *x)
{
	for (size_t i = 0; i < x->n_devices; i++)
		if (xpu_device_has_drm_clients(&x->devices[i].dev))
			return true;
	return false;
}

int xpu_sampler_refresh_at(xpu_sampler *s, uint64_t now_ns, char *err, size_t errlen)
{
	xpu_sample x;
	memset(&x, 0, sizeof(x));
	int rc = copy_devices(s, &x, err, errlen);
	if (rc != XPU_E_OK) {
		sample_clear(&x);
		return rc;
	}
	const xpu_sample *prev = xpu_sampler_last(s);
	x.seq = prev ? prev->seq + 1 : 1;
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	x.time = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
	uint64_t dt_ns = prev && now_ns > s->last_ns ? now_ns - s->last_ns : 0;
	x.interval_s = (double)dt_ns / 1e9;

	for (size_t i = 0; i < x.n_devices; i++) {
		const xpu_device_sample *before = previous_device(prev, x.devices[i].dev.id);
		power_from_energy(&x.devices[i], before, x.interval_s);
		traffic_rates(&x.devices[i], before, x.interval_s);
	}
	xpu_sample_throttle_sysfs(&s->sys, &x);
	/* the memory query talks to the driver of this machine, not a replay */
	for (size_t i = 0; i < x.n_devices && xsys_is_live(&s->sys); i++)
		xpu_intel_vram_sample(&s->sys, &x.devices[i], s->perfmon);

	/* this sweep's clients become the previous ones of the next */
	xpu_drm_clients tmp = s->prev_clients;
	s->prev_clients = s->clients;
	s->clients = tmp;
	if (any_drm_device(&x)) {
		xpu_drm_scan(&s->sys, &s->clients);
	} else {
		/* every fd of every process, for no device that could be a
		 * client's: most of a refresh's cost on such machines */
		s->clients.count = 0;
		s->clients.hidden = 0;
		xpu_set_ok(&s->clients.status);
	}
	xpu_sample_processes_at(&x, &s->sys, &s->clients, prev ? &s->prev_clients : NULL, dt_ns, s->nvml);
	/* after the fdinfo totals: where the PMU answers, it is the device's own */
	if (s->pmu)
		xpu_pmu_sample(s->pmu, &s->sys, &x, now_ns);

	sample_clear(&s->last);
	s->last = x;
	s->last_ns = now_ns;
	return XPU_E_OK;
}

const char *xpu_traffic_link(xpu_traffic_kind k)
{
	return k <= XPU_TRAFFIC_NVLINK_RX ? "nvlink" : "pcie";
}

const char *xpu_traffic_direction(xpu_traffic_kind k)
{
	return k == XPU_TRAFFIC_NVLINK_TX || k == XPU_TRAFFIC_PCIE_TX ? "tx" : "rx";
}
