/* Intel sources that need CAP_PERFMON: the memory-region query replies and
 * the engine PMU.
 *
 * The replies are protocol fixtures, not captures (no Intel GPU here): each
 * is written byte by byte at the offsets of the uapi structs
 * (drm_i915_query_memory_regions / drm_i915_memory_region_info,
 * drm_xe_query_mem_regions / drm_xe_mem_region), independently of the
 * parser's own declarations.  The PMU part runs the sampler on the i915 iGPU
 * fixture with a PMU presented in sysfs: the permission gate gives its
 * reason, and where it lets the call through, perf_event_open on this
 * machine (which has no i915 PMU) fails and says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/value.h"
#include "telemetry/intel_query.h"
#include "telemetry/pmu.h"
#include "tree.h"
#include "xpu/telemetry.h"

#define GIB (1024ull * 1024 * 1024)

static void le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* drm_i915_memory_region_info: class@0 instance@2 rsvd0@4 probed@8
 * unallocated@16 rsvd1[8]@24; 88 bytes, after a 16-byte header. */
static void i915_region(unsigned char *buf, unsigned i, uint16_t cls, uint16_t inst,
			uint64_t probed, uint64_t unallocated)
{
	unsigned char *r = buf + 16 + 88 * i;
	le16(r, cls);
	le16(r + 2, inst);
	le64(r + 8, probed);
	le64(r + 16, unallocated);
}

/* drm_xe_mem_region: class@0 instance@2 min_page_size@4 total@8 used@16
 * cpu_visible_size@24 cpu_visible_used@32 reserved[6]@40; 88 bytes, after
 * an 8-byte header. */
static void xe_region(unsigned char *buf, unsigned i, uint16_t cls, uint64_t total, uint64_t used)
{
	unsigned char *r = buf + 8 + 88 * i;
	le16(r, cls);
	le16(r + 2, (uint16_t)i);
	le32(r + 4, 4096);
	le64(r + 8, total);
	le64(r + 16, used);
	le64(r + 24, 256ull << 20);
}

static void i915_reply_gives_device_local_use(void **state)
{
	(void)state;
	unsigned char buf[16 + 3 * 88] = { 0 };
	le32(buf, 3);
	i915_region(buf, 0, 0, 0, 32 * GIB, 20 * GIB); /* system memory: not VRAM */
	i915_region(buf, 1, 1, 0, 8 * GIB, 6 * GIB);   /* local0 */
	i915_region(buf, 2, 1, 1, 8 * GIB, 7 * GIB);   /* local1, a second tile */
	xpu_intel_vram v;
	assert_true(xpu_i915_parse_mem_regions(buf, sizeof(buf), &v));
	assert_int_equal(v.regions, 2);
	assert_int_equal(v.total, 16 * GIB);
	assert_int_equal(v.used, 3 * GIB);
}

static void i915_reply_shorter_than_its_count_is_refused(void **state)
{
	(void)state;
	unsigned char buf[16 + 2 * 88] = { 0 };
	le32(buf, 3);
	i915_region(buf, 0, 1, 0, 8 * GIB, 6 * GIB);
	xpu_intel_vram v;
	assert_false(xpu_i915_parse_mem_regions(buf, sizeof(buf), &v));
	assert_false(xpu_i915_parse_mem_regions(buf, 10, &v));
	le32(buf, 0xffffffffu); /* a count that would overflow a size */
	assert_false(xpu_i915_parse_mem_regions(buf, sizeof(buf), &v));
}

static void xe_reply_gives_vram_use(void **state)
{
	(void)state;
	unsigned char buf[8 + 2 * 88] = { 0 };
	le32(buf, 2);
	xe_region(buf, 0, 0, 64 * GIB, 5 * GIB); /* sysmem */
	xe_region(buf, 1, 1, 12 * GIB, 3 * GIB); /* vram0 */
	xpu_intel_vram v;
	assert_true(xpu_xe_parse_mem_regions(buf, sizeof(buf), &v));
	assert_int_equal(v.regions, 1);
	assert_int_equal(v.total, 12 * GIB);
	assert_int_equal(v.used, 3 * GIB);
	assert_false(xpu_xe_parse_mem_regions(buf, 8 + 88, &v));
}

