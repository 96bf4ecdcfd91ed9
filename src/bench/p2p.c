/* Peer to peer between NVIDIA GPUs, measured from one GPU's CUDA target to
 * each other usable CUDA device D (figures p2p.memcpy.D and p2p.latency.D,
 * D as `xpu list` numbers it; the other direction is D's own target).
 * Peer access is enabled both ways (cuCtxEnablePeerAccess), as PyTorch does
 * before a copy between devices.
 *   p2p.memcpy   cuMemcpyPeerAsync of 1 GiB (512 MiB quick) from a buffer
 *                here to one on D, on this GPU's stream, timed by events
 *                as the local copies are (nvbandwidth's
 *                device_to_device_memcpy_write_ce); bytes counted once; the
 *                copy checked; held against the pair's link (bench_peer_peak).
 *   p2p.latency  a single thread here follows a chain of pointers in D's
 *                memory, 4 KiB apart, each load waiting for the one before
 *                (nvbandwidth's device_to_device_latency_sm): the kernel's
 *                time over the number of loads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "bench/cuda_int.h"
#include "model/value.h"

/* Hand-written PTX (ISA 6.0, sm_50 and later): `steps` generic volatile
 * loads, each of the address the previous returned. */
static const char chase_ptx[] =
	".version 6.0\n.target sm_50\n.address_size 64\n"
	".visible .entry xpu_chase(.param .u64 start, .param .u32 steps, .param .u64 out)\n{\n"
	"\t.reg .pred %p;\n\t.reg .b32 %r<2>;\n\t.reg .b64 %rd<3>;\n"
	"\tld.param.u64 %rd0, [start];\n\tld.param.u32 %r0, [steps];\n"
	"\tld.param.u64 %rd1, [out];\n\tcvta.to.global.u64 %rd1, %rd1;\n"
	"CHASE:\n\tsetp.eq.u32 %p, %r0, 0;\n\t@%p bra CHASE_DONE;\n"
	"\tld.volatile.u64 %rd0, [%rd0];\n\tsub.u32 %r0, %r0, 1;\n\tbra CHASE;\n"
	"CHASE_DONE:\n\tst.global.u64 [%rd1], %rd0;\n\tret;\n}\n";

enum { CHASE_STRIDE = 4096, CHASE_NODES = 4096 };

/* The peer: its primary context and a buffer there. */
typedef struct peer {
	const xpu_device *dev;
	xcu_device cu_dev;
	xcu_ctx ctx;
	xcu_ptr buf;
	size_t bytes;
} peer;

typedef struct p2p_copy {
	xcu_ptr src, dst;
	xcu_ctx src_ctx, dst_ctx;
	size_t bytes;
} p2p_copy;

static xcu_result op_peer_copy(cu *c, void *arg)
{
	p2p_copy *a = arg;
	return c->d->copy_peer_async(a->dst, a->dst_ctx, a->src, a->src_ctx, a->bytes, c->s);
}

/* Enables access from the current context to peer's, and back; an access
 * already enabled is no failure. */
static bool enable_both(cu *c, peer *p)
{
	xcu_result rc = c->d->ctx_enable_peer(p->ctx, 0);
	if (rc != XCU_SUCCESS && rc != XCU_ERROR_PEER_ACCESS_ALREADY_ENABLED)
		return cu_ok(c, rc, "cuCtxEnablePeerAccess");
	if (!cu_ok(c, c->d->ctx_set_current(p->ctx), "cuCtxSetCurrent"))
		return false;
	rc = c->d->ctx_enable_peer(c->ctx, 0);
	c->d->ctx_set_current(c->ctx);
	return rc == XCU_SUCCESS || rc == XCU_ERROR_PEER_ACCESS_ALREADY_ENABLED ||
	       cu_ok(c, rc, "cuCtxEnablePeerAccess (back)");
}

