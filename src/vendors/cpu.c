/* The CPU, always listed: the device every app falls back to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

/* /proc/cpuinfo of a 256-thread machine is about 400 KiB */
#define CPUINFO_MAX (4u << 20)

static unsigned count_distinct_ids(const char *text, const char *key)
{
	/* "physical id" values are small integers; a bitmap of 1024 suffices */
	unsigned char seen[128] = { 0 };
	unsigned count = 0;
	size_t klen = strlen(key);
	for (const char *p = text; (p = strstr(p, key)) != NULL; p += klen) {
		if (p != text && p[-1] != '\n')
			continue;
		const char *colon = strchr(p, ':');
		if (!colon)
			break;
		unsigned long id = strtoul(colon + 1, NULL, 10);
		if (id < 1024 && !(seen[id / 8] & (1u << (id % 8)))) {
			seen[id / 8] |= (unsigned char)(1u << (id % 8));
			count++;
		}
	}
	return count;
}

static void isa_features(xpu_device *d, const char *flags)
{
	xpu_cpu_info *c = &d->cpu;
	static const char *const wanted[] = { "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni",
					      "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16",
					      "amx_int8", "asimd", "asimddp", "sve", "sve2", "bf16", "i8mm" };
	char isa[XPU_TEXT_LEN] = "";
	size_t used = 0;
	for (size_t i = 0; i < XPU_ARRAY_LEN(wanted); i++) {
		if (!xpu_word_in(flags, wanted[i]))
			continue;
		int w = snprintf(isa + used, sizeof(isa) - used, "%s%s", used ? " " : "", wanted[i]);
		if (w < 0 || (size_t)w >= sizeof(isa) - used)
			break;
		used += (size_t)w;
	}
	xpu_set_text(&c->isa, "%s", isa);
	c->avx2 = xpu_word_in(flags, "avx2");
	c->avx512f = xpu_word_in(flags, "avx512f");
	c->avx512_bf16 = xpu_word_in(flags, "avx512_bf16");
	c->avx512_vnni = xpu_word_in(flags, "avx512_vnni");
	c->avx_vnni = xpu_word_in(flags, "avx_vnni");
	c->amx_tile = xpu_word_in(flags, "amx_tile");
	c->amx_bf16 = xpu_word_in(flags, "amx_bf16");
	c->amx_int8 = xpu_word_in(flags, "amx_int8");
	c->neon = xpu_word_in(flags, "asimd");
	c->sve = xpu_word_in(flags, "sve");
}

static void cpuinfo(const xsys *s, xpu_device *d)
{
	char *text;
	size_t n;
	xsys_rc rc = xsys_slurp(s, &text, &n, CPUINFO_MAX, "/proc/cpuinfo");
	xpu_cpuinfo info;
	if (rc != XSYS_OK || !xpu_parse_cpuinfo(text, &info)) {
		xpu_read_fail(&d->name.status, rc == XSYS_OK ? XSYS_GARBAGE : rc, "/proc/cpuinfo");
		xpu_read_fail(&d->cpu.isa.status, rc == XSYS_OK ? XSYS_GARBAGE : rc, "/proc/cpuinfo");
		free(text);
		return;
	}
	xpu_set_text(&d->name, "%s", info.model[0] ? info.model : "CPU");
	isa_features(d, info.flags);

	unsigned sockets = count_distinct_ids(text, "physical id");
	if (sockets)
		xpu_set_uint(&d->cpu.sockets, sockets);
	char v[32];
	uint64_t per_socket;
	if (sockets && xpu_kv_get(text, "cpu cores", ':', v, sizeof(v)) && xpu_parse_u64(v, &per_socket))
		xpu_set_uint(&d->cpu.cores, per_socket * sockets);
	free(text);
}

static void count_list(const xsys *s, xpu_uint *dst, const char *path)
{
	char text[XSYS_ATTR_MAX];
	unsigned n;
	xsys_rc rc = xsys_text(s, text, sizeof(text), "%s", path);
	if (rc == XSYS_OK && xpu_parse_cpulist_count(text, &n))
		xpu_set_uint(dst, n);
	else
		xpu_read_fail(&dst->status, rc == XSYS_OK ? XSYS_GARBAGE : rc, path);
}

static void caches(const xsys *s, xpu_device *d)
{
	const char *base = "/sys/devices/system/cpu/cpu0/cache";
	for (int i = 0; i < 8; i++) {
		uint64_t level, bytes;
		char type[32], size[32];
		if (xsys_u64(s, &level, "%s/index%d/level", base, i) != XSYS_OK)
			continue;
		if (xsys_text(s, type, sizeof(type), "%s/index%d/type", base, i) != XSYS_OK ||
		    xsys_text(s, size, sizeof(size), "%s/index%d/size", base, i) != XSYS_OK ||
		    !xpu_parse_size(size, &bytes))
			continue;
		if (level == 1 && strcmp(type, "Data") == 0)
			xpu_set_uint(&d->cpu.l1d_bytes, bytes);
		else if (level == 2)
			xpu_set_uint(&d->cpu.l2_bytes, bytes);
		else if (level == 3)
			xpu_set_uint(&d->cpu.l3_bytes, bytes);
	}
	xpu_uint *all[] = { &d->cpu.l1d_bytes, &d->cpu.l2_bytes, &d->cpu.l3_bytes };
	for (size_t i = 0; i < XPU_ARRAY_LEN(all); i++)
		if (!xpu_is_ok(&all[i]->status) && !all[i]->status.detail[0])
			xpu_set_status(&all[i]->status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING, "%s", base);
}

