/* xpu list: one row per device, the default choice marked; -v for every
 * value with its reason; --json for scripts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "cli/cli.h"

static int list_options(xpu_cli *cli, int argc, char **argv)
{
	return cli_report_options(cli, argc, argv, "list",
			       "Lists accelerators: one row per device, '*' marks the device and backend\n"
			       "that 'xpu run' takes by default. -v shows every value and why a value is\n"
			       "missing; --json prints all of it with a schema_version.\n");
}

static void backends_cell(const xpu_device *d, const xpu_choice *ch, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		const xpu_backend *be = &d->backends[b];
		if (!be->usable)
			continue;
		bool chosen = ch->device == d && ch->backend == (xpu_backend_kind)b;
		int w = snprintf(buf + used, len - used, "%s%s%s", used ? " " : "",
				 xpu_backend_name((xpu_backend_kind)b), chosen ? "*" : "");
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, len, "none (see -v)");
}

/* How long ago t was, for people: "40 s", "12 min", "3 h", "2 days". */
static void age_text(long long seconds, char *buf, size_t len)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds < 120)
		snprintf(buf, len, "%lld s", seconds);
	else if (seconds < 2 * 3600)
		snprintf(buf, len, "%lld min", seconds / 60);
	else if (seconds < 2 * 86400)
		snprintf(buf, len, "%lld h", seconds / 3600);
	else
		snprintf(buf, len, "%lld days", seconds / 86400);
}

/* Says when backends come from an earlier probe, so that nobody mistakes
 * them for one made now.  An age, not a date: a date needs the time zone
 * file, which every listing would then open (7 system calls of about 170). */
static void print_cache_note(const xpu_system *sys)
{
	long long at = 0;
	if (xpu_system_cache(sys, NULL, &at) != XPU_CACHE_HIT)
		return;
	char when[64] = "earlier";
	if (at > 0) {
		char age[32];
		age_text((long long)time(NULL) - at, age, sizeof(age));
		snprintf(when, sizeof(when), "%s ago", age);
	}
	printf("backends as probed %s (discovery cache; 'xpu --refresh' probes again)\n", when);
}

static void print_table(const xpu_system *sys, const xpu_choice *ch)
{
	printf("  %-3s %-38s %-10s %-7s %-10s %s\n", "#", "DEVICE", "KIND", "DRIVER", "MEMORY",
	       "USABLE BACKENDS");
	for (size_t i = 0; i < xpu_device_count(sys); i++) {
		const xpu_device *d = xpu_device_at(sys, i);
		char mem[64], be[160], drv[32];
		if (d->memory_total_bytes.status.state == XPU_OK)
			fmt_bytes(d->memory_total_bytes.value, mem, sizeof(mem));
		else
			snprintf(mem, sizeof(mem), "%s", d->kind == XPU_KIND_INTEGRATED ? "shared" : "n/a");
		snprintf(drv, sizeof(drv), "%s", d->driver.status.state == XPU_OK ? d->driver.value : "-");
		backends_cell(d, ch, be, sizeof(be));
		printf("%c %-3u %-38.38s %-10s %-7s %-10s %s\n", ch->device == d ? '*' : ' ', d->index,
		       d->name.status.state == XPU_OK ? d->name.value : "(unnamed)",
		       xpu_kind_name(d->kind), drv, mem, be);
	}
	if (ch->device)
		printf("default: device %u (%s) through %s: %s\n", ch->device->index, ch->device->name.value,
		       xpu_backend_name(ch->backend), ch->why);
	if (!xpu_system_runtimes_probed(sys))
		printf("note: runtimes were not probed (sysroot %s); backends show 'not probed'\n",
		       xpu_system_sysroot(sys));
	print_cache_note(sys);
}

static void line(const char *key, const char *value)
{
	printf("    %-22s %s\n", key, value);
}