static bool peer_open(cu *c, peer *p, size_t bytes)
{
	int ordinal = p->dev->backends[XPU_BACKEND_CUDA].runtime_index;
	int can = 0;
	if (!cu_ok(c, c->d->device_get(&p->cu_dev, ordinal < 0 ? 0 : ordinal), "cuDeviceGet") ||
	    !cu_ok(c, c->d->can_access_peer(&can, c->dev, p->cu_dev), "cuDeviceCanAccessPeer"))
		return false;
	if (!can) {
		snprintf(c->err, sizeof(c->err), "cuDeviceCanAccessPeer: no peer access to %s (see 'xpu topo')",
			 p->dev->id);
		return false;
	}
	if (!cu_ok(c, c->d->primary_retain(&p->ctx, p->cu_dev), "cuDevicePrimaryCtxRetain"))
		return false;
	p->bytes = bytes;
	bool ok = cu_ok(c, c->d->ctx_set_current(p->ctx), "cuCtxSetCurrent") &&
		  cu_alloc(c, &p->buf, bytes);
	c->d->ctx_set_current(c->ctx);
	return ok && enable_both(c, p);
}

static void peer_close(cu *c, peer *p)
{
	if (!p->ctx)
		return;
	if (p->buf && c->d->ctx_set_current(p->ctx) == XCU_SUCCESS)
		c->d->mem_free(p->buf);
	c->d->ctx_set_current(c->ctx);
	c->d->primary_release(p->cu_dev);
}

static void copy_figure(bench_ctx *bc, cu *c, peer *p, const char *shape, const xpu_link *l,
			const xpu_device *d)
{
	xpu_bench_figure *f = bench_figure(bc, BENCH_FIG_P2P_MEMCPY, shape, NULL);
	if (!f)
		return;
	char how[96];
	bench_peer_peak(&f->peak, l, d, p->dev, how, sizeof(how));
	p2p_copy a = { .dst = p->buf, .dst_ctx = p->ctx, .src_ctx = c->ctx, .bytes = p->bytes };
	if (!cu_alloc(c, &a.src, a.bytes) || !cu_fill(c, a.src, a.bytes, T_F32, 17)) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
		cu_free(c, &a.src);
		return;
	}
	cu_measure(bc, c, f, op_peer_copy, &a, (double)a.bytes * 1e-9);
	unsigned s[4], dd[4];
	/* the peer's copy must hold the source's pattern (read through UVA) */
	if (xpu_is_ok(&f->status) &&
	    (!cu_ok(c, c->d->copy_dtoh(s, a.src + a.bytes / 2, sizeof(s)), "cuMemcpyDtoH") ||
	     !cu_ok(c, c->d->copy_dtoh(dd, a.dst + a.bytes / 2, sizeof(dd)), "cuMemcpyDtoH") ||
	     memcmp(s, dd, sizeof(s)) != 0))
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "peer copy result wrong%s%s",
			   c->err[0] ? ": " : "", c->err);
	bench_note(f, "%zu MiB to %s, cuMemcpyPeerAsync; result checked; peak %s", a.bytes >> 20,
		   p->dev->id, how[0] ? how : "unknown");
	cu_free(c, &a.src);
}

/* The chain: node k at k * stride holds the address of node k + 1 (the
 * last, of the first), written from here into the peer's buffer. */
static bool chase_chain(cu *c, peer *p)
{
	size_t words = (size_t)CHASE_NODES * CHASE_STRIDE / 8;
	uint64_t *host = calloc(words, 8);
	if (!host) {
		snprintf(c->err, sizeof(c->err), "out of memory");
		return false;
	}
	for (size_t k = 0; k < CHASE_NODES; k++)
		host[k * CHASE_STRIDE / 8] = p->buf + ((k + 1) % CHASE_NODES) * CHASE_STRIDE;
	bool ok = cu_ok(c, c->d->copy_htod(p->buf, host, words * 8), "cuMemcpyHtoD (chain)");
	free(host);
	return ok;
}

typedef struct chase {
	xcu_func f;
	xcu_ptr start, out;
	unsigned steps;
} chase;

