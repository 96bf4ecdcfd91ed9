/* fdinfo parsing on files written from the kernel's drm-usage-stats format
 * for i915, xe and amdgpu, and busy from two readings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "telemetry/fdinfo.h"

static char *slurp(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/telemetry/fdinfo/%s", SOURCE_DIR, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static const xpu_fdinfo_engine *find_engine(const xpu_fdinfo *f, const char *name)
{
	for (unsigned i = 0; i < f->n_engines; i++)
		if (strcmp(f->engines[i].name, name) == 0)
			return &f->engines[i];
	return NULL;
}

static const xpu_fdinfo_region *find_region(const xpu_fdinfo *f, const char *name)
{
	for (unsigned i = 0; i < f->n_regions; i++)
		if (strcmp(f->regions[i].name, name) == 0)
			return &f->regions[i];
	return NULL;
}

static void i915_keys(void **state)
{
	(void)state;
	char *t = slurp("i915.txt");
	xpu_fdinfo f;
	assert_true(xpu_fdinfo_parse(t, &f));
	free(t);
	assert_string_equal(f.driver, "i915");
	assert_string_equal(f.pdev, "0000:00:02.0");
	assert_true(f.has_client_id);
	assert_int_equal(f.client_id, 12);
	const xpu_fdinfo_engine *r = find_engine(&f, "render");
	assert_non_null(r);
	assert_true(r->has_ns);
	assert_int_equal(r->busy_ns, 25662044495ull);
	/* drm-engine-capacity-video is the capacity of "video", not an engine */
	assert_null(find_engine(&f, "capacity-video"));
	assert_int_equal(find_engine(&f, "video")->capacity, 2);
	assert_int_equal(f.n_engines, 4);
	const xpu_fdinfo_region *sys = find_region(&f, "system0");
	assert_non_null(sys);
	assert_int_equal(sys->total, 10724ull * 1024);
	assert_int_equal(sys->resident, 10724ull * 1024);
	assert_false(xpu_fdinfo_region_is_vram("system0"));
	assert_false(xpu_fdinfo_region_is_vram("stolen-system0"));
	assert_true(xpu_fdinfo_region_is_vram("local0"));
}

static void xe_keys(void **state)
{
	(void)state;
	char *t = slurp("xe.txt");
	xpu_fdinfo f;
	assert_true(xpu_fdinfo_parse(t, &f));
	free(t);
	assert_string_equal(f.driver, "xe");
	assert_string_equal(f.pdev, "0000:03:00.0");
	const xpu_fdinfo_engine *rcs = find_engine(&f, "rcs");
	assert_non_null(rcs);
	assert_true(rcs->has_cycles);
	assert_false(rcs->has_ns);
	assert_int_equal(rcs->cycles, 28257900);
	assert_int_equal(rcs->total_cycles, 7655183225ull);
	assert_int_equal(find_engine(&f, "ccs")->capacity, 4);
	assert_int_equal(f.n_engines, 5);
	const xpu_fdinfo_region *vram = find_region(&f, "vram0");
	assert_non_null(vram);
	assert_int_equal(vram->total, 239860ull * 1024);
	assert_true(xpu_fdinfo_region_is_vram("vram0"));
	assert_false(xpu_fdinfo_region_is_vram("gtt"));
	assert_int_equal(find_region(&f, "gtt")->total, 156 * 1024);
}

static void amdgpu_keys(void **state)
{
	(void)state;
	char *t = slurp("amdgpu.txt");
	xpu_fdinfo f;
	assert_true(xpu_fdinfo_parse(t, &f));
	free(t);
	assert_string_equal(f.driver, "amdgpu");
	/* the deprecated drm-memory-REGION counts as what the client holds */
	assert_int_equal(find_region(&f, "vram")->total, 26112ull * 1024);
	assert_int_equal(find_region(&f, "gtt")->total, 4596ull * 1024);
	assert_true(find_engine(&f, "gfx")->has_ns);
	assert_int_equal(find_engine(&f, "gfx")->busy_ns, 1404264840ull);
	/* amd-* keys are the driver's own, not engines or regions */
	assert_null(find_region(&f, "visible-vram"));
	assert_int_equal(f.n_engines, 4);
}

