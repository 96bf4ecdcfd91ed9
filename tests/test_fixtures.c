/* Replays captured sysfs trees and checks what xpu reads from them:
 * - the project's own fixtures (tests/fixtures/NAME with NAME.expect.json:
 *   a map from a path in `xpu list --json` to the value it must hold);
 * - the real captures in ../shared/fixtures/lact, against the values LACT, an
 *   independent reader, expects from them (expected/NAME.snap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpu/xpu.h"

#ifndef SOURCE_DIR
#error SOURCE_DIR must name the source tree
#endif

static json_t *discover_json(const char *sysroot)
{
	xpu_options opt = { .sysroot = sysroot, .probe_runtimes = 0 };
	xpu_system *sys = NULL;
	char err[256];
	if (xpu_discover(&opt, &sys, err, sizeof(err)) != XPU_E_OK) {
		print_error("discover %s: %s\n", sysroot, err);
		return NULL;
	}
	char *text = xpu_system_json(sys, false);
	xpu_system_free(sys);
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	return j;
}

/* "devices/0/pci/device_name/value" */
static json_t *at(json_t *j, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok(buf, "/"); tok && j; tok = strtok(NULL, "/"))
		j = json_is_array(j) ? json_array_get(j, strtoul(tok, NULL, 10)) : json_object_get(j, tok);
	return j;
}

static int failures;

static void expect_equal(const char *what, json_t *got, json_t *want)
{
	bool same = json_equal(got, want) || (!got && json_is_null(want)); /* null: absent */
	if (!same && json_is_number(got) && json_is_number(want))
		same = fabs(json_number_value(got) - json_number_value(want)) < 1e-6;
	if (!same) {
		char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : strdup("(absent)");
		char *w = json_dumps(want, JSON_ENCODE_ANY);
		print_error("%s: got %s, want %s\n", what, g, w);
		free(g);
		free(w);
		failures++;
	}
}

static void own_fixture(void **state)
{
	const char *name = *state;
	char root[512], expect_path[512];
	snprintf(root, sizeof(root), "%s/tests/fixtures/%s", SOURCE_DIR, name);
	snprintf(expect_path, sizeof(expect_path), "%s/tests/fixtures/%s.expect.json", SOURCE_DIR, name);
	json_error_t e;
	json_t *expect = json_load_file(expect_path, 0, &e);
	if (!expect)
		fail_msg("%s: %s", expect_path, e.text);
	json_t *got = discover_json(root);
	assert_non_null(got);
	failures = 0;
	const char *key;
	json_t *want;
	json_object_foreach(expect, key, want) {
		char what[300];
		snprintf(what, sizeof(what), "%s %s", name, key);
		expect_equal(what, at(got, key), want);
	}
	json_decref(expect);
	json_decref(got);
	assert_int_equal(failures, 0);
}

/* ---- LACT captures ---- */

#define LACT_DIR SOURCE_DIR "/../shared/fixtures/lact"

typedef struct lact_case {
	const char *capture; /* "intel/a380-i915" */
	const char *snap;    /* "intel-a380-i915" */
} lact_case;

static const lact_case lact_cases[] = {
	{ "intel/a380-i915", "intel-a380-i915" }, { "intel/b580", "intel-b580" },
	{ "intel/tigerlake", "intel-tigerlake" }, { "amd/rx7900xtx", "amd-rx7900xtx" },
	{ "amd/phoenix", "amd-phoenix" },         { "nvidia/rtx4080", "nvidia-rtx4080" },
};

static json_t *load_snap(const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/expected/%s.snap", LACT_DIR, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	/* insta snapshots: a "---" header block, then the JSON */
	char line[512];
	int dashes = 0;
	while (dashes < 2 && fgets(line, sizeof(line), f))
		dashes += strncmp(line, "---", 3) == 0;
	json_t *j = json_loadf(f, 0, NULL);
	fclose(f);
	return j;
}

/* A sysroot holding only sys/class/drm/cardN -> the capture's cardN. */
static char *make_sysroot(const char *capture, char *card, size_t len)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", LACT_DIR, capture);
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	struct dirent *e;
	card[0] = '\0';
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "card", 4) == 0)
			snprintf(card, len, "%s", e->d_name);
	closedir(d);
	char *root = strdup("/tmp/xpu-lact-XXXXXX");
	if (!root || !mkdtemp(root))
		return NULL;
	char p[1024], target[1024];
	snprintf(p, sizeof(p), "%s/sys", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sys/class", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sys/class/drm", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sys/class/drm/%s", root, card);
	snprintf(target, sizeof(target), "%s/%s", dir, card);
	if (symlink(target, p) != 0)
		return NULL;
	return root;
}

static void drop_sysroot(char *root)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		print_error("could not remove %s\n", root);
	free(root);
}

