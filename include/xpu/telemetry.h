/* libxpu telemetry: samples of what each accelerator is doing now
 * (utilisation, memory, power, temperatures, clocks, throttling) and which
 * processes use it, for `xpu top` and `xpu exporter`.
 *
 * A sampler keeps the previous sample so that rates (engine busy from
 * fdinfo time counters, power from energy counters) come from two samples;
 * after one sample those values say XPU_R_NEEDS_TWO_SAMPLES.  The library
 * knows nothing of the command line. */
#ifndef XPU_TELEMETRY_H
#define XPU_TELEMETRY_H

#include "xpu/xpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a field of `xpu top --once --json` changes meaning or goes away. */
#define XPU_TELEMETRY_SCHEMA_VERSION 1

#define XPU_MAX_ENGINES 12
#define XPU_ENGINE_NAME_LEN 24
#define XPU_COMMAND_LEN 64

/* One engine class as the driver names it: i915 render/copy/video/
 * video-enhance/compute, xe rcs/bcs/vcs/vecs/ccs, amdgpu gfx/compute/enc/dec. */
typedef struct xpu_engine_use {
	char name[XPU_ENGINE_NAME_LEN];
	xpu_real busy_percent; /* 0..100 of the engine class's capacity */
} xpu_engine_use;

/* Traffic over one link and direction: the driver's counter (bytes since it
 * started counting) and its rate between the last two samples. */
typedef enum xpu_traffic_kind {
	XPU_TRAFFIC_NVLINK_TX = 0, /* NVLink data sent, all links (payload, no protocol) */
	XPU_TRAFFIC_NVLINK_RX,
	XPU_TRAFFIC_PCIE_TX,       /* PCIe bytes sent to the host link */
	XPU_TRAFFIC_PCIE_RX,
	XPU_TRAFFIC_COUNT
} xpu_traffic_kind;

typedef struct xpu_link_traffic {
	xpu_uint bytes;       /* the counter */
	xpu_real bytes_per_s; /* needs two samples */
	double at_s;          /* when the driver read the counter (its clock), 0 unknown */
} xpu_link_traffic;

/* "nvlink" / "pcie", and "tx" / "rx", for labels and keys. */
const char *xpu_traffic_link(xpu_traffic_kind k);
const char *xpu_traffic_direction(xpu_traffic_kind k);

typedef struct xpu_device_sample {
	/* Discovery's view at this sample: names, PCI, clocks, temperatures,
	 * fans, power cap, energy, memory total/used.  power_draw_w is the
	 * energy counter's rate where the device has only the counter. */
	xpu_device dev;
	xpu_real util_percent;        /* device busy: NVML, amdgpu, or the busiest engine */
	xpu_real memory_util_percent; /* memory controller busy (NVML) */
	xpu_real fan_percent;         /* fan duty (NVML) */
	/* What the clients of this device hold, summed over its processes:
	 * device-local memory (VRAM) and system memory (GTT, system) apart. */
	xpu_uint clients_vram_bytes;
	xpu_uint clients_system_bytes;
	/* Why clocks are held down: "sw_power_cap,hw_thermal_slowdown"; ""
	 * when nothing holds them. */
	xpu_text throttle_reasons;
	unsigned n_engines;
	xpu_engine_use engines[XPU_MAX_ENGINES];
	/* Intel: the same engine classes from the driver's perf PMU, the
	 * device's own total (processes this user cannot see included); it
	 * needs CAP_PERFMON or perf_event_paranoid <= 0, and pmu_status says
	 * why not.  util_percent is the busiest of these when they exist. */
	xpu_status pmu_status;
	unsigned n_pmu_engines;
	xpu_engine_use pmu_engines[XPU_MAX_ENGINES];
	unsigned n_processes;
	/* NVLink and PCIe traffic (NVML's counters); unsupported where the
	 * device has no such counter */
	xpu_link_traffic traffic[XPU_TRAFFIC_COUNT];
} xpu_device_sample;

typedef struct xpu_process_sample {
	int pid;
	char command[XPU_COMMAND_LEN];
	unsigned device;       /* index into xpu_sample.devices */
	const char *source;    /* "fdinfo" or "nvml" */
	xpu_uint vram_bytes;   /* device-local memory allocated */
	xpu_uint vram_resident_bytes;
	xpu_uint system_bytes; /* system memory (GTT) allocated for the GPU */
	xpu_uint system_resident_bytes;
	xpu_real busy_percent; /* the busiest engine, or NVML's SM use */
	unsigned n_engines;
	xpu_engine_use engines[XPU_MAX_ENGINES];
} xpu_process_sample;

typedef struct xpu_sample {
	uint64_t seq;       /* 1 for the first sample */
	double time;        /* seconds since the epoch */
	double interval_s;  /* since the previous sample, 0 for the first */
	size_t n_devices;
	xpu_device_sample *devices;
	size_t n_processes;
	xpu_process_sample *processes;
	/* OK when every process's file descriptors could be read; otherwise
	 * how many were hidden and why (other users' processes need root or
	 * CAP_SYS_PTRACE). */
	xpu_status processes_status;
	unsigned hidden_processes;
} xpu_sample;

typedef struct xpu_sampler xpu_sampler;

typedef struct xpu_sampler_options {
	xpu_options discovery; /* sysroot; probe_runtimes decides whether NVML is used */
	bool processes;        /* sweep /proc for GPU clients (and ask NVML) */
} xpu_sampler_options;

/* Opens the sources (NVML stays loaded between samples).  NULL with a
 * one-line message in err when the sysroot is unreadable or memory ran out. */
xpu_sampler *xpu_sampler_new(const xpu_sampler_options *opt, char *err, size_t errlen);
/* Takes a sample now (CLOCK_MONOTONIC) and keeps it as the last one. */
int xpu_sampler_refresh(xpu_sampler *s, char *err, size_t errlen);
/* The same at a given monotonic time, for replaying recorded trees. */
int xpu_sampler_refresh_at(xpu_sampler *s, uint64_t monotonic_ns, char *err, size_t errlen);
/* The last sample, NULL before the first.  Valid until the next refresh. */
const xpu_sample *xpu_sampler_last(const xpu_sampler *s);
void xpu_sampler_free(xpu_sampler *s);

/* JSON of a sample with "schema_version" (jansson string, free() it). */
char *xpu_sample_json(const xpu_sample *s, bool pretty);
/* Prometheus text exposition format 0.0.4 (malloc'd, free() it); per-process
 * series only when processes is true (their cardinality grows with pids). */
char *xpu_sample_prometheus(const xpu_sample *s, bool processes, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