/* The kernel hides use from callers without the capability (i915: all
 * unallocated; xe: used 0): the reply's 0 must not become a value. */
static void without_perfmon_use_is_unknown_with_the_reason(void **state)
{
	(void)state;
	unsigned char buf[8 + 88] = { 0 };
	le32(buf, 1);
	xe_region(buf, 0, 1, 12 * GIB, 0);
	xpu_intel_vram v;
	assert_true(xpu_xe_parse_mem_regions(buf, sizeof(buf), &v));
	xpu_device d;
	memset(&d, 0, sizeof(d));
	xpu_intel_vram_apply(&d, &v, false, "xe");
	assert_int_equal(d.memory_total_bytes.status.state, XPU_OK);
	assert_int_equal(d.memory_total_bytes.value, 12 * GIB);
	assert_int_equal(d.memory_used_bytes.status.state, XPU_UNAVAILABLE);
	assert_int_equal(d.memory_used_bytes.status.reason, XPU_R_NEEDS_CAP_PERFMON);
	assert_non_null(strstr(d.memory_used_bytes.status.detail, "cap_perfmon"));

	memset(&d, 0, sizeof(d));
	xpu_set_uint(&d.memory_total_bytes, 11 * GIB); /* sysfs's size stays */
	xpu_intel_vram_apply(&d, &v, true, "xe");
	assert_int_equal(d.memory_total_bytes.value, 11 * GIB);
	assert_int_equal(d.memory_used_bytes.status.state, XPU_OK);
	assert_int_equal(d.memory_used_bytes.value, 0);
}


static void capabilities_from_cap_eff(void **state)
{
	(void)state;
	snprintf(tree_root, sizeof(tree_root), "/tmp/xpu-caps-XXXXXX");
	assert_non_null(mkdtemp(tree_root));
	xsys s;
	char err[128];
	assert_int_equal(xsys_init(&s, tree_root, err, sizeof(err)), 0);
	assert_false(xpu_perfmon_capable(&s)); /* no status file: not capable */
	const char *head = "Name:\txpu\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n";
	put("proc/self/status", "%sCapEff:\t0000000000000000\n", head);
	assert_false(xpu_perfmon_capable(&s)); /* permitted is not effective */
	put("proc/self/status", "%sCapEff:\t0000004000000000\n", head);
	assert_true(xpu_perfmon_capable(&s)); /* CAP_PERFMON, bit 38 */
	put("proc/self/status", "%sCapEff:\t0000000000200000\n", head);
	assert_true(xpu_perfmon_capable(&s)); /* CAP_SYS_ADMIN, bit 21 */
	put("proc/self/status", "CapEff:\t0000004000000000\nCapBnd:\t0000000000000000\n");
	assert_true(xpu_perfmon_capable(&s)); /* the first line, and CapBnd is not it */
	sh("rm -rf %s", tree_root);
}

static void pmu_names_and_files(void **state)
{
	(void)state;
	char name[64];
	xpu_pmu_device_name("i915", "0000:00:02.0", name, sizeof(name));
	assert_string_equal(name, "i915");
	xpu_pmu_device_name("i915", "0000:03:00.0", name, sizeof(name));
	assert_string_equal(name, "i915_0000_03_00.0");
	xpu_pmu_device_name("xe", "0000:00:02.0", name, sizeof(name));
	assert_string_equal(name, "xe_0000_00_02.0");

	uint64_t config = 0;
	assert_true(xpu_pmu_parse_event("config=0x3000", &config));
	assert_int_equal(config, 0x3000);
	assert_true(xpu_pmu_parse_event("event=0x02", &config));
	assert_int_equal(config, 2);
	assert_false(xpu_pmu_parse_event("ns", &config)); /* a .unit file */
	assert_false(xpu_pmu_parse_event("config=", &config));
	assert_false(xpu_pmu_parse_event("config=0xzz", &config));

	unsigned shift = 0;
	assert_true(xpu_pmu_parse_format_shift("config:20-27", &shift));
	assert_int_equal(shift, 20);
	assert_true(xpu_pmu_parse_format_shift("config:60-63", &shift));
	assert_int_equal(shift, 60);
	assert_false(xpu_pmu_parse_format_shift("config1:0-7", &shift));
	assert_false(xpu_pmu_parse_format_shift("config:99-100", &shift));

	char cls[24];
	assert_string_equal(xpu_pmu_i915_engine_class("rcs0-busy", cls, sizeof(cls)), "render");
	assert_string_equal(xpu_pmu_i915_engine_class("vecs0-busy", cls, sizeof(cls)), "video-enhance");
	assert_string_equal(xpu_pmu_i915_engine_class("vcs1-busy", cls, sizeof(cls)), "video");
	assert_string_equal(xpu_pmu_i915_engine_class("ccs3-busy", cls, sizeof(cls)), "compute");
	assert_null(xpu_pmu_i915_engine_class("rcs0-wait", cls, sizeof(cls)));
	assert_null(xpu_pmu_i915_engine_class("actual-frequency", cls, sizeof(cls)));
	assert_null(xpu_pmu_i915_engine_class("-busy", cls, sizeof(cls)));
}

