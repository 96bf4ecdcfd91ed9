/* Collectives across every usable CUDA GPU of the machine, through NCCL
 * loaded by dlopen, one process driving all GPUs (ncclCommInitAll, as
 * nccl-tests' -g N does): all-reduce, all-gather, reduce-scatter and
 * broadcast of float32 (sum), sizes from 8 B to 1 GiB as nccl-tests' size
 * column counts them (the whole buffer: all-gather's output, reduce-
 * scatter's input).  Timing as nccl-tests: warm-ups, then the wall clock
 * around a batch of operations and the wait for every GPU's stream.
 *   algbw = size / time per operation
 *   busbw = algbw x 2(n-1)/n (all-reduce), x (n-1)/n (all-gather,
 *           reduce-scatter), x 1 (broadcast)
 * (nccl-tests doc/PERFORMANCE.md): the bytes each GPU's busiest link moves,
 * comparable across n and with the link's peak.  The figure is busbw, algbw
 * its second counting.  Each collective's result is checked once at 1 MiB
 * before it is timed.
 *
 * RCCL is NCCL's API for AMD GPUs (runtimes/nccl_api.h): this runner's NCCL
 * calls serve it unchanged, but its buffers and streams are CUDA's; the HIP
 * equivalents (hipMalloc, hipStreamCreate) are not written, since no AMD GPU
 * could prove them, so an AMD machine gets a target that says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "bench/bench_int.h"
#include "bench/cuda_int.h"
#include "model/value.h"
#include "runtimes/cuda_api.h"
#include "runtimes/nccl_api.h"

static const bench_fig collectives[] = { BENCH_FIG_ALLREDUCE, BENCH_FIG_ALLGATHER,
					 BENCH_FIG_REDUCESCATTER, BENCH_FIG_BROADCAST };

static const struct size_row {
	size_t bytes;
	const char *name;
	bool quick;
} sizes[] = {
	{ 8, "8B", true },           { 64, "64B", false },        { 512, "512B", false },
	{ 4 << 10, "4KiB", false },  { 32 << 10, "32KiB", false }, { 256 << 10, "256KiB", true },
	{ 2 << 20, "2MiB", false },  { 16 << 20, "16MiB", true },  { 128 << 20, "128MiB", true },
	{ 1 << 30, "1GiB", false },
};

double bench_busbw_factor(bench_fig collective, int n)
{
	if (n < 1)
		return 0;
	switch (collective) {
	case BENCH_FIG_ALLREDUCE: return 2.0 * (n - 1) / n;
	case BENCH_FIG_ALLGATHER:
	case BENCH_FIG_REDUCESCATTER: return (double)(n - 1) / n;
	default: return 1.0;
	}
}

bool bench_want_collectives(const bench_ctx *c)
{
	for (size_t k = 0; k < XPU_ARRAY_LEN(collectives); k++)
		for (size_t s = 0; s < XPU_ARRAY_LEN(sizes); s++)
			if (bench_want(c, collectives[k], sizes[s].name))
				return true;
	return false;
}

typedef struct gpu {
	const xpu_device *dev;
	xcu_device cu_dev;
	xcu_ctx ctx;
	xcu_stream s;
	xcu_ptr send, recv;
} gpu;

typedef struct run {
	bench_ctx *bc;
	const xpu_cuda_api *d;
	const xpu_nccl_api *a;
	int n;
	gpu g[XPU_MAX_DEVICES];
	xnccl_comm comm[XPU_MAX_DEVICES];
	size_t max_bytes;
	char err[240];
} run;

static bool cu_call(run *r, xcu_result rc, const char *what)
{
	return cu_error(r->d, rc, what, r->err, sizeof(r->err));
}

static bool nccl_call(run *r, xnccl_result rc, const char *what)
{
	if (rc == XNCCL_SUCCESS)
		return true;
	snprintf(r->err, sizeof(r->err), "%s: %s (%d)", what,
		 r->a->error_string ? r->a->error_string(rc) : "NCCL error", rc);
	return false;
}

/* --- one operation on every GPU --- */

