/* AMD's gpu_metrics parser against tables laid out by the compiler from the
 * kernel's own struct definitions, and against real tables.
 *
 * The structs below are transcribed from the kernel's
 * drivers/gpu/drm/amd/include/kgd_pp_interface.h (struct gpu_metrics_vF_C;
 * v1_6 in both its shapes: before and after xcp_stats was appended), in
 * declaration order and without packing, as the kernel declares them.  The
 * parser has offsets of its own, written out by hand; the compiler's layout
 * of these structs checks them.  Each table starts all 0xff, as the kernel's
 * smu_cmn_init_soft_gpu_metrics leaves it before the firmware's values go in.
 *
 * The real tables are LACT's captures (github.com/ilya-zlobintsev/LACT,
 * tests/snapshots/amd/NAME/cardN/device/gpu_metrics, MIT licence, see
 * fuzz/corpus/LICENSE.lact), kept once as the fuzz target's seeds; the
 * values they must give are the ones LACT's own tests expect
 * (lact-daemon/src/tests/snapshots/lact_daemon__tests__amd__NAME.snap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/value.h"
#include "vendors/amd_gpu_metrics.h"

#ifndef SOURCE_DIR
#error SOURCE_DIR must name the source tree
#endif

/* ---- the kernel's layouts ---- */

struct k_header {
	uint16_t structure_size;
	uint8_t format_revision;
	uint8_t content_revision;
};

/* The runs of fields v1_0 and v1_1 (and v2_0 and v2_1) declare alike. */
#define K_DGPU_SENSORS                                                         \
	uint16_t temperature_edge, temperature_hotspot, temperature_mem;       \
	uint16_t temperature_vrgfx, temperature_vrsoc, temperature_vrmem;      \
	uint16_t average_gfx_activity, average_umc_activity, average_mm_activity; \
	uint16_t average_socket_power

#define K_DGPU_CLOCKS_FAN                                                      \
	uint16_t average_gfxclk_frequency, average_socclk_frequency;           \
	uint16_t average_uclk_frequency, average_vclk0_frequency;              \
	uint16_t average_dclk0_frequency, average_vclk1_frequency;             \
	uint16_t average_dclk1_frequency;                                      \
	uint16_t current_gfxclk, current_socclk, current_uclk, current_vclk0;  \
	uint16_t current_dclk0, current_vclk1, current_dclk1;                  \
	uint32_t throttle_status;                                              \
	uint16_t current_fan_speed

struct k_v1_0 {
	struct k_header h;
	uint64_t system_clock_counter;
	K_DGPU_SENSORS;
	uint32_t energy_accumulator;
	K_DGPU_CLOCKS_FAN;
	uint8_t pcie_link_width, pcie_link_speed;
};

struct k_v1_1 {
	struct k_header h;
	K_DGPU_SENSORS;
	uint64_t energy_accumulator;
	uint64_t system_clock_counter;
	K_DGPU_CLOCKS_FAN;
	uint16_t pcie_link_width, pcie_link_speed;
	uint16_t padding;
	uint32_t gfx_activity_acc, mem_activity_acc;
	uint16_t temperature_hbm[4];
};

/* v1_2 and v1_3 repeat v1_1 and append; v1_1 is 8-aligned, so nesting
 * gives the same offsets as the kernel's flat declarations */
struct k_v1_2 {
	struct k_v1_1 v1_1;
	uint64_t firmware_timestamp;
};

struct k_v1_3 {
	struct k_v1_2 v1_2;
	uint16_t voltage_soc, voltage_gfx, voltage_mem;
	uint16_t padding1;
	uint64_t indep_throttle_status;
};

/* The Instinct tables (v1_4 to v1_8) share their first 16 bytes. */
#define K_INSTINCT_HEAD                                                        \
	struct k_header h;                                                     \
	uint16_t temperature_hotspot, temperature_mem, temperature_vrsoc;      \
	uint16_t curr_socket_power;                                            \
	uint16_t average_gfx_activity, average_umc_activity

#define K_PCIE_XGMI_COUNTERS                                                   \
	uint16_t pcie_link_width, pcie_link_speed;                             \
	uint16_t xgmi_link_width, xgmi_link_speed;                             \
	uint32_t gfx_activity_acc, mem_activity_acc;                           \
	uint64_t pcie_bandwidth_acc, pcie_bandwidth_inst;                      \
	uint64_t pcie_l0_to_recov_count_acc, pcie_replay_count_acc;            \
	uint64_t pcie_replay_rover_count_acc

#define K_CLOCKS                                                               \
	uint64_t firmware_timestamp;                                           \
	uint16_t current_gfxclk[8], current_socclk[4], current_vclk0[4];       \
	uint16_t current_dclk0[4], current_uclk

#define K_RESIDENCIES                                                          \
	uint32_t accumulation_counter, prochot_residency_acc, ppt_residency_acc; \
	uint32_t socket_thm_residency_acc, vr_thm_residency_acc;               \
	uint32_t hbm_thm_residency_acc, gfxclk_lock_status

