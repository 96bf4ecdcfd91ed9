/* The runtime probes side by side give exactly what they give one after
 * another (XPU_DEBUG=serial, the order of the probes before they ran side by
 * side): the whole `xpu list --json` of each machine below, with the real
 * runtimes of this one (PoCL, lavapipe, the Level Zero loader, Intel's
 * OpenCL ICD; the stand-in NVIDIA libraries when LD_LIBRARY_PATH names
 * them, see meson.build: then, with the argument "nvidia", only the
 * machines with an NVIDIA GPU; with "two_gpus", the 2-GPU H200 fixture and
 * stand-ins of two GPUs).  The listing includes the topology.  Run side by side several times over, so
 * that a race has chances to show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xpu/xpu.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

enum { RUNS = 6 };

/* What of a device of this machine does not change from one read to the
 * next (memory in use, clocks, temperatures and power do). */
static const char *const steady[] = {
	"id", "index", "vendor", "kind", "name", "uuid", "driver", "driver_version", "family",
	"memory_kind", "memory_total_bytes", "compute_units", "compute_unit_name",
	"compute_capability", "card_node", "render_node", "backends",
};

static void keep_steady(json_t *device)
{
	const char *key;
	json_t *value, *tmp;
	json_object_foreach_safe(device, tmp, key, value) {
		bool keep = false;
		for (size_t i = 0; i < sizeof(steady) / sizeof(steady[0]) && !keep; i++)
			keep = strcmp(key, steady[i]) == 0;
		if (!keep)
			json_object_del(device, key);
	}
}

/* Every runtime probed into sysroot's devices (NULL: this machine, whose
 * devices keep their steady values only), as JSON. */
static json_t *discover(const char *sysroot, bool serial)
{
	if (serial)
		setenv("XPU_DEBUG", "serial", 1);
	else
		unsetenv("XPU_DEBUG");
	xpu_options opt = { .sysroot = sysroot, .probe_runtimes = 1 };
	xpu_system *sys = NULL;
	char err[256];
	assert_int_equal(xpu_discover(&opt, &sys, err, sizeof(err)), XPU_E_OK);
	char *text = xpu_system_json(sys, false);
	xpu_system_free(sys);
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(j);
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(j, "devices"), i, d)
		if (!sysroot)
			keep_steady(d);
	return j;
}

static void assert_same(json_t *serial, json_t *concurrent, const char *where, int run)
{
	if (json_equal(serial, concurrent))
		return;
	char *a = json_dumps(serial, JSON_SORT_KEYS | JSON_INDENT(1));
	char *b = json_dumps(concurrent, JSON_SORT_KEYS | JSON_INDENT(1));
	print_error("%s, run %d: serial\n%s\nside by side\n%s\n", where, run, a, b);
	free(a);
	free(b);
	fail_msg("%s: the probes side by side differ from one after another", where);
}

/* The runtimes this machine has were really probed: the comparison is not
 * of two empty answers. */
static void assert_probed(json_t *j)
{
	const char *names[] = { "cuda", "nvml", "level_zero", "vulkan", "opencl" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *rt = json_object_get(json_object_get(j, "runtimes"), names[i]);
		assert_true(json_is_true(json_object_get(rt, "probed")));
	}
	json_t *cl = json_object_get(json_object_get(j, "runtimes"), "opencl");
	assert_string_equal(json_string_value(json_object_get(cl, "state")), "ok");
}

static void compare(const char *sysroot)
{
	const char *where = sysroot ? sysroot : "this machine";
	/* side by side first: the runtimes' first initialisation is the one
	 * that runs in threads */
	json_t *first = discover(sysroot, false);
	json_t *serial = discover(sysroot, true);
	assert_probed(serial);
	assert_same(serial, first, where, 0);
	json_decref(first);
	for (int run = 1; run < RUNS; run++) {
		json_t *j = discover(sysroot, false);
		assert_same(serial, j, where, run);
		json_decref(j);
	}
	json_decref(serial);
}

static void fixture(void **state)
{
	char root[512];
	snprintf(root, sizeof(root), "%s/tests/fixtures/%s", SOURCE_DIR, (const char *)*state);
	compare(root);
}

static void this_machine(void **state)
{
	compare(NULL);
}

/* /dev/kfd (the node amdkfd creates, drivers/gpu/drm/amd/amdkfd/
 * kfd_chardev.c) makes ROCm worth asking even without an AMD GPU in sysfs:
 * the i915 fixture with a readable and writable /dev/kfd added. */
static void with_kfd(void **state)
{
	char root[] = "/tmp/xpu-test-kfd-XXXXXX", cmd[1024];
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/tests/fixtures/i915-igpu/.' '%s/' && touch '%s/dev/kfd'",
		 SOURCE_DIR, root, root);
	assert_int_equal(system(cmd), 0);
	compare(root);
	json_t *j = discover(root, true);
	json_t *rocm = json_object_get(json_object_get(j, "runtimes"), "rocm");
	assert_true(json_is_true(json_object_get(rocm, "probed")));
	json_decref(j);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* Two GPUs really were listed, and linked: the comparison is of NVML's two
 * threads' answers and of the topology's. */
static void two_gpus_fixture(void **state)
{
	fixture(state);
	char root[512];
	snprintf(root, sizeof(root), "%s/tests/fixtures/h200x2", SOURCE_DIR);
	json_t *j = discover(root, false);
	json_t *nvml = json_object_get(json_object_get(j, "runtimes"), "nvml");
	assert_int_equal(json_integer_value(json_object_get(nvml, "devices")), 2);
	json_t *row = json_array_get(json_object_get(json_object_get(j, "topology"), "matrix"), 0);
	assert_string_equal(json_string_value(json_array_get(row, 1)), "NV18");
	json_decref(j);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest nvidia[] = {
		cmocka_unit_test_prestate(fixture, "igpu-plus-nvidia"),
		cmocka_unit_test_prestate(fixture, "h200"),
	};
	/* XPU_STANDIN_DEVICES=2: NVML's two GPUs gathered one thread each, and
	 * the topology's NVLinks and pairs one thread per GPU, against both one
	 * after the other */
	const struct CMUnitTest two_gpus[] = {
		cmocka_unit_test_prestate(two_gpus_fixture, "h200x2"),
	};
	if (argc > 1 && strcmp(argv[1], "two_gpus") == 0)
		return cmocka_run_group_tests(two_gpus, NULL, NULL);
	const struct CMUnitTest all[] = {
		cmocka_unit_test_prestate(fixture, "igpu-plus-nvidia"),
		cmocka_unit_test_prestate(fixture, "i915-igpu"),
		cmocka_unit_test_prestate(fixture, "h200"),
		cmocka_unit_test_prestate(fixture, "no-drm"),
		cmocka_unit_test(with_kfd),
		cmocka_unit_test(this_machine),
	};
	if (argc > 1 && strcmp(argv[1], "nvidia") == 0)
		return cmocka_run_group_tests(nvidia, NULL, NULL);
	return cmocka_run_group_tests(all, NULL, NULL);
}
