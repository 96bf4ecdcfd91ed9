/* The discovery cache: a stored probe comes back equal, and a damaged,
 * truncated or foreign file is a miss, never a crash or a wrong answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cache.h"
#include "model/system.h"
#include "model/value.h"
#include "vendors/vendor.h"
#include "xpu/topology.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

static char dir[64];
static char file[128];

/* A fixture machine with both an Intel iGPU and an NVIDIA card; ROCm alone is
 * probed (it reads only the sysroot), so the test needs no runtime. */
static xpu_system *discover(int cache)
{
	xpu_options opt = {
		.sysroot = SOURCE_DIR "/tests/fixtures/igpu-plus-nvidia",
		.probe_runtimes = 1,
		.runtime_mask = 1u << XPU_RT_ROCM,
		.cache = cache,
	};
	xpu_system *sys = NULL;
	char err[256];
	assert_int_equal(xpu_discover(&opt, &sys, err, sizeof(err)), XPU_E_OK);
	return sys;
}

static unsigned char *slurp(size_t *n)
{
	FILE *f = fopen(file, "rb");
	assert_non_null(f);
	static unsigned char buf[1 << 20];
	*n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/xpu-test-cache-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/discovery.bin", dir);
	setenv("XPU_CACHE_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	unlink(file);
	rmdir(dir);
	return 0;
}

static void a_stored_probe_comes_back_equal(void **state)
{
	unlink(file);
	xpu_system *probed = discover(XPU_CACHE_USE);
	assert_int_equal(xpu_system_cache(probed, NULL, NULL), XPU_CACHE_STORED);
	xpu_system *again = discover(XPU_CACHE_USE);
	assert_int_equal(xpu_system_cache(again, NULL, NULL), XPU_CACHE_HIT);
	assert_int_equal(xpu_device_count(again), xpu_device_count(probed));
	for (size_t i = 0; i < xpu_device_count(probed); i++) {
		const xpu_device *a = xpu_device_at(probed, i), *b = xpu_device_at(again, i);
		assert_string_equal(a->id, b->id);
		assert_string_equal(a->name.value, b->name.value);
		assert_memory_equal(a->backends, b->backends, sizeof(a->backends));
	}
	assert_memory_equal(xpu_runtime_at(probed, XPU_RT_ROCM), xpu_runtime_at(again, XPU_RT_ROCM),
			    sizeof(xpu_runtime_info));
	xpu_system *refreshed = discover(XPU_CACHE_REFRESH);
	assert_int_equal(xpu_system_cache(refreshed, NULL, NULL), XPU_CACHE_STORED);
	xpu_system *off = discover(0);
	assert_int_equal(xpu_system_cache(off, NULL, NULL), XPU_CACHE_OFF);
	xpu_system_free(probed);
	xpu_system_free(again);
	xpu_system_free(refreshed);
	xpu_system_free(off);
}

/* A probe stored anew: its system, the file's bytes and where to parse
 * them (the caller frees sys and c). */
static unsigned char *fresh_store(xpu_system **sys, size_t *n, xpu_cache_contents **c)
{
	unlink(file);
	*sys = discover(XPU_CACHE_USE);
	unsigned char *data = slurp(n);
	*c = malloc(sizeof(**c));
	assert_non_null(*c);
	assert_true(xpu_cache_parse(data, *n, (*sys)->cache_fingerprint, *c));
	return data;
}

static void damaged_files_are_misses(void **state)
{
	xpu_system *sys;
	xpu_cache_contents *c;
	size_t n;
	unsigned char *data = fresh_store(&sys, &n, &c);
	uint64_t fp = sys->cache_fingerprint;
	assert_int_equal(c->count, xpu_device_count(sys));
	assert_false(xpu_cache_parse(data, n, fp + 1, c)); /* another machine or environment */
	for (size_t len = 0; len < n; len += 1 + len / 16)
		assert_false(xpu_cache_parse(data, len, fp, c));
	unsigned char *copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, data, n);
	copy[n] = 0;
	assert_false(xpu_cache_parse(copy, n + 1, fp, c)); /* trailing bytes */
	for (size_t i = 0; i < n; i += 97) {
		copy[i] ^= 0x5a;
		assert_false(xpu_cache_parse(copy, n, fp, c));
		copy[i] ^= 0x5a;
	}
	free(copy);
	free(c);
	xpu_system_free(sys);
}

static uint64_t fingerprint_now(void)
{
	xpu_system *sys = discover(XPU_CACHE_USE);
	uint64_t fp = sys->cache_fingerprint;
	xpu_system_free(sys);
	return fp;
}

/* Each vendor's variables (its descriptor's cache_env: CUDA_VISIBLE_DEVICES,
 * ZE_AFFINITY_MASK...) steer which devices its runtime shows, so each must
 * change the fingerprint, and unsetting it must restore the old one. */