struct k_v1_4 {
	K_INSTINCT_HEAD;
	uint16_t vcn_activity[4];
	uint64_t energy_accumulator, system_clock_counter;
	uint32_t throttle_status, gfxclk_lock_status;
	K_PCIE_XGMI_COUNTERS;
	uint64_t xgmi_read_data_acc[8], xgmi_write_data_acc[8];
	K_CLOCKS;
	uint16_t padding;
};

struct k_v1_5 {
	K_INSTINCT_HEAD;
	uint16_t vcn_activity[4], jpeg_activity[32];
	uint64_t energy_accumulator, system_clock_counter;
	uint32_t throttle_status, gfxclk_lock_status;
	K_PCIE_XGMI_COUNTERS;
	uint32_t pcie_nak_sent_count_acc, pcie_nak_rcvd_count_acc;
	uint64_t xgmi_read_data_acc[8], xgmi_write_data_acc[8];
	K_CLOCKS;
	uint16_t padding;
};

#define K_V1_6_BODY                                                            \
	K_INSTINCT_HEAD;                                                       \
	uint64_t energy_accumulator, system_clock_counter;                     \
	K_RESIDENCIES;                                                         \
	K_PCIE_XGMI_COUNTERS;                                                  \
	uint32_t pcie_nak_sent_count_acc, pcie_nak_rcvd_count_acc;             \
	uint64_t xgmi_read_data_acc[8], xgmi_write_data_acc[8];                \
	K_CLOCKS

/* v1_6 as first declared (Linux 6.9) */
struct k_v1_6_first {
	K_V1_6_BODY;
	uint16_t padding;
};

struct k_xcp_metrics {
	uint32_t gfx_busy_inst[8];
	uint16_t jpeg_busy[32], vcn_busy[4];
	uint64_t gfx_busy_acc[8];
};

struct k_xcp_metrics_v1_1 {
	struct k_xcp_metrics base;
	uint64_t gfx_below_host_limit_acc[8];
};

struct k_xcp_metrics_v1_2 {
	uint32_t gfx_busy_inst[8];
	uint16_t jpeg_busy[40], vcn_busy[4];
	uint64_t gfx_busy_acc[8], gfx_below_host_limit_ppt_acc[8];
	uint64_t gfx_below_host_limit_thm_acc[8], gfx_low_utilization_acc[8];
};

/* v1_6 with the partitions appended (the same content revision) */
struct k_v1_6 {
	K_V1_6_BODY;
	uint16_t num_partition;
	struct k_xcp_metrics xcp_stats[8];
	uint32_t pcie_lc_perf_other_end_recovery;
};

#define K_V1_7_BODY(xcp_type)                                                  \
	K_INSTINCT_HEAD;                                                       \
	uint64_t mem_max_bandwidth;                                            \
	uint64_t energy_accumulator, system_clock_counter;                     \
	K_RESIDENCIES;                                                         \
	K_PCIE_XGMI_COUNTERS;                                                  \
	uint32_t pcie_nak_sent_count_acc, pcie_nak_rcvd_count_acc;             \
	uint64_t xgmi_read_data_acc[8], xgmi_write_data_acc[8];                \
	uint16_t xgmi_link_status[8];                                          \
	uint16_t padding;                                                      \
	K_CLOCKS;                                                              \
	uint16_t num_partition;                                                \
	xcp_type xcp_stats[8];                                                 \
	uint32_t pcie_lc_perf_other_end_recovery

struct k_v1_7 {
	K_V1_7_BODY(struct k_xcp_metrics_v1_1);
};

struct k_v1_8 {
	K_V1_7_BODY(struct k_xcp_metrics_v1_2);
};

#define K_APU_SENSORS                                                          \
	uint16_t temperature_gfx, temperature_soc, temperature_core[8], temperature_l3[2]; \
	uint16_t average_gfx_activity, average_mm_activity

#define K_APU_POWER_CLOCKS_FAN                                                 \
	uint16_t average_socket_power, average_cpu_power, average_soc_power;   \
	uint16_t average_gfx_power, average_core_power[8];                     \
	uint16_t average_gfxclk_frequency, average_socclk_frequency;           \
	uint16_t average_uclk_frequency, average_fclk_frequency;               \
	uint16_t average_vclk_frequency, average_dclk_frequency;               \
	uint16_t current_gfxclk, current_socclk, current_uclk, current_fclk;   \
	uint16_t current_vclk, current_dclk, current_coreclk[8], current_l3clk[2]; \
	uint32_t throttle_status;                                              \
	uint16_t fan_pwm

struct k_v2_0 {
	struct k_header h;
	uint64_t system_clock_counter;
	K_APU_SENSORS;
	K_APU_POWER_CLOCKS_FAN;
	uint16_t padding;
};

struct k_v2_1 {
	struct k_header h;
	K_APU_SENSORS;
	uint64_t system_clock_counter;
	K_APU_POWER_CLOCKS_FAN;
	uint16_t padding[3];
};

/* v2_2 to v2_4 append to v2_1 (8-aligned, 120 bytes) */
struct k_v2_2 {
	struct k_v2_1 v2_1;
	uint64_t indep_throttle_status;
};

struct k_v2_3 {
	struct k_v2_2 v2_2;
	uint16_t average_temperature_gfx, average_temperature_soc;
	uint16_t average_temperature_core[8], average_temperature_l3[2];
};

