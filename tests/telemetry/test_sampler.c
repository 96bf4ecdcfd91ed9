/* The sampler on a recorded tree (the i915 iGPU fixture) with DRM clients
 * added under /proc: the process table, duplicate fds collapsed, rates from
 * two samples and "needs two samples" after one, power from the energy
 * counter, and a device whose files vanish between samples.  And on a real
 * AMD APU capture: its gpu_metrics table read again with every sample. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tree.h"
#include "xpu/telemetry.h"

#define PCI_DIR "sys/devices/pci0000:00/0000:00:02.0"


/* A DRM client of the iGPU: i915 keys as the kernel prints them. */
static void client(int pid, int fd, unsigned id, unsigned long long render_ns, unsigned kib)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	put(rel, "app%d\n", pid);
	snprintf(rel, sizeof(rel), "proc/%d/fdinfo/%d", pid, fd);
	put(rel,
	    "pos:\t0\nflags:\t02100002\ndrm-driver:\ti915\ndrm-client-id:\t%u\n"
	    "drm-pdev:\t0000:00:02.0\ndrm-total-system0:\t%u KiB\ndrm-resident-system0:\t%u KiB\n"
	    "drm-engine-render:\t%llu ns\ndrm-engine-copy:\t0 ns\n",
	    id, kib, kib / 2, render_ns);
	sh("mkdir -p %s/proc/%d/fd && ln -sfn /dev/dri/renderD128 %s/proc/%d/fd/%d", tree_root, pid, tree_root,
	   pid, fd);
	/* an ordinary file beside it is no client */
	sh("ln -sfn /home/user/notes.txt %s/proc/%d/fd/1 && printf 'pos:\\t0\\n' >%s/proc/%d/fdinfo/1",
	   tree_root, pid, tree_root, pid);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tree_root, sizeof(tree_root), "/tmp/xpu-sampler-XXXXXX");
	assert_non_null(mkdtemp(tree_root));
	sh("cp -a '%s/tests/fixtures/i915-igpu/.' %s/", SOURCE_DIR, tree_root);
	client(100, 4, 7, 1000000000ull, 2048);
	/* pid 101 inherited pid 100's open file (same client id): counted once */
	client(101, 9, 7, 1000000000ull, 2048);
	client(102, 5, 8, 0, 1024);
	put(PCI_DIR "/hwmon/hwmon3/energy1_input", "1000000\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", tree_root);
	return 0;
}

static xpu_sampler *sampler(void)
{
	xpu_sampler_options o = { .discovery = { .sysroot = tree_root, .probe_runtimes = -1 } };
	char err[256];
	xpu_sampler *s = xpu_sampler_new(&o, err, sizeof(err));
	assert_non_null(s);
	return s;
}

static const xpu_process_sample *proc(const xpu_sample *x, int pid)
{
	for (size_t i = 0; i < x->n_processes; i++)
		if (x->processes[i].pid == pid)
			return &x->processes[i];
	return NULL;
}

static const xpu_engine_use *engine(const xpu_engine_use *e, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return &e[i];
	return NULL;
}

static void first_sample_says_two_are_needed(void **state)
{
	(void)state;
	xpu_sampler *s = sampler();
	char err[256];
	assert_null(xpu_sampler_last(s));
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	const xpu_sample *x = xpu_sampler_last(s);
	assert_non_null(x);
	assert_int_equal(x->seq, 1);
	assert_true(x->n_devices >= 2); /* the iGPU and the CPU */
	const xpu_device_sample *gpu = &x->devices[0];
	assert_string_equal(gpu->dev.pci_address, "0000:00:02.0");
	assert_int_equal(gpu->util_percent.status.reason, XPU_R_NEEDS_TWO_SAMPLES);
	assert_int_equal(gpu->dev.power_draw_w.status.reason, XPU_R_NEEDS_TWO_SAMPLES);
	/* 101 shares 100's client: two processes, not three */
	assert_int_equal(x->n_processes, 2);
	assert_int_equal(gpu->n_processes, 2);
	assert_null(proc(x, 101));
	const xpu_process_sample *p = proc(x, 100);
	assert_non_null(p);
	assert_string_equal(p->command, "app100");
	assert_string_equal(p->source, "fdinfo");
	/* system memory and VRAM kept apart; total and resident apart */
	assert_int_equal(p->system_bytes.status.state, XPU_OK);
	assert_int_equal(p->system_bytes.value, 2048 * 1024);
	assert_int_equal(p->system_resident_bytes.value, 1024 * 1024);
	assert_int_not_equal(p->vram_bytes.status.state, XPU_OK);
	assert_int_equal(p->busy_percent.status.reason, XPU_R_NEEDS_TWO_SAMPLES);
	assert_int_equal(gpu->clients_system_bytes.value, 3072 * 1024);
	xpu_sampler_free(s);
}

