/* Userspace runtimes, each loaded with dlopen at first use and never linked:
 * a missing or broken runtime is a state of a backend, never a failure.
 *
 * The runtime table (xpu_runtimes[], runtimes/table.c) is the one place that
 * names a runtime: its --runtimes name, its sonames, what to install, which
 * backend it drives, its probe.  Discovery, `--runtimes`, the doctor and
 * bench read it.
 *
 * Each probe takes the devices found in sysfs, matches the runtime's devices
 * to them (PCI address first, then UUID), and records on each matched device
 * whether the backend is usable, with the reason when not.  A device the
 * runtime sees that sysfs did not show (a container without /sys/bus/pci) is
 * added.  Devices of a kind the backend concerns but that the runtime does not
 * see get XPU_R_RUNTIME_NO_DEVICE, or XPU_R_RUNTIME_MISSING/ERROR with the
 * library name or error code in the detail. */
#ifndef XPU_RUNTIME_H
#define XPU_RUNTIME_H

#include <stdbool.h>

#include "model/system.h"

struct xpu_rt_probe; /* private to src/runtimes (rt_int.h) */

/* One runtime: everything the program knows of it, in one row. */
typedef struct xpu_runtime_desc {
	xpu_runtime_kind kind;
	const char *name;  /* "level_zero": --runtimes, JSON keys, XPU_DEBUG=timing */
	const char *title; /* "Level Zero": for people */
	/* The backend it drives; NVML drives none (drives false) and describes
	 * the devices of this backend (CUDA's). */
	xpu_backend_kind backend;
	bool drives;
	/* The names dlopen tries, in order, versioned first; NULL-terminated. */
	const char *const *libraries;
	/* When none loads, the reason's detail: the name said (NULL:
	 * libraries[0]), then install in parentheses, "libze_loader.so.1
	 * (install libze1)" (NULL: the name alone). */
	const char *missing_name;
	const char *install;
	/* What `xpu doctor` tells Debian and Ubuntu users to install. */
	const char *packages;
	/* The vendor driver the loader needs besides (Level Zero's GPU driver):
	 * its soname and packages; NULL when none. */
	const char *driver;
	const char *driver_packages;
	/* Probes of one lane run one after another, in table order, in one
	 * thread; the lanes run side by side (NVML shares CUDA's, so that it
	 * reads the GPU before cuInit wakes it). */
	unsigned lane;
	const struct xpu_rt_probe *probe;
} xpu_runtime_desc;

/* Every runtime, in the order their results are applied to the system
 * (NVML, CUDA, Level Zero, ROCm, Vulkan, OpenCL): the order of the serial
 * probes this replaced, so the results are the same. */
extern const xpu_runtime_desc xpu_runtimes[XPU_RT_COUNT];
/* The row of runtime k (never NULL for a valid k). */
const xpu_runtime_desc *xpu_runtime_desc_of(xpu_runtime_kind k);

/* Probes the runtimes of mask (0: all) into s: each one's slow part (load,
 * initialise, enumerate) in its lane's thread, touching nothing shared; then
 * each result applied to s in table order.  XPU_DEBUG=serial probes one
 * runtime after the other instead; XPU_DEBUG=timing prints each probe's own
 * time and the wall time of all. */
void xpu_runtimes_probe(struct xpu_system *s, unsigned mask);
/* One runtime alone, now (the discovery cache's live NVML values). */
void xpu_runtime_probe_one(struct xpu_system *s, xpu_runtime_kind k);

/* A runtime's library, opened: handle NULL when no name loaded, and then
 * error says why (xpu_dl_open's words). */
typedef struct xpu_rt_lib {
	void *handle;
	char name[64];    /* the name that loaded, else the first tried */
	char error[512];
} xpu_rt_lib;
/* Opens the first of runtime k's libraries that loads (RTLD_NOW |
 * RTLD_LOCAL); returns lib->handle. */
void *xpu_rt_lib_open(xpu_runtime_kind k, xpu_rt_lib *lib);

/* A value NVML gave, or why not: have_fn false when the library lacks sym,
 * else NVML's return code rc (0 success, 3 not supported, 4 no permission).
 * Shared by the NVML probe and the telemetry sampler. */
void xpu_nvml_why(xpu_status *st, const char *sym, bool have_fn, int rc);
void xpu_nvml_set_uint(xpu_uint *v, const char *sym, bool have_fn, int rc, uint64_t value);
void xpu_nvml_set_real(xpu_real *v, const char *sym, bool have_fn, int rc, double value);

#endif