/* The check of one value: LACT's (at snap path) against xpu's (at json path). */
static void check(const char *name, json_t *snap, const char *snap_path, json_t *got, const char *path)
{
	json_t *want = at(snap, snap_path);
	if (!want || json_is_null(want))
		return; /* LACT read nothing there either */
	char what[300];
	snprintf(what, sizeof(what), "%s %s (LACT %s)", name, path, snap_path);
	expect_equal(what, at(got, path), want);
}

static void check_temps(const char *name, json_t *snap, json_t *got)
{
	json_t *temps = at(snap, "stats/temps"), *mine = at(got, "devices/0/temperatures");
	const char *label;
	json_t *t;
	json_object_foreach(temps, label, t) {
		json_t *found = NULL;
		for (size_t i = 0; i < json_array_size(mine); i++)
			if (strcmp(json_string_value(at(json_array_get(mine, i), "label")), label) == 0)
				found = at(json_array_get(mine, i), "value/value");
		char what[300];
		snprintf(what, sizeof(what), "%s temperature %s", name, label);
		/* LACT's display-only sensors come from gpu_metrics, whose APU
		 * tables hold centi-degrees; LACT keeps whole degrees (temp / 100,
		 * lact-daemon/src/server/gpu_controller/amd.rs), xpu all of it */
		json_t *whole = json_is_true(at(t, "display_only")) && json_is_number(found)
					? json_real(floor(json_number_value(found)))
					: json_incref(found);
		expect_equal(what, whole, at(t, "current"));
		json_decref(whole);
	}
}

static void quiet(char *msg, ...)
{
	(void)msg;
}

/* The installed database's own answer, asked through libpci directly. */
static const char *installed_db_name(json_t *got, const char *path)
{
	static char buf[256];
	unsigned v = strtoul(json_string_value(at(got, "devices/0/pci/vendor_id")), NULL, 16);
	unsigned d = strtoul(json_string_value(at(got, "devices/0/pci/device_id")), NULL, 16);
	unsigned sv = strtoul(json_string_value(at(got, "devices/0/pci/subsystem_vendor_id")), NULL, 16);
	unsigned sd = strtoul(json_string_value(at(got, "devices/0/pci/subsystem_device_id")), NULL, 16);
	struct pci_access *pacc = pci_alloc();
	pacc->debug = pacc->warning = quiet; /* set by pci_init, which this never calls */
	int flags = PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;
	if (strstr(path, "subsystem_name"))
		flags |= PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE;
	else if (strstr(path, "subsystem_vendor"))
		flags |= PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR, v = sv;
	else
		flags |= PCI_LOOKUP_DEVICE;
	const char *r = pci_lookup_name(pacc, buf, sizeof(buf), flags, v, d, sv, sd);
	const char *out = r ? buf : NULL;
	if (r && r != buf)
		snprintf(buf, sizeof(buf), "%s", r);
	pci_cleanup(pacc);
	return out;
}

/* Names come from a PCI id database: LACT's is newer than some distributions'.
 * Where the installed database lacks the entry, xpu must say so, not guess. */
static void check_db_name(const char *name, json_t *snap, const char *snap_path, json_t *got,
			  const char *path)
{
	json_t *want = at(snap, snap_path);
	if (!want)
		return;
	char p[256];
	snprintf(p, sizeof(p), "%s/value", path);
	json_t *value = at(got, p);
	if (json_equal(value, want))
		return;
	const char *db = installed_db_name(got, path);
	if (db && json_is_string(value) && strcmp(db, json_string_value(value)) == 0) {
		printf("note: %s %s: this machine's PCI id database names it '%s', LACT's newer one "
		       "'%s'; xpu gives the installed database's name\n", name, path, db,
		       json_string_value(want));
		return;
	}
	snprintf(p, sizeof(p), "%s/reason", path);
	const char *reason = json_string_value(at(got, p));
	if (json_is_null(value) && reason && strcmp(reason, "no_source") == 0) {
		printf("note: %s %s: this machine's PCI id database lacks it (LACT: %s); xpu reports "
		       "it unknown with that reason\n", name, path, json_string_value(want));
		return;
	}
	char what[300];
	snprintf(what, sizeof(what), "%s %s (LACT %s)", name, p, snap_path);
	expect_equal(what, value, want);
}

