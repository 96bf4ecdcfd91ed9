/* xpu bench: picks the targets (device x backend), runs each backend's
 * benchmarks, and keeps the figures with their statistics. */
#include "bench/bench_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "model/system.h"
#include "model/value.h"

unsigned bench_reps(const bench_ctx *c)
{
	switch (c->opt->level) {
	case XPU_BENCH_QUICK: return 5;
	case XPU_BENCH_FULL: return 20;
	default: return 10;
	}
}

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_rate(double amount, double seconds)
{
	return seconds > 0 ? amount / seconds : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The figure's samples of every pass so far, these n included (the earlier
 * ones from c->kept, where these are appended), scaled; malloc'd, NULL when
 * out of memory. */
static double *all_passes(const bench_ctx *c, const xpu_bench_figure *f, const double *samples,
			  size_t *n)
{
	bench_kept *k = c->kept && f >= c->t->figures && f < c->t->figures + XPU_BENCH_MAX_FIGURES ?
				&c->kept[f - c->t->figures] : NULL;
	size_t before = k ? k->n : 0;
	double *s = malloc((before + *n) * sizeof(*s));
	if (!s)
		return NULL;
	if (before)
		memcpy(s, k->v, before * sizeof(*s));
	/* The test-only scale slows (scale < 1) or speeds up every figure:
	 * rates are multiplied by it, times divided. */
	for (size_t i = 0; i < *n; i++)
		s[before + i] = f->lower_is_better ? samples[i] / c->scale : samples[i] * c->scale;
	*n += before;
	double *grown = k ? realloc(k->v, *n * sizeof(*grown)) : NULL;
	if (grown) {
		memcpy(grown + before, s + before, (*n - before) * sizeof(*grown));
		k->v = grown;
		k->n = *n;
	}
	return s;
}

void bench_finish(const bench_ctx *c, xpu_bench_figure *f, const double *samples, size_t n)
{
	if (!f)
		return;
	if (n == 0) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "no repetition completed");
		return;
	}
	size_t this_pass = n;
	double *s = all_passes(c, f, samples, &n);
	if (!s) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "out of memory");
		return;
	}
	/* this pass's samples are the last ones all_passes put in s */
	double pass_best = s[n - this_pass];
	for (size_t i = n - this_pass; i < n; i++)
		if (f->lower_is_better ? s[i] < pass_best : s[i] > pass_best)
			pass_best = s[i];
	if (c->pass < XPU_BENCH_MAX_PASSES) {
		f->pass_best[c->pass] = pass_best;
		f->passes = c->pass + 1;
	}
	qsort(s, n, sizeof(*s), cmp_double);
	f->min = s[0];
	f->max = s[n - 1];
	f->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	f->best = f->lower_is_better ? f->min : f->max;
	f->reps = (unsigned)n;
	free(s);
	xpu_set_ok(&f->status);
}

void bench_wall_samples(const bench_ctx *c, xpu_bench_figure *f, unsigned warm, unsigned n,
			double amount, bench_step_fn step, void *arg)
{
	if (!f)
		return;
	double *v = malloc((n ? n : 1) * sizeof(double));
	if (!v) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "out of memory");
		return;
	}
	size_t m = 0;
	for (unsigned i = 0; i < warm + n; i++) {
		char err[128] = "";
		double t = bench_now();
		int rc = step(arg, err, sizeof(err));
		t = bench_now() - t;
		if (rc != 0) {
			bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", err);
			free(v);
			return;
		}
		if (i >= warm)
			v[m++] = amount > 0 ? bench_rate(amount, t) : t * 1e6;
	}
	bench_finish(c, f, v, m);
	free(v);
}

void bench_vfail(xpu_bench_figure *f, xpu_state st, xpu_reason r, const char *fmt, va_list ap)
{
	if (f)
		xpu_vset_status(&f->status, st, r, fmt, ap);
}

void bench_fail(xpu_bench_figure *f, xpu_state st, xpu_reason r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bench_vfail(f, st, r, fmt, ap);
	va_end(ap);
}

void bench_note(xpu_bench_figure *f, const char *fmt, ...)
{
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	xpu_vappend(f->note, sizeof(f->note), "; ", fmt, ap);
	va_end(ap);
}

void bench_vsay(xpu_bench_progress_fn fn, void *ctx, const char *fmt, va_list ap)
{
	if (!fn)
		return;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fn(ctx, msg);
}

