/* libxpu bench: how fast this machine is against what its hardware can do,
 * and whether it got slower.  Every figure carries its unit, how bytes or
 * operations were counted, min/median/max over the repetitions and the
 * percentage of the device's theoretical peak (or why that is unknown).
 * The library knows nothing of the command line. */
#ifndef XPU_BENCH_H
#define XPU_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "xpu/xpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a field of `xpu bench --json` (and so of a saved baseline)
 * changes meaning or goes away. */
#define XPU_BENCH_SCHEMA_VERSION 1
#define XPU_BENCH_MAX_FIGURES 48
#define XPU_BENCH_MAX_PASSES 2
#define XPU_BENCH_MAX_TARGETS 12

typedef enum xpu_bench_level {
	XPU_BENCH_QUICK = 0, /* seconds: small sizes, few repetitions */
	XPU_BENCH_NORMAL,
	XPU_BENCH_FULL,      /* every shape and precision */
} xpu_bench_level;

/* The theoretical limit a figure is compared with. */
typedef enum xpu_peak_kind {
	XPU_PEAK_NONE = 0, /* latency: no theoretical limit */
	XPU_PEAK_MEM_BW,   /* GB/s, device memory (host: DRAM) */
	XPU_PEAK_LINK,     /* GB/s per direction, host link (PCIe) */
	XPU_PEAK_FP32,     /* TFLOP/s, vector */
	XPU_PEAK_TF32,     /* TFLOP/s, matrix, dense */
	XPU_PEAK_FP16,     /* TFLOP/s, matrix, dense */
	XPU_PEAK_BF16,     /* TFLOP/s, matrix, dense */
	XPU_PEAK_FP8,      /* TFLOP/s, matrix, dense */
	XPU_PEAK_PEER,     /* GB/s per direction between GPUs (NVLink, xGMI, Xe Link, else PCIe) */
	XPU_PEAK_COUNT
} xpu_peak_kind;

typedef struct xpu_bench_figure {
	char name[48];        /* "stream.triad", "gemm.bf16.8192", "h2d.pinned" */
	char unit[12];        /* "GB/s", "TFLOP/s", "us" */
	char counting[96];    /* how bytes/operations were counted */
	xpu_peak_kind peak_kind;
	bool lower_is_better; /* latencies */
	xpu_status status;    /* OK, or why there is no figure */
	unsigned reps;        /* timed repetitions (warm-ups excluded) */
	double best;          /* the reported figure (STREAM rule: best rep) */
	double median, min, max;
	/* A figure on the CPU is taken in passes, the second after every figure
	 * of the first (another window of time): each pass's own best */
	unsigned passes;
	double pass_best[XPU_BENCH_MAX_PASSES];
	xpu_real peak;        /* in unit; unknown with its reason */
	xpu_real percent_of_peak;
	xpu_real alt_best;    /* the same best in a second counting convention */
	char alt_counting[64];
	char note[128];       /* checks done, sizes, the library used */
	double spread_pct;    /* 100 x (max - min) / median over the repetitions */
	bool noisy;           /* not to be trusted in a comparison: noise says why */
	char noise[128];      /* "spread 35% > 10% over 5 reps; machine busy: ..." */
} xpu_bench_figure;

typedef struct xpu_bench_target {
	char device_id[40];   /* as `xpu list` shows it: "cpu", "pci:0000:00:06.0" */
	char device_name[XPU_TEXT_LEN];
	char backend[16];     /* "host", "cuda", "opencl", "level_zero" */
	char library[192];    /* which runtime/BLAS ran it, and where it was found */
	char gemm[192];       /* OpenCL: which GEMM ran ("oneDNN 2.6.3 ..." or the
	                       * tiled kernel) and why oneDNN did not; "" elsewhere */
	xpu_status status;    /* OK; or why this target could not run at all */
	xpu_real peaks[XPU_PEAK_COUNT];
	char peak_source[96]; /* "table: NVIDIA H200 SXM (10de:2335)" */
	/* how each peak was computed, with the source of each number, where
	 * it was computed rather than taken from the table ("" otherwise) */
	char peak_how[XPU_PEAK_COUNT][256];
	char properties[256]; /* Level Zero: what the driver reports for the peaks */
	/* while this target ran: other processes' share of the CPUs' time and
	 * the hypervisor's steal, in percent; busy says so when over the limits */
	xpu_real others_cpu_pct, steal_pct;
	char busy[160];
	size_t n_figures;
	xpu_bench_figure figures[XPU_BENCH_MAX_FIGURES];
} xpu_bench_target;

typedef struct xpu_bench_report {
	xpu_bench_level level;
	char hostname[64];
	char machine_id[40];  /* /etc/machine-id, "" when absent */
	char cpu_model[XPU_TEXT_LEN];
	char kernel[64];
	double scale;         /* XPU_BENCH_SCALE (tests only); 1 normally */
	xpu_real load_avg_1m; /* /proc/loadavg when the run started */
	unsigned cpus;        /* online CPUs */
	size_t n_targets;
	xpu_bench_target targets[XPU_BENCH_MAX_TARGETS];
} xpu_bench_report;