struct k_v2_4 {
	struct k_v2_3 v2_3;
	uint16_t average_cpu_voltage, average_soc_voltage, average_gfx_voltage;
	uint16_t average_cpu_current, average_soc_current, average_gfx_current;
};

struct k_v3_0 {
	struct k_header h;
	uint16_t temperature_gfx, temperature_soc, temperature_core[16], temperature_skin;
	uint16_t average_gfx_activity, average_vcn_activity, average_ipu_activity[8];
	uint16_t average_core_c0_activity[16];
	uint16_t average_dram_reads, average_dram_writes, average_ipu_reads, average_ipu_writes;
	uint64_t system_clock_counter;
	uint32_t average_socket_power;
	uint16_t average_ipu_power;
	uint32_t average_apu_power, average_gfx_power, average_dgpu_power, average_all_core_power;
	uint16_t average_core_power[16];
	uint16_t average_sys_power, stapm_power_limit, current_stapm_power_limit;
	uint16_t average_gfxclk_frequency, average_socclk_frequency, average_vpeclk_frequency;
	uint16_t average_ipuclk_frequency, average_fclk_frequency, average_vclk_frequency;
	uint16_t average_uclk_frequency, average_mpipu_frequency;
	uint16_t current_coreclk[16], current_core_maxfreq, current_gfx_maxfreq;
	uint32_t throttle_residency_prochot, throttle_residency_spl, throttle_residency_fppt;
	uint32_t throttle_residency_sppt, throttle_residency_thm_core;
	uint32_t throttle_residency_thm_gfx, throttle_residency_thm_soc;
	uint32_t time_filter_alphavalue;
};

static void set_header(void *table, size_t size, uint8_t format, uint8_t content)
{
	struct k_header h = { (uint16_t)size, format, content };
	memcpy(table, &h, sizeof(h));
}

/* A table as the kernel hands it out: all ones, then the header. */
#define K_TABLE(type, var, f, c)                                               \
	type var;                                                              \
	memset(&var, 0xff, sizeof(var));                                       \
	set_header(&var, sizeof(var), f, c)

static xpu_gpu_metrics parse_ok(const void *table, size_t len)
{
	xpu_gpu_metrics m;
	xpu_status why;
	/* an exact heap copy, so that a read past the table is an ASan error */
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, table, len);
	bool ok = xpu_gpu_metrics_parse(copy, len, &m, &why);
	free(copy);
	if (!ok)
		fail_msg("parse failed: %s", why.detail);
	assert_true(m.decoded);
	assert_int_equal(why.state, XPU_OK);
	return m;
}

static void expect_reading(const xpu_gpu_metrics *m, xpu_gm_value v, double want)
{
	if (!xpu_is_ok(&m->v[v].status))
		fail_msg("value %d: not ok (%s)", (int)v, m->v[v].status.detail);
	assert_true(m->has_value[v]);
	assert_float_equal(m->v[v].value, want, 1e-9);
}

/* Unsupported, and the reason names the kernel's field. */
static void expect_unreported(const xpu_gpu_metrics *m, xpu_gm_value v, const char *field)
{
	assert_int_equal(m->v[v].status.state, XPU_UNSUPPORTED);
	if (!strstr(m->v[v].status.detail, field))
		fail_msg("value %d: '%s' does not name %s", (int)v, m->v[v].status.detail, field);
}

static void expect_absent(const xpu_gpu_metrics *m, xpu_gm_value v)
{
	assert_false(m->has_value[v]);
	assert_int_equal(m->v[v].status.state, XPU_UNSUPPORTED);
	assert_non_null(strstr(m->v[v].status.detail, "not in gpu_metrics"));
}

/* What a table must give: a reading, or ABSENT for a value its layout lacks. */
typedef struct expected {
	xpu_gm_value value;
	double reading;
} expected;
#define ABSENT NAN

static void expect_values(const xpu_gpu_metrics *m, const expected *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(e[i].reading))
			expect_absent(m, e[i].value);
		else
			expect_reading(m, e[i].value, e[i].reading);
	}
}

#define EXPECT_VALUES(m, ...)                                                  \
	do {                                                                   \
		const expected e_[] = { __VA_ARGS__ };                         \
		expect_values(m, e_, sizeof(e_) / sizeof(e_[0]));              \
	} while (0)

static void sizes_are_the_kernels(void **state)
{
	/* sizeof of each struct as the kernel builds it on x86-64 and arm64 */
	assert_int_equal(sizeof(struct k_v1_0), 80);
	assert_int_equal(sizeof(struct k_v1_1), 96);
	assert_int_equal(sizeof(struct k_v1_2), 104);
	assert_int_equal(sizeof(struct k_v1_3), 120);
	assert_int_equal(sizeof(struct k_v1_4), 288);
	assert_int_equal(sizeof(struct k_v1_5), 360);
	assert_int_equal(sizeof(struct k_v1_6_first), 312);
	assert_int_equal(sizeof(struct k_v1_6), 1664);
	assert_int_equal(sizeof(struct k_v1_7), 2208);
	assert_int_equal(sizeof(struct k_v1_8), 3360);
	assert_int_equal(sizeof(struct k_v2_0), 120);
	assert_int_equal(sizeof(struct k_v2_1), 120);
	assert_int_equal(sizeof(struct k_v2_2), 128);
	assert_int_equal(sizeof(struct k_v2_3), 152);
	assert_int_equal(sizeof(struct k_v2_4), 168);
	assert_int_equal(sizeof(struct k_v3_0), 264);
}