void bench_progress(const bench_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bench_vsay(c->opt->progress, c->opt->progress_ctx, fmt, ap);
	va_end(ap);
}

void bench_target_fail(xpu_bench_target *t, xpu_reason r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xpu_vset_status(&t->status, XPU_UNAVAILABLE, r, fmt, ap);
	va_end(ap);
}

/* ---- machine identity, for baselines ---- */

static void read_first_line(const char *path, char *out, size_t len)
{
	char *text, err[16];
	size_t n;
	out[0] = '\0';
	if (xpu_file_read(-1, path, 0, 4096, &text, &n, err, sizeof(err)) != XPU_FILE_OK)
		return;
	text[strcspn(text, "\r\n")] = '\0';
	xpu_strlcpy(out, text, len);
	free(text);
}

/* The load average and the CPUs when the run starts: the report's context. */
static void machine_load(xpu_bench_report *r)
{
	xsys live;
	char err[64], text[128];
	double avg;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	r->cpus = cpus > 0 ? (unsigned)cpus : 0;
	if (xsys_init(&live, NULL, err, sizeof(err)) == 0 &&
	    xsys_text(&live, text, sizeof(text), "/proc/loadavg") == XSYS_OK &&
	    sscanf(text, "%lf", &avg) == 1)
		xpu_set_real(&r->load_avg_1m, avg);
	else
		xpu_set_status(&r->load_avg_1m.status, XPU_UNAVAILABLE, XPU_R_FILE_MISSING,
			       "/proc/loadavg");
}

static void identify(xpu_bench_report *r, const xpu_system *sys)
{
	machine_load(r);
	if (gethostname(r->hostname, sizeof(r->hostname)) != 0)
		xpu_strlcpy(r->hostname, "unknown", sizeof(r->hostname));
	r->hostname[sizeof(r->hostname) - 1] = '\0';
	/* A configuration file, not /sys or /proc: a sysroot does not apply. */
	read_first_line("/etc/machine-id", r->machine_id, sizeof(r->machine_id));
	struct utsname u;
	if (uname(&u) == 0)
		xpu_strlcpy(r->kernel, u.release, sizeof(r->kernel));
	for (size_t i = 0; i < xpu_device_count(sys); i++) {
		const xpu_device *d = xpu_device_at(sys, i);
		if (d->vendor == XPU_VENDOR_CPU && xpu_is_ok(&d->name.status))
			xpu_strlcpy(r->cpu_model, d->name.value, sizeof(r->cpu_model));
	}
}

/* ---- which targets ---- */

typedef enum sel_kind { SEL_ALL, SEL_CPU, SEL_GPU, SEL_CUDA, SEL_OPENCL, SEL_L0, SEL_ONE } sel_kind;

static bool usable(const xpu_device *d, xpu_backend_kind b)
{
	return d->backends[b].usable;
}

static xpu_bench_target *add_target(const bench_ctx *c, xpu_bench_report *r, const xpu_device *d,
				     const char *backend)
{
	if (r->n_targets >= XPU_BENCH_MAX_TARGETS)
		return NULL;
	xpu_bench_target *t = &r->targets[r->n_targets++];
	memset(t, 0, sizeof(*t));
	xpu_strlcpy(t->device_id, d->id, sizeof(t->device_id));
	if (xpu_is_ok(&d->name.status))
		xpu_strlcpy(t->device_name, d->name.value, sizeof(t->device_name));
	else
		xpu_strlcpy(t->device_name, d->id, sizeof(t->device_name));
	xpu_strlcpy(t->backend, backend, sizeof(t->backend));
	xpu_set_ok(&t->status);
	bench_peaks_fill(t, d, c->root);
	return t;
}

/* A target on the CPU shares it with every other process and the VM's
 * neighbours, whose load comes and goes over seconds: its figures are taken
 * in two passes, the second after every target's first, so that each
 * figure's best spans two windows of time, seconds apart, and the noise
 * verdict sees whether they agree (two consecutive --quick runs on the CI
 * VM disagreed by up to 18% on figures whose five back-to-back repetitions
 * agreed). */
enum { BENCH_CPU_PASSES = XPU_BENCH_MAX_PASSES };

/* One target to run: what runs it, and the load while its passes ran
 * (tick differences summed over the passes, from a zero start). */
typedef struct target_run {
	const xpu_device *d;
	void (*fn)(bench_ctx *, const xpu_device *);
	xpu_bench_target *t;
	bench_load load;
	bench_kept kept[XPU_BENCH_MAX_FIGURES]; /* a target of passes: c->kept */
} target_run;

