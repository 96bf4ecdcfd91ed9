/* The JSON form of a system: every value is an object with its state, and
 * a reason and detail when it is not ok, so "unknown" is never 0. */
#include <jansson.h>
#include <stdlib.h>

#include "core/topology_json.h"
#include "model/system.h"

json_t *xpu_json_value(const xpu_status *st, json_t *value)
{
	json_t *o = json_object();
	json_object_set_new(o, "value", st->state == XPU_OK && value ? value : json_null());
	if (st->state != XPU_OK && value)
		json_decref(value);
	json_object_set_new(o, "state", json_string(xpu_state_name(st->state)));
	if (st->state != XPU_OK) {
		json_object_set_new(o, "reason", json_string(xpu_reason_name(st->reason)));
		if (st->detail[0])
			json_object_set_new(o, "detail", json_string(st->detail));
	}
	return o;
}

static void put_uint(json_t *o, const char *k, const xpu_uint *v)
{
	json_object_set_new(o, k, xpu_json_value(&v->status, json_integer((json_int_t)v->value)));
}

static void put_real(json_t *o, const char *k, const xpu_real *v)
{
	json_object_set_new(o, k, xpu_json_value(&v->status, json_real(v->value)));
}

static void put_text(json_t *o, const char *k, const xpu_text *v)
{
	json_object_set_new(o, k, xpu_json_value(&v->status, json_string(v->value)));
}

static json_t *sensors(const xpu_sensor *s, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "label", json_string(s[i].label));
		put_real(o, "value", &s[i].reading);
		put_real(o, "max", &s[i].max);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *backends(const xpu_device *d)
{
	json_t *o = json_object();
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		const xpu_backend *be = &d->backends[b];
		if (!be->applies)
			continue;
		json_t *e = json_object();
		json_object_set_new(e, "usable", json_boolean(be->usable));
		if (be->usable) {
			json_object_set_new(e, "runtime_version", json_string(be->runtime_version));
			json_object_set_new(e, "device_name", json_string(be->device_name));
			json_object_set_new(e, "runtime_index", be->runtime_index >= 0
				? json_integer(be->runtime_index) : json_null());
		} else {
			json_object_set_new(e, "reason", json_string(xpu_reason_name(be->status.reason)));
			json_object_set_new(e, "detail", json_string(be->status.detail));
			/* seen by its runtime, yet not usable (lavapipe on the CPU) */
			if (be->device_name[0])
				json_object_set_new(e, "device_name", json_string(be->device_name));
		}
		json_object_set_new(o, xpu_backend_name((xpu_backend_kind)b), e);
	}
	return o;
}

static json_t *cpu_info(const xpu_cpu_info *c)
{
	json_t *o = json_object();
	put_uint(o, "cores", &c->cores);
	put_uint(o, "threads", &c->threads);
	put_uint(o, "sockets", &c->sockets);
	put_uint(o, "numa_nodes", &c->numa_nodes);
	put_uint(o, "l1d_bytes", &c->l1d_bytes);
	put_uint(o, "l2_bytes", &c->l2_bytes);
	put_uint(o, "l3_bytes", &c->l3_bytes);
	put_text(o, "isa", &c->isa);
	return o;
}

static json_t *pci(const xpu_device *d)
{
	char id[8];
	json_t *o = json_object();
	json_object_set_new(o, "address", json_string(d->pci_address));
#define HEX(key, v) (snprintf(id, sizeof(id), "%04x", (unsigned)(v)), json_object_set_new(o, key, json_string(id)))
	HEX("vendor_id", d->pci_vendor_id);
	HEX("device_id", d->pci_device_id);
	HEX("subsystem_vendor_id", d->pci_subsystem_vendor_id);
	HEX("subsystem_device_id", d->pci_subsystem_device_id);
#undef HEX
	put_text(o, "vendor_name", &d->pci_vendor_name);
	put_text(o, "device_name", &d->pci_device_name);
	put_text(o, "subsystem_vendor_name", &d->pci_subsystem_vendor_name);
	put_text(o, "subsystem_name", &d->pci_subsystem_name);
	return o;
}

