/* Runs the runtime probes of the table: every lane's gathers in a thread of
 * its own, side by side, then every apply in table order.
 *
 * Why this shape: a first probe costs the sum of the runtimes' start-up
 * (cuInit about 230 ms on the H200 machine, the OpenCL ICDs about 270 ms),
 * and nearly all of it is inside the runtimes, waiting on the kernel or
 * their own threads.  Run side by side, the probes cost about the slowest
 * one.  The results must still be exactly those of one probe after the
 * other, and they depend on the order (a device one runtime adds is matched
 * by the next; a reason the first one records stays).  So each probe's slow
 * part writes only a private result, and the quick part that writes the
 * system runs afterwards, one probe at a time, in the old order. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"

/* One runtime being probed. */
typedef struct probe_slot {
	const xpu_runtime_desc *rt;
	void *result;    /* NULL: no memory for it */
	double gather_ms;
} probe_slot;

/* The gathers that run one after another in one thread. */
typedef struct probe_lane {
	const struct xpu_system *s;
	probe_slot *slots[XPU_RT_COUNT];
	size_t count;
	pthread_t thread;
	bool threaded;
} probe_lane;

static void gather(const struct xpu_system *s, probe_slot *slot)
{
	double t0 = xpu_now_ms();
	if (slot->result)
		slot->rt->probe->gather(s, slot->result);
	slot->gather_ms = xpu_now_ms() - t0;
}

static void *run_lane(void *arg)
{
	probe_lane *lane = arg;
	/* A runtime may give the thread that first calls it an alternate signal
	 * stack of its own (LLVM does, under PoCL and llvmpipe: malloc'd); the
	 * thread's owner unmaps the one it set up when the thread ends
	 * (AddressSanitizer aborts on finding another), so the lane puts its
	 * own back. */
	stack_t own;
	bool saved = sigaltstack(NULL, &own) == 0;
	for (size_t i = 0; i < lane->count; i++)
		gather(lane->s, lane->slots[i]);
	if (saved && !(own.ss_flags & SS_ONSTACK))
		sigaltstack(&own, NULL);
	return NULL;
}

static void apply(struct xpu_system *s, probe_slot *slot)
{
	double t0 = xpu_now_ms();
	if (slot->result) {
		slot->rt->probe->apply(s, slot->result);
	} else {
		xpu_runtime_info *info = &s->runtimes[slot->rt->kind];
		xpu_rt_info_init(info, slot->rt->kind);
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "out of memory for its probe");
	}
	xpu_trace_ms(slot->rt->name, slot->gather_ms + xpu_now_ms() - t0);
}

bool xpu_rt_serial(void)
{
	const char *debug = getenv("XPU_DEBUG");
	return debug && strstr(debug, "serial");
}

/* Starts one thread per lane that has gathers (none for a single lane); a
 * lane without a thread runs in this one.  Returns after every gather
 * ended. */
static void gather_concurrently(const struct xpu_system *s, probe_slot *slots, size_t n)
{
	probe_lane lanes[XPU_RT_COUNT];
	memset(lanes, 0, sizeof(lanes));
	for (size_t i = 0; i < n; i++) {
		probe_lane *lane = &lanes[slots[i].rt->lane % XPU_RT_COUNT];
		lane->s = s;
		lane->slots[lane->count++] = &slots[i];
	}
	size_t busy = 0;
	for (size_t l = 0; l < XPU_RT_COUNT; l++)
		busy += lanes[l].count > 0;
	for (size_t l = 0; l < XPU_RT_COUNT && busy > 1; l++)
		if (lanes[l].count)
			lanes[l].threaded =
				pthread_create(&lanes[l].thread, NULL, run_lane, &lanes[l]) == 0;
	for (size_t l = 0; l < XPU_RT_COUNT; l++)
		if (lanes[l].count && !lanes[l].threaded)
			run_lane(&lanes[l]);
	for (size_t l = 0; l < XPU_RT_COUNT; l++)
		if (lanes[l].threaded)
			pthread_join(lanes[l].thread, NULL);
}

void xpu_runtimes_probe(struct xpu_system *s, unsigned mask)
{
	probe_slot slots[XPU_RT_COUNT];
	size_t n = 0;
	for (size_t i = 0; i < XPU_RT_COUNT; i++) {
		const xpu_runtime_desc *rt = &xpu_runtimes[i];
		if (mask && !(mask & (1u << rt->kind))) {
			xpu_set_status(&s->runtimes[rt->kind].status, XPU_UNAVAILABLE,
				       XPU_R_NOT_PROBED, "left out by --runtimes");
			continue;
		}
		slots[n] = (probe_slot){ .rt = rt, .result = calloc(1, rt->probe->result_size) };
		n++;
	}
	double t0 = xpu_now_ms();
	if (xpu_rt_serial()) {
		for (size_t i = 0; i < n; i++) {
			gather(s, &slots[i]);
			apply(s, &slots[i]);
		}
	} else {
		gather_concurrently(s, slots, n);
		for (size_t i = 0; i < n; i++)
			apply(s, &slots[i]);
	}
	xpu_trace_time("runtimes (wall)", t0);
	for (size_t i = 0; i < n; i++)
		free(slots[i].result);
}

void xpu_runtime_probe_one(struct xpu_system *s, xpu_runtime_kind k)
{
	const xpu_runtime_desc *rt = xpu_runtime_desc_of(k);
	if (!rt)
		return;
	probe_slot slot = { .rt = rt, .result = calloc(1, rt->probe->result_size) };
	gather(s, &slot);
	apply(s, &slot);
	free(slot.result);
}