static void lact_capture(void **state)
{
	const lact_case *c = *state;
	char card[64];
	json_t *snap = load_snap(c->snap);
	assert_non_null(snap);
	char *root = make_sysroot(c->capture, card, sizeof(card));
	assert_non_null(root);
	json_t *got = discover_json(root);
	drop_sysroot(root);
	assert_non_null(got);
	failures = 0;

	/* exactly one GPU, then the CPU */
	assert_int_equal(json_array_size(at(got, "devices")), 2);
	const char *n = c->snap;
	char uevent[1024], p[600];
	snprintf(p, sizeof(p), "%s/%s/%s/device/uevent", LACT_DIR, c->capture, card);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	size_t len = fread(uevent, 1, sizeof(uevent) - 1, f);
	fclose(f);
	uevent[len] = '\0';
	char *slot = strstr(uevent, "PCI_SLOT_NAME=");
	assert_non_null(slot);
	slot[strcspn(slot, "\n")] = '\0';
	json_t *addr = json_string(slot + strlen("PCI_SLOT_NAME="));
	expect_equal("pci address from uevent", at(got, "devices/0/pci/address"), addr);
	json_decref(addr);
	check(n, snap, "pci_info/device_pci_info/vendor", got, "devices/0/pci/vendor_name/value");
	check_db_name(n, snap, "pci_info/device_pci_info/model", got, "devices/0/pci/device_name");
	check_db_name(n, snap, "pci_info/subsystem_pci_info/vendor", got, "devices/0/pci/subsystem_vendor_name");
	check_db_name(n, snap, "pci_info/subsystem_pci_info/model", got, "devices/0/pci/subsystem_name");
	check(n, snap, "info/driver", got, "devices/0/driver/value");

	/* Intel */
	check(n, snap, "clocks_info/table/value/gt_freq/0", got, "devices/0/clocks/min_mhz/value");
	check(n, snap, "clocks_info/table/value/gt_freq/1", got, "devices/0/clocks/max_mhz/value");
	check(n, snap, "clocks_info/table/value/rp0_freq", got, "devices/0/clocks/rp0_mhz/value");
	check(n, snap, "clocks_info/table/value/rpe_freq", got, "devices/0/clocks/rpe_mhz/value");
	check(n, snap, "clocks_info/table/value/rpn_freq", got, "devices/0/clocks/rpn_mhz/value");
	check(n, snap, "stats/clockspeed/target_gpu_clockspeed", got, "devices/0/clocks/requested_mhz/value");
	/* AMD */
	check(n, snap, "clocks_info/max_sclk", got, "devices/0/clocks/max_mhz/value");
	check(n, snap, "clocks_info/table/value/data/current_sclk_range/min", got,
	      "devices/0/clocks/min_mhz/value");
	check(n, snap, "clocks_info/max_mclk", got, "devices/0/clocks/memory_max_mhz/value");
	check(n, snap, "stats/clockspeed/vram_clockspeed", got, "devices/0/clocks/memory_mhz/value");
	check(n, snap, "stats/busy_percent", got, "devices/0/busy_percent/value");
	check(n, snap, "stats/vram/total", got, "devices/0/memory_total_bytes/value");
	check(n, snap, "stats/vram/used", got, "devices/0/memory_used_bytes/value");
	check(n, snap, "stats/power/average", got, "devices/0/power/draw_w/value");
	/* LACT's current clock is i915's gt_act_freq_mhz but xe's cur_freq: xe's
	 * act_freq reads 0 while the GT sleeps in C6, which xpu reports as is */
	if (json_equal(at(got, "devices/0/driver/value"), at(snap, "info/driver")) &&
	    strcmp(json_string_value(at(snap, "info/driver")), "xe") == 0)
		check(n, snap, "stats/clockspeed/gpu_clockspeed", got, "devices/0/clocks/requested_mhz/value");
	else
		check(n, snap, "stats/clockspeed/gpu_clockspeed", got, "devices/0/clocks/actual_mhz/value");
	check(n, snap, "stats/power/cap_current", got, "devices/0/power/cap_w/value");
	if (strcmp(n, "intel-a380-i915") == 0)
		/* the capture's power1_rated_max reads 0: LACT shows its own default of 400 W */
		printf("note: %s power cap max not compared: sysfs holds 0, LACT prints a default\n", n);
	else
		check(n, snap, "stats/power/cap_max", got, "devices/0/power/cap_max_w/value");
	check(n, snap, "stats/fan/speed_current", got, "devices/0/fans/0/value/value");
	check(n, snap, "stats/fan/speed_max", got, "devices/0/fans/0/max/value");
	check_temps(n, snap, got);

	json_decref(snap);
	json_decref(got);
	assert_int_equal(failures, 0);
}

int main(void)
{
	static const char *own[] = { "i915-igpu", "igpu-plus-nvidia", "no-drm", "h200" };
	struct CMUnitTest tests[16];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		tests[n++] = (struct CMUnitTest){ own[i], own_fixture, NULL, NULL, (void *)own[i] };
	struct stat st;
	if (stat(LACT_DIR "/expected", &st) == 0) {
		for (size_t i = 0; i < sizeof(lact_cases) / sizeof(lact_cases[0]); i++)
			tests[n++] = (struct CMUnitTest){ lact_cases[i].snap, lact_capture, NULL, NULL,
							  (void *)&lact_cases[i] };
	} else {
		printf("note: %s is absent: the 6 LACT capture tests were not run\n", LACT_DIR);
	}
	return _cmocka_run_group_tests("fixtures", tests, n, NULL, NULL);
}
