/* The host's peaks, each with how it was computed and from what:
 *   mem_bw  the DIMMs the firmware describes (SMBIOS type 17 in
 *           /sys/firmware/dmi/tables/DMI, root's to read): per channel its
 *           width times its configured speed (src/sys/smbios.c);
 *   fp32    the sum over the physical cores of clock x FP32 FLOP per cycle,
 *           the FLOP per cycle from the core's FMA units (the table below,
 *           one row per microarchitecture with its source), the clock from
 *           cpufreq's cpuinfo_max_freq, else the model name's base clock,
 *           else /proc/cpuinfo's current one;
 *   bf16    the same sum with AMX's 1024 BF16 FLOP per cycle per core, or
 *           AVX512-BF16's twice the FP32 rate (VDPBF16PS: two multiply-adds
 *           per fp32 lane).
 * A peak the machine does not give the inputs of is unknown, with why. */
#include "bench/bench_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"
#include "sys/smbios.h"

#define DMI_TABLE "/sys/firmware/dmi/tables/DMI"
#define CPU_DIR "/sys/devices/system/cpu"

/* ---- memory: SMBIOS ---- */

static void mem_peak(const xsys *root, xpu_bench_target *t)
{
	xpu_real *p = &t->peaks[XPU_PEAK_MEM_BW];
	char *buf = NULL;
	size_t n = 0;
	xsys_rc rc = xsys_slurp(root, &buf, &n, 4u << 20, DMI_TABLE);
	if (rc == XSYS_MISSING)
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
			       "no SMBIOS tables (%s absent: a VM?)", DMI_TABLE);
	else if (rc == XSYS_DENIED)
		xpu_set_status(&p->status, XPU_UNAVAILABLE, XPU_R_PERMISSION_DENIED,
			       "needs root: %s (the DIMMs) is root's to read", DMI_TABLE);
	else if (rc != XSYS_OK)
		xpu_set_status(&p->status, XPU_UNAVAILABLE, rc == XSYS_EMPTY ? XPU_R_EMPTY : XPU_R_IO_ERROR,
			       "%s: %s", DMI_TABLE, rc == XSYS_EMPTY ? "empty" : "read failed");
	if (rc != XSYS_OK) {
		free(buf);
		return;
	}
	xpu_smbios_memory *m = malloc(sizeof(*m));
	char err[160] = "out of memory";
	xpu_dram_peak peak = { 0 };
	bool parsed = m && xpu_smbios_memory_parse((const uint8_t *)buf, n, m, err, sizeof(err));
	if (!parsed)
		xpu_set_status(&p->status, XPU_UNAVAILABLE, XPU_R_UNPARSABLE, "SMBIOS table: %s", err);
	else if (!xpu_smbios_dram_peak(m, &peak))
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "SMBIOS: %s", peak.how);
	else {
		xpu_set_real(p, peak.gb_s);
		snprintf(t->peak_how[XPU_PEAK_MEM_BW], sizeof(t->peak_how[0]), "SMBIOS type 17 (%s): %s",
			 DMI_TABLE, peak.how);
	}
	free(m);
	free(buf);
}

/* ---- compute: cores x clock x FLOP per cycle ---- */

/* FP32 FLOP per cycle per core: FMA units x fp32 lanes x 2.  A row
 * matches x86 "model" values (a list, or a range where the list is empty),
 * or Arm "CPU part" values (implementer 0x41). */
typedef struct uarch {
	const char *vendor;       /* vendor_id, or "arm" */
	int family;               /* x86 cpu family; -1 on Arm */
	unsigned char models[12]; /* these models; none: lo to hi */
	int lo, hi;
	const char *name;
	unsigned fp32;            /* the (performance) cores' FLOP per cycle */
	unsigned fp32_small;      /* hybrid parts: the efficient cores' (cpu_atom) */
	const char *units;        /* the units and the source of the number */
} uarch;