static xnccl_result launch(run *r, bench_fig k, size_t bytes)
{
	size_t count = bytes / 4, part = count / (size_t)r->n;
	xnccl_result rc = r->a->group_start();
	for (int i = 0; i < r->n && rc == XNCCL_SUCCESS; i++) {
		gpu *g = &r->g[i];
		const void *s = (const void *)(uintptr_t)g->send;
		void *d = (void *)(uintptr_t)g->recv;
		xnccl_stream st = (xnccl_stream)g->s;
		if (k == BENCH_FIG_ALLREDUCE)
			rc = r->a->all_reduce(s, d, count, XNCCL_FLOAT32, XNCCL_SUM, r->comm[i], st);
		else if (k == BENCH_FIG_ALLGATHER)
			rc = r->a->all_gather(s, d, part, XNCCL_FLOAT32, r->comm[i], st);
		else if (k == BENCH_FIG_REDUCESCATTER)
			rc = r->a->reduce_scatter(s, d, part, XNCCL_FLOAT32, XNCCL_SUM, r->comm[i], st);
		else
			rc = r->a->broadcast(s, d, count, XNCCL_FLOAT32, 0, r->comm[i], st);
	}
	xnccl_result end = r->a->group_end();
	return rc != XNCCL_SUCCESS ? rc : end;
}

static bool sync_all(run *r)
{
	for (int i = 0; i < r->n; i++)
		if (!cu_call(r, r->d->stream_sync(r->g[i].s), "cuStreamSynchronize"))
			return false;
	return true;
}

/* Seconds for iters operations, launch to the last GPU's completion. */
static bool time_ops(run *r, bench_fig k, size_t bytes, unsigned iters, double *sec)
{
	double t0 = bench_now();
	for (unsigned i = 0; i < iters; i++)
		if (!nccl_call(r, launch(r, k, bytes), "ncclGroupEnd"))
			return false;
	if (!sync_all(r))
		return false;
	*sec = bench_now() - t0;
	return true;
}

/* --- the check --- */

static uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static bool fill(run *r, gpu *g, xcu_ptr p, size_t bytes, float v)
{
	return cu_call(r, r->d->ctx_set_current(g->ctx), "cuCtxSetCurrent") &&
	       cu_call(r, r->d->memset_d32(p, float_bits(v), bytes / 4), "cuMemsetD32");
}

/* What element e of rank i's output must hold when rank k sent k + 1. */
static float expected(bench_fig k, int n, size_t e, size_t part)
{
	if (k == BENCH_FIG_ALLGATHER)
		return (float)(e / part + 1);
	if (k == BENCH_FIG_BROADCAST)
		return 1.0f; /* root 0's */
	return (float)n * (n + 1) / 2.0f;
}

static bool check(run *r, bench_fig k)
{
	const size_t bytes = 1 << 20, count = bytes / 4, part = count / (size_t)r->n;
	size_t out = k == BENCH_FIG_REDUCESCATTER ? part : count;
	for (int i = 0; i < r->n; i++)
		if (!fill(r, &r->g[i], r->g[i].send, bytes, (float)(i + 1)) ||
		    !fill(r, &r->g[i], r->g[i].recv, bytes, -1.0f))
			return false;
	if (!nccl_call(r, launch(r, k, bytes), "ncclGroupEnd") || !sync_all(r))
		return false;
	for (int i = 0; i < r->n; i++) {
		size_t at[] = { 0, out / 2, out - 1 };
		for (size_t w = 0; w < XPU_ARRAY_LEN(at); w++) {
			float got = 0, want = expected(k, r->n, at[w], part);
			if (!cu_call(r, r->d->copy_dtoh(&got, r->g[i].recv + at[w] * 4, 4), "cuMemcpyDtoH"))
				return false;
			if (got != want) {
				snprintf(r->err, sizeof(r->err), "result wrong on GPU %u at element %zu: %g, "
					 "want %g", r->g[i].dev->index, at[w], (double)got, (double)want);
				return false;
			}
		}
	}
	return true;
}

/* --- one figure --- */