/* Issue 15: a /proc folder named -2147483648 made the pid sort's
 * subtraction overflow (UBSan stopped there).  Names that are no pid are
 * skipped; pids sort as numbers (9 before 10: the lower is credited). */
static void folders_that_are_no_pid_are_skipped(void **state)
{
	(void)state;
	sh("mkdir -p %s/proc/-2147483648/fd %s/proc/2147483648/fd %s/proc/99999999999999999999/fd "
	   "%s/proc/self", tree_root, tree_root, tree_root, tree_root);
	client(10, 4, 9, 0, 512);
	client(9, 6, 9, 0, 512); /* the same client as pid 10's */
	xpu_sampler *s = sampler();
	char err[256];
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	const xpu_sample *x = xpu_sampler_last(s);
	assert_non_null(proc(x, 9));
	assert_null(proc(x, 10));
	for (size_t i = 0; i < x->n_processes; i++)
		assert_true(x->processes[i].pid > 0 && x->processes[i].pid < 1000);
	xpu_sampler_free(s);
}

static void second_sample_gives_rates(void **state)
{
	(void)state;
	xpu_sampler *s = sampler();
	char err[256];
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	/* one second later: pid 100's client ran render for 0.5 s, 5 J used */
	client(100, 4, 7, 1500000000ull, 2048);
	put(PCI_DIR "/hwmon/hwmon3/energy1_input", "6000000\n");
	assert_int_equal(xpu_sampler_refresh_at(s, 2000000000ull, err, sizeof(err)), 0);
	const xpu_sample *x = xpu_sampler_last(s);
	assert_int_equal(x->seq, 2);
	assert_float_equal(x->interval_s, 1.0, 1e-9);
	const xpu_device_sample *gpu = &x->devices[0];
	const xpu_process_sample *p = proc(x, 100);
	assert_int_equal(p->busy_percent.status.state, XPU_OK);
	assert_float_equal(p->busy_percent.value, 50.0, 1e-6);
	const xpu_engine_use *r = engine(gpu->engines, gpu->n_engines, "render");
	assert_non_null(r);
	assert_float_equal(r->busy_percent.value, 50.0, 1e-6);
	assert_float_equal(engine(gpu->engines, gpu->n_engines, "copy")->busy_percent.value, 0, 1e-9);
	assert_int_equal(gpu->util_percent.status.state, XPU_OK);
	assert_float_equal(gpu->util_percent.value, 50.0, 1e-6);
	assert_float_equal(proc(x, 102)->busy_percent.value, 0.0, 1e-9);
	assert_int_equal(gpu->dev.power_draw_w.status.state, XPU_OK);
	assert_float_equal(gpu->dev.power_draw_w.value, 5.0, 1e-9);
	xpu_sampler_free(s);
}

static void vanished_device_drops_out(void **state)
{
	(void)state;
	xpu_sampler *s = sampler();
	char err[256];
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	size_t before = xpu_sampler_last(s)->n_devices;
	char saved[300];
	snprintf(saved, sizeof(saved), "%s.saved", tree_root);
	sh("mkdir -p %s && mv %s/sys/class/drm %s/sys/bus %s/", saved, tree_root, tree_root, saved);
	assert_int_equal(xpu_sampler_refresh_at(s, 2000000000ull, err, sizeof(err)), 0);
	const xpu_sample *x = xpu_sampler_last(s);
	assert_int_equal(x->n_devices, before - 1);
	for (size_t i = 0; i < x->n_devices; i++)
		assert_string_not_equal(x->devices[i].dev.pci_address, "0000:00:02.0");
	/* its clients have no device to belong to any more */
	assert_int_equal(x->n_processes, 0);
	char *text = xpu_sample_prometheus(x, true, NULL);
	assert_non_null(text);
	assert_null(strstr(text, "0000:00:02.0"));
	free(text);
	sh("mv %s/drm %s/sys/class/ && mv %s/bus %s/sys/ && rmdir %s", saved, tree_root, saved, tree_root, saved);
	assert_int_equal(xpu_sampler_refresh_at(s, 3000000000ull, err, sizeof(err)), 0);
	assert_int_equal(xpu_sampler_last(s)->n_devices, before);
	xpu_sampler_free(s);
}

