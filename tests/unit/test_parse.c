/* The parsers every sysfs and procfs value goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "sys/parse.h"

static void u64_accepts_decimal_hex_and_newlines(void **state)
{
	uint64_t v;
	assert_true(xpu_parse_u64("2450\n", &v));
	assert_int_equal(v, 2450);
	assert_true(xpu_parse_u64("0x8086", &v));
	assert_int_equal(v, 0x8086);
	assert_true(xpu_parse_u64("  55000000 \n", &v));
	assert_int_equal(v, 55000000);
}

static void u64_rejects_garbage_sign_and_truncation(void **state)
{
	uint64_t v = 7;
	const char *bad[] = { "", "\n", "-1", "12abc", "0x", "abc", "1 2", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(xpu_parse_u64(bad[i], &v));
	assert_int_equal(v, 7); /* untouched on failure */
}

static void i64_handles_negative_hysteresis(void **state)
{
	int64_t v;
	assert_true(xpu_parse_i64("-273150\n", &v));
	assert_int_equal(v, -273150);
	assert_false(xpu_parse_i64("-", &v));
	assert_false(xpu_parse_i64("5x", &v));
}

static void kv_reads_uevent_and_proc_styles(void **state)
{
	char v[64];
	const char *uevent = "DRIVER=xe\nPCI_CLASS=30000\nPCI_ID=8086:E20B\nPCI_SLOT_NAME=0000:09:00.0\n";
	assert_true(xpu_kv_get(uevent, "PCI_ID", '=', v, sizeof(v)));
	assert_string_equal(v, "8086:E20B");
	assert_true(xpu_kv_get(uevent, "DRIVER", '=', v, sizeof(v)));
	assert_string_equal(v, "xe");
	assert_false(xpu_kv_get(uevent, "PCI", '=', v, sizeof(v))); /* prefix is not a key */
	assert_true(xpu_kv_get("Model: \t\t NVIDIA H200  \nIRQ: 5\n", "Model", ':', v, sizeof(v)));
	assert_string_equal(v, "NVIDIA H200");
	char small[4];
	assert_true(xpu_kv_get(uevent, "PCI_SLOT_NAME", '=', small, sizeof(small)));
	assert_string_equal(small, "000"); /* truncated, terminated */
}

static void id_pairs_and_pci_addresses(void **state)
{
	uint16_t a, b;
	char out[16];
	assert_true(xpu_parse_id_pair("8086:56A5", &a, &b));
	assert_int_equal(a, 0x8086);
	assert_int_equal(b, 0x56a5);
	assert_false(xpu_parse_id_pair("8086", &a, &b));
	assert_false(xpu_parse_id_pair("80866:1", &a, &b));
	assert_true(xpu_pci_normalize("00000000:18:00.0", out, sizeof(out)));
	assert_string_equal(out, "0000:18:00.0");
	assert_true(xpu_pci_normalize("0B:00.0", out, sizeof(out)));
	assert_string_equal(out, "0000:0b:00.0");
	assert_false(xpu_pci_normalize("0000:18:00", out, sizeof(out)));
	assert_false(xpu_pci_normalize("0000:18:20.0", out, sizeof(out))); /* device > 31 */
	assert_false(xpu_pci_normalize("garbage", out, sizeof(out)));
}

static void nvidia_information_file(void **state)
{
	xpu_nv_information info;
	const char *text = "Model: \t\t NVIDIA H200\nIRQ:   \t\t 0\n"
			   "GPU UUID: \t GPU-3a7c0f5e-1111-2222-3333-444455556666\n"
			   "Video BIOS: \t 96.00.99.00.01\nBus Type: \t PCIe\n"
			   "Bus Location: \t 0000:18:00.0\nDevice Minor: \t 3\nGPU Excluded:\t No\n";
	assert_true(xpu_parse_nvidia_information(text, &info));
	assert_string_equal(info.model, "NVIDIA H200");
	assert_string_equal(info.uuid, "GPU-3a7c0f5e-1111-2222-3333-444455556666");
	assert_string_equal(info.bus_location, "0000:18:00.0");
	assert_int_equal(info.device_minor, 3);
	assert_false(xpu_parse_nvidia_information("IRQ: 5\n", &info)); /* no model */
	assert_true(xpu_parse_nvidia_information("Model: X\nDevice Minor: -4\n", &info));
	assert_int_equal(info.device_minor, -1);
}