static void v1_0_unaligned_dgpu(void **state)
{
	K_TABLE(struct k_v1_0, t, 1, 0);
	t.temperature_edge = 45;
	t.temperature_hotspot = 52;
	t.temperature_mem = 60;
	t.temperature_vrgfx = 47;
	t.temperature_vrsoc = 44;
	t.temperature_vrmem = 49;
	t.average_socket_power = 187;
	t.current_gfxclk = 2105; /* the clock set */
	t.average_gfxclk_frequency = 1980; /* the clock run */
	t.average_uclk_frequency = 875; /* current_uclk stays all ones */
	t.current_fan_speed = 1420;
	xpu_gpu_metrics m = parse_ok(&t, sizeof(t));
	assert_int_equal(m.format, 1);
	assert_int_equal(m.content, 0);
	EXPECT_VALUES(&m, { XPU_GM_TEMP_EDGE, 45 }, { XPU_GM_TEMP_JUNCTION, 52 },
		      { XPU_GM_TEMP_MEM, 60 }, { XPU_GM_TEMP_VRGFX, 47 }, { XPU_GM_TEMP_VRSOC, 44 },
		      { XPU_GM_TEMP_VRMEM, 49 }, { XPU_GM_POWER_W, 187 }, { XPU_GM_GFXCLK_MHZ, 1980 },
		      { XPU_GM_GFXCLK_SET_MHZ, 2105 }, { XPU_GM_UCLK_MHZ, 875 }, { XPU_GM_FAN_RPM, 1420 },
		      { XPU_GM_TEMP_HBM0, ABSENT }, { XPU_GM_TEMP_SOC, ABSENT });
}

/* v1_1, v1_2, v1_3 put the same fields at the same places */
static void check_v1_1_fields(struct k_v1_1 *t, size_t size, unsigned content)
{
	t->temperature_edge = 56;
	t->temperature_hotspot = 59;
	t->temperature_mem = 54;
	t->temperature_vrgfx = 49;
	t->temperature_vrsoc = 48;
	t->temperature_vrmem = 51;
	t->temperature_hbm[0] = 71;
	t->temperature_hbm[3] = 74;
	t->average_socket_power = 300;
	t->average_gfxclk_frequency = 1650; /* current_gfxclk stays all ones */
	t->current_uclk = 1600;
	t->current_fan_speed = 0; /* a stopped fan is a reading */
	xpu_gpu_metrics m = parse_ok(t, size);
	assert_int_equal(m.content, content);
	EXPECT_VALUES(&m, { XPU_GM_TEMP_EDGE, 56 }, { XPU_GM_TEMP_JUNCTION, 59 },
		      { XPU_GM_TEMP_MEM, 54 }, { XPU_GM_TEMP_VRGFX, 49 }, { XPU_GM_TEMP_VRSOC, 48 },
		      { XPU_GM_TEMP_VRMEM, 51 }, { XPU_GM_TEMP_HBM0, 71 }, { XPU_GM_TEMP_HBM3, 74 },
		      { XPU_GM_POWER_W, 300 }, { XPU_GM_GFXCLK_MHZ, 1650 }, { XPU_GM_UCLK_MHZ, 1600 },
		      { XPU_GM_FAN_RPM, 0 }, { XPU_GM_TEMP_SKIN, ABSENT });
	expect_unreported(&m, XPU_GM_TEMP_HBM1, "temperature_hbm[1]");
	expect_unreported(&m, XPU_GM_GFXCLK_SET_MHZ, "current_gfxclk reads 0xffff");
}

static void v1_1_to_v1_3_dgpu(void **state)
{
	K_TABLE(struct k_v1_1, a, 1, 1);
	check_v1_1_fields(&a, sizeof(a), 1);
	K_TABLE(struct k_v1_2, b, 1, 2);
	check_v1_1_fields(&b.v1_1, sizeof(b), 2);
	K_TABLE(struct k_v1_3, c, 1, 3);
	check_v1_1_fields(&c.v1_2.v1_1, sizeof(c), 3);
}

/* The Instinct tables: what each gives, wherever its clocks sit. */
#define CHECK_INSTINCT(type, f, c)                                             \
	do {                                                                   \
		K_TABLE(type, t, f, c);                                        \
		t.temperature_hotspot = 81;                                    \
		t.temperature_mem = 77;                                        \
		t.temperature_vrsoc = 63;                                      \
		t.curr_socket_power = 712;                                     \
		t.current_gfxclk[0] = 2100;                                    \
		t.current_gfxclk[1] = 1;                                       \
		t.current_uclk = 1300;                                         \
		xpu_gpu_metrics m = parse_ok(&t, sizeof(t));                   \
		expect_values(&m, instinct, sizeof(instinct) / sizeof(instinct[0])); \
	} while (0)

