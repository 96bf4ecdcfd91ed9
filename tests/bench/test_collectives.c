/* The several-GPU figures' arithmetic and libraries, where no GPU is: the bus
 * bandwidth factors nccl-tests uses, the peer peak of a pair's link, and
 * NCCL's and RCCL's search: absent with what to install, or (where a
 * libnccl.so.2 is installed, as on a CUDA toolkit machine) its real symbol
 * table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_int.h"
#include "model/value.h"
#include "runtimes/nccl_api.h"

/* nccl-tests doc/PERFORMANCE.md: busbw = algbw x 2(n-1)/n for all-reduce,
 * (n-1)/n for all-gather and reduce-scatter, 1 for broadcast. */
static void test_busbw_factors(void **state)
{
	assert_true(bench_busbw_factor(BENCH_FIG_ALLREDUCE, 2) == 1.0);
	assert_true(bench_busbw_factor(BENCH_FIG_ALLREDUCE, 8) == 1.75);
	assert_true(bench_busbw_factor(BENCH_FIG_ALLREDUCE, 1) == 0.0);
	assert_true(bench_busbw_factor(BENCH_FIG_ALLGATHER, 8) == 0.875);
	assert_true(bench_busbw_factor(BENCH_FIG_REDUCESCATTER, 4) == 0.75);
	assert_true(bench_busbw_factor(BENCH_FIG_BROADCAST, 8) == 1.0);
	assert_true(bench_busbw_factor(BENCH_FIG_ALLREDUCE, 0) == 0.0);
}

static xpu_device h200(void)
{
	xpu_device d;
	memset(&d, 0, sizeof(d));
	d.vendor = XPU_VENDOR_NVIDIA;
	d.pci_vendor_id = 0x10de;
	d.pci_device_id = 0x2335;
	return d;
}

static void test_peer_peak(void **state)
{
	xpu_device a = h200(), b = h200();
	xpu_link l;
	memset(&l, 0, sizeof(l));
	xpu_set_ok(&l.status);
	l.kind = XPU_LINK_NVLINK;
	l.links = 18;
	xpu_real p;
	char how[96];
	memset(&p, 0, sizeof(p));
	bench_peer_peak(&p, &l, &a, &b, how, sizeof(how));
	assert_true(xpu_is_ok(&p.status));
	assert_true(p.value == 18 * 26.5625);
	assert_string_equal(how, "table: 18 links x 26.5625 GB/s");
	/* over PCIe: the slower host link of the table (Gen5 x16) */
	l.kind = XPU_LINK_PHB;
	l.links = 0;
	bench_peer_peak(&p, &l, &a, &b, how, sizeof(how));
	assert_true(xpu_is_ok(&p.status) && p.value == 63.0);
	/* a link not known: its reason */
	xpu_set_status(&l.status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED, "nvml not probed");
	bench_peer_peak(&p, &l, &a, &b, how, sizeof(how));
	assert_int_equal(p.status.reason, XPU_R_NOT_PROBED);
	assert_string_equal(p.status.detail, "nvml not probed");
	/* a GPU without a table row: says which */
	xpu_set_ok(&l.status);
	b.pci_device_id = 0x1234;
	bench_peer_peak(&p, &l, &a, &b, how, sizeof(how));
	assert_int_equal(p.status.state, XPU_UNSUPPORTED);
	assert_non_null(strstr(p.status.detail, "10de:1234"));
}

static void test_nccl_at_a_wrong_path(void **state)
{
	char where[200], err[400];
	setenv("XPU_NCCL", "/nonexistent/libnccl.so.2", 1);
	assert_null(xpu_ccl_open(&xpu_nccl_lib, where, sizeof(where), err, sizeof(err)));
	assert_string_equal(err, "NCCL not found at XPU_NCCL=/nonexistent/libnccl.so.2 "
				 "(give libnccl.so.2 or its folder)");
	unsetenv("XPU_NCCL");
}

/* Absent: what to install; present: the real library's table. */
static void test_nccl_found_or_hint(void **state)
{
	char where[200], err[400];
	void *lib = xpu_ccl_open(&xpu_nccl_lib, where, sizeof(where), err, sizeof(err));
	if (!lib) {
		assert_non_null(strstr(err, "NCCL not found (libnccl.so.2 in no searched place)"));
		assert_non_null(strstr(err, "install libnccl2"));
		assert_non_null(strstr(err, "pip install nvidia-nccl-cu12"));
		return;
	}
	const xpu_nccl_api *a = xpu_nccl_api_of(lib);
	assert_non_null(a->comm_init_all);
	assert_non_null(a->all_reduce);
	assert_non_null(a->all_gather);
	assert_non_null(a->reduce_scatter);
	assert_non_null(a->broadcast);
	assert_non_null(a->group_start);
	int v = 0;
	assert_int_equal(a->get_version(&v), XNCCL_SUCCESS);
	assert_true(v >= 20000); /* 2.x: major x 10000 */
}

static void test_rccl_absent_says_what_to_install(void **state)
{
	char where[200], err[400];
	void *lib = xpu_ccl_open(&xpu_rccl_lib, where, sizeof(where), err, sizeof(err));
	if (lib)
		skip(); /* a ROCm machine: nothing absent to report */
	assert_string_equal(err, "RCCL not found (librccl.so.1 in no searched place): "
				 "install rccl (ROCm); or set XPU_RCCL to it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busbw_factors),
		cmocka_unit_test(test_peer_peak),
		cmocka_unit_test(test_nccl_at_a_wrong_path),
		cmocka_unit_test(test_nccl_found_or_hint),
		cmocka_unit_test(test_rccl_absent_says_what_to_install),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
