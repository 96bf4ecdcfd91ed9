/* Replays captured sysfs trees and checks what xpu reads from them:
 * - the project's own fixtures (tests/fixtures/NAME with NAME.expect.json:
 *   a map from a path in `xpu list --json` to the value it must hold);
 * - the real captures in ../shared/fixtures/lact, against the values LACT, an
 *   independent reader, expects from them (expected/VENDOR-CAPTURE.snap).
 * Both folders are walked: a new fixture is a new case, and a fixture
 * without its expectation is a failing one.  Each own fixture is also
 * replayed with each of its files missing, and after a copy by the
 * snapshot code (the same devices and the same topology). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/snapshot.h"
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

/* Each file of the fixture taken away in turn (a kernel without it, a
 * capture that missed it): discovery must still list the machine, the
 * CPU at least, and every value must still carry its state. */
static size_t states_missing(json_t *j)
{
	size_t missing = 0;
	const char *key;
	json_t *v;
	json_t *value = json_object_get(j, "value"); /* a sensor's "value" is itself a value */
	if (value && !json_is_object(value) && !json_object_get(j, "state"))
		missing++;
	if (json_is_object(j))
		json_object_foreach(j, key, v)
			missing += states_missing(v);
	else if (json_is_array(j))
		for (size_t i = 0; i < json_array_size(j); i++)
			missing += states_missing(json_array_get(j, i));
	return missing;
}

static char hole_files[4096][512];
static size_t n_hole_files;

static int collect_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && n_hole_files < 4096)
		snprintf(hole_files[n_hole_files++], sizeof(hole_files[0]), "%s", path);
	return 0;
}