static void v1_4_to_v1_8_instinct(void **state)
{
	const expected instinct[] = {
		{ XPU_GM_TEMP_JUNCTION, 81 }, { XPU_GM_TEMP_MEM, 77 },     { XPU_GM_TEMP_VRSOC, 63 },
		{ XPU_GM_POWER_W, 712 },      { XPU_GM_GFXCLK_MHZ, 2100 }, { XPU_GM_UCLK_MHZ, 1300 },
		{ XPU_GM_TEMP_EDGE, ABSENT }, { XPU_GM_TEMP_VRGFX, ABSENT }, { XPU_GM_FAN_RPM, ABSENT },
		{ XPU_GM_GFXCLK_SET_MHZ, ABSENT },
	};
	CHECK_INSTINCT(struct k_v1_4, 1, 4);
	CHECK_INSTINCT(struct k_v1_5, 1, 5);
	CHECK_INSTINCT(struct k_v1_6_first, 1, 6);
	CHECK_INSTINCT(struct k_v1_6, 1, 6);
	CHECK_INSTINCT(struct k_v1_7, 1, 7);
	CHECK_INSTINCT(struct k_v1_8, 1, 8);
}

static void v2_0_unaligned_apu(void **state)
{
	K_TABLE(struct k_v2_0, t, 2, 0);
	t.temperature_gfx = 4512;
	t.temperature_soc = 4699;
	t.temperature_core[0] = 9000; /* the CPU's: not this device's */
	t.average_socket_power = 15250;
	t.current_gfxclk = 1800;
	t.current_uclk = 1600;
	xpu_gpu_metrics m = parse_ok(&t, sizeof(t));
	EXPECT_VALUES(&m, { XPU_GM_TEMP_EDGE, 45.12 }, { XPU_GM_TEMP_SOC, 46.99 },
		      { XPU_GM_POWER_W, 15.25 }, { XPU_GM_GFXCLK_MHZ, 1800 },
		      { XPU_GM_UCLK_MHZ, 1600 }, { XPU_GM_FAN_RPM, ABSENT }, { XPU_GM_GFXCLK_SET_MHZ, ABSENT });
}

static void check_v2_1_fields(struct k_v2_1 *t, size_t size)
{
	t->temperature_gfx = 3810;
	t->temperature_soc = 4005;
	t->average_socket_power = 8125;
	t->average_gfxclk_frequency = 600; /* current_gfxclk stays all ones */
	t->current_uclk = 0;               /* a reading, not an unknown */
	t->average_uclk_frequency = 800;
	xpu_gpu_metrics m = parse_ok(t, size);
	EXPECT_VALUES(&m, { XPU_GM_TEMP_EDGE, 38.10 }, { XPU_GM_TEMP_SOC, 40.05 },
		      { XPU_GM_POWER_W, 8.125 }, { XPU_GM_GFXCLK_MHZ, 600 }, { XPU_GM_UCLK_MHZ, 0 },
		      { XPU_GM_TEMP_VRGFX, ABSENT });
}

static void v2_1_to_v2_4_apu(void **state)
{
	K_TABLE(struct k_v2_1, a, 2, 1);
	check_v2_1_fields(&a, sizeof(a));
	K_TABLE(struct k_v2_2, b, 2, 2);
	check_v2_1_fields(&b.v2_1, sizeof(b));
	K_TABLE(struct k_v2_3, c, 2, 3);
	check_v2_1_fields(&c.v2_2.v2_1, sizeof(c));
	K_TABLE(struct k_v2_4, d, 2, 4);
	check_v2_1_fields(&d.v2_3.v2_2.v2_1, sizeof(d));
}

static void v3_0_apu_with_skin(void **state)
{
	K_TABLE(struct k_v3_0, t, 3, 0);
	t.temperature_gfx = 5102;
	t.temperature_soc = 5230;
	t.temperature_skin = 3598;
	t.average_socket_power = 70500; /* more than 16 bits of milliwatts */
	t.average_gfxclk_frequency = 2900;
	t.average_uclk_frequency = 1000;
	xpu_gpu_metrics m = parse_ok(&t, sizeof(t));
	EXPECT_VALUES(&m, { XPU_GM_TEMP_EDGE, 51.02 }, { XPU_GM_TEMP_SOC, 52.30 },
		      { XPU_GM_TEMP_SKIN, 35.98 }, { XPU_GM_POWER_W, 70.5 },
		      { XPU_GM_GFXCLK_MHZ, 2900 }, { XPU_GM_UCLK_MHZ, 1000 });
}

static void all_ones_and_zero_sensors_are_unsupported(void **state)
{
	K_TABLE(struct k_v3_0, t, 3, 0);
	t.temperature_gfx = 0; /* a sensor the board lacks */
	xpu_gpu_metrics m = parse_ok(&t, sizeof(t));
	/* never 655.35 C, never 0 */
	expect_unreported(&m, XPU_GM_TEMP_EDGE, "temperature_gfx reads 0");
	expect_unreported(&m, XPU_GM_TEMP_SOC, "temperature_soc reads 0xffff");
	expect_unreported(&m, XPU_GM_POWER_W, "average_socket_power reads 0xffffffff");
	expect_unreported(&m, XPU_GM_GFXCLK_MHZ, "average_gfxclk_frequency");
	for (int v = 0; v < XPU_GM_COUNT; v++)
		assert_int_not_equal(m.v[v].status.state, XPU_OK);

	/* both clock rows unreported: the reason names the last one tried */
	K_TABLE(struct k_v1_0, d, 1, 0);
	m = parse_ok(&d, sizeof(d));
	expect_unreported(&m, XPU_GM_UCLK_MHZ, "average_uclk_frequency reads 0xffff");
	expect_unreported(&m, XPU_GM_FAN_RPM, "current_fan_speed");
}