static void busy_is_the_delta_over_the_window(void **state)
{
	(void)state;
	double p = -1;
	/* i915: 250 ms busy over 1 s of wall time */
	assert_true(xpu_pmu_busy_percent(5000000000ull, 5250000000ull, 10000000000ull,
					 11000000000ull, &p));
	assert_float_equal(p, 25.0, 1e-9);
	/* xe: active ticks over total ticks */
	assert_true(xpu_pmu_busy_percent(100, 400, 1000, 2200, &p));
	assert_float_equal(p, 25.0, 1e-9);
	/* read a moment apart, busy may pass the window: at most 100 */
	assert_true(xpu_pmu_busy_percent(0, 1000500, 0, 1000000, &p));
	assert_float_equal(p, 100.0, 1e-9);
	/* an empty window, or a counter that went back, gives nothing */
	assert_false(xpu_pmu_busy_percent(0, 10, 5, 5, &p));
	assert_false(xpu_pmu_busy_percent(500, 100, 0, 1000, &p));
}

static void permission_gate_follows_the_kernel_rule(void **state)
{
	(void)state;
	char why[96];
	assert_null(xpu_pmu_denied(2, true, true, why, sizeof(why)));   /* CAP_PERFMON */
	assert_null(xpu_pmu_denied(0, true, false, why, sizeof(why)));  /* paranoid 0 */
	assert_null(xpu_pmu_denied(-1, true, false, why, sizeof(why)));
	assert_non_null(xpu_pmu_denied(1, true, false, why, sizeof(why)));
	assert_string_equal(why, "perf_event_paranoid=1 and no CAP_PERFMON");
	assert_non_null(xpu_pmu_denied(0, false, false, why, sizeof(why)));
	assert_non_null(strstr(why, "unreadable"));
}

/* --- the sampler with a PMU presented in sysfs --- */

static int pmu_setup(void **state)
{
	(void)state;
	snprintf(tree_root, sizeof(tree_root), "/tmp/xpu-pmu-XXXXXX");
	assert_non_null(mkdtemp(tree_root));
	sh("cp -a '%s/tests/fixtures/i915-igpu/.' %s/", SOURCE_DIR, tree_root);
	/* a PMU type no kernel hands out: the open must fail on any machine */
	put("sys/bus/event_source/devices/i915/type", "4242\n");
	put("sys/bus/event_source/devices/i915/cpumask", "0\n");
	put("sys/bus/event_source/devices/i915/events/rcs0-busy", "config=0x0\n");
	put("sys/bus/event_source/devices/i915/events/rcs0-busy.unit", "ns\n");
	put("sys/bus/event_source/devices/i915/events/actual-frequency", "config=0x100000\n");
	return 0;
}

static int pmu_teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", tree_root);
	return 0;
}