#define INTEL_OPT "(Intel 64 and IA-32 Architectures Optimization Reference Manual)"
#define AMD_SOG "(AMD Software Optimization Guide for family "
#define ARM_SOG(core) "(Arm " core " Software Optimization Guide)"
#define AVX2_2FMA "AVX2: 2 FMA units x 8 fp32 x 2 "
#define AVX512_2FMA "AVX-512: 2 FMA units x 16 fp32 x 2 "
#define HYBRID "AVX2: P-cores 2 FMA units x 8 fp32 x 2, E-cores "
#define ZEN4 "AVX-512 on 2 x 256-bit FMA units: 8 fp32 x 2 x 2 " AMD_SOG "19h models 10h+)"
static const uarch uarchs[] = {
	{ "GenuineIntel", 6, { 0x3C, 0x3F, 0x45, 0x46, 0x3D, 0x47, 0x4F, 0x56 }, 0, 0,
	  "Haswell/Broadwell", 32, 0, AVX2_2FMA INTEL_OPT },
	{ "GenuineIntel", 6, { 0x4E, 0x5E, 0x8E, 0x9E, 0xA5, 0xA6 }, 0, 0,
	  "Skylake to Comet Lake", 32, 0, AVX2_2FMA INTEL_OPT },
	{ "GenuineIntel", 6, { 0x55 }, 0, 0, "Skylake-SP/Cascade Lake/Cooper Lake", 64, 0,
	  AVX512_2FMA "(Intel's optimization manual; Silver, Bronze and most Gold 5000: 1)" },
	{ "GenuineIntel", 6, { 0x6A, 0x6C }, 0, 0, "Ice Lake-SP", 64, 0, AVX512_2FMA INTEL_OPT },
	{ "GenuineIntel", 6, { 0x8F, 0xCF }, 0, 0, "Sapphire/Emerald Rapids", 64, 0,
	  AVX512_2FMA INTEL_OPT },
	{ "GenuineIntel", 6, { 0xAD, 0xAE }, 0, 0, "Granite Rapids", 64, 0, AVX512_2FMA INTEL_OPT },
	{ "GenuineIntel", 6, { 0x7D, 0x7E, 0x8C, 0x8D, 0xA7 }, 0, 0, "Ice/Tiger/Rocket Lake", 32, 0,
	  "AVX-512: 1 FMA unit x 16 fp32 x 2 " INTEL_OPT },
	{ "GenuineIntel", 6, { 0x97, 0x9A, 0xB7, 0xBA, 0xBF, 0xAA, 0xAC }, 0, 0,
	  "Alder/Raptor/Meteor Lake", 32, 16, HYBRID "2 x 128-bit FMA " INTEL_OPT },
	{ "GenuineIntel", 6, { 0xBD, 0xC5, 0xC6 }, 0, 0, "Lunar/Arrow Lake", 32, 32,
	  HYBRID "4 x 128-bit FMA " INTEL_OPT },
	{ "AuthenticAMD", 0x17, { 0 }, 0x00, 0x2F, "Zen/Zen+", 16, 0,
	  "AVX2: 2 x 128-bit FMA units " AMD_SOG "17h)" },
	{ "HygonGenuine", 0x18, { 0 }, 0x00, 0xFF, "Dhyana (Zen)", 16, 0,
	  "AVX2: 2 x 128-bit FMA units " AMD_SOG "17h)" },
	{ "AuthenticAMD", 0x17, { 0 }, 0x30, 0xFF, "Zen 2", 32, 0, AVX2_2FMA AMD_SOG "17h models 30h+)" },
	{ "AuthenticAMD", 0x19, { 0 }, 0x00, 0x0F, "Zen 3", 32, 0, AVX2_2FMA AMD_SOG "19h)" },
	{ "AuthenticAMD", 0x19, { 0 }, 0x20, 0x5F, "Zen 3", 32, 0, AVX2_2FMA AMD_SOG "19h)" },
	{ "AuthenticAMD", 0x19, { 0 }, 0x10, 0x1F, "Zen 4", 32, 0, ZEN4 },
	{ "AuthenticAMD", 0x19, { 0 }, 0x60, 0x7F, "Zen 4", 32, 0, ZEN4 },
	{ "AuthenticAMD", 0x19, { 0 }, 0xA0, 0xAF, "Zen 4", 32, 0, ZEN4 },
	{ "AuthenticAMD", 0x1A, { 0 }, 0x00, 0x1F, "Zen 5", 64, 0, AVX512_2FMA AMD_SOG "1Ah)" },
	{ "AuthenticAMD", 0x1A, { 0 }, 0x40, 0x4F, "Zen 5", 64, 0, AVX512_2FMA AMD_SOG "1Ah)" },
	{ "AuthenticAMD", 0x1A, { 0 }, 0x20, 0x2F, "Zen 5 (mobile)", 32, 0,
	  "AVX-512 on 256-bit FMA units: 8 fp32 x 2 x 2 " AMD_SOG "1Ah)" },
	{ "arm", -1, { 0 }, 0xD0B, 0xD0B, "Cortex-A76", 16, 0, "NEON: 2 x 128-bit FMA pipes " ARM_SOG("Cortex-A76") },
	{ "arm", -1, { 0 }, 0xD0C, 0xD0C, "Neoverse N1", 16, 0, "NEON: 2 x 128-bit FMA pipes " ARM_SOG("Neoverse N1") },
	{ "arm", -1, { 0 }, 0xD40, 0xD40, "Neoverse V1", 32, 0, "SVE: 2 x 256-bit FMA pipes " ARM_SOG("Neoverse V1") },
	{ "arm", -1, { 0 }, 0xD49, 0xD49, "Neoverse N2", 16, 0, "SVE2: 2 x 128-bit FMA pipes " ARM_SOG("Neoverse N2") },
	{ "arm", -1, { 0 }, 0xD4F, 0xD4F, "Neoverse V2", 32, 0, "SVE2: 4 x 128-bit FMA pipes " ARM_SOG("Neoverse V2") },
	{ "arm", -1, { 0 }, 0xD84, 0xD84, "Neoverse V3", 32, 0, "SVE2: 4 x 128-bit FMA pipes " ARM_SOG("Neoverse V3") },
};

