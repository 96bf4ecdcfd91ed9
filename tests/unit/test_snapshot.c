/* xpu snapshot from a hostile or unusual source: a file longer than the
 * cap is cut there and named (it used to be cut at 64 KiB without a word);
 * a FIFO or a socket where a file was copies nothing and does not block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/snapshot.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

static char src[64], out[64];

static int setup(void **state)
{
	snprintf(src, sizeof(src), "/tmp/xpu-test-snapsrc-XXXXXX");
	snprintf(out, sizeof(out), "/tmp/xpu-test-snapout-XXXXXX");
	if (!mkdtemp(src) || !mkdtemp(out))
		return -1;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "cp -R '%s/tests/fixtures/no-drm/.' '%s/'", SOURCE_DIR, src);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", src, out);
	return system(cmd) == 0 ? 0 : -1;
}

static void a_file_longer_than_the_cap_is_cut_and_named(void **state)
{
	char p[256], err[256];
	/* 2 MiB of cpuinfo: twice the cap */
	snprintf(p, sizeof(p), "%s/proc/cpuinfo", src);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 2 * XPU_SNAPSHOT_FILE_MAX / 64; i++)
		fprintf(f, "processor\t: %-48d\n", i);
	fclose(f);
	xpu_snapshot_result res;
	assert_int_equal(xpu_snapshot_from(src, out, &res, err, sizeof(err)), XPU_E_OK);
	assert_int_equal(res.cut, 1);
	assert_string_equal(res.cut_paths[0], "/proc/cpuinfo");
	struct stat st;
	snprintf(p, sizeof(p), "%s/proc/cpuinfo", out);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, XPU_SNAPSHOT_FILE_MAX);
	assert_true(res.files > 3);
}

static void a_fifo_in_the_source_copies_nothing_and_does_not_block(void **state)
{
	char p[256], err[256], cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", out, out);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/proc/meminfo", src);
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
	xpu_snapshot_result res;
	alarm(10);
	assert_int_equal(xpu_snapshot_from(src, out, &res, err, sizeof(err)), XPU_E_OK);
	alarm(0);
	snprintf(p, sizeof(p), "%s/proc/meminfo", out);
	assert_int_not_equal(access(p, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_file_longer_than_the_cap_is_cut_and_named),
		cmocka_unit_test(a_fifo_in_the_source_copies_nothing_and_does_not_block),
	};
	return cmocka_run_group_tests_name("snapshot", tests, setup, teardown);
}