/* The table cannot be decoded: false, and every value says so. */
static void expect_rejected(const uint8_t *buf, size_t len, const char *why_part)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, buf, len);
	xpu_gpu_metrics m;
	xpu_status why;
	assert_false(xpu_gpu_metrics_parse(copy, len, &m, &why));
	free(copy);
	assert_false(m.decoded);
	assert_int_equal(why.state, XPU_UNAVAILABLE);
	assert_int_equal(why.reason, XPU_R_UNPARSABLE);
	if (!strstr(why.detail, why_part))
		fail_msg("'%s' does not say '%s'", why.detail, why_part);
	for (int v = 0; v < XPU_GM_COUNT; v++) {
		assert_false(m.has_value[v]);
		assert_string_equal(m.v[v].status.detail, why.detail);
	}
}

static void truncated_tables_are_rejected(void **state)
{
	K_TABLE(struct k_v1_3, t, 1, 3);
	expect_rejected((const uint8_t *)&t, 0, "less than its header");
	expect_rejected((const uint8_t *)&t, 3, "less than its header");
	/* every cut short of the whole, each in a heap buffer of exactly that size */
	char want[64];
	for (size_t len = 4; len < sizeof(t); len++) {
		snprintf(want, sizeof(want), "truncated: %zu of 120 bytes", len);
		expect_rejected((const uint8_t *)&t, len, want);
	}
	K_TABLE(struct k_v1_8, big, 1, 8);
	expect_rejected((const uint8_t *)&big, sizeof(big) - 1, "v1.8 truncated: 3359 of 3360 bytes");
}

static void wrong_structure_size_is_rejected(void **state)
{
	K_TABLE(struct k_v1_3, t, 1, 3);
	t.v1_2.v1_1.h.structure_size = 96; /* v1_1's size under v1_3's revision */
	expect_rejected((const uint8_t *)&t, sizeof(t), "says 96 bytes; the kernel's struct has 120");
	t.v1_2.v1_1.h.structure_size = 0;
	expect_rejected((const uint8_t *)&t, sizeof(t), "says 0 bytes");
	t.v1_2.v1_1.h.structure_size = 121; /* more than the file holds */
	expect_rejected((const uint8_t *)&t, sizeof(t), "truncated: 120 of 121 bytes");
	/* a file longer than its table (a capture read a whole page) is fine */
	uint8_t page[4096];
	memset(page, 0, sizeof(page));
	t.v1_2.v1_1.h.structure_size = sizeof(t);
	t.v1_2.v1_1.temperature_vrgfx = 49;
	memcpy(page, &t, sizeof(t));
	xpu_gpu_metrics m = parse_ok(page, sizeof(page));
	expect_reading(&m, XPU_GM_TEMP_VRGFX, 49);
}

static void unknown_revisions_are_rejected(void **state)
{
	/* 1.9 encodes attributes instead of fixed fields; the others do not exist */
	static const uint8_t revisions[][2] = { { 0, 0 }, { 1, 9 },   { 2, 5 },
						{ 3, 1 }, { 4, 0 }, { 255, 255 } };
	uint8_t table[512];
	memset(table, 0xff, sizeof(table));
	for (size_t i = 0; i < sizeof(revisions) / sizeof(revisions[0]); i++) {
		table[0] = 0x00; /* 512 bytes */
		table[1] = 0x02;
		table[2] = revisions[i][0];
		table[3] = revisions[i][1];
		char want[64];
		snprintf(want, sizeof(want), "v%u.%u: a layout xpu does not know", revisions[i][0],
			 revisions[i][1]);
		expect_rejected(table, sizeof(table), want);
	}
}

/* ---- real tables ---- */

static size_t load_capture(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/fuzz/corpus/fuzz_gpu_metrics/%s", SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: missing", path);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

typedef struct capture_case {
	const char *name;
	xpu_gm_value value;
	double want; /* LACT's expected reading (GFXCLK_SET: its target_gpu_clockspeed);
		      * NAN: LACT lists no such sensor */
} capture_case;