/* Whether model is one of the row's. */
static bool row_has(const uarch *u, int model)
{
	if (!u->models[0])
		return model >= u->lo && model <= u->hi;
	for (size_t i = 0; i < sizeof(u->models) && u->models[i]; i++)
		if (u->models[i] == model)
			return true;
	return false;
}

static const uarch *find_uarch(const xpu_cpu_id *id)
{
	bool arm = id->implementer == 0x41;
	for (size_t i = 0; i < XPU_ARRAY_LEN(uarchs); i++) {
		const uarch *u = &uarchs[i];
		bool vendor = arm ? strcmp(u->vendor, "arm") == 0 :
				    strcmp(u->vendor, id->vendor) == 0 && u->family == id->family;
		if (vendor && row_has(u, arm ? id->part : id->model))
			return u;
	}
	return NULL;
}

/* Skylake-SP and Cascade Lake parts with one AVX-512 FMA unit: Bronze,
 * Silver and Gold 5xxx except the 5122 and 5222 (Intel's product briefs). */
static bool one_fma_unit(const uarch *u, const char *model_name)
{
	if (strcmp(u->name, "Skylake-SP/Cascade Lake/Cooper Lake") != 0)
		return false;
	const char *g = strstr(model_name, "Gold 5");
	return strstr(model_name, "Bronze") || strstr(model_name, "Silver") ||
	       (g && strncmp(g, "Gold 5122", 9) != 0 && strncmp(g, "Gold 5222", 9) != 0);
}

/* One physical core: its clock in MHz and whether it is an efficient core. */
typedef struct core {
	double mhz;
	bool small;
} core;

typedef struct cores {
	size_t n;
	core c[1024];
	const char *clock_source;
	double lo, hi;    /* the clocks' range, MHz */
} cores;