static void vendor_variables_change_the_fingerprint(void **state)
{
	uint64_t base = fingerprint_now();
	size_t seen = 0;
	for (size_t v = 0; v < xpu_vendor_count(); v++) {
		const xpu_vendor_desc *d = xpu_vendor_desc_of((xpu_vendor)v);
		for (const char *const *e = d->cache_env; e && *e; e++, seen++) {
			const char *old = getenv(*e);
			char *saved = old ? strdup(old) : NULL;
			setenv(*e, "xpu-test-value", 1);
			if (fingerprint_now() == base)
				fail_msg("%s (vendor %s) does not change the fingerprint", *e, d->id);
			if (saved)
				setenv(*e, saved, 1);
			else
				unsetenv(*e);
			free(saved);
			assert_true(fingerprint_now() == base);
		}
	}
	assert_true(seen >= 10); /* CUDA, Level Zero and ROCm variables at least */
}

/* Issue 15: a forged record (checksum right, a bool byte 2) was loaded,
 * and reading that bool is undefined behaviour (UBSan stopped in json.c). */
static void a_forged_bool_is_a_miss(void **state)
{
	xpu_system *sys;
	xpu_cache_contents *c;
	size_t n;
	unsigned char *data = fresh_store(&sys, &n, &c);
	uint64_t fp = sys->cache_fingerprint;
	/* the header is what the records leave of the file */
	size_t header = n - c->count * sizeof(xpu_device) - sizeof(xpu_runtime_info) * XPU_RT_COUNT;
	size_t usable = header + sizeof(xpu_runtime_info) * XPU_RT_COUNT +
			offsetof(xpu_device, backends) + offsetof(xpu_backend, usable);
	size_t probed = header + offsetof(xpu_runtime_info, probed);
	size_t sve = header + sizeof(xpu_runtime_info) * XPU_RT_COUNT +
		     offsetof(xpu_device, cpu) + offsetof(xpu_cpu_info, sve);
	const size_t at[] = { usable, probed, sve };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		unsigned char was = data[at[i]];
		data[at[i]] = 1; /* control: a valid byte, re-checksummed, parses */
		assert_true(xpu_cache_seal(data, n));
		assert_true(xpu_cache_parse(data, n, fp, c));
		data[at[i]] = 2;
		assert_true(xpu_cache_seal(data, n));
		assert_false(xpu_cache_parse(data, n, fp, c));
		data[at[i]] = was;
	}
	free(c);
	xpu_system_free(sys);
}

/* Issue 15: `mkfifo $XPU_CACHE_DIR/discovery.bin` hung `xpu list`.  Every
 * kind of file at the cache's name: a miss at once, replaced by the store
 * (a folder cannot be, and says so). */
static void every_kind_of_file_at_the_cache_is_a_miss(void **state)
{
	static const char *const plant[] = {
		"mkfifo \"$F\"",
		"ln -s /etc/passwd \"$F\"",
		"ln -s \"$F\" \"$F\"", /* a loop: the link to itself */
		"truncate -s 100M \"$F\"",
		"echo x > \"$F\" && chown 65534 \"$F\"",
		"mkdir \"$F\"",
	};
	for (size_t i = 0; i < sizeof(plant) / sizeof(plant[0]); i++) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "F='%s'; rm -rf \"$F\" && %s", file, plant[i]);
		assert_int_equal(system(cmd), 0);
		alarm(10);
		xpu_system *sys = discover(XPU_CACHE_USE);
		alarm(0);
		const char *detail = NULL;
		xpu_cache_state st = xpu_system_cache(sys, &detail, NULL);
		if (i == sizeof(plant) / sizeof(plant[0]) - 1) {
			assert_int_equal(st, XPU_CACHE_UNWRITABLE);
			assert_non_null(strstr(detail, "a folder"));
		} else {
			assert_int_equal(st, XPU_CACHE_STORED);
		}
		xpu_system_free(sys);
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", file);
	assert_int_equal(system(cmd), 0);
}

/* The topology's runtime answers (NVLink, P2P: 20 ms of NVML on two H200s)
 * are kept beside the discovery cache, under its fingerprint: taken back on
 * a hit, equal to what was computed; asked again after --refresh; refused
 * when damaged or from another fingerprint. */
static char *topology_text(xpu_system *sys, bool *from_cache)
{
	xpu_topology *t = xpu_topology_of(sys);
	assert_non_null(t);
	*from_cache = t->from_cache;
	t->from_cache = false; /* the text compared is the topology itself */
	char *text = xpu_topology_json(t, false);
	xpu_topology_free(t);
	assert_non_null(text);
	return text;
}

/* The CPU's model, vector units and caches are facts of the boot: on a hit
 * they come from the cache (a changed /proc/cpuinfo is not read), while
 * memory in use is read live; CPUs brought online change the fingerprint,
 * and the next listing reads them all again. */
