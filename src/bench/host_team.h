/* The threads that run the host's STREAM kernels and xpu's own SGEMM: one
 * per CPU this process may run on (OMP_NUM_THREADS, when set, says how many,
 * as it does for STREAM's OpenMP build), each bound to its own CPU, spread
 * over the CPUs when fewer, kept between parallel regions.  Not OpenMP:
 * libgomp's constructor ran at every start of every command (0.1 ms of each
 * `xpu list` on a 2-core VM) for the one command that runs a region. */
#ifndef XPU_BENCH_HOST_TEAM_H
#define XPU_BENCH_HOST_TEAM_H

/* One thread's part of a region: thread is 0..threads-1. */
typedef void (*host_team_fn)(void *arg, unsigned thread, unsigned threads);

/* Runs fn on every thread of the team, the caller's being thread 0, and
 * returns when all have returned.  The first call starts the team; a thread
 * that cannot be started makes the team smaller (at least the caller).
 * Calls from several threads take turns. */
void host_team_run(host_team_fn fn, void *arg);
/* How many threads a region runs on (starts the team). */
unsigned host_team_size(void);

#endif
