/* The process table and what it adds up to per device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "telemetry/sampler_int.h"

typedef struct table {
	xpu_sample *x;
	size_t cap;
} table;

static xpu_device_sample *device_by_pci(xpu_sample *x, const char *pci)
{
	for (size_t i = 0; i < x->n_devices; i++)
		if (pci[0] && strcmp(x->devices[i].dev.pci_address, pci) == 0)
			return &x->devices[i];
	return NULL;
}

bool xpu_device_has_drm_clients(const xpu_device *d)
{
	return d->vendor != XPU_VENDOR_NVIDIA && d->vendor != XPU_VENDOR_CPU;
}

/* The device of a client: its drm-pdev, or, for drivers that do not print
 * one, the only device of that driver. */
static xpu_device_sample *client_device(xpu_sample *x, const xpu_fdinfo *f)
{
	if (f->pdev[0])
		return device_by_pci(x, f->pdev);
	xpu_device_sample *found = NULL;
	for (size_t i = 0; i < x->n_devices; i++) {
		const xpu_device *d = &x->devices[i].dev;
		if (xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, f->driver) == 0) {
			if (found)
				return NULL;
			found = &x->devices[i];
		}
	}
	return found;
}

static void unknown(xpu_uint *v, const char *why)
{
	xpu_set_status(&v->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "%s", why);
}

static xpu_process_sample *process_for(table *t, int pid, unsigned device, const char *source)
{
	xpu_sample *x = t->x;
	for (size_t i = 0; i < x->n_processes; i++)
		if (x->processes[i].pid == pid && x->processes[i].device == device)
			return &x->processes[i];
	if (x->n_processes == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		xpu_process_sample *n = realloc(x->processes, ncap * sizeof(*n));
		if (!n)
			return NULL;
		x->processes = n;
		t->cap = ncap;
	}
	xpu_process_sample *p = &x->processes[x->n_processes++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->device = device;
	p->source = source;
	unknown(&p->vram_bytes, "the driver reports no device-local memory for it");
	unknown(&p->vram_resident_bytes, "the driver reports no resident device-local memory");
	unknown(&p->system_bytes, "the driver reports no system memory for it");
	unknown(&p->system_resident_bytes, "the driver reports no resident system memory");
	xpu_set_status(&p->busy_percent.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
		       "the driver reports no engine time for it");
	x->devices[device].n_processes++;
	return p;
}

static void add_bytes(xpu_uint *v, uint64_t b)
{
	if (xpu_is_ok(&v->status))
		v->value += b;
	else
		xpu_set_uint(v, b);
}

static void add_regions(xpu_process_sample *p, const xpu_fdinfo *f)
{
	for (unsigned i = 0; i < f->n_regions; i++) {
		const xpu_fdinfo_region *r = &f->regions[i];
		bool vram = xpu_fdinfo_region_is_vram(r->name);
		if (r->has_total)
			add_bytes(vram ? &p->vram_bytes : &p->system_bytes, r->total);
		if (r->has_resident)
			add_bytes(vram ? &p->vram_resident_bytes : &p->system_resident_bytes, r->resident);
	}
}

static xpu_engine_use *engine_slot(xpu_engine_use *e, unsigned *n, const char *name)
{
	for (unsigned i = 0; i < *n; i++)
		if (strcmp(e[i].name, name) == 0)
			return &e[i];
	if (*n == XPU_MAX_ENGINES)
		return NULL;
	xpu_engine_use *u = &e[(*n)++];
	memset(u, 0, sizeof(*u));
	xpu_strlcpy(u->name, name, sizeof(u->name));
	xpu_set_status(&u->busy_percent.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
		       "engine time is a counter: busy is its rate between two samples");
	return u;
}

static void add_busy(xpu_real *v, double percent)
{
	if (xpu_is_ok(&v->status))
		v->value = v->value + percent > 100 ? 100 : v->value + percent;
	else
		xpu_set_real(v, percent);
}

static const xpu_fdinfo *previous_client(const xpu_drm_clients *prev, const xpu_fdinfo *f)
{
	if (!prev || !f->has_client_id)
		return NULL;
	for (size_t i = 0; i < prev->count; i++) {
		const xpu_fdinfo *o = &prev->items[i].info;
		if (o->has_client_id && o->client_id == f->client_id && strcmp(o->pdev, f->pdev) == 0 &&
		    strcmp(o->driver, f->driver) == 0)
			return o;
	}
	return NULL;
}

static const xpu_fdinfo_engine *previous_engine(const xpu_fdinfo *prev, const char *name)
{
	for (unsigned i = 0; prev && i < prev->n_engines; i++)
		if (strcmp(prev->engines[i].name, name) == 0)
			return &prev->engines[i];
	return NULL;
}

static void add_engines(xpu_process_sample *p, const xpu_fdinfo *f, const xpu_fdinfo *before,
			uint64_t dt_ns)
{
	for (unsigned i = 0; i < f->n_engines; i++) {
		const xpu_fdinfo_engine *e = &f->engines[i];
		if (!e->has_ns && !e->has_cycles)
			continue;
		xpu_engine_use *u = engine_slot(p->engines, &p->n_engines, e->name);
		const xpu_fdinfo_engine *b = previous_engine(before, e->name);
		double pct;
		if (u && b && xpu_fdinfo_engine_busy(b, e, dt_ns, &pct))
			add_busy(&u->busy_percent, pct);
	}
}

/* Busiest engine, or why none is known. */
static void busiest(xpu_real *out, const xpu_engine_use *e, unsigned n)
{
	bool any = false;
	double best = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!xpu_is_ok(&e[i].busy_percent.status))
			continue;
		any = true;
		best = e[i].busy_percent.value > best ? e[i].busy_percent.value : best;
	}
	if (any)
		xpu_set_real(out, best);
	else if (n)
		*out = e[0].busy_percent; /* "needs two samples" */
}