static void nvidia_version_both_module_flavours(void **state)
{
	char v[32];
	assert_true(xpu_parse_nvidia_version(
		"NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.86.16  Thu Jan 16 2025\n", v, sizeof(v)));
	assert_string_equal(v, "570.86.16");
	assert_true(xpu_parse_nvidia_version(
		"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build\n", v,
		sizeof(v)));
	assert_string_equal(v, "580.95.05");
	assert_false(xpu_parse_nvidia_version("NVRM version: garbage\n", v, sizeof(v)));
}

static void amdgpu_dpm_and_overdrive_tables(void **state)
{
	unsigned mhz[8], lo, hi;
	int active;
	assert_int_equal(xpu_parse_dpm_levels("0: 500Mhz\n1: 31Mhz *\n2: 2219Mhz\n", mhz, 8, &active), 3);
	assert_int_equal(mhz[2], 2219);
	assert_int_equal(active, 1);
	assert_int_equal(xpu_parse_dpm_levels("garbage\n", mhz, 8, &active), 0);
	assert_int_equal(active, -1);
	/* found by fuzz_amdgpu: blank lines neither crash nor count twice */
	assert_int_equal(xpu_parse_dpm_levels(" \n0: 5Mhz", mhz, 8, &active), 1);
	assert_int_equal(xpu_parse_dpm_levels("0: 5Mhz\n\n1: 6Mhz\n2: 7Mhz *\n", mhz, 8, &active), 3);
	assert_int_equal(mhz[1], 6);
	assert_int_equal(active, 2);
	const char *od = "OD_SCLK:\n0: 500Mhz\n1: 2735Mhz\nOD_MCLK:\n0: 97Mhz\n1: 1250MHz\nOD_VDDGFX_OFFSET:\n0mV\n";
	assert_true(xpu_parse_od_range(od, "OD_SCLK:", &lo, &hi));
	assert_int_equal(lo, 500);
	assert_int_equal(hi, 2735);
	assert_true(xpu_parse_od_range(od, "OD_MCLK:", &lo, &hi));
	assert_int_equal(hi, 1250);
	assert_false(xpu_parse_od_range(od, "OD_VDDC_CURVE:", &lo, &hi));
	assert_false(xpu_parse_od_range("OD_SCLK:\n0: 500Mhz\n", "OD_SCLK:", &lo, &hi));
}

static void sizes_and_cpu_lists(void **state)
{
	uint64_t b;
	unsigned n;
	assert_true(xpu_parse_size("48K\n", &b));
	assert_int_equal(b, 48 * 1024);
	assert_true(xpu_parse_size("32M", &b));
	assert_int_equal(b, 32u << 20);
	assert_false(xpu_parse_size("12Q", &b));
	assert_true(xpu_parse_cpulist_count("0-3,8,10-11\n", &n));
	assert_int_equal(n, 7);
	assert_false(xpu_parse_cpulist_count("3-1", &n));
	assert_false(xpu_parse_cpulist_count("0-", &n));
	assert_false(xpu_parse_cpulist_count("", &n));
}

/* Where a PCI device sits, from the path its sysfs link resolves to; CPU
 * masks as NVML fills them. */
static void pci_places_and_cpu_masks(void **state)
{
	xpu_pci_place p;
	assert_true(xpu_parse_pci_place("/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:00.0", &p));
	assert_string_equal(p.root, "pci0000:00");
	assert_int_equal(p.depth, 3);
	assert_string_equal(p.chain[2], "0000:02:00.0");
	/* Arm: the host bridge under a platform device */
	assert_true(xpu_parse_pci_place("/sys/devices/platform/soc/fe000000.pcie/pci0001:00/0001:00:00.0", &p));
	assert_string_equal(p.root, "pci0001:00");
	assert_int_equal(p.depth, 1);
	/* VMD's 5-digit domains are not read: NVMe sits there, no GPU */
	assert_false(xpu_parse_pci_place("/sys/devices/pci10000:00/10000:00:02.0", &p));
	/* a plain folder (an old snapshot) and a path below a device are no place */
	assert_false(xpu_parse_pci_place("/sys/bus/pci/devices/0000:00:06.0", &p));
	assert_false(xpu_parse_pci_place("/sys/devices/pci0000:00/0000:00:06.0/drm", &p));
	assert_false(xpu_parse_pci_place("/sys/devices/pci0000:00", &p));

	unsigned long m[2] = { 0xffffffffUL, 0 };
	char out[64];
	assert_true(xpu_cpulist_from_mask(m, 2, out, sizeof(out)));
	assert_string_equal(out, "0-31");
	m[0] = 0x5UL | (1UL << 63);
	m[1] = 0x3UL;
	assert_true(xpu_cpulist_from_mask(m, 2, out, sizeof(out)));
	assert_string_equal(out, "0,2,63-65");
	assert_false(xpu_cpulist_from_mask(m, 2, out, 4)); /* does not fit */
	m[0] = m[1] = 0;
	assert_false(xpu_cpulist_from_mask(m, 2, out, sizeof(out))); /* no CPU */
}

