/* The host's own SGEMM, for a machine without a BLAS: the blocking of
 * Goto and van de Geijn ("Anatomy of High-Performance Matrix
 * Multiplication", ACM TOMS 34(3), 2008), as BLIS structures it: a KC x NC
 * panel of B packed once per (jc, pc) block and shared, an MC x KC block of
 * A packed per thread, and the ISA's MR x NR micro-kernel
 * (host_kernels.c) over them.  The host team (host_team.h) takes the MC
 * blocks one at a time. */
#include "bench/host_kernels.h"
#include "bench/host_team.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { KC = 256, MC = 96, NC = 3072 }; /* MC: a multiple of every MR (6, 4) */

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* B[kc x nc] (row stride ldb) into panels of NR columns, each kc x NR,
 * zero-padded past nc. */
static void pack_b(const float *b, size_t ldb, size_t kc, size_t nc, unsigned nr, float *out)
{
	for (size_t jr = 0; jr < nc; jr += nr, out += kc * nr)
		for (size_t p = 0; p < kc; p++)
			for (size_t j = 0; j < nr; j++)
				out[p * nr + j] = jr + j < nc ? b[p * ldb + jr + j] : 0.0f;
}

/* A[mc x kc] (row stride lda) into panels of MR rows, each kc x MR. */
static void pack_a(const float *a, size_t lda, size_t mc, size_t kc, unsigned mr, float *out)
{
	for (size_t ir = 0; ir < mc; ir += mr, out += kc * mr)
		for (size_t p = 0; p < kc; p++)
			for (size_t i = 0; i < mr; i++)
				out[p * mr + i] = ir + i < mc ? a[(ir + i) * lda + p] : 0.0f;
}

/* One MR x NR tile of C; an edge tile goes through a full-size buffer. */
static void tile(const host_kernels *ks, size_t kc, const float *ap, const float *bp, float *c,
		 size_t ldc, size_t mr, size_t nr, bool first)
{
	if (mr == ks->mr && nr == ks->nr) {
		ks->sgemm_micro(kc, ap, bp, c, ldc, first);
		return;
	}
	float t[6 * 32];
	ks->sgemm_micro(kc, ap, bp, t, ks->nr, true);
	for (size_t i = 0; i < mr; i++)
		for (size_t j = 0; j < nr; j++)
			c[i * ldc + j] = (first ? 0.0f : c[i * ldc + j]) + t[i * ks->nr + j];
}

/* Rows ic.. of C for the packed B panel (kc x nc at jc). */
static void block_rows(const host_kernels *ks, const float *a, size_t lda, const float *bp,
		       float *c, size_t ldc, size_t mc, size_t kc, size_t nc, bool first, float *ap)
{
	pack_a(a, lda, mc, kc, ks->mr, ap);
	for (size_t jr = 0; jr < nc; jr += ks->nr)
		for (size_t ir = 0; ir < mc; ir += ks->mr)
			tile(ks, kc, ap + ir * kc, bp + jr * kc, c + ir * ldc + jr, ldc,
			     min_sz(ks->mr, mc - ir), min_sz(ks->nr, nc - jr), first);
}

/* One panel of B, packed, against every MC block of A's rows. */
typedef struct gemm_panel {
	const host_kernels *ks;
	const float *a, *bp;
	float *c;
	size_t M, N, K, jc, pc, kc, nc;
	atomic_size_t next; /* the next block's first row */
	atomic_bool failed;
} gemm_panel;

static void gemm_rows(void *arg, unsigned thread, unsigned threads)
{
	(void)thread;
	(void)threads;
	gemm_panel *g = arg;
	float *ap = aligned_alloc(64, MC * KC * sizeof(float));
	if (!ap) {
		atomic_store(&g->failed, true);
		return;
	}
	for (size_t ic; (ic = atomic_fetch_add(&g->next, MC)) < g->M;)
		block_rows(g->ks, g->a + ic * g->K + g->pc, g->K, g->bp, g->c + ic * g->N + g->jc, g->N,
			   min_sz(MC, g->M - ic), g->kc, g->nc, g->pc == 0, ap);
	free(ap);
}

int host_sgemm(const host_kernels *ks, int m, int n, int k, const float *a, const float *b,
	       float *c)
{
	size_t M = (size_t)m, N = (size_t)n, K = (size_t)k;
	size_t nc_max = min_sz(NC, (N + ks->nr - 1) / ks->nr * ks->nr);
	float *bp = aligned_alloc(64, (KC * nc_max * sizeof(float) + 63) / 64 * 64);
	if (!bp)
		return -1;
	bool failed = false;
	for (size_t jc = 0; jc < N; jc += NC) {
		size_t nc = min_sz(NC, N - jc);
		for (size_t pc = 0; pc < K; pc += KC) {
			size_t kc = min_sz(KC, K - pc);
			pack_b(b + pc * N + jc, N, kc, nc, ks->nr, bp);
			gemm_panel g = { .ks = ks, .a = a, .bp = bp, .c = c, .M = M, .N = N, .K = K,
					 .jc = jc, .pc = pc, .kc = kc, .nc = nc };
			atomic_init(&g.next, 0);
			atomic_init(&g.failed, false);
			host_team_run(gemm_rows, &g);
			failed |= atomic_load(&g.failed);
		}
	}
	free(bp);
	return failed ? -1 : 0;
}