typedef struct run_plan {
	target_run runs[XPU_BENCH_MAX_TARGETS];
	size_t n;
} run_plan;

static void plan_target(bench_ctx *c, xpu_bench_report *r, run_plan *p, const xpu_device *d,
			const char *backend, void (*fn)(bench_ctx *, const xpu_device *))
{
	xpu_bench_target *t = add_target(c, r, d, backend);
	if (t && p->n < XPU_BENCH_MAX_TARGETS)
		p->runs[p->n++] = (target_run){ .d = d, .fn = fn, .t = t, .load = { .ok = true } };
}

/* The targets of one device under the selection.  By default a GPU is
 * measured through its best compute backend (CUDA, else OpenCL); Level Zero
 * adds its properties where a driver is present. */
static void device_targets(bench_ctx *c, xpu_bench_report *r, run_plan *p, const xpu_device *d,
			   sel_kind k)
{
	bool cuda = usable(d, XPU_BACKEND_CUDA), ocl = usable(d, XPU_BACKEND_OPENCL);
	bool any = k == SEL_ALL || k == SEL_ONE;
	if (d->vendor == XPU_VENDOR_CPU) {
		if (any || k == SEL_CPU)
			plan_target(c, r, p, d, "host", bench_host);
		if (ocl && (any || k == SEL_OPENCL))
			plan_target(c, r, p, d, "opencl", bench_opencl);
		return;
	}
	if (cuda && (any || k == SEL_GPU || k == SEL_CUDA))
		plan_target(c, r, p, d, "cuda", bench_cuda);
	if (ocl && (k == SEL_OPENCL || ((any || k == SEL_GPU) && !cuda)))
		plan_target(c, r, p, d, "opencl", bench_opencl);
	if (usable(d, XPU_BACKEND_LEVEL_ZERO) && (any || k == SEL_GPU || k == SEL_L0))
		plan_target(c, r, p, d, "level_zero", bench_level_zero);
}

/* Adds what the machine did between a and b to sum. */
static void add_load(bench_load *sum, const bench_load *a, const bench_load *b)
{
	if (!a->ok || !b->ok || b->total < a->total) {
		sum->ok = false;
		return;
	}
	sum->total += b->total - a->total;
	sum->idle += b->idle - a->idle;
	sum->steal += b->steal - a->steal;
	sum->own_s += b->own_s - a->own_s;
}

static void run_pass(bench_ctx *c, target_run *tr, unsigned passes)
{
	xpu_bench_target *t = tr->t;
	c->t = t;
	c->kept = passes > 1 ? tr->kept : NULL;
	if (passes > 1)
		bench_progress(c, "%s on %s (%s), pass %u of %u", t->backend, t->device_name,
			       t->device_id, c->pass + 1, passes);
	else
		bench_progress(c, "%s on %s (%s)", t->backend, t->device_name, t->device_id);
	bench_load before, after;
	bench_load_sample(&before);
	tr->fn(c, tr->d);
	bench_load_sample(&after);
	add_load(&tr->load, &before, &after);
}

/* Every target's first pass, then the CPU targets' second; then each
 * target's verdicts over all its passes. */
static void run_plan_passes(bench_ctx *c, run_plan *p)
{
	for (c->pass = 0; c->pass < BENCH_CPU_PASSES; c->pass++)
		for (size_t i = 0; i < p->n; i++) {
			target_run *tr = &p->runs[i];
			bool on_cpu = tr->d->vendor == XPU_VENDOR_CPU;
			if (c->pass > 0 && (!on_cpu || !xpu_is_ok(&tr->t->status)))
				continue;
			run_pass(c, tr, on_cpu ? BENCH_CPU_PASSES : 1);
		}
	c->pass = 0;
	c->kept = NULL;
	const bench_load zero = { .ok = true };
	for (size_t i = 0; i < p->n; i++) {
		target_run *tr = &p->runs[i];
		bench_load_judge(tr->t, &zero, &tr->load);
		bench_noise_apply(tr->t, tr->d->vendor == XPU_VENDOR_CPU);
		bench_peaks_apply(tr->t);
	}
	for (size_t i = 0; i < p->n; i++)
		for (size_t f = 0; f < XPU_BENCH_MAX_FIGURES; f++)
			free(p->runs[i].kept[f].v);
}

/* The kinds --device takes besides an index or id: what each selects, its
 * name in messages, and the runtime whose state says why there is none. */