static void cpuinfo_first_block_and_flags(void **state)
{
	xpu_cpuinfo info;
	assert_true(xpu_parse_cpuinfo("processor\t: 0\nmodel name\t: AMD EPYC 9654\nflags\t\t: fpu avx2 "
				      "avx512f amx_tile\n\nprocessor\t: 1\nmodel name\t: other\n",
				      &info));
	assert_string_equal(info.model, "AMD EPYC 9654");
	assert_true(xpu_word_in(info.flags, "avx512f"));
	assert_true(xpu_word_in(info.flags, "amx_tile"));
	assert_false(xpu_word_in(info.flags, "avx512")); /* a word, not a prefix */
	assert_false(xpu_word_in(info.flags, "amx"));
	assert_false(xpu_word_in("X", "")); /* found by fuzz_cpuinfo: used to loop forever */
}

/* Each list in a heap block of exactly its size, so that ASan sees a read
 * past the end (an empty word once read list[-1] and past the terminator). */
static bool word_in_exact(const char *list, const char *word)
{
	size_t n = strlen(list) + 1;
	char *copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, list, n);
	bool found = xpu_word_in(copy, word);
	free(copy);
	return found;
}

static void word_lists(void **state)
{
	(void)state;
	assert_false(word_in_exact("", ""));
	assert_false(word_in_exact("a b", ""));
	assert_false(word_in_exact("", "a"));
	assert_true(word_in_exact("cuda level_zero", "level_zero")); /* the last word */
	assert_true(word_in_exact("cuda", "cuda"));                  /* the only word */
	assert_true(word_in_exact("fpu\tavx2\nsse", "avx2"));       /* any white space */
	assert_false(word_in_exact("level_zero", "zero"));            /* a word's tail */
	assert_false(word_in_exact("cu", "cuda"));                    /* longer than the list */
	assert_true(word_in_exact("aaa aa", "aa"));                   /* after a near miss */
}

static void appending_parts(void **state)
{
	(void)state;
	char buf[12] = "";
	xpu_append(buf, sizeof(buf), "; ", "%s", "a");
	assert_string_equal(buf, "a"); /* no separator before the first part */
	xpu_append(buf, sizeof(buf), "; ", "%d", 42);
	assert_string_equal(buf, "a; 42");
	xpu_append(buf, sizeof(buf), "; ", "%s", "long tail");
	assert_string_equal(buf, "a; 42; long"); /* cut at the buffer, terminated */
	xpu_append(buf, sizeof(buf), "; ", "%s", "more");
	assert_string_equal(buf, "a; 42; long"); /* a full buffer is left alone */
}

static void cpu_identity_and_clock(void **state)
{
	(void)state;
	xpu_cpu_id id;
	/* x86: this machine's kind of block (a VM hides the model name) */
	assert_true(xpu_parse_cpu_id("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
				     "model\t\t: 1\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2445.424\n\n"
				     "processor\t: 1\nmodel\t\t: 99\n", &id));
	assert_string_equal(id.vendor, "AuthenticAMD");
	assert_int_equal(id.family, 25);
	assert_int_equal(id.model, 1); /* the first block's */
	assert_string_equal(id.model_name, "AMD EPYC");
	assert_true(id.mhz > 2445 && id.mhz < 2446);
	assert_int_equal(id.implementer, -1);
	/* Arm: implementer and part in hex, no clock */
	assert_true(xpu_parse_cpu_id("processor\t: 0\nBogoMIPS\t: 2000.00\nCPU implementer\t: 0x41\n"
				     "CPU part\t: 0xd4f\n", &id));
	assert_int_equal(id.implementer, 0x41);
	assert_int_equal(id.part, 0xd4f);
	assert_int_equal(id.family, -1);
	assert_true(id.mhz == 0);
	assert_false(xpu_parse_cpu_id("garbage\n", &id));
}