static const capture_case captures[] = {
	/* RX 6900 XT, v1.3 (LACT reads 4096 bytes of it: a page) */
	{ "rx6900xt", XPU_GM_TEMP_EDGE, 56 },   { "rx6900xt", XPU_GM_TEMP_JUNCTION, 59 },
	{ "rx6900xt", XPU_GM_TEMP_MEM, 54 },    { "rx6900xt", XPU_GM_TEMP_VRGFX, 49 },
	{ "rx6900xt", XPU_GM_TEMP_VRMEM, 51 },  { "rx6900xt", XPU_GM_TEMP_VRSOC, 49 },
	{ "rx6900xt", XPU_GM_POWER_W, 36 },     { "rx6900xt", XPU_GM_TEMP_HBM0, NAN },
	{ "rx6900xt", XPU_GM_GFXCLK_SET_MHZ, 500 }, { "rx6900xt", XPU_GM_UCLK_MHZ, 1000 },
	/* RX 7800 XT, v1.3 */
	{ "rx7800xt", XPU_GM_TEMP_EDGE, 24 },   { "rx7800xt", XPU_GM_TEMP_VRGFX, 34 },
	{ "rx7800xt", XPU_GM_TEMP_VRMEM, 34 },  { "rx7800xt", XPU_GM_TEMP_VRSOC, 32 },
	{ "rx7800xt", XPU_GM_POWER_W, 32 },     { "rx7800xt", XPU_GM_FAN_RPM, 868 },
	{ "rx7800xt", XPU_GM_GFXCLK_MHZ, 2011 }, { "rx7800xt", XPU_GM_GFXCLK_SET_MHZ, 2011 },
	/* RX 9070, v1.3 */
	{ "rx9070", XPU_GM_TEMP_MEM, 72 },      { "rx9070", XPU_GM_TEMP_VRGFX, 46 },
	{ "rx9070", XPU_GM_TEMP_VRMEM, 54 },    { "rx9070", XPU_GM_TEMP_VRSOC, 49 },
	{ "rx9070", XPU_GM_POWER_W, 49 },       { "rx9070", XPU_GM_FAN_RPM, 1944 },
	{ "rx9070", XPU_GM_UCLK_MHZ, 1124 },    { "rx9070", XPU_GM_GFXCLK_SET_MHZ, 900 },
	/* RX 7600S, v1.3: its board has no VR sensors (the table holds 0) */
	{ "rx7600s", XPU_GM_TEMP_EDGE, 53 },    { "rx7600s", XPU_GM_TEMP_VRGFX, NAN },
	{ "rx7600s", XPU_GM_TEMP_VRSOC, NAN },  { "rx7600s", XPU_GM_TEMP_VRMEM, NAN },
	/* asleep: the clock run is 0, the clock set 1200 (LACT's "target") */
	{ "rx7600s", XPU_GM_GFXCLK_MHZ, 0 },    { "rx7600s", XPU_GM_GFXCLK_SET_MHZ, 1200 },
	/* Strix Point, v3.0: centi-degrees, which LACT cuts to whole ones */
	{ "strixpoint", XPU_GM_TEMP_EDGE, 38.12 }, { "strixpoint", XPU_GM_TEMP_SOC, 40.62 },
	{ "strixpoint", XPU_GM_TEMP_SKIN, 35.98 },
	/* Phoenix, v2.1 */
	{ "phoenix", XPU_GM_TEMP_EDGE, 25.00 }, { "phoenix", XPU_GM_TEMP_SOC, 27.37 },
	{ "phoenix", XPU_GM_UCLK_MHZ, 400 },    { "phoenix", XPU_GM_GFXCLK_MHZ, 800 },
};

static void lact_captures(void **state)
{
	static uint8_t buf[8192];
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		const capture_case *c = &captures[i];
		size_t n = load_capture(c->name, buf, sizeof(buf));
		xpu_gpu_metrics m = parse_ok(buf, n);
		if (isnan(c->want)) {
			assert_int_equal(m.v[c->value].status.state, XPU_UNSUPPORTED);
			continue;
		}
		if (!xpu_is_ok(&m.v[c->value].status) || fabs(m.v[c->value].value - c->want) > 1e-9)
			fail_msg("%s value %d: got %g (%s), want %g", c->name, (int)c->value,
				 m.v[c->value].value, m.v[c->value].status.detail, c->want);
	}
}

/* ---- what the device takes ---- */

static xpu_device dgpu_after_hwmon(void)
{
	xpu_device d;
	memset(&d, 0, sizeof(d));
	static const char *const hwmon_labels[] = { "edge", "junction", "mem" };
	for (unsigned i = 0; i < 3; i++) {
		snprintf(d.temps[i].label, sizeof(d.temps[i].label), "%s", hwmon_labels[i]);
		xpu_set_real(&d.temps[i].reading, 50 + i);
		xpu_set_real(&d.temps[i].max, 100);
	}
	d.n_temps = 3;
	xpu_set_real(&d.temperature_c, 50);
	xpu_set_ok(&d.sensors_status);
	xpu_set_real(&d.power_draw_w, 33.5);
	xpu_set_uint(&d.clock_actual_mhz, 500);
	xpu_set_status(&d.memory_clock_mhz.status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
		       "hwmon/freq2_input");
	snprintf(d.fans[0].label, sizeof(d.fans[0].label), "fan1");
	xpu_set_real(&d.fans[0].reading, 0);
	d.n_fans = 1;
	return d;
}