static const struct sel_row {
	const char *name;
	sel_kind kind;
	const char *noun;
	int runtime; /* an xpu_runtime_kind, or -1 */
	bool alias;  /* accepted, not listed */
} sel_rows[] = {
	{ "cpu", SEL_CPU, "CPU", -1, false },
	{ "host", SEL_CPU, "CPU", -1, true },
	{ "gpu", SEL_GPU, "GPU", XPU_RT_CUDA, false },
	{ "cuda", SEL_CUDA, "CUDA device", XPU_RT_CUDA, false },
	{ "opencl", SEL_OPENCL, "OpenCL device", XPU_RT_OPENCL, false },
	{ "level_zero", SEL_L0, "Level Zero device", XPU_RT_LEVEL_ZERO, false },
	{ "level-zero", SEL_L0, "Level Zero device", XPU_RT_LEVEL_ZERO, true },
};

size_t xpu_bench_device_kinds(char *list, size_t len)
{
	size_t n = 0, used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < XPU_ARRAY_LEN(sel_rows) && used < len; i++)
		if (!sel_rows[i].alias)
			used += (size_t)snprintf(list + used, len - used, "%s%s", n++ ? ", " : "",
						 sel_rows[i].name);
	return n;
}

/* The row of a kind; NULL for an index or id (SEL_ONE) or no --device. */
static const struct sel_row *parse_selection(const char *dev)
{
	for (size_t i = 0; dev && i < XPU_ARRAY_LEN(sel_rows); i++)
		if (strcmp(dev, sel_rows[i].name) == 0)
			return &sel_rows[i];
	return NULL;
}

/* The device named by index or id. */
static const xpu_device *find_device(const xpu_system *sys, const char *want)
{
	char *end;
	unsigned long idx = strtoul(want, &end, 10);
	bool numeric = *want && *end == '\0';
	for (size_t i = 0; i < xpu_device_count(sys); i++) {
		const xpu_device *d = xpu_device_at(sys, i);
		if ((numeric && d->index == idx) || strcmp(d->id, want) == 0 ||
		    (d->pci_address[0] && strcmp(d->pci_address, want) == 0))
			return d;
	}
	return NULL;
}

static double test_scale(void)
{
	const char *s = getenv("XPU_BENCH_SCALE");
	char *end;
	double v = s && *s ? strtod(s, &end) : 1.0;
	if (!s || !*s || *end || !(v > 0) || v > 1e6)
		return 1.0;
	return v;
}

static int no_target(const xpu_system *sys, const struct sel_row *sel, const char *dev, char *err,
		     size_t len)
{
	if (dev && *dev && !sel) {
		char kinds[128];
		xpu_bench_device_kinds(kinds, sizeof(kinds));
		snprintf(err, len, "no device '%s' (give an index or id as 'xpu list' shows, or %s)", dev,
			 kinds);
		return XPU_BENCH_E_NO_DEVICE;
	}
	/* The runtime's own words say most: "zeInit failed: ...", "libcuda.so.1
	 * not found". */
	const char *why = "";
	int rt = sel ? sel->runtime : -1;
	const xpu_runtime_info *ri = rt >= 0 ? xpu_runtime_at(sys, (xpu_runtime_kind)rt) : NULL;
	if (ri && ri->probed && !xpu_is_ok(&ri->status))
		why = ri->status.detail;
	else if (ri && ri->probed && ri->summary[0])
		why = ri->summary;
	char cause[200] = "";
	if (why[0])
		snprintf(cause, sizeof(cause), " (%s: %s)", xpu_runtime_name((xpu_runtime_kind)rt),
			 why);
	snprintf(err, len, "no usable %s to benchmark%s; see 'xpu list -v' for why",
		 sel ? sel->noun : "device", cause);
	return XPU_BENCH_E_NO_DEVICE;
}

static bool all_failed(const xpu_bench_report *r)
{
	for (size_t i = 0; i < r->n_targets; i++)
		if (xpu_is_ok(&r->targets[i].status))
			return false;
	return true;
}

