/* Private to src/bench: the host's kernels, built once per vector ISA
 * (AVX-512, AVX2 with FMA, and plain C for any CPU) and picked at run time
 * from what the CPU has, so that xpu, built for every x86-64, runs the
 * widest vectors this CPU offers, as a stream.c built -march=native does. */
#ifndef XPU_BENCH_HOST_KERNELS_H
#define XPU_BENCH_HOST_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*host_stream_fn)(double *d, const double *x, const double *y, double s, size_t n);

typedef struct host_kernels {
	const char *isa;  /* "avx512f", "avx2+fma", "generic" */
	const char *how;  /* what the STREAM kernels do: "512-bit loads, non-temporal stores" */
	/* STREAM on [0, n) as one thread's share, d[j] from x[j], y[j] and s:
	 * copy x, scale s x, add x + y, triad x + s y (y unused, may be NULL,
	 * for copy and scale) */
	host_stream_fn copy, scale, add, triad;
	/* SGEMM micro-kernel: C[MR x NR] (row stride ldc) = (first ? 0 : C) +
	 * sum over k of A panel (k x MR, packed) times B panel (k x NR, packed) */
	void (*sgemm_micro)(size_t k, const float *a, const float *b, float *c, size_t ldc,
			    bool first);
	unsigned mr, nr;
} host_kernels;

/* The kernels for this CPU; XPU_BENCH_ISA (avx512f, avx2, generic) forces a
 * set, which is refused (NULL, with why) where the CPU lacks it. */
const host_kernels *host_kernels_pick(char *why, size_t len);
/* Every set built into this xpu, as one line: "avx512f avx2+fma generic". */
const char *host_kernels_built(void);

/* C (m x n, row-major) = A (m x k) x B (k x n), row-major, through the
 * micro-kernel of ks, blocked and packed, OpenMP over the rows.  -1 when out
 * of memory. */
int host_sgemm(const host_kernels *ks, int m, int n, int k, const float *a, const float *b,
	       float *c);

#endif