static void figure(run *r, bench_fig k, const struct size_row *sz, bool checked)
{
	bench_ctx *bc = r->bc;
	xpu_bench_figure *f = bench_figure(bc, k, sz->name, NULL);
	size_t elems = k == BENCH_FIG_ALLGATHER || k == BENCH_FIG_REDUCESCATTER ? (size_t)r->n : 1;
	if (!f || sz->bytes > r->max_bytes)
		return;
	if (sz->bytes / 4 < elems) {
		bench_fail(f, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, "less than one float per GPU");
		return;
	}
	double target = bc->opt->level == XPU_BENCH_QUICK ? 0.01 : 0.05, t = 0;
	unsigned reps = bench_reps(bc), iters = 1;
	double factor = bench_busbw_factor(k, r->n), rates[32];
	size_t m = 0, bytes = sz->bytes / 4 / elems * elems * 4; /* whole floats per GPU */
	if (time_ops(r, k, bytes, 5, &t) && time_ops(r, k, bytes, 1, &t) && t > 0)
		iters = target / t < 1 ? 1 : target / t > 2000 ? 2000 : (unsigned)(target / t);
	for (unsigned i = 0; i < reps && m < 32 && !r->err[0]; i++)
		if (time_ops(r, k, bytes, iters, &t))
			rates[m++] = bench_rate((double)bytes * iters * 1e-9, t) * factor;
	if (r->err[0]) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", r->err);
		return;
	}
	bench_finish(bc, f, rates, m);
	if (factor > 0)
		bench_alt(f, f->best / factor);
	bench_note(f, "%d GPUs, float32 sum, %u ops per sample%s", r->n, iters,
		   checked ? "; result checked at 1 MiB" : "");
}

/* --- setup --- */

static bool gpu_open(run *r, gpu *g)
{
	int ordinal = g->dev->backends[XPU_BACKEND_CUDA].runtime_index;
	return cu_call(r, r->d->device_get(&g->cu_dev, ordinal < 0 ? 0 : ordinal), "cuDeviceGet") &&
	       cu_call(r, r->d->primary_retain(&g->ctx, g->cu_dev), "cuDevicePrimaryCtxRetain") &&
	       cu_call(r, r->d->ctx_set_current(g->ctx), "cuCtxSetCurrent") &&
	       cu_call(r, r->d->stream_create(&g->s, XCU_STREAM_NON_BLOCKING), "cuStreamCreate") &&
	       cu_call(r, r->d->mem_alloc(&g->send, r->max_bytes), "cuMemAlloc (send)") &&
	       cu_call(r, r->d->mem_alloc(&g->recv, r->max_bytes), "cuMemAlloc (receive)");
}

static void gpu_close(run *r, gpu *g)
{
	if (!g->ctx || r->d->ctx_set_current(g->ctx) != XCU_SUCCESS)
		return;
	if (g->send)
		r->d->mem_free(g->send);
	if (g->recv)
		r->d->mem_free(g->recv);
	if (g->s)
		r->d->stream_destroy(g->s);
	r->d->primary_release(g->cu_dev);
}

static bool start(run *r, char *where, size_t len)
{
	char err[400];
	void *lib = xpu_ccl_open(&xpu_nccl_lib, where, len, err, sizeof(err));
	if (!lib) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return false;
	}
	r->a = xpu_nccl_api_of(lib);
	if (!r->a->comm_init_all || !r->a->comm_destroy || !r->a->all_reduce || !r->a->all_gather ||
	    !r->a->reduce_scatter || !r->a->broadcast || !r->a->group_start || !r->a->group_end) {
		snprintf(r->err, sizeof(r->err), "%s lacks ncclCommInitAll or a collective", where);
		return false;
	}
	r->d = xpu_cuda_api_get();
	if (!r->d->lib.handle || !r->d->init || !r->d->primary_retain || !r->d->mem_alloc ||
	    !r->d->memset_d32 || !r->d->stream_create || !r->d->stream_sync || !r->d->copy_dtoh) {
		snprintf(r->err, sizeof(r->err), "%s", r->d->lib.handle ? "libcuda lacks an entry point "
				 "the collectives need" : r->d->lib.error);
		return false;
	}
	if (!cu_call(r, r->d->init(0), "cuInit"))
		return false;
	for (int i = 0; i < r->n; i++)
		if (!gpu_open(r, &r->g[i]))
			return false;
	/* NVLink SHARP (NVLS) programs the NVSwitches' multicast: on a shared
	 * host it can take GPUs that others use out of service, and the
	 * figures here need none of it.  Off unless the user chose. */
	setenv("NCCL_NVLS_ENABLE", "0", 0);
	int ordinals[XPU_MAX_DEVICES];
	for (int i = 0; i < r->n; i++)
		ordinals[i] = r->g[i].cu_dev;
	if (nccl_call(r, r->a->comm_init_all(r->comm, r->n, ordinals), "ncclCommInitAll"))
		return true;
	memset(r->comm, 0, sizeof(r->comm));
	return false;
}

