/* Noise: whether a figure can be trusted to compare.  A figure taken in
 * passes (a target on the CPU, bench.c's run_plan_passes) is noisy when its
 * passes' bests differ by more than NOISE_PASSES_PCT: the best is what is
 * reported and compared, and two windows of time that disagree on it say
 * the next run may too.  A figure of one pass is noisy when its own
 * repetitions spread by more than NOISE_SPREAD_PCT (max - min over the
 * median).  Either, for a target on the CPU, is noisy when the machine was busy
 * while it ran: other processes used more than BUSY_OTHERS_PCT of the CPUs'
 * time (/proc/stat's busy ticks minus this process's own, from getrusage),
 * or the hypervisor took more than BUSY_STEAL_PCT (steal time).  --compare
 * calls no regression on a noisy figure unless asked. */
#include "bench/bench_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"

/* NOISE_PASSES_PCT: half the 10% a comparison looks for; what each rule let
 * through on the CI VM is in docs/design.md ("Noise is a verdict"). */
enum {
	NOISE_SPREAD_PCT = 10,
	NOISE_PASSES_PCT = 5,
	BUSY_OTHERS_PCT = 10,
	BUSY_STEAL_PCT = 5,
	MIN_REPS_FOR_SPREAD = 3
};

/* How far apart the passes' bests are, in percent of the best of them. */
static double passes_apart_pct(const xpu_bench_figure *f)
{
	double lo = f->pass_best[0], hi = f->pass_best[0];
	for (unsigned i = 1; i < f->passes && i < XPU_BENCH_MAX_PASSES; i++) {
		lo = f->pass_best[i] < lo ? f->pass_best[i] : lo;
		hi = f->pass_best[i] > hi ? f->pass_best[i] : hi;
	}
	double best = f->lower_is_better ? lo : hi;
	return best > 0 ? 100.0 * (hi - lo) / best : 0;
}

/* Why f's own samples say it is noisy, into buf; 0 when they do not. */
static size_t samples_verdict(const xpu_bench_figure *f, char *buf, size_t len)
{
	if (f->passes >= 2) {
		double apart = passes_apart_pct(f);
		if (apart <= NOISE_PASSES_PCT)
			return 0;
		return (size_t)snprintf(buf, len, "the %u passes' bests differ by %.0f%% > %d%%",
					f->passes, apart, NOISE_PASSES_PCT);
	}
	if (f->reps >= MIN_REPS_FOR_SPREAD && f->spread_pct > NOISE_SPREAD_PCT)
		return (size_t)snprintf(buf, len, "spread %.0f%% > %d%% over %u reps", f->spread_pct,
					NOISE_SPREAD_PCT, f->reps);
	return 0;
}

/* This process's CPU time (all threads), in seconds. */
static double own_cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

void bench_load_sample(bench_load *s)
{
	memset(s, 0, sizeof(*s));
	/* the live machine, whatever --sysroot says: the benchmarks run here */
	xsys live;
	char err[64], text[512];
	if (xsys_init(&live, NULL, err, sizeof(err)) != 0 ||
	    xsys_text(&live, text, sizeof(text), "/proc/stat") != XSYS_OK)
		return;
	text[strcspn(text, "\n")] = '\0';
	xpu_cpu_ticks ticks;
	if (!xpu_parse_proc_stat(text, &ticks))
		return;
	s->total = ticks.total;
	s->idle = ticks.idle;
	s->steal = ticks.steal;
	s->own_s = own_cpu_s();
	s->ok = true;
}

/* Others' share of the CPUs' time and the steal between two samples. */
static bool load_between(const bench_load *a, const bench_load *b, double *others, double *steal)
{
	if (!a->ok || !b->ok || b->total <= a->total)
		return false;
	double total = (double)(b->total - a->total);
	double busy = total - (double)(b->idle - a->idle) - (double)(b->steal - a->steal);
	double own = (b->own_s - a->own_s) * (double)sysconf(_SC_CLK_TCK);
	*others = 100.0 * (busy > own ? busy - own : 0) / total;
	*steal = 100.0 * (double)(b->steal - a->steal) / total;
	return true;
}

void bench_load_judge(xpu_bench_target *t, const bench_load *a, const bench_load *b)
{
	double others, steal;
	if (!load_between(a, b, &others, &steal)) {
		xpu_set_status(&t->others_cpu_pct.status, XPU_UNAVAILABLE, XPU_R_FILE_MISSING,
			       "/proc/stat unreadable");
		t->steal_pct.status = t->others_cpu_pct.status;
		return;
	}
	xpu_set_real(&t->others_cpu_pct, others);
	xpu_set_real(&t->steal_pct, steal);
	if (others > BUSY_OTHERS_PCT || steal > BUSY_STEAL_PCT)
		snprintf(t->busy, sizeof(t->busy), "machine busy: other processes used %.0f%% of the "
			 "CPUs' time, steal %.1f%% (limits %d%%, %d%%)", others, steal, BUSY_OTHERS_PCT,
			 BUSY_STEAL_PCT);
}

/* The figure of t whose passes are furthest apart, or NULL when none was
 * taken in passes; its distance in *apart. */
static const xpu_bench_figure *most_moved(const xpu_bench_target *t, double *apart)
{
	const xpu_bench_figure *worst = NULL;
	*apart = 0;
	for (size_t i = 0; i < t->n_figures; i++) {
		const xpu_bench_figure *f = &t->figures[i];
		if (!xpu_is_ok(&f->status) || f->passes < 2)
			continue;
		double a = passes_apart_pct(f);
		if (!worst || a > *apart) {
			worst = f;
			*apart = a;
		}
	}
	return worst;
}

/* What a figure taken in passes learns from the others: when any figure's
 * passes moved by more than NOISE_PASSES_PCT, the machine's capacity moved
 * while the target ran (a VM's neighbours come and go over seconds), and a
 * figure whose own passes happened to fall in like windows is no safer to
 * compare: on the CI VM, a run whose passes all agreed within 3% was 26%
 * slower than the run before, and the moves showed in other figures. */
static size_t machine_verdict(const xpu_bench_figure *f, const xpu_bench_figure *moved, double apart,
			      char *buf, size_t len)
{
	if (f->passes < 2 || !moved || moved == f || apart <= NOISE_PASSES_PCT || !len)
		return 0;
	int n = snprintf(buf, len, "the machine moved: %s's passes differ by %.0f%% > %d%%",
			 moved->name, apart, NOISE_PASSES_PCT);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void bench_noise_apply(xpu_bench_target *t, bool on_cpu)
{
	double apart;
	const xpu_bench_figure *moved = most_moved(t, &apart);
	for (size_t i = 0; i < t->n_figures; i++) {
		xpu_bench_figure *f = &t->figures[i];
		if (!xpu_is_ok(&f->status))
			continue;
		f->spread_pct = f->median > 0 ? 100.0 * (f->max - f->min) / f->median : 0;
		f->noise[0] = '\0';
		size_t used = samples_verdict(f, f->noise, sizeof(f->noise));
		if (!used)
			used = machine_verdict(f, moved, apart, f->noise, sizeof(f->noise));
		if (on_cpu && t->busy[0] && used < sizeof(f->noise))
			snprintf(f->noise + used, sizeof(f->noise) - used, "%smachine busy: others used "
				 "%.0f%% of the CPUs, steal %.1f%%", used ? "; " : "",
				 t->others_cpu_pct.value, t->steal_pct.value);
		f->noisy = f->noise[0] != '\0';
	}
}