static void ordinary_file_is_no_client(void **state)
{
	(void)state;
	char *t = slurp("not-drm.txt");
	xpu_fdinfo f;
	assert_false(xpu_fdinfo_parse(t, &f));
	free(t);
}

static void malformed_values_are_skipped(void **state)
{
	(void)state;
	char text[1024];
	snprintf(text, sizeof(text),
		 "drm-driver:\ti915\r\n"
		 "drm-engine-render:\tlots ns\n"
		 "drm-engine-copy:\t12 furlongs\n"
		 "drm-engine-video:\t99999999999999999999999 ns\n"
		 "drm-total-local0:\t5 parsecs\n"
		 "drm-total-system0:\t18446744073709551615 MiB\n"
		 "drm-engine-with space:\t1 ns\n"
		 "drm-pdev:\tnot-a-bus\n"
		 "drm-engine-compute:\t7 ns\n");
	xpu_fdinfo f;
	assert_true(xpu_fdinfo_parse(text, &f));
	assert_string_equal(f.pdev, "");
	assert_int_equal(f.n_engines, 1);
	assert_string_equal(f.engines[0].name, "compute");
	assert_int_equal(f.n_regions, 0);
	/* CR before the newline is white space */
	assert_string_equal(f.driver, "i915");
}

static void busy_from_ns(void **state)
{
	(void)state;
	xpu_fdinfo_engine a = { .name = "render", .has_ns = true, .busy_ns = 1000000000, .capacity = 1 };
	xpu_fdinfo_engine b = a;
	b.busy_ns += 250000000; /* 250 ms busy in 500 ms */
	double p = -1;
	assert_true(xpu_fdinfo_engine_busy(&a, &b, 500000000, &p));
	assert_float_equal(p, 50.0, 1e-9);
	/* two video engines: one second of busy time in one second is half */
	b.capacity = 2;
	b.busy_ns = a.busy_ns + 1000000000;
	assert_true(xpu_fdinfo_engine_busy(&a, &b, 1000000000, &p));
	assert_float_equal(p, 50.0, 1e-9);
	/* counter went back (the client was replaced): no value */
	b.busy_ns = 1;
	assert_false(xpu_fdinfo_engine_busy(&a, &b, 1000000000, &p));
	/* no time passed: no value */
	b.busy_ns = a.busy_ns;
	assert_false(xpu_fdinfo_engine_busy(&a, &b, 0, &p));
}

static void busy_from_cycles(void **state)
{
	(void)state;
	xpu_fdinfo_engine a = { .name = "ccs", .has_cycles = true, .cycles = 100, .total_cycles = 1000,
				.capacity = 4 };
	xpu_fdinfo_engine b = a;
	b.cycles = 150;
	b.total_cycles = 1100; /* 50 of 100 ticks on one of four engines */
	double p = -1;
	assert_true(xpu_fdinfo_engine_busy(&a, &b, 0, &p));
	assert_float_equal(p, 12.5, 1e-9);
	b.capacity = 1;
	assert_true(xpu_fdinfo_engine_busy(&a, &b, 0, &p));
	assert_float_equal(p, 50.0, 1e-9);
	/* more busy than total (a racy read) is clamped to 100 */
	b.cycles = 1000;
	assert_true(xpu_fdinfo_engine_busy(&a, &b, 0, &p));
	assert_float_equal(p, 100.0, 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(i915_keys),
		cmocka_unit_test(xe_keys),
		cmocka_unit_test(amdgpu_keys),
		cmocka_unit_test(ordinary_file_is_no_client),
		cmocka_unit_test(malformed_values_are_skipped),
		cmocka_unit_test(busy_from_ns),
		cmocka_unit_test(busy_from_cycles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