static void print_clocks(const xpu_device *d)
{
	char b[256];
	const struct {
		const char *k;
		const xpu_uint *v;
	} rows[] = {
		{ "clock min", &d->clock_min_mhz },       { "clock max", &d->clock_max_mhz },
		{ "clock RP0 (hw max)", &d->clock_rp0_mhz }, { "clock RPe (efficient)", &d->clock_rpe_mhz },
		{ "clock RPn (hw min)", &d->clock_rpn_mhz }, { "clock requested", &d->clock_requested_mhz },
		{ "clock actual", &d->clock_actual_mhz }, { "memory clock", &d->memory_clock_mhz },
		{ "memory clock max", &d->memory_clock_max_mhz },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].v->status.reason != XPU_R_NO_SOURCE || rows[i].v->status.detail[0])
			line(rows[i].k, fmt_uint(rows[i].v, "MHz", b, sizeof(b)));
}

static void print_sensors(const xpu_device *d)
{
	char b[256], v[64];
	if (d->n_temps == 0 && d->n_fans == 0 && d->vendor != XPU_VENDOR_CPU)
		line("sensors", xpu_status_describe(&d->sensors_status, b, sizeof(b)));
	for (unsigned i = 0; i < d->n_temps; i++) {
		snprintf(v, sizeof(v), "temp %s", d->temps[i].label);
		line(v, fmt_real(&d->temps[i].reading, 1, "C", b, sizeof(b)));
	}
	for (unsigned i = 0; i < d->n_fans; i++) {
		char m[64];
		snprintf(v, sizeof(v), "%s", d->fans[i].label);
		snprintf(b, sizeof(b), "%.0f RPM (max %s)", d->fans[i].reading.value,
			 fmt_real(&d->fans[i].max, 0, "", m, sizeof(m)));
		line(v, b);
	}
}

static void print_device(const xpu_device *d, const xpu_choice *ch)
{
	char b[256], k[64];
	printf("%c %u: %s\n", ch->device == d ? '*' : ' ', d->index, fmt_text(&d->name, b, sizeof(b)));
	line("vendor", xpu_vendor_name(d->vendor));
	line("kind", xpu_kind_name(d->kind));
	if (d->vendor != XPU_VENDOR_CPU && !d->pci_address[0]) {
		line("device", d->id); /* a SoC GPU: "platform:fb000000.gpu" */
	} else if (d->vendor != XPU_VENDOR_CPU) {
		line("pci address", d->pci_address);
		snprintf(k, sizeof(k), "%04x:%04x (subsystem %04x:%04x)", d->pci_vendor_id, d->pci_device_id,
			 d->pci_subsystem_vendor_id, d->pci_subsystem_device_id);
		line("pci ids", k);
		line("pci vendor", fmt_text(&d->pci_vendor_name, b, sizeof(b)));
		line("pci device", fmt_text(&d->pci_device_name, b, sizeof(b)));
		line("board vendor", fmt_text(&d->pci_subsystem_vendor_name, b, sizeof(b)));
		line("board", fmt_text(&d->pci_subsystem_name, b, sizeof(b)));
	}
	if (d->vendor != XPU_VENDOR_CPU) {
		line("driver", fmt_text(&d->driver, b, sizeof(b)));
		line("card node", fmt_text(&d->card_node, b, sizeof(b)));
		line("render node", fmt_text(&d->render_node, b, sizeof(b)));
		line("uuid", fmt_text(&d->uuid, b, sizeof(b)));
	}
	line("driver version", fmt_text(&d->driver_version, b, sizeof(b)));
	line("family", fmt_text(&d->family, b, sizeof(b)));
	if (d->vendor == XPU_VENDOR_NVIDIA)
		line("compute capability", fmt_text(&d->compute_capability, b, sizeof(b)));
	line("memory kind", fmt_text(&d->memory_kind, b, sizeof(b)));
	line("memory total", fmt_mem(&d->memory_total_bytes, b, sizeof(b)));
	line("memory used", fmt_mem(&d->memory_used_bytes, b, sizeof(b)));
	snprintf(k, sizeof(k), "compute units");
	line(k, fmt_uint(&d->compute_units, d->compute_unit_name, b, sizeof(b)));
	if (d->vendor == XPU_VENDOR_CPU) {
		line("threads", fmt_uint(&d->cpu.threads, "", b, sizeof(b)));
		line("sockets", fmt_uint(&d->cpu.sockets, "", b, sizeof(b)));
		line("numa nodes", fmt_uint(&d->cpu.numa_nodes, "", b, sizeof(b)));
		line("L2 per core", fmt_mem(&d->cpu.l2_bytes, b, sizeof(b)));
		line("L3", fmt_mem(&d->cpu.l3_bytes, b, sizeof(b)));
		line("AI ISA", fmt_text(&d->cpu.isa, b, sizeof(b)));
	} else {
		print_clocks(d);
		line("power cap", fmt_real(&d->power_cap_w, 1, "W", b, sizeof(b)));
		line("power cap max", fmt_real(&d->power_cap_max_w, 1, "W", b, sizeof(b)));
		line("power draw", fmt_real(&d->power_draw_w, 1, "W", b, sizeof(b)));
		line("energy", fmt_real(&d->energy_j, 1, "J", b, sizeof(b)));
		if (d->vendor == XPU_VENDOR_AMD)
			line("busy", fmt_real(&d->busy_percent, 0, "%", b, sizeof(b)));
		line("temperature", fmt_real(&d->temperature_c, 1, "C", b, sizeof(b)));
		print_sensors(d);
	}
	for (int i = 0; i < XPU_BACKEND_COUNT; i++) {
		const xpu_backend *be = &d->backends[i];
		if (!be->applies)
			continue;
		bool chosen = ch->device == d && ch->backend == (xpu_backend_kind)i;
		snprintf(k, sizeof(k), "backend %s%s", xpu_backend_name((xpu_backend_kind)i), chosen ? " *" : "");
		if (be->usable)
			snprintf(b, sizeof(b), "usable%s%s%s%s", be->runtime_version[0] ? ", " : "",
				 be->runtime_version, be->device_name[0] ? ": " : "", be->device_name);
		else
			xpu_status_describe(&be->status, b, sizeof(b));
		line(k, b);
	}
}