/* The clock of CPU cpu when cpufreq gives none. */
static double fallback_mhz(const xpu_cpu_id *id, const char **source)
{
	const char *at = strstr(id->model_name, "@ ");
	double ghz = 0;
	if (at && sscanf(at + 2, "%lfGHz", &ghz) == 1 && ghz > 0.1 && ghz < 10) {
		*source = "the model name's base clock (no cpufreq)";
		return ghz * 1000;
	}
	*source = "/proc/cpuinfo cpu MHz (no cpufreq: the clock when read)";
	return id->mhz;
}

/* Whether cpu is in a cpulist file ("0-7,16"), e.g. /sys/devices/cpu_atom/cpus. */
static bool in_cpulist(const xsys *root, const char *path, unsigned cpu)
{
	char text[512];
	if (xsys_text(root, text, sizeof(text), "%s", path) != XSYS_OK)
		return false;
	for (char *p = text; *p;) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			return false;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (cpu >= a && cpu <= b)
			return true;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	return false;
}

/* Adds CPU cpu when it is the first thread of its core. */
static void add_core(const xsys *root, const xpu_cpu_id *id, unsigned cpu, cores *out)
{
	char sib[64];
	if (xsys_text(root, sib, sizeof(sib), CPU_DIR "/cpu%u/topology/core_cpus_list", cpu) != XSYS_OK &&
	    xsys_text(root, sib, sizeof(sib), CPU_DIR "/cpu%u/topology/thread_siblings_list", cpu) != XSYS_OK)
		return; /* offline */
	if (strtoul(sib, NULL, 10) != cpu || out->n >= XPU_ARRAY_LEN(out->c))
		return;
	core *c = &out->c[out->n++];
	uint64_t khz;
	if (xsys_u64(root, &khz, CPU_DIR "/cpu%u/cpufreq/cpuinfo_max_freq", cpu) == XSYS_OK && khz) {
		c->mhz = (double)khz / 1000.0;
		out->clock_source = "cpufreq cpuinfo_max_freq";
	} else {
		c->mhz = fallback_mhz(id, &out->clock_source);
	}
	c->small = in_cpulist(root, "/sys/devices/cpu_atom/cpus", cpu);
	out->lo = out->n == 1 || c->mhz < out->lo ? c->mhz : out->lo;
	out->hi = out->n == 1 || c->mhz > out->hi ? c->mhz : out->hi;
}

static void find_cores(const xsys *root, const xpu_cpu_id *id, cores *out)
{
	memset(out, 0, sizeof(*out));
	xsys_names names;
	xsys_list(root, &names, CPU_DIR);
	for (size_t i = 0; i < names.count; i++) {
		unsigned cpu;
		char rest;
		if (sscanf(names.names[i], "cpu%u%c", &cpu, &rest) == 1)
			add_core(root, id, cpu, out);
	}
	xsys_names_free(&names);
}

/* Sum over the cores of clock x FLOP per cycle, in TFLOP/s. */
static double sum_tflops(const cores *cs, unsigned big, unsigned small)
{
	double s = 0;
	for (size_t i = 0; i < cs->n; i++)
		s += cs->c[i].mhz * 1e6 * (cs->c[i].small ? small : big);
	return s * 1e-12;
}

static void clock_text(const cores *cs, char *out, size_t len)
{
	if (cs->hi - cs->lo < 1)
		snprintf(out, len, "%.2f GHz", cs->hi / 1000);
	else
		snprintf(out, len, "%.2f-%.2f GHz", cs->lo / 1000, cs->hi / 1000);
}

static void set_compute(xpu_bench_target *t, xpu_peak_kind k, double tflops, const cores *cs,
			const char *what)
{
	char clk[32];
	clock_text(cs, clk, sizeof(clk));
	xpu_set_real(&t->peaks[k], tflops);
	snprintf(t->peak_how[k], sizeof(t->peak_how[0]), "%zu cores x %s (%s) x %s", cs->n, clk,
		 cs->clock_source, what);
}