typedef void (*xpu_bench_progress_fn)(void *ctx, const char *msg);

typedef struct xpu_bench_options {
	xpu_bench_level level;
	/* NULL: every device.  An index as `xpu list` numbers them, a device id
	 * ("cpu", "pci:0000:03:00.0"), or a kind (xpu_bench_device_kinds). */
	const char *device;
	const char *only;     /* comma list of figure names or prefixes; NULL: all */
	xpu_bench_progress_fn progress;
	void *progress_ctx;
} xpu_bench_options;

enum {
	XPU_BENCH_E_OK = 0,
	XPU_BENCH_E_NO_DEVICE = 1, /* nothing of the asked kind to benchmark */
	XPU_BENCH_E_FAILED = 2,    /* every selected target failed */
	XPU_BENCH_E_NOMEM = 3,
};

/* Runs the benchmarks on the devices discovery found.  Returns an
 * XPU_BENCH_E_* code with a one-line message in err on failure.  A target
 * that fails (a runtime error mid-run, out of device memory) is recorded
 * with its status and the others still run. */
int xpu_bench_run(const xpu_system *sys, const xpu_bench_options *opt, xpu_bench_report **out,
		  char *err, size_t errlen);
void xpu_bench_report_free(xpu_bench_report *r);

/* The figures xpu bench can report, one row each: the registry the runners
 * report through, --only checks against and `xpu bench --help` lists. */
typedef struct xpu_bench_figure_info {
	const char *name;         /* "stream.triad"; with a shape, the stem: "gemm.bf16" */
	const char *shape;        /* NULL, or what each figure adds to the stem, as
	                           * help shows it: "N" (gemm.bf16.8192) */
	const char *unit;         /* "GB/s", "TFLOP/s", "us" */
	xpu_peak_kind peak_kind;
	const char *counting;     /* NULL where each backend counts its own way */
	const char *alt_counting; /* the second convention of alt_value, or NULL */
	const char *backends;     /* the targets that report it: "cuda opencl" */
} xpu_bench_figure_info;

size_t xpu_bench_figure_count(void);
/* Row i of the registry (i < xpu_bench_figure_count()), else NULL. */
const xpu_bench_figure_info *xpu_bench_figure_at(size_t i);

/* Whether name is selected by the comma list only (NULL or "" selects all):
 * a token selects a name equal to it or starting with it followed by '.'. */
bool xpu_bench_selected(const char *only, const char *name);
/* Whether each token of only names figures of the registry: a figure
 * ("stream.triad", "gemm.bf16.8192"), a stem ("gemm.bf16") or a prefix that
 * ends at a dot ("gemm"); false with the first unknown token in bad. */
bool xpu_bench_only_valid(const char *only, char *bad, size_t badlen);

/* The kinds of device --device takes, as one line: "cpu, gpu, cuda, ...".
 * Returns how many. */
size_t xpu_bench_device_kinds(char *list, size_t len);

const char *xpu_peak_kind_name(xpu_peak_kind k);   /* "mem_bw", "bf16" */
const char *xpu_bench_level_name(xpu_bench_level l);

/* JSON of the report (jansson string, caller frees with free()). */
char *xpu_bench_json(const xpu_bench_report *r, bool pretty);
/* Writes the report as a baseline to path (atomically: temp file + rename). */
int xpu_bench_save(const xpu_bench_report *r, const char *path, char *err, size_t errlen);

typedef struct xpu_bench_delta {
	char target[64];      /* "cuda pci:0000:00:06.0" */
	char name[48];
	char unit[12];
	double baseline, now;
	double change_pct;    /* signed: positive is faster */
	bool regression;      /* slower than the threshold, and called so */
	bool noisy;           /* noisy now or in the baseline: noise says which */
	char noise[160];
} xpu_bench_delta;

typedef struct xpu_bench_comparison {
	double threshold_pct;
	bool call_noisy;      /* noisy figures are called regressions too */
	size_t n, regressions, unmatched; /* unmatched: figures only in one side */
	size_t held_back;     /* slower than the threshold but noisy: not called */
	xpu_bench_delta deltas[XPU_BENCH_MAX_TARGETS * XPU_BENCH_MAX_FIGURES];
} xpu_bench_comparison;

/* Compares r with the baseline in path.  Fails (with one line in err) when
 * the file is unreadable, malformed, of another schema, or from another
 * machine.  Figures present on one side only are counted, not compared.  A
 * figure noisy on either side is not called a regression unless
 * call_noisy. */
int xpu_bench_compare(const xpu_bench_report *r, const char *path, double threshold_pct,
		      bool call_noisy, xpu_bench_comparison **out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