static void hwmon_wins_and_the_table_adds(void **state)
{
	K_TABLE(struct k_v1_3, t, 1, 3);
	struct k_v1_1 *f = &t.v1_2.v1_1;
	f->temperature_edge = 99; /* hwmon's 50 stays */
	f->temperature_hotspot = 98;
	f->temperature_vrgfx = 41;
	f->temperature_vrsoc = 42;
	f->temperature_vrmem = 0; /* no such sensor: not listed */
	f->average_socket_power = 250;
	f->current_gfxclk = 2400;
	f->current_uclk = 1250;
	f->current_fan_speed = 1800;
	xpu_gpu_metrics m = parse_ok(&t, sizeof(t));
	xpu_device d = dgpu_after_hwmon();
	xpu_gpu_metrics_apply(&m, &d);
	assert_int_equal(d.n_temps, 5);
	assert_string_equal(d.temps[0].label, "edge");
	assert_float_equal(d.temps[0].reading.value, 50, 0);
	assert_float_equal(d.temps[1].reading.value, 51, 0);
	assert_float_equal(d.temps[0].max.value, 100, 0);
	assert_string_equal(d.temps[3].label, "vrgfx");
	assert_float_equal(d.temps[3].reading.value, 41, 0);
	assert_int_equal(d.temps[3].max.status.state, XPU_UNSUPPORTED);
	assert_string_equal(d.temps[4].label, "vrsoc");
	assert_float_equal(d.temperature_c.value, 50, 0);
	assert_float_equal(d.power_draw_w.value, 33.5, 0);
	assert_int_equal(d.clock_actual_mhz.value, 500);
	/* hwmon has no clock set: the table's */
	assert_true(xpu_is_ok(&d.clock_requested_mhz.status));
	assert_int_equal(d.clock_requested_mhz.value, 2400);
	/* hwmon had no memory clock: the table's */
	assert_true(xpu_is_ok(&d.memory_clock_mhz.status));
	assert_int_equal(d.memory_clock_mhz.value, 1250);
	assert_int_equal(d.n_fans, 1);
	assert_float_equal(d.fans[0].reading.value, 0, 0);
}

static void without_hwmon_the_table_gives_all(void **state)
{
	K_TABLE(struct k_v2_1, t, 2, 1);
	t.temperature_gfx = 4100;
	t.temperature_soc = 4321;
	t.average_socket_power = 9000;
	t.average_gfxclk_frequency = 1100;
	xpu_gpu_metrics m = parse_ok(&t, sizeof(t));
	xpu_device d;
	memset(&d, 0, sizeof(d));
	xpu_status *absent[] = { &d.temperature_c.status, &d.power_draw_w.status, &d.sensors_status,
				 &d.clock_actual_mhz.status, &d.memory_clock_mhz.status };
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		xpu_set_status(absent[i], XPU_UNSUPPORTED, XPU_R_FILE_MISSING, "hwmon");
	xpu_gpu_metrics_apply(&m, &d);
	assert_int_equal(d.n_temps, 2);
	assert_string_equal(d.temps[0].label, "edge");
	assert_string_equal(d.temps[1].label, "soc");
	assert_float_equal(d.temps[1].reading.value, 43.21, 1e-9);
	assert_float_equal(d.temperature_c.value, 41, 1e-9);
	assert_true(xpu_is_ok(&d.sensors_status));
	assert_float_equal(d.power_draw_w.value, 9, 1e-9);
	assert_int_equal(d.clock_actual_mhz.value, 1100);
	assert_false(xpu_is_ok(&d.clock_requested_mhz.status)); /* an APU's table has none */
	/* both uclk rows read all ones: the table's reason replaces hwmon's */
	assert_int_equal(d.memory_clock_mhz.status.state, XPU_UNSUPPORTED);
	assert_non_null(strstr(d.memory_clock_mhz.status.detail, "average_uclk_frequency"));
	assert_int_equal(d.n_fans, 0); /* APUs report a PWM, not a speed */
}

static void an_unreadable_table_explains_what_hwmon_left(void **state)
{
	uint8_t table[120];
	memset(table, 0xff, sizeof(table));
	table[0] = 120;
	table[1] = 0;
	table[2] = 1;
	table[3] = 9;
	xpu_gpu_metrics m;
	xpu_status why;
	assert_false(xpu_gpu_metrics_parse(table, sizeof(table), &m, &why));
	xpu_device d = dgpu_after_hwmon();
	xpu_gpu_metrics_apply(&m, &d);
	assert_int_equal(d.n_temps, 3);
	assert_float_equal(d.power_draw_w.value, 33.5, 0);
	assert_int_equal(d.memory_clock_mhz.status.reason, XPU_R_UNPARSABLE);
	assert_non_null(strstr(d.memory_clock_mhz.status.detail, "v1.9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_are_the_kernels),
		cmocka_unit_test(v1_0_unaligned_dgpu),
		cmocka_unit_test(v1_1_to_v1_3_dgpu),
		cmocka_unit_test(v1_4_to_v1_8_instinct),
		cmocka_unit_test(v2_0_unaligned_apu),
		cmocka_unit_test(v2_1_to_v2_4_apu),
		cmocka_unit_test(v3_0_apu_with_skin),
		cmocka_unit_test(all_ones_and_zero_sensors_are_unsupported),
		cmocka_unit_test(truncated_tables_are_rejected),
		cmocka_unit_test(wrong_structure_size_is_rejected),
		cmocka_unit_test(unknown_revisions_are_rejected),
		cmocka_unit_test(lact_captures),
		cmocka_unit_test(hwmon_wins_and_the_table_adds),
		cmocka_unit_test(without_hwmon_the_table_gives_all),
		cmocka_unit_test(an_unreadable_table_explains_what_hwmon_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