static void from_drm_clients(table *t, const xpu_drm_clients *now, const xpu_drm_clients *prev,
			     uint64_t dt_ns)
{
	for (size_t i = 0; i < now->count; i++) {
		const xpu_drm_client *c = &now->items[i];
		xpu_device_sample *ds = client_device(t->x, &c->info);
		if (!ds)
			continue; /* a DRM device that is no accelerator (vgem, simpledrm) */
		xpu_process_sample *p = process_for(t, c->pid, ds->dev.index, "fdinfo");
		if (!p)
			return;
		xpu_strlcpy(p->command, c->command, sizeof(p->command));
		add_regions(p, &c->info);
		add_engines(p, &c->info, previous_client(prev, &c->info), dt_ns);
	}
	for (size_t i = 0; i < t->x->n_processes; i++) {
		xpu_process_sample *p = &t->x->processes[i];
		busiest(&p->busy_percent, p->engines, p->n_engines);
	}
}

static void from_nvml(table *t, const xsys *s, xpu_nvml *nvml)
{
	enum { MAX = 256 };
	xpu_nvml_process list[MAX];
	for (unsigned i = 0; nvml && xpu_is_ok(xpu_nvml_status(nvml)) && i < xpu_nvml_count(nvml); i++) {
		xpu_device_sample *ds = device_by_pci(t->x, xpu_nvml_pci(nvml, i));
		if (!ds)
			continue;
		xpu_status st;
		size_t n = xpu_nvml_processes(nvml, i, list, MAX, &st);
		ds->clients_vram_bytes.status = st;
		if (xpu_is_ok(&st))
			xpu_set_uint(&ds->clients_vram_bytes, 0);
		for (size_t k = 0; k < n; k++) {
			xpu_process_sample *p = process_for(t, list[k].pid, ds->dev.index, "nvml");
			if (!p)
				return;
			char pid[16];
			snprintf(pid, sizeof(pid), "%d", list[k].pid);
			if (xsys_text(s, p->command, sizeof(p->command), "/proc/%s/comm", pid) != XSYS_OK)
				xpu_strlcpy(p->command, "?", sizeof(p->command));
			if (list[k].used_bytes != UINT64_MAX) {
				xpu_set_uint(&p->vram_bytes, list[k].used_bytes);
				add_bytes(&ds->clients_vram_bytes, list[k].used_bytes);
			} else {
				xpu_set_status(&p->vram_bytes.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
					       "NVML reports no per-process memory here (WDDM or MIG)");
			}
			p->busy_percent = list[k].sm_percent;
		}
	}
}