/* fp32 and bf16 unknown, for why. */
static void compute_unknown(xpu_bench_target *t, xpu_reason r, const char *why)
{
	xpu_set_status(&t->peaks[XPU_PEAK_FP32].status, XPU_UNSUPPORTED, r, "%s", why);
	xpu_set_status(&t->peaks[XPU_PEAK_BF16].status, XPU_UNSUPPORTED, r, "%s", why);
}

/* bf16: AMX's tiles, else AVX512-BF16 at twice the fp32 rate, else none. */
static void bf16_peak(xpu_bench_target *t, const xpu_device *cpu, const cores *cs,
		      unsigned fp32, const char *uname)
{
	char what[200];
	if (cpu->cpu.amx_bf16) {
		snprintf(what, sizeof(what), "1024 BF16 FLOP/cycle (AMX: TMUL 16 x 32 bf16 x 2; "
			 "Intel AMX instruction set reference)");
		set_compute(t, XPU_PEAK_BF16, sum_tflops(cs, 1024, 0), cs, what);
	} else if (cpu->cpu.avx512_bf16) {
		snprintf(what, sizeof(what), "%u BF16 FLOP/cycle (%s, AVX512-BF16: VDPBF16PS does 2 "
			 "bf16 multiply-adds per fp32 lane)", 2 * fp32, uname);
		set_compute(t, XPU_PEAK_BF16, sum_tflops(cs, 2 * fp32, 0), cs, what);
	} else {
		xpu_set_status(&t->peaks[XPU_PEAK_BF16].status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "this CPU has neither AVX512-BF16 nor AMX-BF16");
	}
}

static void compute_peaks(const xsys *root, xpu_bench_target *t, const xpu_device *cpu)
{
	char *text = NULL;
	size_t n;
	xpu_cpu_id id;
	bool ok = xsys_slurp(root, &text, &n, 4u << 20, "/proc/cpuinfo") == XSYS_OK &&
		  xpu_parse_cpu_id(text, &id);
	free(text);
	const uarch *u = ok ? find_uarch(&id) : NULL;
	char why[112];
	if (!ok || !u) {
		if (!ok)
			snprintf(why, sizeof(why), "/proc/cpuinfo gives no CPU identity");
		else if (id.implementer >= 0)
			snprintf(why, sizeof(why), "no FMA-unit row for Arm part 0x%03x in xpu's table", id.part);
		else
			snprintf(why, sizeof(why), "no FMA-unit row for %s family 0x%x model 0x%02x in xpu's "
				 "table", id.vendor, id.family, id.model);
		compute_unknown(t, ok ? XPU_R_NO_SOURCE : XPU_R_FILE_MISSING, why);
		return;
	}
	cores *cs = malloc(sizeof(*cs));
	if (!cs)
		return;
	find_cores(root, &id, cs);
	if (!cs->n || !(cs->lo > 0)) {
		compute_unknown(t, XPU_R_FILE_MISSING, cs->n ? "no clock: no cpufreq, and /proc/cpuinfo "
				"gives none" : "no core in " CPU_DIR "/cpu*/topology");
		free(cs);
		return;
	}
	unsigned fp32 = one_fma_unit(u, id.model_name) ? u->fp32 / 2 : u->fp32;
	char what[240];
	snprintf(what, sizeof(what), "%u%s FP32 FLOP/cycle (%s, %s)", fp32,
		 u->fp32_small ? " (E-cores fewer)" : "", u->name, u->units);
	set_compute(t, XPU_PEAK_FP32, sum_tflops(cs, fp32, u->fp32_small), cs, what);
	bf16_peak(t, cpu, cs, fp32, u->name);
	free(cs);
}

void bench_host_peaks(const xsys *root, xpu_bench_target *t, const xpu_device *cpu)
{
	xpu_strlcpy(t->peak_source, "computed: SMBIOS DIMMs, cores x clock x FMA units",
		    sizeof(t->peak_source));
	mem_peak(root, t);
	compute_peaks(root, t, cpu);
	xpu_set_status(&t->peaks[XPU_PEAK_LINK].status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
		       "the CPU is the host: no host link");
}