static json_t *device(const xpu_device *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "index", json_integer(d->index));
	json_object_set_new(o, "id", json_string(d->id));
	json_object_set_new(o, "vendor", json_string(xpu_vendor_name(d->vendor)));
	json_object_set_new(o, "kind", json_string(xpu_kind_name(d->kind)));
	put_text(o, "name", &d->name);
	if (d->vendor != XPU_VENDOR_CPU && d->pci_address[0]) /* SoC GPUs are no PCI devices */
		json_object_set_new(o, "pci", pci(d));
	put_text(o, "driver", &d->driver);
	put_text(o, "driver_version", &d->driver_version);
	put_text(o, "card_node", &d->card_node);
	put_text(o, "render_node", &d->render_node);
	put_text(o, "uuid", &d->uuid);
	put_text(o, "family", &d->family);
	put_text(o, "compute_capability", &d->compute_capability);
	put_text(o, "memory_kind", &d->memory_kind);
	put_uint(o, "memory_total_bytes", &d->memory_total_bytes);
	put_uint(o, "memory_used_bytes", &d->memory_used_bytes);
	put_uint(o, "compute_units", &d->compute_units);
	json_object_set_new(o, "compute_unit_name",
			    d->compute_unit_name[0] ? json_string(d->compute_unit_name) : json_null());
	json_t *clk = json_object();
	put_uint(clk, "min_mhz", &d->clock_min_mhz);
	put_uint(clk, "max_mhz", &d->clock_max_mhz);
	put_uint(clk, "rp0_mhz", &d->clock_rp0_mhz);
	put_uint(clk, "rpe_mhz", &d->clock_rpe_mhz);
	put_uint(clk, "rpn_mhz", &d->clock_rpn_mhz);
	put_uint(clk, "requested_mhz", &d->clock_requested_mhz);
	put_uint(clk, "actual_mhz", &d->clock_actual_mhz);
	put_uint(clk, "memory_mhz", &d->memory_clock_mhz);
	put_uint(clk, "memory_max_mhz", &d->memory_clock_max_mhz);
	json_object_set_new(o, "clocks", clk);
	json_t *pw = json_object();
	put_real(pw, "cap_w", &d->power_cap_w);
	put_real(pw, "cap_max_w", &d->power_cap_max_w);
	put_real(pw, "draw_w", &d->power_draw_w);
	put_real(pw, "energy_j", &d->energy_j);
	json_object_set_new(o, "power", pw);
	put_real(o, "busy_percent", &d->busy_percent);
	put_real(o, "temperature_c", &d->temperature_c);
	json_object_set_new(o, "temperatures", sensors(d->temps, d->n_temps));
	json_object_set_new(o, "fans", sensors(d->fans, d->n_fans));
	json_object_set_new(o, "sensors", xpu_json_value(&d->sensors_status, json_true()));
	json_object_set_new(o, "backends", backends(d));
	if (d->vendor == XPU_VENDOR_CPU)
		json_object_set_new(o, "cpu", cpu_info(&d->cpu));
	return o;
}

static json_t *runtimes(const xpu_system *sys)
{
	json_t *o = json_object();
	for (int k = 0; k < XPU_RT_COUNT; k++) {
		const xpu_runtime_info *rt = &sys->runtimes[k];
		json_t *e = xpu_json_value(&rt->status, json_true());
		json_object_del(e, "value");
		json_object_set_new(e, "probed", json_boolean(rt->probed));
		json_object_set_new(e, "library", json_string(rt->library));
		json_object_set_new(e, "version", rt->version[0] ? json_string(rt->version) : json_null());
		json_object_set_new(e, "devices", json_integer(rt->devices));
		json_object_set_new(e, "summary", json_string(rt->summary));
		json_object_set_new(o, xpu_runtime_name((xpu_runtime_kind)k), e);
	}
	return o;
}

static json_t *cache_json(const xpu_system *sys)
{
	const char *detail = "";
	long long at = 0;
	xpu_cache_state st = xpu_system_cache(sys, &detail, &at);
	json_t *o = json_object();
	json_object_set_new(o, "result", json_string(xpu_cache_state_name(st)));
	json_object_set_new(o, "detail", json_string(detail));
	json_object_set_new(o, "probed_at", at > 0 ? json_integer(at) : json_null());
	return o;
}

char *xpu_system_json(const xpu_system *sys, bool pretty)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", json_integer(XPU_SCHEMA_VERSION));
	json_object_set_new(root, "xpu_version", json_string(xpu_version()));
	json_object_set_new(root, "sysroot", json_string(xpu_system_sysroot(sys)));
	json_object_set_new(root, "runtimes_probed", json_boolean(sys->runtimes_probed));
	json_t *devs = json_array();
	for (size_t i = 0; i < sys->count; i++)
		json_array_append_new(devs, device(&sys->devices[i]));
	json_object_set_new(root, "devices", devs);
	json_object_set_new(root, "runtimes", runtimes(sys));
	xpu_topology *topo = xpu_topology_of(sys);
	json_object_set_new(root, "topology", topo ? xpu_topology_json_object(topo) : json_null());
	xpu_topology_free(topo);
	json_object_set_new(root, "discovery_cache", cache_json(sys));
	xpu_choice ch;
	xpu_default_choice(sys, &ch);
	json_t *def = json_object();
	json_object_set_new(def, "device_index", ch.device ? json_integer(ch.device->index) : json_null());
	json_object_set_new(def, "backend", json_string(xpu_backend_name(ch.backend)));
	json_object_set_new(def, "why", json_string(ch.why));
	json_object_set_new(root, "default", def);
	char *s = json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(10));
	json_decref(root);
	return s;
}