/* Engine busy, client memory and utilisation of a device whose clients
 * show in fdinfo. */
static void drm_device_totals(xpu_sample *x, xpu_device_sample *ds, bool first,
			      const xpu_status *sweep)
{
	if (!xpu_is_ok(sweep)) {
		ds->clients_vram_bytes.status = *sweep;
		ds->clients_system_bytes.status = *sweep;
	} else {
		xpu_set_uint(&ds->clients_vram_bytes, 0);
		xpu_set_uint(&ds->clients_system_bytes, 0);
	}
	for (size_t i = 0; i < x->n_processes; i++) {
		const xpu_process_sample *p = &x->processes[i];
		if (p->device != ds->dev.index)
			continue;
		if (xpu_is_ok(sweep) && xpu_is_ok(&p->vram_bytes.status))
			ds->clients_vram_bytes.value += p->vram_bytes.value;
		if (xpu_is_ok(sweep) && xpu_is_ok(&p->system_bytes.status))
			ds->clients_system_bytes.value += p->system_bytes.value;
		for (unsigned k = 0; k < p->n_engines; k++) {
			xpu_engine_use *u = engine_slot(ds->engines, &ds->n_engines, p->engines[k].name);
			if (u && xpu_is_ok(&p->engines[k].busy_percent.status))
				add_busy(&u->busy_percent, p->engines[k].busy_percent.value);
		}
	}
	if (xpu_is_ok(&ds->util_percent.status))
		return; /* the driver's own counter (amdgpu) */
	if (first)
		xpu_set_status(&ds->util_percent.status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
			       "busy is the rate of the clients' engine time (fdinfo)");
	else if (!xpu_is_ok(sweep))
		ds->util_percent.status = *sweep;
	else if (ds->n_engines)
		busiest(&ds->util_percent, ds->engines, ds->n_engines);
	else
		xpu_set_real(&ds->util_percent, 0); /* no client has it open: idle */
}

static int by_device_then_pid(const void *a, const void *b)
{
	const xpu_process_sample *p = a, *q = b;
	if (p->device != q->device)
		return p->device < q->device ? -1 : 1;
	return p->pid - q->pid;
}

void xpu_sample_processes_at(xpu_sample *x, const xsys *s, const xpu_drm_clients *now,
			     const xpu_drm_clients *prev, uint64_t dt_ns, xpu_nvml *nvml)
{
	table t = { .x = x, .cap = 0 };
	x->processes_status = now->status;
	x->hidden_processes = now->hidden;
	for (size_t i = 0; i < x->n_devices; i++) {
		xpu_device_sample *ds = &x->devices[i];
		if (ds->dev.vendor == XPU_VENDOR_AMD && xpu_is_ok(&ds->dev.busy_percent.status))
			ds->util_percent = ds->dev.busy_percent;
	}
	from_drm_clients(&t, now, prev, dt_ns);
	from_nvml(&t, s, nvml);
	for (size_t i = 0; i < x->n_devices; i++)
		if (xpu_device_has_drm_clients(&x->devices[i].dev))
			drm_device_totals(x, &x->devices[i], prev == NULL, &now->status);
	if (x->n_processes)
		qsort(x->processes, x->n_processes, sizeof(*x->processes), by_device_then_pid);
}
