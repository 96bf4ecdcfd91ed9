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

static void damaged_files_are_misses(void **state)
{
	unlink(file);
	xpu_system *sys = discover(XPU_CACHE_USE);
	uint64_t fp = sys->cache_fingerprint;
	size_t n;
	unsigned char *data = slurp(&n);
	xpu_cache_contents *c = malloc(sizeof(*c));
	assert_non_null(c);
	assert_true(xpu_cache_parse(data, n, fp, c));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_stored_probe_comes_back_equal),
		cmocka_unit_test(damaged_files_are_misses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