static void own_fixture_holes(void **state)
{
	const char *name = *state;
	char root[] = "/tmp/xpu-holes-XXXXXX", cmd[1200], aside[600];
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/tests/fixtures/%s/.' '%s/'", SOURCE_DIR, name, root);
	assert_int_equal(system(cmd), 0);
	n_hole_files = 0;
	assert_int_equal(nftw(root, collect_file, 16, FTW_PHYS), 0);
	snprintf(aside, sizeof(aside), "%s.aside", root);
	for (size_t i = 0; i < n_hole_files; i++) {
		assert_int_equal(rename(hole_files[i], aside), 0);
		json_t *got = discover_json(root);
		if (!got || json_array_size(at(got, "devices")) < 1 || states_missing(got) > 0)
			fail_msg("%s without %s: no listing, or a value without its state", name,
				 hole_files[i] + strlen(root));
		json_decref(got);
		assert_int_equal(rename(aside, hole_files[i]), 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* `xpu snapshot` copies what discovery reads: the fixture, copied as if it
 * were this machine, must list the same devices as the fixture itself.
 * This holds each vendor's snapshot list (NVIDIA's procfs, the Adreno GPU
 * behind msm's display controller, the thermal zones) and the platform-device
 * copy to what the probes read. */
static void own_fixture_snapshot(void **state)
{
	const char *name = *state;
	char src[512], dir[] = "/tmp/xpu-snapshot-XXXXXX", err[256], cmd[600];
	snprintf(src, sizeof(src), "%s/tests/fixtures/%s", SOURCE_DIR, name);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(xpu_snapshot_from(src, dir, NULL, err, sizeof(err)), XPU_E_OK);
	json_t *want = discover_json(src), *got = discover_json(dir);
	assert_non_null(want);
	assert_non_null(got);
	/* the same devices, and the same topology: the copy keeps the PCI
	 * hierarchy and KFD's links */
	const char *const parts[] = { "devices", "topology" };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		json_t *w = json_object_get(want, parts[i]), *g = json_object_get(got, parts[i]);
		if (!json_equal(w, g)) {
			char *ws = json_dumps(w, JSON_INDENT(1)), *gs = json_dumps(g, JSON_INDENT(1));
			print_error("%s: the copy's %s\n%s\nthe fixture's\n%s\n", name, parts[i], gs, ws);
			free(ws);
			free(gs);
		}
		assert_true(json_equal(w, g));
	}
	json_decref(want);
	json_decref(got);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- LACT captures ---- */

#define LACT_DIR SOURCE_DIR "/../shared/fixtures/lact"

typedef struct lact_case {
	char *capture; /* "intel/a380-i915" */
	char *snap;    /* "intel-a380-i915" */
} lact_case;

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
	/* a copy, not a link to the capture: a sysroot's links may not lead
	 * out of it (xsys reads beneath the root) */
	snprintf(target, sizeof(target), "cp -R '%s/%s' '%s/sys/class/drm/%s'", dir, card, root, card);
	if (system(target) != 0)
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

/* The values LACT and xpu both read, as (LACT's path, xpu's path); LACT
 * reads nothing at a path a vendor lacks, which check() skips. */
static const struct {
	const char *snap, *xpu;
} lact_values[] = {
	{ "pci_info/device_pci_info/vendor", "devices/0/pci/vendor_name/value" },
	{ "info/driver", "devices/0/driver/value" },
	/* Intel */
	{ "clocks_info/table/value/gt_freq/0", "devices/0/clocks/min_mhz/value" },
	{ "clocks_info/table/value/gt_freq/1", "devices/0/clocks/max_mhz/value" },
	{ "clocks_info/table/value/rp0_freq", "devices/0/clocks/rp0_mhz/value" },
	{ "clocks_info/table/value/rpe_freq", "devices/0/clocks/rpe_mhz/value" },
	{ "clocks_info/table/value/rpn_freq", "devices/0/clocks/rpn_mhz/value" },
	{ "stats/clockspeed/target_gpu_clockspeed", "devices/0/clocks/requested_mhz/value" },
	/* AMD */
	{ "clocks_info/max_sclk", "devices/0/clocks/max_mhz/value" },
	{ "clocks_info/table/value/data/current_sclk_range/min", "devices/0/clocks/min_mhz/value" },
	{ "clocks_info/max_mclk", "devices/0/clocks/memory_max_mhz/value" },
	{ "stats/clockspeed/vram_clockspeed", "devices/0/clocks/memory_mhz/value" },
	{ "stats/busy_percent", "devices/0/busy_percent/value" },
	{ "stats/vram/total", "devices/0/memory_total_bytes/value" },
	{ "stats/vram/used", "devices/0/memory_used_bytes/value" },
	/* every vendor */
	{ "stats/power/average", "devices/0/power/draw_w/value" },
	{ "stats/power/cap_current", "devices/0/power/cap_w/value" },
	{ "stats/fan/speed_current", "devices/0/fans/0/value/value" },
	{ "stats/fan/speed_max", "devices/0/fans/0/max/value" },
};

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
	check_db_name(n, snap, "pci_info/device_pci_info/model", got, "devices/0/pci/device_name");
	check_db_name(n, snap, "pci_info/subsystem_pci_info/vendor", got, "devices/0/pci/subsystem_vendor_name");
	check_db_name(n, snap, "pci_info/subsystem_pci_info/model", got, "devices/0/pci/subsystem_name");
	for (size_t i = 0; i < sizeof(lact_values) / sizeof(lact_values[0]); i++)
		check(n, snap, lact_values[i].snap, got, lact_values[i].xpu);
	/* LACT's current clock is i915's gt_act_freq_mhz but xe's cur_freq: xe's
	 * act_freq reads 0 while the GT sleeps in C6, which xpu reports as is */
	if (json_equal(at(got, "devices/0/driver/value"), at(snap, "info/driver")) &&
	    strcmp(json_string_value(at(snap, "info/driver")), "xe") == 0)
		check(n, snap, "stats/clockspeed/gpu_clockspeed", got, "devices/0/clocks/requested_mhz/value");
	else
		check(n, snap, "stats/clockspeed/gpu_clockspeed", got, "devices/0/clocks/actual_mhz/value");
	if (strcmp(n, "intel-a380-i915") == 0)
		/* the capture's power1_rated_max reads 0: LACT shows its own default of 400 W */
		printf("note: %s power cap max not compared: sysfs holds 0, LACT prints a default\n", n);
	else
		check(n, snap, "stats/power/cap_max", got, "devices/0/power/cap_max_w/value");
	check_temps(n, snap, got);

	json_decref(snap);
	json_decref(got);
	assert_int_equal(failures, 0);
}

/* ---- the cases: every fixture folder, found by walking ---- */

enum { MAX_CASES = 128 };

static struct CMUnitTest cases[MAX_CASES];
static size_t n_cases;
static lact_case lact_cases[MAX_CASES];
static size_t n_lact;

static void add_case(const char *name, CMUnitTestFunction fn, void *arg)
{
	if (n_cases < MAX_CASES)
		cases[n_cases++] = (struct CMUnitTest){ strdup(name), fn, NULL, NULL, arg };
}

/* A fixture without its expectation, or an expectation without its
 * fixture: a test that fails, so that neither can be forgotten. */
static void unpaired(void **state)
{
	fail_msg("%s", (const char *)*state);
}

static void add_unpaired(const char *name, const char *msg)
{
	add_case(name, unpaired, strdup(msg));
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Sorted names in dir (so that runs list the cases in one order). */
static size_t names_in(const char *dir, char names[][256], size_t max)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < max)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 256, "%s", e->d_name);
	closedir(d);
	qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
	return n;
}