static void print_runtimes(const xpu_system *sys)
{
	char b[256];
	printf("runtimes:\n");
	for (int k = 0; k < XPU_RT_COUNT; k++) {
		const xpu_runtime_info *rt = xpu_runtime_at(sys, (xpu_runtime_kind)k);
		if (rt->status.state == XPU_OK)
			snprintf(b, sizeof(b), "%s%s%s", rt->version[0] ? rt->version : rt->library,
				 rt->summary[0] ? ": " : "", rt->summary);
		else
			xpu_status_describe(&rt->status, b, sizeof(b));
		line(xpu_runtime_name((xpu_runtime_kind)k), b);
	}
}

static void print_cache_line(const xpu_system *sys)
{
	const char *detail = "";
	xpu_cache_state st = xpu_system_cache(sys, &detail, NULL);
	char b[512];
	snprintf(b, sizeof(b), "%s%s%s", xpu_cache_state_name(st), detail[0] ? ": " : "", detail);
	printf("discovery cache: %s\n", b);
}

int cmd_list(xpu_cli *cli, int argc, char **argv)
{
	int rc = list_options(cli, argc, argv);
	if (rc != 0)
		return rc < 0 ? XPU_EXIT_OK : rc;
	/* the table needs no live NVML value; -v and --json show them */
	cli->opt.cache = cli_cache_choice(cli, XPU_CACHE_USE);
	cli->opt.live_values = cli->json || cli->verbose;
	xpu_system *sys = cli_discover(cli);
	if (!sys)
		return XPU_EXIT_FAILURE;
	xpu_choice ch;
	xpu_default_choice(sys, &ch);
	if (cli->json) {
		char *s = xpu_system_json(sys, true);
		if (s)
			puts(s);
		free(s);
	} else if (cli->verbose) {
		for (size_t i = 0; i < xpu_device_count(sys); i++)
			print_device(xpu_device_at(sys, i), &ch);
		print_runtimes(sys);
		print_cache_line(sys);
		if (ch.device)
			printf("default: device %u through %s: %s\n", ch.device->index,
			       xpu_backend_name(ch.backend), ch.why);
	} else {
		print_table(sys, &ch);
	}
	xpu_system_free(sys);
	return fflush(stdout) == 0 ? XPU_EXIT_OK : XPU_EXIT_FAILURE;
}
