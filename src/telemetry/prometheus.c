/* A sample as Prometheus text (exposition format 0.0.4).  Names follow the
 * Prometheus conventions: base units in the name (bytes, watts, celsius,
 * hertz, ratio), counters end in _total.  A value that is not known is left
 * out, never written as 0; where it exists but could not be read,
 * xpu_metric_unavailable{metric,reason} says why. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "xpu/telemetry.h"

typedef struct buf {
	char *p;
	size_t len, cap;
	bool oom;
} buf;

__attribute__((format(printf, 2, 3))) static void put(buf *b, const char *fmt, ...)
{
	for (int tries = 0; tries < 2 && !b->oom; tries++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = b->cap ? b->cap : 8192;
		while (ncap <= b->len + (size_t)n)
			ncap *= 2;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

/* Label values escape backslash, double quote and newline. */
static void put_escaped(buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			put(b, "\\\\");
		else if (*s == '"')
			put(b, "\\\"");
		else if (*s == '\n')
			put(b, "\\n");
		else
			put(b, "%c", *s);
	}
}

static void label(buf *b, const char *key, const char *value, bool first)
{
	put(b, "%s%s=\"", first ? "" : ",", key);
	put_escaped(b, value);
	put(b, "\"");
}

static const char *text_or_empty(const xpu_text *t)
{
	return xpu_is_ok(&t->status) ? t->value : "";
}

static void device_labels(buf *b, const xpu_device *d)
{
	char idx[16];
	snprintf(idx, sizeof(idx), "%u", d->index);
	label(b, "device", idx, true);
	label(b, "pci_bus_id", d->pci_address, false);
	label(b, "uuid", text_or_empty(&d->uuid), false);
	label(b, "name", text_or_empty(&d->name), false);
	label(b, "vendor", xpu_vendor_name(d->vendor), false);
	label(b, "driver", text_or_empty(&d->driver), false);
}

typedef struct ctx {
	buf *b;
	buf *why; /* xpu_metric_unavailable samples */
	const char *metric;
	bool wrote;
} ctx;

/* name{device labels[,key="value"]} value */
static void head(ctx *c, const xpu_device *d, const char *key, const char *value)
{
	put(c->b, "%s{", c->metric);
	device_labels(c->b, d);
	if (key)
		label(c->b, key, value, false);
	put(c->b, "} ");
	c->wrote = true;
}

static void unavailable(ctx *c, const xpu_device *d, const char *key, const char *value,
			const xpu_status *st)
{
	if (st->state != XPU_UNAVAILABLE)
		return; /* unsupported: the device has no such value, nothing to explain */
	put(c->why, "xpu_metric_unavailable{");
	device_labels(c->why, d);
	label(c->why, "metric", c->metric, false);
	if (key)
		label(c->why, key, value, false);
	label(c->why, "reason", xpu_reason_name(st->reason), false);
	put(c->why, "} 1\n");
}

static void real(ctx *c, const xpu_device *d, const char *key, const char *value,
		 const xpu_real *v, double scale)
{
	if (!xpu_is_ok(&v->status)) {
		unavailable(c, d, key, value, &v->status);
		return;
	}
	head(c, d, key, value);
	put(c->b, "%.15g\n", v->value * scale);
}

static void uint_(ctx *c, const xpu_device *d, const char *key, const char *value,
		  const xpu_uint *v, uint64_t scale)
{
	if (!xpu_is_ok(&v->status)) {
		unavailable(c, d, key, value, &v->status);
		return;
	}
	head(c, d, key, value);
	put(c->b, "%" PRIu64 "\n", v->value * scale);
}

typedef void (*emit_fn)(ctx *c, const xpu_device_sample *ds);

/* One family: HELP, TYPE, then a sample per device; the header goes away
 * again when no device had the value. */
static void family(buf *b, buf *why, const xpu_sample *x, const char *name, const char *type,
		   const char *help, emit_fn emit)
{
	size_t mark = b->len;
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	ctx c = { .b = b, .why = why, .metric = name, .wrote = false };
	for (size_t i = 0; i < x->n_devices; i++)
		emit(&c, &x->devices[i]);
	if (!c.wrote && !b->oom)
		b->len = mark;
}