/* tests/fixtures/NAME (a folder) with tests/fixtures/NAME.expect.json. */
static void own_cases(void)
{
	static char names[MAX_CASES][256];
	const char *suffix = ".expect.json";
	char dir[512], p[1024];
	snprintf(dir, sizeof(dir), "%s/tests/fixtures", SOURCE_DIR);
	size_t n = names_in(dir, names, MAX_CASES);
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];
		size_t len = strlen(name), sl = strlen(suffix);
		snprintf(p, sizeof(p), "%s/%s", dir, name);
		if (is_dir(p)) {
			snprintf(p, sizeof(p), "%s/%s%s", dir, name, suffix);
			if (is_file(p)) {
				add_case(name, own_fixture, (void *)name);
				snprintf(p, sizeof(p), "%s, each file missing", name);
				add_case(p, own_fixture_holes, (void *)name);
				snprintf(p, sizeof(p), "%s, copied by xpu snapshot", name);
				add_case(p, own_fixture_snapshot, (void *)name);
			}
			else if (snprintf(p, sizeof(p), "tests/fixtures/%s has no expectation: write "
					  "its .expect.json", name) > 0)
				add_unpaired(name, p);
		} else if (len > sl && strcmp(name + len - sl, suffix) == 0) {
			snprintf(p, sizeof(p), "%s/%.*s", dir, (int)(len - sl), name);
			if (!is_dir(p) && snprintf(p, sizeof(p), "tests/fixtures/%s has no fixture "
						     "folder beside it", name) > 0)
				add_unpaired(name, p);
		}
	}
}

/* ../shared/fixtures/lact/VENDOR/CAPTURE with expected/VENDOR-CAPTURE.snap. */
static void lact_vendor(const char *vendor)
{
	static char names[MAX_CASES][256];
	char dir[512], p[1024];
	snprintf(dir, sizeof(dir), "%s/%s", LACT_DIR, vendor);
	size_t n = names_in(dir, names, MAX_CASES);
	for (size_t i = 0; i < n && n_lact < MAX_CASES; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (!is_dir(p))
			continue;
		lact_case *c = &lact_cases[n_lact++];
		snprintf(p, sizeof(p), "%s/%s", vendor, names[i]);
		c->capture = strdup(p);
		snprintf(p, sizeof(p), "%s-%s", vendor, names[i]);
		c->snap = strdup(p);
		snprintf(p, sizeof(p), "%s/expected/%s.snap", LACT_DIR, c->snap);
		if (is_file(p))
			add_case(c->snap, lact_capture, c);
		else if (snprintf(p, sizeof(p), "LACT capture %s has no expected/%s.snap", c->capture,
				  c->snap) > 0)
			add_unpaired(c->snap, p);
	}
}

/* Its absence is a skip, shown as one, never a pass. */
static void lact_absent(void **state)
{
	printf("note: %s is absent: the LACT capture replays were not run\n", LACT_DIR);
	skip();
}

static void lact_cases_found(void)
{
	static char vendors[MAX_CASES][256];
	if (!is_dir(LACT_DIR "/expected")) {
		add_case("lact captures", lact_absent, NULL);
		return;
	}
	size_t n = names_in(LACT_DIR, vendors, MAX_CASES);
	for (size_t i = 0; i < n; i++) {
		char p[1024];
		snprintf(p, sizeof(p), "%s/%s", LACT_DIR, vendors[i]);
		if (strcmp(vendors[i], "expected") != 0 && is_dir(p))
			lact_vendor(vendors[i]);
	}
}

int main(void)
{
	own_cases();
	lact_cases_found();
	return _cmocka_run_group_tests("fixtures", cases, n_cases, NULL, NULL);
}
