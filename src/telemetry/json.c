/* `xpu top --once --json`: a sample, each value {value, state[, reason,
 * detail]} as in `xpu list --json`, so an unknown is null with its reason. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/value.h"
#include "xpu/telemetry.h"

static json_t *value(const xpu_status *st, json_t *v)
{
	json_t *o = json_object();
	bool ok = st->state == XPU_OK;
	json_object_set_new(o, "value", ok ? v : json_null());
	if (!ok)
		json_decref(v);
	json_object_set_new(o, "state", json_string(xpu_state_name(st->state)));
	if (!ok) {
		json_object_set_new(o, "reason", json_string(xpu_reason_name(st->reason)));
		if (st->detail[0])
			json_object_set_new(o, "detail", json_string(st->detail));
	}
	return o;
}

static void put_real(json_t *o, const char *k, const xpu_real *v)
{
	json_object_set_new(o, k, value(&v->status, json_real(v->value)));
}

static void put_uint(json_t *o, const char *k, const xpu_uint *v)
{
	json_object_set_new(o, k, value(&v->status, json_integer((json_int_t)v->value)));
}

static void put_text(json_t *o, const char *k, const xpu_text *v)
{
	json_object_set_new(o, k, value(&v->status, json_string(v->value)));
}

static json_t *engines(const xpu_engine_use *e, unsigned n)
{
	json_t *o = json_object();
	for (unsigned i = 0; i < n; i++)
		put_real(o, e[i].name, &e[i].busy_percent);
	return o;
}

static json_t *sensors(const xpu_sensor *s, unsigned n)
{
	json_t *o = json_object();
	for (unsigned i = 0; i < n; i++)
		put_real(o, s[i].label, &s[i].reading);
	return o;
}

static json_t *device(const xpu_device_sample *ds)
{
	const xpu_device *d = &ds->dev;
	json_t *o = json_object();
	json_object_set_new(o, "index", json_integer(d->index));
	json_object_set_new(o, "id", json_string(d->id));
	json_object_set_new(o, "vendor", json_string(xpu_vendor_name(d->vendor)));
	json_object_set_new(o, "pci_address", json_string(d->pci_address));
	put_text(o, "name", &d->name);
	put_text(o, "driver", &d->driver);
	put_text(o, "uuid", &d->uuid);
	put_real(o, "utilization_percent", &ds->util_percent);
	json_object_set_new(o, "engines_percent", engines(ds->engines, ds->n_engines));
	/* Intel's PMU: the device's own total per engine class, or why not */
	json_object_set_new(o, "device_engines_percent",
			    value(&ds->pmu_status, engines(ds->pmu_engines, ds->n_pmu_engines)));
	put_real(o, "memory_utilization_percent", &ds->memory_util_percent);
	put_uint(o, "memory_total_bytes", &d->memory_total_bytes);
	put_uint(o, "memory_used_bytes", &d->memory_used_bytes);
	put_uint(o, "clients_vram_bytes", &ds->clients_vram_bytes);
	put_uint(o, "clients_system_bytes", &ds->clients_system_bytes);
	put_real(o, "temperature_c", &d->temperature_c);
	json_object_set_new(o, "temperatures_c", sensors(d->temps, d->n_temps));
	put_real(o, "power_w", &d->power_draw_w);
	put_real(o, "power_limit_w", &d->power_cap_w);
	put_real(o, "energy_j", &d->energy_j);
	put_uint(o, "clock_mhz", &d->clock_actual_mhz);
	put_uint(o, "clock_max_mhz", &d->clock_max_mhz);
	put_uint(o, "memory_clock_mhz", &d->memory_clock_mhz);
	json_object_set_new(o, "fans_rpm", sensors(d->fans, d->n_fans));
	put_real(o, "fan_percent", &ds->fan_percent);
	put_text(o, "throttle_reasons", &ds->throttle_reasons);
	json_object_set_new(o, "processes", json_integer(ds->n_processes));
	json_t *links = json_object();
	for (int k = 0; k < XPU_TRAFFIC_COUNT; k++) {
		char key[48];
		snprintf(key, sizeof(key), "%s_%s_bytes_per_s", xpu_traffic_link((xpu_traffic_kind)k),
			 xpu_traffic_direction((xpu_traffic_kind)k));
		put_real(links, key, &ds->traffic[k].bytes_per_s);
		snprintf(key, sizeof(key), "%s_%s_bytes", xpu_traffic_link((xpu_traffic_kind)k),
			 xpu_traffic_direction((xpu_traffic_kind)k));
		put_uint(links, key, &ds->traffic[k].bytes);
	}
	json_object_set_new(o, "links", links);
	return o;
}

static json_t *process(const xpu_process_sample *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "command", json_string(p->command));
	json_object_set_new(o, "device", json_integer(p->device));
	json_object_set_new(o, "source", json_string(p->source));
	put_uint(o, "vram_bytes", &p->vram_bytes);
	put_uint(o, "vram_resident_bytes", &p->vram_resident_bytes);
	put_uint(o, "system_bytes", &p->system_bytes);
	put_uint(o, "system_resident_bytes", &p->system_resident_bytes);
	put_real(o, "busy_percent", &p->busy_percent);
	json_object_set_new(o, "engines_percent", engines(p->engines, p->n_engines));
	return o;
}

char *xpu_sample_json(const xpu_sample *x, bool pretty)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", json_integer(XPU_TELEMETRY_SCHEMA_VERSION));
	json_object_set_new(root, "sample", json_integer((json_int_t)x->seq));
	json_object_set_new(root, "time", json_real(x->time));
	json_object_set_new(root, "interval_s", json_real(x->interval_s));
	json_t *devs = json_array();
	for (size_t i = 0; i < x->n_devices; i++)
		json_array_append_new(devs, device(&x->devices[i]));
	json_object_set_new(root, "devices", devs);
	json_t *procs = json_array();
	for (size_t i = 0; i < x->n_processes; i++)
		json_array_append_new(procs, process(&x->processes[i]));
	json_object_set_new(root, "processes", procs);
	json_t *ps = json_object();
	json_object_set_new(ps, "complete", json_boolean(xpu_is_ok(&x->processes_status)));
	json_object_set_new(ps, "hidden", json_integer(x->hidden_processes));
	if (!xpu_is_ok(&x->processes_status)) {
		json_object_set_new(ps, "reason", json_string(xpu_reason_name(x->processes_status.reason)));
		json_object_set_new(ps, "detail", json_string(x->processes_status.detail));
	}
	json_object_set_new(root, "processes_status", ps);
	char *out = json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(10));
	json_decref(root);
	return out;
}