static void proc_stat_cpu_line(void **state)
{
	(void)state;
	xpu_cpu_ticks t;
	assert_true(xpu_parse_proc_stat("cpu  100 20 30 400 50 6 7 8 0 0\ncpu0 1 2 3 4\n", &t));
	assert_int_equal(t.total, 621);
	assert_int_equal(t.idle, 450);
	assert_int_equal(t.steal, 8);
	/* an old kernel without steal */
	assert_true(xpu_parse_proc_stat("cpu  1 2 3 4\n", &t));
	assert_int_equal(t.steal, 0);
	assert_false(xpu_parse_proc_stat("cpu0 1 2 3 4\n", &t));
	assert_false(xpu_parse_proc_stat("cpu  1 2\n", &t));
	assert_false(xpu_parse_proc_stat("cpu  18446744073709551615 1 1 1\n", &t));
}

static void icd_manifests(void **state)
{
	char lib[32];
	assert_true(xpu_parse_icd_library("/usr/lib/x86_64-linux-gnu/intel-opencl/libigdrcl.so\n", lib, 32) == false);
	char big[128];
	assert_true(xpu_parse_icd_library("  libnvidia-opencl.so.1 \r\n# comment\n", big, sizeof(big)));
	assert_string_equal(big, "libnvidia-opencl.so.1");
	assert_true(xpu_parse_icd_library("libpocl.so.2", lib, sizeof(lib)));
	assert_string_equal(lib, "libpocl.so.2");
	assert_false(xpu_parse_icd_library("", lib, sizeof(lib)));
	assert_false(xpu_parse_icd_library(" \t\n/lib/x.so", lib, sizeof(lib)));
}

/* xpu_ln stands in for libm's log (xpu links no libm: each library costs
 * every start); the bench's Poisson arrivals rely on it over (0, 1] and the
 * rest of the range must hold too. */
static void ln_matches_libm_log(void **state)
{
	(void)state;
	uint64_t seed = 88172645463325252ull;
	double worst = 0;
	for (int i = 0; i < 200000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		/* exponents over the whole normal range, mantissas at random */
		double x = ldexp(1.0 + (double)(seed >> 11) / 9007199254740992.0,
				 (int)(seed % 2040) - 1020);
		double want = log(x), got = xpu_ln(x);
		double err = fabs(got - want) / (fabs(want) > 1e-300 ? fabs(want) : 1);
		if (want != 0 && err > worst)
			worst = err;
	}
	assert_true(worst < 4e-16);
	for (double u = 1e-17; u <= 1; u *= 1.7) /* the (0, 1] of the arrivals */
		assert_true(fabs(xpu_ln(u) - log(u)) <= 4e-16 * fabs(log(u)) + 1e-300);
	assert_true(xpu_ln(1) == 0);
	assert_true(fabs(xpu_ln(M_E) - 1) < 3e-16);
	assert_true(isnan(xpu_ln(-1)) && isnan(xpu_ln(NAN)));
	assert_true(isinf(xpu_ln(0)) && xpu_ln(0) < 0);
	assert_true(isinf(xpu_ln(INFINITY)) && xpu_ln(INFINITY) > 0);
	assert_true(fabs(xpu_ln(4.9e-324) - log(4.9e-324)) < 1e-12); /* subnormal */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(u64_accepts_decimal_hex_and_newlines),
		cmocka_unit_test(u64_rejects_garbage_sign_and_truncation),
		cmocka_unit_test(i64_handles_negative_hysteresis),
		cmocka_unit_test(kv_reads_uevent_and_proc_styles),
		cmocka_unit_test(id_pairs_and_pci_addresses),
		cmocka_unit_test(nvidia_information_file),
		cmocka_unit_test(nvidia_version_both_module_flavours),
		cmocka_unit_test(amdgpu_dpm_and_overdrive_tables),
		cmocka_unit_test(sizes_and_cpu_lists),
		cmocka_unit_test(pci_places_and_cpu_masks),
		cmocka_unit_test(cpuinfo_first_block_and_flags),
		cmocka_unit_test(word_lists),
		cmocka_unit_test(appending_parts),
		cmocka_unit_test(cpu_identity_and_clock),
		cmocka_unit_test(proc_stat_cpu_line),
		cmocka_unit_test(icd_manifests),
		cmocka_unit_test(ln_matches_libm_log),
	};
	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