int xpu_bench_run(const xpu_system *sys, const xpu_bench_options *opt, xpu_bench_report **out,
		  char *err, size_t errlen)
{
	*out = NULL;
	xpu_bench_report *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return XPU_BENCH_E_NOMEM;
	}
	r->level = opt->level;
	r->scale = test_scale();
	identify(r, sys);
	bench_ctx c = { .opt = opt, .sys = sys, .root = &sys->sys, .scale = r->scale };
	run_plan plan = { .n = 0 };
	const struct sel_row *sel = parse_selection(opt->device);
	bool by_id = opt->device && *opt->device && !sel;
	sel_kind k = by_id ? SEL_ONE : sel ? sel->kind : SEL_ALL;
	const xpu_device *one = by_id ? find_device(sys, opt->device) : NULL;
	for (size_t i = 0; i < xpu_device_count(sys); i++) {
		const xpu_device *d = xpu_device_at(sys, i);
		if (k != SEL_ONE || d == one)
			device_targets(&c, r, &plan, d, k);
	}
	run_plan_passes(&c, &plan);
	/* every GPU together: a target of its own */
	if ((k == SEL_ALL || k == SEL_GPU || k == SEL_CUDA) && bench_want_collectives(&c))
		bench_collectives(&c, r);
	if (r->n_targets == 0) {
		int rc = no_target(sys, sel, opt->device, err, errlen);
		free(r);
		return rc;
	}
	*out = r;
	if (all_failed(r)) {
		const xpu_bench_target *t = &r->targets[0];
		snprintf(err, errlen, "%s on %s: %s", t->backend, t->device_name, t->status.detail);
		return XPU_BENCH_E_FAILED;
	}
	return XPU_BENCH_E_OK;
}

void xpu_bench_report_free(xpu_bench_report *r)
{
	free(r);
}

const char *xpu_peak_kind_name(xpu_peak_kind k)
{
	static const char *const names[] = {
		[XPU_PEAK_NONE] = "none", [XPU_PEAK_MEM_BW] = "mem_bw", [XPU_PEAK_LINK] = "link",
		[XPU_PEAK_FP32] = "fp32", [XPU_PEAK_TF32] = "tf32", [XPU_PEAK_FP16] = "fp16",
		[XPU_PEAK_BF16] = "bf16", [XPU_PEAK_FP8] = "fp8", [XPU_PEAK_PEER] = "peer",
	};
	return (unsigned)k < XPU_PEAK_COUNT ? names[k] : "unknown";
}

const char *xpu_bench_level_name(xpu_bench_level l)
{
	switch (l) {
	case XPU_BENCH_QUICK: return "quick";
	case XPU_BENCH_FULL: return "full";
	default: return "normal";
	}
}

uint16_t bench_to_half(float f)
{
	uint32_t x;
	memcpy(&x, &f, 4);
	uint32_t sign = (x >> 16) & 0x8000u;
	int exp = (int)((x >> 23) & 0xff) - 127 + 15;
	uint32_t mant = (x >> 13) & 0x3ffu;
	if (exp <= 0)
		return (uint16_t)sign;
	return (uint16_t)(sign | ((uint32_t)exp << 10) | mant);
}

float bench_from_half(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
	uint32_t x = exp ? sign | ((exp - 15 + 127) << 23) | (mant << 13) : sign;
	float f;
	memcpy(&f, &x, 4);
	return f;
}

void bench_gemm_ref_make(bench_gemm_ref *r)
{
	for (int i = 0; i < BENCH_CHK_M * BENCH_CHK_K; i++)
		r->a[i] = (float)((i * 7 % 17) - 8) / 8.0f;
	for (int i = 0; i < BENCH_CHK_K * BENCH_CHK_N; i++)
		r->b[i] = (float)((i * 5 % 13) - 6) / 8.0f;
	for (int i = 0; i < BENCH_CHK_M; i++)
		for (int j = 0; j < BENCH_CHK_N; j++) {
			double s = 0;
			for (int x = 0; x < BENCH_CHK_K; x++)
				s += (double)r->a[i * BENCH_CHK_K + x] * r->b[x * BENCH_CHK_N + j];
			r->ref[i * BENCH_CHK_N + j] = (float)s;
		}
}

bool bench_gemm_ref_compare(const bench_gemm_ref *r, const float *out, bool half, char *err,
			    size_t len)
{
	for (int i = 0; i < BENCH_CHK_M * BENCH_CHK_N; i++) {
		double tol = half ? fabs(r->ref[i]) / 512 + 1e-3 : 1e-4;
		if (!(fabs(out[i] - r->ref[i]) <= tol)) {
			snprintf(err, len, "GEMM result wrong at (%d,%d): %g, CPU reference %g",
				 i / BENCH_CHK_N, i % BENCH_CHK_N, (double)out[i], (double)r->ref[i]);
			return false;
		}
	}
	return true;
}