static void e_info(ctx *c, const xpu_device_sample *ds)
{
	const xpu_device *d = &ds->dev;
	put(c->b, "%s{", c->metric);
	device_labels(c->b, d);
	label(c->b, "kind", xpu_kind_name(d->kind), false);
	label(c->b, "family", text_or_empty(&d->family), false);
	label(c->b, "driver_version", text_or_empty(&d->driver_version), false);
	label(c->b, "memory_kind", text_or_empty(&d->memory_kind), false);
	put(c->b, "} 1\n");
	c->wrote = true;
}

static void e_util(ctx *c, const xpu_device_sample *ds)
{
	real(c, &ds->dev, NULL, NULL, &ds->util_percent, 0.01);
}

static void e_engine(ctx *c, const xpu_device_sample *ds)
{
	for (unsigned i = 0; i < ds->n_engines; i++)
		real(c, &ds->dev, "engine", ds->engines[i].name, &ds->engines[i].busy_percent, 0.01);
}

/* Intel's PMU; other vendors have nothing to explain here */
static void e_device_engine(ctx *c, const xpu_device_sample *ds)
{
	if (!xpu_is_ok(&ds->pmu_status)) {
		unavailable(c, &ds->dev, NULL, NULL, &ds->pmu_status);
		return;
	}
	for (unsigned i = 0; i < ds->n_pmu_engines; i++)
		real(c, &ds->dev, "engine", ds->pmu_engines[i].name, &ds->pmu_engines[i].busy_percent,
		     0.01);
}

static void e_mem_util(ctx *c, const xpu_device_sample *ds)
{
	real(c, &ds->dev, NULL, NULL, &ds->memory_util_percent, 0.01);
}

static void e_mem_total(ctx *c, const xpu_device_sample *ds)
{
	uint_(c, &ds->dev, NULL, NULL, &ds->dev.memory_total_bytes, 1);
}

static void e_mem_used(ctx *c, const xpu_device_sample *ds)
{
	uint_(c, &ds->dev, NULL, NULL, &ds->dev.memory_used_bytes, 1);
}

static void e_clients_mem(ctx *c, const xpu_device_sample *ds)
{
	uint_(c, &ds->dev, "region", "vram", &ds->clients_vram_bytes, 1);
	if (ds->dev.vendor != XPU_VENDOR_NVIDIA)
		uint_(c, &ds->dev, "region", "system", &ds->clients_system_bytes, 1);
}

static void e_temp(ctx *c, const xpu_device_sample *ds)
{
	const xpu_device *d = &ds->dev;
	for (unsigned i = 0; i < d->n_temps; i++)
		real(c, d, "sensor", d->temps[i].label, &d->temps[i].reading, 1);
	if (!d->n_temps)
		unavailable(c, d, NULL, NULL, &d->temperature_c.status);
}

static void e_power(ctx *c, const xpu_device_sample *ds)
{
	real(c, &ds->dev, NULL, NULL, &ds->dev.power_draw_w, 1);
}

static void e_power_limit(ctx *c, const xpu_device_sample *ds)
{
	real(c, &ds->dev, NULL, NULL, &ds->dev.power_cap_w, 1);
}

static void e_energy(ctx *c, const xpu_device_sample *ds)
{
	real(c, &ds->dev, NULL, NULL, &ds->dev.energy_j, 1);
}

static void e_clock(ctx *c, const xpu_device_sample *ds)
{
	uint_(c, &ds->dev, "clock", "graphics", &ds->dev.clock_actual_mhz, 1000000);
	uint_(c, &ds->dev, "clock", "memory", &ds->dev.memory_clock_mhz, 1000000);
}

static void e_clock_max(ctx *c, const xpu_device_sample *ds)
{
	uint_(c, &ds->dev, "clock", "graphics", &ds->dev.clock_max_mhz, 1000000);
	uint_(c, &ds->dev, "clock", "memory", &ds->dev.memory_clock_max_mhz, 1000000);
}