static void finish(run *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->comm[i])
			r->a->comm_destroy(r->comm[i]);
	for (int i = 0; i < r->n; i++)
		gpu_close(r, &r->g[i]);
}

/* --- the target --- */

/* The peak busbw is held against: each GPU's fastest link to a peer, the
 * slowest GPU's (the ring waits for it). */
static void target_peak(run *r, xpu_bench_target *t)
{
	xpu_topology *topo = xpu_topology_of(r->bc->sys);
	xpu_real best_min = { 0 };
	char how[96] = "", h[96];
	for (int i = 0; topo && i < r->n; i++) {
		xpu_real best = { 0 };
		for (size_t a = 0; a < topo->n; a++)
			for (size_t b = 0; b < topo->n && topo->devices[a].index == r->g[i].dev->index; b++)
				for (int j = 0; j < r->n; j++) {
					xpu_real p = { 0 };
					if (j == i || topo->devices[b].index != r->g[j].dev->index)
						continue;
					bench_peer_peak(&p, &topo->links[a][b], r->g[i].dev, r->g[j].dev, h,
							sizeof(h));
					if (xpu_is_ok(&p.status) && p.value > best.value) {
						best = p;
						xpu_strlcpy(how, h, sizeof(how));
					} else if (!xpu_is_ok(&best.status)) {
						best = p;
					}
				}
		if (i == 0 || (xpu_is_ok(&best.status) && best.value < best_min.value) ||
		    !xpu_is_ok(&best.status))
			best_min = best;
	}
	xpu_topology_free(topo);
	t->peaks[XPU_PEAK_PEER] = best_min;
	if (xpu_is_ok(&best_min.status))
		snprintf(t->peak_source, sizeof(t->peak_source), "peer: %s", how);
}

static xpu_bench_target *new_target(xpu_bench_report *rep, run *r)
{
	if (rep->n_targets >= XPU_BENCH_MAX_TARGETS)
		return NULL;
	xpu_bench_target *t = &rep->targets[rep->n_targets++];
	memset(t, 0, sizeof(*t));
	size_t used = (size_t)snprintf(t->device_id, sizeof(t->device_id), "gpus:");
	for (int i = 0; i < r->n && used < sizeof(t->device_id); i++)
		used += (size_t)snprintf(t->device_id + used, sizeof(t->device_id) - used, "%s%u",
					 i ? "," : "", r->g[i].dev->index);
	const xpu_device *d0 = r->n ? r->g[0].dev : NULL;
	snprintf(t->device_name, sizeof(t->device_name), "%d x %s", r->n,
		 d0 && xpu_is_ok(&d0->name.status) ? d0->name.value : "GPU");
	xpu_strlcpy(t->backend, "nccl", sizeof(t->backend));
	xpu_strlcpy(t->peak_source, "none", sizeof(t->peak_source));
	for (int k = 0; k < XPU_PEAK_COUNT; k++)
		xpu_set_status(&t->peaks[k].status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "collectives are held against the links between GPUs only");
	xpu_set_ok(&t->status);
	return t;
}

