/* The host team (host_team.h says what and why).
 *
 * A region: the caller stores fn and arg, bumps the generation and wakes
 * the workers, runs thread 0's part itself (bound, for the region, to the
 * team's first CPU, so that its share stays on the memory it first
 * touched), then waits until every worker has counted itself done.  Workers
 * and the caller spin a short while before they sleep: STREAM's regions come
 * back to back, and a wake-up from sleep costs tens of microseconds. */
#include "bench/host_team.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ volatile("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

enum { TEAM_MAX = 1024 };
#define SPIN_MS 0.2 /* how long a waiting thread spins before it sleeps */

typedef struct team {
	unsigned size;               /* threads of a region, the caller's included */
	int cpus[TEAM_MAX];          /* the CPU each thread is bound to, -1 none */
	pthread_mutex_t lock;
	pthread_cond_t go, finished;
	atomic_uint generation;      /* bumped by each region */
	atomic_uint done;            /* workers done with this region */
	host_team_fn fn;
	void *arg;
} team;

static team the_team = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.go = PTHREAD_COND_INITIALIZER,
	.finished = PTHREAD_COND_INITIALIZER,
};
static pthread_once_t team_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t turns = PTHREAD_MUTEX_INITIALIZER; /* one region at a time */

/* OMP_NUM_THREADS's first number ("8" or "8,2"), else 0. */
static unsigned threads_asked(void)
{
	const char *v = getenv("OMP_NUM_THREADS");
	char *end;
	unsigned long n = v ? strtoul(v, &end, 10) : 0;
	if (!v || end == v || (*end && *end != ','))
		return 0;
	return n > TEAM_MAX ? TEAM_MAX : (unsigned)n;
}

static bool bind_to(int cpu)
{
	if (cpu < 0)
		return false;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

/* Until the generation differs from seen: spins, then sleeps. */
static unsigned wait_for_region(team *t, unsigned seen)
{
	double until = xpu_now_ms() + SPIN_MS;
	for (unsigned i = 0; atomic_load_explicit(&t->generation, memory_order_acquire) == seen; i++) {
		CPU_RELAX();
		if ((i & 63) == 63 && xpu_now_ms() > until) {
			pthread_mutex_lock(&t->lock);
			while (atomic_load_explicit(&t->generation, memory_order_acquire) == seen)
				pthread_cond_wait(&t->go, &t->lock);
			pthread_mutex_unlock(&t->lock);
		}
	}
	return atomic_load_explicit(&t->generation, memory_order_acquire);
}

typedef struct worker {
	team *t;
	unsigned index;
} worker;

static void *work(void *arg)
{
	worker w = *(worker *)arg;
	free(arg);
	team *t = w.t;
	bind_to(t->cpus[w.index]);
	unsigned seen = 0;
	for (;;) {
		seen = wait_for_region(t, seen);
		t->fn(t->arg, w.index, t->size);
		pthread_mutex_lock(&t->lock);
		if (atomic_fetch_add_explicit(&t->done, 1, memory_order_acq_rel) + 2 == t->size)
			pthread_cond_signal(&t->finished);
		pthread_mutex_unlock(&t->lock);
	}
	return NULL;
}

/* The CPUs this process may run on, spread over when fewer threads. */
static void pick_cpus(team *t)
{
	cpu_set_t set;
	int allowed[TEAM_MAX], n = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && n < TEAM_MAX; c++)
			if (CPU_ISSET(c, &set))
				allowed[n++] = c;
	unsigned asked = threads_asked();
	t->size = asked ? asked : n ? (unsigned)n : 1;
	for (unsigned i = 0; i < t->size; i++)
		t->cpus[i] = !n ? -1 : t->size <= (unsigned)n ? allowed[(size_t)i * (size_t)n / t->size]
							       : allowed[i % (unsigned)n];
}

static void start_team(void)
{
	team *t = &the_team;
	pick_cpus(t);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	unsigned started = 1;
	for (unsigned i = 1; i < t->size; i++) {
		worker *w = malloc(sizeof(*w));
		pthread_t id;
		if (!w)
			break;
		*w = (worker){ t, i };
		if (pthread_create(&id, &attr, work, w) != 0) {
			free(w);
			break;
		}
		started++;
	}
	pthread_attr_destroy(&attr);
	/* a worker reads size only inside a region, after this store */
	t->size = started;
}

unsigned host_team_size(void)
{
	pthread_once(&team_once, start_team);
	return the_team.size;
}

static void wait_for_workers(team *t)
{
	double until = xpu_now_ms() + SPIN_MS;
	for (unsigned i = 0; atomic_load_explicit(&t->done, memory_order_acquire) + 1 != t->size; i++) {
		CPU_RELAX();
		if ((i & 63) == 63 && xpu_now_ms() > until) {
			pthread_mutex_lock(&t->lock);
			while (atomic_load_explicit(&t->done, memory_order_acquire) + 1 != t->size)
				pthread_cond_wait(&t->finished, &t->lock);
			pthread_mutex_unlock(&t->lock);
		}
	}
}

void host_team_run(host_team_fn fn, void *arg)
{
	team *t = &the_team;
	host_team_size();
	pthread_mutex_lock(&turns);
	cpu_set_t before;
	bool restore = t->size > 1 && pthread_getaffinity_np(pthread_self(), sizeof(before), &before) == 0 &&
		       bind_to(t->cpus[0]);
	pthread_mutex_lock(&t->lock);
	t->fn = fn;
	t->arg = arg;
	atomic_store_explicit(&t->done, 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->generation, 1, memory_order_release);
	pthread_cond_broadcast(&t->go);
	pthread_mutex_unlock(&t->lock);
	fn(arg, 0, t->size);
	wait_for_workers(t);
	if (restore)
		pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
	pthread_mutex_unlock(&turns);
}