static const xpu_device_sample *igpu_sample(xpu_sampler **out)
{
	xpu_sampler_options o = { .discovery = { .sysroot = tree_root, .probe_runtimes = -1 } };
	char err[256];
	xpu_sampler *s = xpu_sampler_new(&o, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(xpu_sampler_refresh_at(s, 1000000000ull, err, sizeof(err)), 0);
	assert_int_equal(xpu_sampler_refresh_at(s, 2000000000ull, err, sizeof(err)), 0);
	const xpu_sample *x = xpu_sampler_last(s);
	assert_non_null(x);
	assert_string_equal(x->devices[0].dev.pci_address, "0000:00:02.0");
	*out = s;
	return &x->devices[0];
}

static void pmu_denied_without_perfmon_says_why(void **state)
{
	(void)state;
	put("proc/sys/kernel/perf_event_paranoid", "2\n");
	put("proc/self/status", "Name:\txpu\nCapEff:\t0000000000000000\n");
	xpu_sampler *s = NULL;
	const xpu_device_sample *ds = igpu_sample(&s);
	assert_int_equal(ds->pmu_status.state, XPU_UNAVAILABLE);
	assert_int_equal(ds->pmu_status.reason, XPU_R_NEEDS_CAP_PERFMON);
	assert_non_null(strstr(ds->pmu_status.detail, "perf_event_paranoid=2"));
	assert_int_equal(ds->n_pmu_engines, 0);
	size_t len = 0;
	char *text = xpu_sample_prometheus(xpu_sampler_last(s), false, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "metric=\"xpu_device_engine_utilization_ratio\","
				     "reason=\"needs_cap_perfmon\""));
	free(text);
	char *json = xpu_sample_json(xpu_sampler_last(s), false);
	assert_non_null(strstr(json, "\"device_engines_percent\":{\"value\":null,"
				     "\"state\":\"unavailable\",\"reason\":\"needs_cap_perfmon\""));
	free(json);
	xpu_sampler_free(s);
}

static void pmu_allowed_but_absent_names_the_call(void **state)
{
	(void)state;
	put("proc/sys/kernel/perf_event_paranoid", "2\n");
	put("proc/self/status", "Name:\txpu\nCapEff:\t0000004000000000\n");
	xpu_sampler *s = NULL;
	const xpu_device_sample *ds = igpu_sample(&s);
	/* this kernel has no PMU of type 4242: ENOENT (EPERM/EACCES under a
	 * seccomp filter, then "needs CAP_PERFMON"): either way unavailable,
	 * naming the call and the event */
	assert_int_equal(ds->pmu_status.state, XPU_UNAVAILABLE);
	assert_non_null(strstr(ds->pmu_status.detail, "perf_event_open(i915 rcs0-busy)"));
	assert_int_equal(ds->n_pmu_engines, 0);
	xpu_sampler_free(s);
}

static void no_pmu_in_sysfs_is_unsupported(void **state)
{
	(void)state;
	sh("rm -rf %s/sys/bus/event_source", tree_root);
	xpu_sampler *s = NULL;
	const xpu_device_sample *ds = igpu_sample(&s);
	assert_int_equal(ds->pmu_status.state, XPU_UNSUPPORTED);
	assert_int_equal(ds->pmu_status.reason, XPU_R_FILE_MISSING);
	assert_non_null(strstr(ds->pmu_status.detail, "/sys/bus/event_source/devices/i915/type"));
	/* the fdinfo view still gives the device's busy */
	assert_int_equal(ds->util_percent.status.state, XPU_OK);
	xpu_sampler_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(i915_reply_gives_device_local_use),
		cmocka_unit_test(i915_reply_shorter_than_its_count_is_refused),
		cmocka_unit_test(xe_reply_gives_vram_use),
		cmocka_unit_test(without_perfmon_use_is_unknown_with_the_reason),
		cmocka_unit_test(capabilities_from_cap_eff),
		cmocka_unit_test(pmu_names_and_files),
		cmocka_unit_test(busy_is_the_delta_over_the_window),
		cmocka_unit_test(permission_gate_follows_the_kernel_rule),
		cmocka_unit_test_setup_teardown(pmu_denied_without_perfmon_says_why, pmu_setup,
						pmu_teardown),
		cmocka_unit_test_setup_teardown(pmu_allowed_but_absent_names_the_call, pmu_setup,
						pmu_teardown),
		cmocka_unit_test_setup_teardown(no_pmu_in_sysfs_is_unsupported, pmu_setup,
						pmu_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