static void unreadable_sysroot_is_one_error(void **state)
{
	(void)state;
	xpu_sampler_options o = { .discovery = { .sysroot = "/nonexistent/xpu-tree_root" } };
	char err[256] = "";
	assert_null(xpu_sampler_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/xpu-tree_root"));
}

static void prometheus_and_json_of_a_sample(void **state)
{
	(void)state;
	xpu_sampler *s = sampler();
	char err[256];
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	client(100, 4, 7, 1250000000ull, 2048);
	assert_int_equal(xpu_sampler_refresh_at(s, 2000000000ull, err, sizeof(err)), 0);
	const xpu_sample *x = xpu_sampler_last(s);
	size_t len = 0;
	char *text = xpu_sample_prometheus(x, false, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_non_null(strstr(text, "xpu_engine_utilization_ratio{device=\"0\",pci_bus_id=\"0000:00:02.0\","));
	assert_non_null(strstr(text, "engine=\"render\"} 0.25\n"));
	assert_non_null(strstr(text, "# TYPE xpu_energy_joules_total counter\n"));
	assert_null(strstr(text, "xpu_process_memory_bytes")); /* per-process only when asked */
	free(text);
	text = xpu_sample_prometheus(x, true, NULL);
	assert_non_null(strstr(text, "pid=\"100\",command=\"app100\",region=\"system\"} 2097152\n"));
	free(text);
	char *json = xpu_sample_json(x, false);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"schema_version\":1"));
	free(json);
	xpu_sampler_free(s);
}

#define LACT_PHOENIX SOURCE_DIR "/../shared/fixtures/lact/amd/phoenix/card1"

static const xpu_sensor *temperature(const xpu_device *d, const char *label)
{
	for (unsigned i = 0; i < d->n_temps; i++)
		if (strcmp(d->temps[i].label, label) == 0)
			return &d->temps[i];
	return NULL;
}

/* xpu top and the exporter take AMD's gpu_metrics sensors from the same probe
 * as xpu list, with every refresh: the second sample sees the new table. */
static void amd_gpu_metrics_every_sample(void **state)
{
	(void)state;
	struct stat st;
	if (stat(LACT_PHOENIX, &st) != 0) {
		print_message("%s is absent: the AMD gpu_metrics sample was not run\n", LACT_PHOENIX);
		skip();
	}
	snprintf(tree_root, sizeof(tree_root), "/tmp/xpu-sampler-XXXXXX");
	assert_non_null(mkdtemp(tree_root));
	sh("mkdir -p %s/sys/class/drm && cp -a '%s' %s/sys/class/drm/card1", tree_root, LACT_PHOENIX, tree_root);
	xpu_sampler *s = sampler();
	char err[256];
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	const xpu_device *apu = &xpu_sampler_last(s)->devices[0].dev;
	assert_int_equal(apu->vendor, XPU_VENDOR_AMD);
	assert_non_null(temperature(apu, "soc"));
	assert_float_equal(temperature(apu, "soc")->reading.value, 27.37, 1e-9);
	char *text = xpu_sample_prometheus(xpu_sampler_last(s), false, NULL);
	assert_non_null(strstr(text, "sensor=\"soc\"} 27.37\n"));
	free(text);
	/* the firmware's next table: temperature_soc (offset 6 of v2.1) 31.50 C */
	sh("printf '\\116\\014' | dd of=%s/sys/class/drm/card1/device/gpu_metrics bs=1 seek=6 "
	   "conv=notrunc status=none", tree_root);
	assert_int_equal(xpu_sampler_refresh_at(s, 2000000000ull, err, sizeof(err)), 0);
	apu = &xpu_sampler_last(s)->devices[0].dev;
	assert_float_equal(temperature(apu, "soc")->reading.value, 31.50, 1e-9);
	text = xpu_sample_prometheus(xpu_sampler_last(s), false, NULL);
	assert_non_null(strstr(text, "sensor=\"soc\"} 31.5\n"));
	free(text);
	xpu_sampler_free(s);
	sh("rm -rf %s", tree_root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_sample_says_two_are_needed, setup, teardown),
		cmocka_unit_test_setup_teardown(second_sample_gives_rates, setup, teardown),
		cmocka_unit_test_setup_teardown(folders_that_are_no_pid_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(vanished_device_drops_out, setup, teardown),
		cmocka_unit_test(unreadable_sysroot_is_one_error),
		cmocka_unit_test_setup_teardown(prometheus_and_json_of_a_sample, setup, teardown),
		cmocka_unit_test(amd_gpu_metrics_every_sample),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