static void measure_all(run *r)
{
	bench_ctx *bc = r->bc;
	for (size_t k = 0; k < XPU_ARRAY_LEN(collectives); k++) {
		bool any = false, checked;
		for (size_t s = 0; s < XPU_ARRAY_LEN(sizes); s++)
			any |= bench_want(bc, collectives[k], sizes[s].name);
		if (!any)
			continue;
		r->err[0] = '\0';
		checked = check(r, collectives[k]);
		for (size_t s = 0; s < XPU_ARRAY_LEN(sizes); s++) {
			if (!bench_want(bc, collectives[k], sizes[s].name) ||
			    (bc->opt->level == XPU_BENCH_QUICK && !sizes[s].quick))
				continue;
			bench_progress(bc, "nccl %s %s on %d GPUs", bench_fig_stem(collectives[k]),
				       sizes[s].name, r->n);
			if (!checked) {
				bench_skip(bc, collectives[k], sizes[s].name, XPU_UNAVAILABLE,
					   XPU_R_RUNTIME_ERROR, "%s", r->err);
				continue;
			}
			figure(r, collectives[k], &sizes[s], true);
		}
	}
}

/* AMD GPUs: RCCL's absence with what to install, or what is missing here. */
static void rccl_target(bench_ctx *c, xpu_bench_report *rep, run *r)
{
	xpu_bench_target *t = new_target(rep, r);
	if (!t)
		return;
	xpu_strlcpy(t->backend, "rccl", sizeof(t->backend));
	char where[200], err[400];
	void *lib = xpu_ccl_open(&xpu_rccl_lib, where, sizeof(where), err, sizeof(err));
	if (!lib)
		bench_target_fail(t, XPU_R_RUNTIME_MISSING, "%s", err);
	else
		bench_target_fail(t, XPU_R_NO_SOURCE, "RCCL at %.120s has NCCL's API, but xpu's "
				  "collectives allocate through CUDA; HIP buffers are not written", where);
	(void)c;
}

/* The GPUs a backend drives usably. */
static void gpus_of(const xpu_system *sys, xpu_backend_kind b, run *r)
{
	r->n = 0;
	for (size_t i = 0; i < xpu_device_count(sys) && r->n < XPU_MAX_DEVICES; i++) {
		const xpu_device *d = xpu_device_at(sys, i);
		if (d->kind != XPU_KIND_CPU && d->backends[b].usable)
			r->g[r->n++].dev = d;
	}
}

void bench_collectives(bench_ctx *c, xpu_bench_report *rep)
{
	run *r = calloc(1, sizeof(*r));
	if (!r)
		return;
	r->bc = c;
	gpus_of(c->sys, XPU_BACKEND_ROCM, r);
	if (r->n >= 2) {
		rccl_target(c, rep, r);
		free(r);
		return;
	}
	gpus_of(c->sys, XPU_BACKEND_CUDA, r);
	/* one GPU has nothing to talk to: said only when asked for */
	if (r->n < 2 && !(c->opt->only && *c->opt->only)) {
		free(r);
		return;
	}
	xpu_bench_target *t = new_target(rep, r);
	c->t = t;
	r->max_bytes = c->opt->level == XPU_BENCH_QUICK ? 128u << 20 : 1u << 30;
	char where[200] = "";
	if (!t) {
		/* the report is full */
	} else if (r->n < 2) {
		bench_target_fail(t, XPU_R_RUNTIME_NO_DEVICE, "collectives need 2 or more GPUs; "
				  "this machine has %d usable CUDA device%s", r->n, r->n == 1 ? "" : "s");
	} else if (!start(r, where, sizeof(where))) {
		bench_target_fail(t, r->a ? XPU_R_RUNTIME_ERROR : XPU_R_RUNTIME_MISSING, "%s", r->err);
	} else {
		int v = 0;
		if (r->a->get_version)
			r->a->get_version(&v);
		snprintf(t->library, sizeof(t->library), "NCCL %d.%d.%d from %.150s", v / 10000,
			 v / 100 % 100, v % 100, where);
		snprintf(t->properties, sizeof(t->properties), "%d GPUs, one process (ncclCommInitAll); "
			 "NCCL_NVLS_ENABLE=%s", r->n, getenv("NCCL_NVLS_ENABLE"));
		target_peak(r, t);
		bench_progress(c, "nccl collectives on %s", t->device_id);
		measure_all(r);
		bench_peaks_apply(t);
	}
	if (r->d)
		finish(r);
	free(r);
}