static xcu_result op_chase(cu *c, void *arg)
{
	chase *k = arg;
	void *args[] = { &k->start, &k->steps, &k->out };
	return c->d->launch(k->f, 1, 1, 1, 1, 1, 1, 0, c->s, args, NULL);
}

/* Microseconds per dependent load: events around one kernel of steps loads,
 * the best of the repetitions. */
static void latency_figure(bench_ctx *bc, cu *c, peer *p, const char *shape)
{
	xpu_bench_figure *f = bench_figure(bc, BENCH_FIG_P2P_LATENCY, shape, NULL);
	if (!f)
		return;
	xcu_module mod = NULL;
	chase k = { .start = p->buf, .steps = bc->opt->level == XPU_BENCH_QUICK ? 2000 : 10000 };
	if (!chase_chain(c, p) || !cu_alloc(c, &k.out, 64) ||
	    !cu_ok(c, c->d->module_load_data(&mod, chase_ptx), "cuModuleLoadData (chase PTX)") ||
	    !cu_ok(c, c->d->module_function(&k.f, mod, "xpu_chase"), "cuModuleGetFunction")) {
		bench_fail(f, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s", c->err);
	} else {
		/* a rate of loads per microsecond, turned into microseconds per load */
		f->lower_is_better = false;
		cu_measure(bc, c, f, op_chase, &k, k.steps * 1e-6);
		f->lower_is_better = true;
		if (xpu_is_ok(&f->status)) {
			double best = 1.0 / f->max, worst = 1.0 / f->min, median = 1.0 / f->median;
			f->best = f->min = best;
			f->max = worst;
			f->median = median;
		}
		bench_note(f, "%u loads 4 KiB apart in %s's memory, one thread", k.steps, p->dev->id);
	}
	if (mod)
		c->d->module_unload(mod);
	cu_free(c, &k.out);
}

static void pair(bench_ctx *bc, cu *c, const xpu_device *d, const xpu_device *other,
		 const xpu_link *l)
{
	char shape[16];
	snprintf(shape, sizeof(shape), "%u", other->index);
	bool copy = bench_want(bc, BENCH_FIG_P2P_MEMCPY, shape);
	bool lat = bench_want(bc, BENCH_FIG_P2P_LATENCY, shape);
	if (!copy && !lat)
		return;
	size_t bytes = bc->opt->level == XPU_BENCH_QUICK ? 512u << 20 : 1024u << 20;
	bench_progress(bc, "cuda peer to peer, %s to %s", d->id, other->id);
	peer p = { .dev = other };
	c->err[0] = '\0';
	if (!peer_open(c, &p, bytes)) {
		bench_skip(bc, BENCH_FIG_P2P_MEMCPY, shape, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s",
			   c->err);
		bench_skip(bc, BENCH_FIG_P2P_LATENCY, shape, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s",
			   c->err);
	} else {
		if (copy)
			copy_figure(bc, c, &p, shape, l, d);
		if (lat)
			latency_figure(bc, c, &p, shape);
	}
	peer_close(c, &p);
}

void cu_p2p(bench_ctx *bc, cu *c, const xpu_device *d)
{
	const xpu_system *sys = bc->sys;
	if (!sys || !c->d->can_access_peer || !c->d->ctx_enable_peer || !c->d->copy_peer_async)
		return;
	xpu_topology *t = NULL;
	size_t me = 0;
	for (size_t i = 0; i < xpu_device_count(sys); i++) {
		const xpu_device *o = xpu_device_at(sys, i);
		if (o == d || !o->backends[XPU_BACKEND_CUDA].usable)
			continue;
		if (!t && !(t = xpu_topology_of(sys)))
			return;
		size_t j = 0;
		while (me < t->n && t->devices[me].index != d->index)
			me++;
		while (j < t->n && t->devices[j].index != o->index)
			j++;
		xpu_link none = { .kind = XPU_LINK_UNKNOWN };
		xpu_set_status(&none.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "not in the topology");
		pair(bc, c, d, o, me < t->n && j < t->n ? &t->links[me][j] : &none);
	}
	xpu_topology_free(t);
}