static void e_fan_rpm(ctx *c, const xpu_device_sample *ds)
{
	for (unsigned i = 0; i < ds->dev.n_fans; i++)
		real(c, &ds->dev, "fan", ds->dev.fans[i].label, &ds->dev.fans[i].reading, 1);
}

static void e_fan_ratio(ctx *c, const xpu_device_sample *ds)
{
	real(c, &ds->dev, NULL, NULL, &ds->fan_percent, 0.01);
}

static void e_throttle(ctx *c, const xpu_device_sample *ds)
{
	if (!xpu_is_ok(&ds->throttle_reasons.status)) {
		unavailable(c, &ds->dev, NULL, NULL, &ds->throttle_reasons.status);
		return;
	}
	char list[XPU_TEXT_LEN];
	xpu_strlcpy(list, ds->throttle_reasons.value, sizeof(list));
	char *save = NULL;
	for (char *r = strtok_r(list, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		head(c, &ds->dev, "reason", r);
		put(c->b, "1\n");
	}
}

/* link and direction as two labels */
static void traffic_head(ctx *c, const xpu_device *d, xpu_traffic_kind k)
{
	put(c->b, "%s{", c->metric);
	device_labels(c->b, d);
	label(c->b, "link", xpu_traffic_link(k), false);
	label(c->b, "direction", xpu_traffic_direction(k), false);
	put(c->b, "} ");
	c->wrote = true;
}

/* Each link and direction's counter (rate false) or its rate. */
static void link_series(ctx *c, const xpu_device_sample *ds, bool rate)
{
	for (int k = 0; k < XPU_TRAFFIC_COUNT; k++) {
		const xpu_link_traffic *t = &ds->traffic[k];
		const xpu_status *st = rate ? &t->bytes_per_s.status : &t->bytes.status;
		if (!xpu_is_ok(st)) {
			unavailable(c, &ds->dev, "link", xpu_traffic_link((xpu_traffic_kind)k), st);
			continue;
		}
		traffic_head(c, &ds->dev, (xpu_traffic_kind)k);
		if (rate)
			put(c->b, "%.15g\n", t->bytes_per_s.value);
		else
			put(c->b, "%" PRIu64 "\n", t->bytes.value);
	}
}

static void e_link_bytes(ctx *c, const xpu_device_sample *ds)
{
	link_series(c, ds, false);
}

static void e_link_rate(ctx *c, const xpu_device_sample *ds)
{
	link_series(c, ds, true);
}

static void e_nproc(ctx *c, const xpu_device_sample *ds)
{
	if (ds->dev.vendor == XPU_VENDOR_CPU)
		return;
	head(c, &ds->dev, NULL, NULL);
	put(c->b, "%u\n", ds->n_processes);
}

static const struct {
	const char *name, *type, *help;
	emit_fn emit;
} families[] = {
	{ "xpu_device_info", "gauge", "Accelerator identity; always 1.", e_info },
	{ "xpu_utilization_ratio", "gauge", "Share of time the device was busy (0-1).", e_util },
	{ "xpu_engine_utilization_ratio", "gauge",
	  "Share of time each engine class was busy, from the clients' fdinfo (0-1).", e_engine },
	{ "xpu_device_engine_utilization_ratio", "gauge",
	  "Share of time each engine class was busy, device-wide, from the driver's PMU (0-1).",
	  e_device_engine },
	{ "xpu_memory_utilization_ratio", "gauge",
	  "Share of time the memory controller was busy (0-1).", e_mem_util },
	{ "xpu_memory_total_bytes", "gauge", "Device memory size.", e_mem_total },
	{ "xpu_memory_used_bytes", "gauge", "Device memory in use.", e_mem_used },
	{ "xpu_clients_memory_bytes", "gauge",
	  "Memory the device's processes hold, device-local (vram) and system apart.",
	  e_clients_mem },
	{ "xpu_temperature_celsius", "gauge", "Temperature by sensor label.", e_temp },
	{ "xpu_power_watts", "gauge", "Power draw.", e_power },
	{ "xpu_power_limit_watts", "gauge", "Power limit in force.", e_power_limit },
	{ "xpu_energy_joules_total", "counter", "Energy used since the driver started counting.",
	  e_energy },
	{ "xpu_clock_hz", "gauge", "Current clock.", e_clock },
	{ "xpu_clock_max_hz", "gauge", "Highest clock allowed now.", e_clock_max },
	{ "xpu_fan_speed_rpm", "gauge", "Fan speed.", e_fan_rpm },
	{ "xpu_fan_speed_ratio", "gauge", "Fan duty (0-1).", e_fan_ratio },
	{ "xpu_throttle_reason", "gauge", "1 for each reason holding the clocks down now.",
	  e_throttle },
	{ "xpu_device_processes", "gauge", "Processes using the device.", e_nproc },
	{ "xpu_link_bytes_total", "counter",
	  "Bytes over the device's links by link (nvlink data, pcie) and direction (tx, rx).",
	  e_link_bytes },
	{ "xpu_link_throughput_bytes_per_second", "gauge",
	  "Link traffic between the last two samples, by link and direction.", e_link_rate },
};

static void process_labels(buf *b, const xpu_sample *x, const xpu_process_sample *p)
{
	put(b, "{");
	device_labels(b, &x->devices[p->device].dev);
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", p->pid);
	label(b, "pid", pid, false);
	label(b, "command", p->command, false);
}

static void process_memory(buf *b, const xpu_sample *x)
{
	put(b, "# HELP xpu_process_memory_bytes Memory a process holds on a device, by region.\n"
	       "# TYPE xpu_process_memory_bytes gauge\n");
	for (size_t i = 0; i < x->n_processes; i++) {
		const xpu_process_sample *p = &x->processes[i];
		const xpu_uint *v[] = { &p->vram_bytes, &p->system_bytes };
		const char *region[] = { "vram", "system" };
		for (int k = 0; k < 2; k++) {
			if (!xpu_is_ok(&v[k]->status))
				continue;
			put(b, "xpu_process_memory_bytes");
			process_labels(b, x, p);
			label(b, "region", region[k], false);
			put(b, "} %" PRIu64 "\n", v[k]->value);
		}
	}
}

static void process_busy(buf *b, const xpu_sample *x)
{
	put(b, "# HELP xpu_process_utilization_ratio Share of time a process kept the device's busiest "
	       "engine busy (0-1).\n# TYPE xpu_process_utilization_ratio gauge\n");
	for (size_t i = 0; i < x->n_processes; i++) {
		const xpu_process_sample *p = &x->processes[i];
		if (!xpu_is_ok(&p->busy_percent.status))
			continue;
		put(b, "xpu_process_utilization_ratio");
		process_labels(b, x, p);
		put(b, "} %.15g\n", p->busy_percent.value / 100.0);
	}
}

static void exporter_meta(buf *b, const xpu_sample *x)
{
	put(b, "# HELP xpu_samples_total Samples taken since the start.\n"
	       "# TYPE xpu_samples_total counter\nxpu_samples_total %" PRIu64 "\n",
	    x->seq);
	put(b, "# HELP xpu_sample_timestamp_seconds When the sample served was taken.\n"
	       "# TYPE xpu_sample_timestamp_seconds gauge\nxpu_sample_timestamp_seconds %.3f\n",
	    x->time);
	put(b, "# HELP xpu_hidden_processes Processes whose GPU use this user may not read.\n"
	       "# TYPE xpu_hidden_processes gauge\nxpu_hidden_processes %u\n",
	    x->hidden_processes);
}

char *xpu_sample_prometheus(const xpu_sample *x, bool processes, size_t *len)
{
	buf b = { 0 }, why = { 0 };
	for (size_t i = 0; i < XPU_ARRAY_LEN(families); i++)
		family(&b, &why, x, families[i].name, families[i].type, families[i].help,
		       families[i].emit);
	if (processes) {
		process_memory(&b, x);
		process_busy(&b, x);
	}
	if (why.len) {
		put(&b, "# HELP xpu_metric_unavailable A value the device has that could not be read "
			"now, and why.\n# TYPE xpu_metric_unavailable gauge\n");
		put(&b, "%.*s", (int)why.len, why.p);
	}
	exporter_meta(&b, x);
	free(why.p);
	if (b.oom || why.oom) {
		free(b.p);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p;
}