static void memory(const xsys *s, xpu_device *d)
{
	char text[XSYS_ATTR_MAX], v[64];
	uint64_t total_kb, avail_kb;
	xpu_set_text(&d->memory_kind, "system");
	xsys_rc rc = xsys_text(s, text, sizeof(text), "/proc/meminfo");
	if (rc != XSYS_OK) {
		xpu_read_fail(&d->memory_total_bytes.status, rc, "/proc/meminfo");
		xpu_read_fail(&d->memory_used_bytes.status, rc, "/proc/meminfo");
		return;
	}
	/* "MemTotal:  32768000 kB": the unit is always kB */
	if (xpu_kv_get(text, "MemTotal", ':', v, sizeof(v)) && strtok(v, " ") &&
	    xpu_parse_u64(v, &total_kb))
		xpu_set_uint(&d->memory_total_bytes, total_kb * 1024);
	else
		xpu_read_fail(&d->memory_total_bytes.status, XSYS_GARBAGE, "/proc/meminfo MemTotal");
	if (xpu_is_ok(&d->memory_total_bytes.status) &&
	    xpu_kv_get(text, "MemAvailable", ':', v, sizeof(v)) && strtok(v, " ") &&
	    xpu_parse_u64(v, &avail_kb) && avail_kb <= total_kb)
		xpu_set_uint(&d->memory_used_bytes, (total_kb - avail_kb) * 1024);
	else
		xpu_read_fail(&d->memory_used_bytes.status, XSYS_GARBAGE, "/proc/meminfo MemAvailable");
}

/* What can change while the machine runs: CPUs and memory brought online,
 * memory in use. */
static void cpu_probe(const xsys *s, xpu_device *d, const xpu_gpu_paths *p)
{
	(void)p;
	d->vendor = XPU_VENDOR_CPU;
	d->kind = XPU_KIND_CPU;
	xpu_strlcpy(d->compute_unit_name, "cores", sizeof(d->compute_unit_name));
	count_list(s, &d->cpu.threads, "/sys/devices/system/cpu/online");
	count_list(s, &d->cpu.numa_nodes, "/sys/devices/system/node/online");
	memory(s, d);
	xpu_set_status(&d->driver.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, "the CPU needs no driver");
	xpu_set_status(&d->driver_version.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, NULL);
}

/* What stays until the next boot: the model, its vector units, cores and
 * caches (with the online CPUs, which the cache fingerprints). */
static void cpu_probe_static(const xsys *s, xpu_device *d)
{
	cpuinfo(s, d);
	if (!xpu_is_ok(&d->cpu.cores.status) && xpu_is_ok(&d->cpu.threads.status))
		/* no "cpu cores" (Arm, some VMs): every thread is a core */
		d->cpu.cores = d->cpu.threads;
	if (xpu_is_ok(&d->cpu.cores.status))
		xpu_set_uint(&d->compute_units, d->cpu.cores.value);
	caches(s, d);
	xpu_set_text(&d->family, "%s", xpu_word_in(d->cpu.isa.value, "asimd") ? "Arm64" : "x86-64");
}

/* A cached CPU's boot-static facts, unless its /proc/cpuinfo read had failed
 * (then they are read again). */
static bool cpu_keep_static(xpu_device *fresh, const xpu_device *cached)
{
	if (!xpu_is_ok(&cached->cpu.isa.status))
		return false;
	xpu_cpu_info live = fresh->cpu;
	fresh->cpu = cached->cpu;
	fresh->cpu.threads = live.threads;
	fresh->cpu.numa_nodes = live.numa_nodes;
	fresh->name = cached->name;
	fresh->family = cached->family;
	fresh->compute_units = cached->compute_units;
	return true;
}

/* What the snapshot copies for the listing of the CPU device, and for the
 * host's compute peaks in xpu bench (cores, their clocks, hybrid parts'
 * efficient cores).  The SMBIOS table stays out: it holds serial numbers. */
static const char *const cpu_snapshot[] = {
	"/proc/cpuinfo", "/proc/meminfo", "/sys/devices/system/cpu/online",
	"/sys/devices/system/node/online", "/sys/devices/system/cpu/cpu0/cache",
	"/sys/devices/system/cpu/cpu*/topology/core_cpus_list",
	"/sys/devices/system/cpu/cpu*/cpufreq/cpuinfo_max_freq", "/sys/devices/cpu_atom/cpus", NULL,
};

/* The cpu backend needs no runtime; lavapipe and PoCL are CPU Vulkan and
 * OpenCL drivers. */
/* The boot-static facts count the online CPUs' cores. */
static const char *const cpu_cache_files[] = { "/sys/devices/system/cpu/online", NULL };

const xpu_vendor_desc xpu_vendor_desc_cpu = {
	.id = "cpu",
	.display_name = "CPU",
	.backends = 1u << XPU_BACKEND_CPU | 1u << XPU_BACKEND_VULKAN | 1u << XPU_BACKEND_OPENCL,
	.probe = cpu_probe,
	.probe_static = cpu_probe_static,
	.keep_static = cpu_keep_static,
	.cache_files = cpu_cache_files,
	.snapshot = cpu_snapshot,
};
