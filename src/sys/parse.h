/* Pure parsers for the text that sysfs, procfs and drivers hand out.  No I/O
 * here: each takes a NUL-terminated string, so each can be fuzzed. */
#ifndef XPU_PARSE_H
#define XPU_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal, or hexadecimal with 0x; surrounding white space allowed, nothing else. */
bool xpu_parse_u64(const char *s, uint64_t *out);
bool xpu_parse_i64(const char *s, int64_t *out);
bool xpu_parse_double(const char *s, double *out);

/* Finds "KEY<sep>value" on a line of text (uevent uses '=', /proc files ':').
 * The value is trimmed of white space.  Returns false when the key is absent. */
bool xpu_kv_get(const char *text, const char *key, char sep, char *out, size_t len);

/* "8086:56A5" -> 0x8086, 0x56a5 */
bool xpu_parse_id_pair(const char *s, uint16_t *a, uint16_t *b);

/* Normalises "00000000:18:00.0", "0000:18:00.0" or "18:00.0" to "0000:18:00.0". */
bool xpu_pci_normalize(const char *in, char *out, size_t len);

/* /proc/driver/nvidia/gpus/BUS/information */
typedef struct xpu_nv_information {
	char model[128];
	char uuid[64];
	char bus_location[24];
	char video_bios[32];
	int device_minor; /* -1 when absent */
} xpu_nv_information;
bool xpu_parse_nvidia_information(const char *text, xpu_nv_information *out);

/* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95.05  Thu ..." -> "580.95.05" */
bool xpu_parse_nvidia_version(const char *text, char *out, size_t len);

/* amdgpu pp_dpm_* tables: "0: 500Mhz\n1: 31Mhz *\n".  Fills up to max levels
 * in MHz, returns the count; *active is the index marked '*', or -1. */
int xpu_parse_dpm_levels(const char *text, unsigned *mhz, int max, int *active);

/* amdgpu pp_od_clk_voltage section ("OD_SCLK:") -> its first and last MHz. */
bool xpu_parse_od_range(const char *text, const char *section, unsigned *min, unsigned *max);

/* Size strings as sysfs caches write them: "48K", "2048K", "32M". */
bool xpu_parse_size(const char *s, uint64_t *bytes);

/* CPU list as in /sys/devices/system/cpu/online: "0-3,8,10-11" -> 7. */
bool xpu_parse_cpulist_count(const char *s, unsigned *count);

/* A bit mask of CPUs (or NUMA nodes), as NVML's affinity calls fill it
 * (words of unsigned long, bit 0 of word 0 first) -> "0-31,64-95".  False
 * when no bit is set or out is too small. */
bool xpu_cpulist_from_mask(const unsigned long *words, size_t n, char *out, size_t len);

/* Where a PCI device sits, from the machine path its /sys/bus/pci/devices
 * link resolves to ("/sys/devices/pci0000:00/0000:00:01.0/0000:03:00.0",
 * perhaps under /sys/devices/platform/... on Arm): the host bridge's folder
 * ("pci0000:00") and the PCI functions from the root port down to the
 * device itself.  False when the path holds no host bridge and device. */
#define XPU_PCI_MAX_DEPTH 12
typedef struct xpu_pci_place {
	char root[24];
	size_t depth;
	char chain[XPU_PCI_MAX_DEPTH][16];
} xpu_pci_place;
bool xpu_parse_pci_place(const char *path, xpu_pci_place *out);

/* The first processor block of /proc/cpuinfo. */
typedef struct xpu_cpuinfo {
	char model[128];
	char flags[4096]; /* x86 "flags" or Arm "Features" */
} xpu_cpuinfo;
bool xpu_parse_cpuinfo(const char *text, xpu_cpuinfo *out);

/* What names the CPU's microarchitecture and clock, from the first processor
 * block of /proc/cpuinfo: x86 "vendor_id", "cpu family", "model", "cpu MHz";
 * Arm "CPU implementer", "CPU part".  Absent numbers are -1 (MHz 0).  false
 * when the block has none of them. */
typedef struct xpu_cpu_id {
	char vendor[16];  /* "GenuineIntel", "AuthenticAMD", "HygonGenuine"; "" on Arm */
	int family, model;
	int implementer, part; /* Arm: 0x41 (Arm Ltd), 0xd4f (Neoverse V2) */
	double mhz;       /* x86: the clock when the file was read */
	char model_name[128];
} xpu_cpu_id;
bool xpu_parse_cpu_id(const char *text, xpu_cpu_id *out);

/* The first line of /proc/stat ("cpu  user nice system idle iowait irq
 * softirq steal ..."), in clock ticks summed over the CPUs: all of them,
 * the idle ones (idle + iowait) and steal (a VM's CPU taken by its host).
 * Kernels before 2.6.11 have no steal column: 0. */
typedef struct xpu_cpu_ticks {
	uint64_t total, idle, steal;
} xpu_cpu_ticks;
bool xpu_parse_proc_stat(const char *text, xpu_cpu_ticks *out);

/* An OpenCL ICD manifest (/etc/OpenCL/vendors/NAME.icd): the library it
 * registers, its first line without surrounding white space, as ocl-icd
 * reads it.  False when there is none or it does not fit out. */
bool xpu_parse_icd_library(const char *text, char *out, size_t len);

#endif