static void write_text(const char *root, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static xpu_system *discover_in(const char *root)
{
	xpu_options opt = { .sysroot = root, .probe_runtimes = 1,
			    .runtime_mask = 1u << XPU_RT_ROCM, .cache = XPU_CACHE_USE };
	xpu_system *sys = NULL;
	char err[256];
	assert_int_equal(xpu_discover(&opt, &sys, err, sizeof(err)), XPU_E_OK);
	return sys;
}

static const xpu_device *cpu_of(const xpu_system *sys)
{
	for (size_t i = 0; i < xpu_device_count(sys); i++)
		if (xpu_device_at(sys, i)->vendor == XPU_VENDOR_CPU)
			return xpu_device_at(sys, i);
	fail_msg("no CPU device");
	return NULL;
}

static void the_cpu_s_boot_facts_come_from_the_cache(void **state)
{
	unlink(file);
	char root[] = "/tmp/xpu-test-cpu-root-XXXXXX", cmd[640];
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/igpu-plus-nvidia/.' '%s'", SOURCE_DIR, root);
	assert_int_equal(system(cmd), 0);
	xpu_system *first = discover_in(root);
	assert_int_equal(xpu_system_cache(first, NULL, NULL), XPU_CACHE_STORED);
	const xpu_device *c1 = cpu_of(first);
	assert_string_equal(c1->name.value, "Intel(R) Core(TM) Ultra 7 155H");
	assert_true(xpu_is_ok(&c1->cpu.l3_bytes.status) && xpu_is_ok(&c1->cpu.isa.status));

	/* another model and less memory in use, the same boot */
	write_text(root, "proc/cpuinfo", "processor\t: 0\nmodel name\t: Another CPU\nflags\t\t: fpu\n\n");
	write_text(root, "proc/meminfo", "MemTotal:       16137016 kB\nMemAvailable:   16000000 kB\n");
	xpu_system *hit = discover_in(root);
	assert_int_equal(xpu_system_cache(hit, NULL, NULL), XPU_CACHE_HIT);
	const xpu_device *c2 = cpu_of(hit);
	assert_string_equal(c2->name.value, c1->name.value);
	assert_string_equal(c2->cpu.isa.value, c1->cpu.isa.value);
	assert_int_equal(c2->cpu.l3_bytes.value, c1->cpu.l3_bytes.value);
	assert_int_equal(c2->cpu.cores.value, c1->cpu.cores.value);
	assert_int_equal(c2->compute_units.value, c1->compute_units.value);
	assert_int_equal(c2->memory_used_bytes.value, (16137016ull - 16000000ull) * 1024);

	/* a CPU brought online: a miss, and the new cpuinfo is read */
	write_text(root, "sys/devices/system/cpu/online", "0\n");
	xpu_system *miss = discover_in(root);
	assert_int_equal(xpu_system_cache(miss, NULL, NULL), XPU_CACHE_STORED);
	assert_string_equal(cpu_of(miss)->name.value, "Another CPU");
	xpu_system_free(first);
	xpu_system_free(hit);
	xpu_system_free(miss);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void the_topology_is_kept_with_the_probe(void **state)
{
	char record[160];
	snprintf(record, sizeof(record), "%s/discovery-topology.bin", dir);
	unlink(file);
	unlink(record);
	bool cached;
	xpu_system *probed = discover(XPU_CACHE_USE);
	char *first = topology_text(probed, &cached);
	assert_false(cached);
	assert_int_equal(access(record, F_OK), 0); /* stored beside discovery.bin */
	xpu_system *again = discover(XPU_CACHE_USE);
	assert_int_equal(xpu_system_cache(again, NULL, NULL), XPU_CACHE_HIT);
	char *second = topology_text(again, &cached);
	assert_true(cached);
	assert_string_equal(first, second);
	/* a damaged record: asked again, the same answer */
	FILE *f = fopen(record, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	int last = fgetc(f);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	fputc(last ^ 0x5a, f);
	fclose(f);
	free(second);
	xpu_system *damaged = discover(XPU_CACHE_USE);
	second = topology_text(damaged, &cached);
	assert_false(cached);
	assert_string_equal(first, second);
	/* --refresh probes again: no record is taken */
	free(second);
	xpu_system *refreshed = discover(XPU_CACHE_REFRESH);
	second = topology_text(refreshed, &cached);
	assert_false(cached);
	/* no cache: no record written or read */
	unlink(record);
	free(second);
	xpu_system *off = discover(0);
	second = topology_text(off, &cached);
	assert_false(cached);
	assert_int_equal(access(record, F_OK), -1);
	free(first);
	free(second);
	xpu_system_free(probed);
	xpu_system_free(again);
	xpu_system_free(damaged);
	xpu_system_free(refreshed);
	xpu_system_free(off);
	unlink(record);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_stored_probe_comes_back_equal),
		cmocka_unit_test(damaged_files_are_misses),
		cmocka_unit_test(vendor_variables_change_the_fingerprint),
		cmocka_unit_test(a_forged_bool_is_a_miss),
		cmocka_unit_test(every_kind_of_file_at_the_cache_is_a_miss),
		cmocka_unit_test(the_topology_is_kept_with_the_probe),
cmocka_unit_test(the_cpu_s_boot_facts_come_from_the_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
