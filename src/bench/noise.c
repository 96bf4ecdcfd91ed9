/* Noise: whether a figure can be trusted to compare.  A figure is noisy
 * when its own repetitions spread by more than NOISE_SPREAD_PCT (max - min
 * over the median), or, for a target on the CPU, when the machine was busy
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

enum { NOISE_SPREAD_PCT = 10, BUSY_OTHERS_PCT = 10, BUSY_STEAL_PCT = 5, MIN_REPS_FOR_SPREAD = 3 };

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

void bench_noise_apply(xpu_bench_target *t, bool on_cpu)
{
	for (size_t i = 0; i < t->n_figures; i++) {
		xpu_bench_figure *f = &t->figures[i];
		if (!xpu_is_ok(&f->status))
			continue;
		f->spread_pct = f->median > 0 ? 100.0 * (f->max - f->min) / f->median : 0;
		size_t used = 0;
		f->noise[0] = '\0';
		if (f->reps >= MIN_REPS_FOR_SPREAD && f->spread_pct > NOISE_SPREAD_PCT)
			used = (size_t)snprintf(f->noise, sizeof(f->noise), "spread %.0f%% > %d%% over %u "
						"reps", f->spread_pct, NOISE_SPREAD_PCT, f->reps);
		if (on_cpu && t->busy[0] && used < sizeof(f->noise))
			snprintf(f->noise + used, sizeof(f->noise) - used, "%smachine busy: others used "
				 "%.0f%% of the CPUs, steal %.1f%%", used ? "; " : "",
				 t->others_cpu_pct.value, t->steal_pct.value);
		f->noisy = f->noise[0] != '\0';
	}
}
