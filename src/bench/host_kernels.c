/* The host's STREAM kernels and SGEMM micro-kernels, once per vector ISA.
 * Each x86 set is compiled with GCC's (and clang's) target attribute, so the
 * rest of xpu stays built for every x86-64; host_kernels_pick() asks the
 * CPU (__builtin_cpu_supports) which sets it can run.
 *
 * STREAM: the vector kernels store with non-temporal stores, which write
 * whole lines without reading them first (no write-allocate); the arrays
 * are at least 4x the last-level cache, so nothing is lost by bypassing it.
 * This is what the fastest builds of McCalpin's stream.c do (Intel's
 * compilers' -qopt-streaming-stores), and what STREAM's counting assumes:
 * it counts no write-allocate traffic. */
#include "bench/host_kernels.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HOST_X86 1
#else
#define HOST_X86 0
#endif

/* ---- plain C: any CPU ---- */

static void copy_c(double *restrict c, const double *restrict a, size_t n)
{
	for (size_t j = 0; j < n; j++)
		c[j] = a[j];
}

static void scale_c(double *restrict b, const double *restrict c, double s, size_t n)
{
	for (size_t j = 0; j < n; j++)
		b[j] = s * c[j];
}

static void add_c(double *restrict c, const double *restrict a, const double *restrict b, size_t n)
{
	for (size_t j = 0; j < n; j++)
		c[j] = a[j] + b[j];
}

static void triad_c(double *restrict a, const double *restrict b, const double *restrict c,
		    double s, size_t n)
{
	for (size_t j = 0; j < n; j++)
		a[j] = b[j] + s * c[j];
}

enum { C_MR = 4, C_NR = 8 };

static void sgemm_micro_c(size_t k, const float *a, const float *b, float *c, size_t ldc,
			  bool first)
{
	float acc[C_MR][C_NR] = { { 0 } };
	for (size_t p = 0; p < k; p++)
		for (int i = 0; i < C_MR; i++)
			for (int j = 0; j < C_NR; j++)
				acc[i][j] += a[p * C_MR + i] * b[p * C_NR + j];
	for (int i = 0; i < C_MR; i++)
		for (int j = 0; j < C_NR; j++)
			c[i * ldc + j] = (first ? 0.0f : c[i * ldc + j]) + acc[i][j];
}

#if HOST_X86
/* ---- one STREAM set per vector width: W doubles per register, the
 * vector type V, its load, non-temporal store, add, multiply and set1 ---- */
#define STREAM_SET(SUF, TGT, W, V, LOAD, STREAM, ADD, MUL, SET1)                                   \
	__attribute__((target(TGT))) static void copy_##SUF(double *restrict c,                       \
							    const double *restrict a, size_t n)        \
	{                                                                                          \
		size_t j = 0;                                                                      \
		for (; j < n && ((uintptr_t)(c + j) % (W * 8)); j++)                               \
			c[j] = a[j];                                                               \
		for (; j + W <= n; j += W)                                                         \
			STREAM(c + j, LOAD(a + j));                                                \
		for (; j < n; j++)                                                                 \
			c[j] = a[j];                                                               \
		_mm_sfence();                                                                      \
	}                                                                                          \
	__attribute__((target(TGT))) static void scale_##SUF(double *restrict b,                      \
							     const double *restrict c, double s,       \
							     size_t n)                                 \
	{                                                                                          \
		size_t j = 0;                                                                      \
		V vs = SET1(s);                                                                    \
		for (; j < n && ((uintptr_t)(b + j) % (W * 8)); j++)                               \
			b[j] = s * c[j];                                                           \
		for (; j + W <= n; j += W)                                                         \
			STREAM(b + j, MUL(vs, LOAD(c + j)));                                       \
		for (; j < n; j++)                                                                 \
			b[j] = s * c[j];                                                           \
		_mm_sfence();                                                                      \
	}                                                                                          \
	__attribute__((target(TGT))) static void add_##SUF(double *restrict c,                        \
							   const double *restrict a,                   \
							   const double *restrict b, size_t n)         \
	{                                                                                          \
		size_t j = 0;                                                                      \
		for (; j < n && ((uintptr_t)(c + j) % (W * 8)); j++)                               \
			c[j] = a[j] + b[j];                                                        \
		for (; j + W <= n; j += W)                                                         \
			STREAM(c + j, ADD(LOAD(a + j), LOAD(b + j)));                              \
		for (; j < n; j++)                                                                 \
			c[j] = a[j] + b[j];                                                        \
		_mm_sfence();                                                                      \
	}                                                                                          \
	__attribute__((target(TGT))) static void triad_##SUF(double *restrict a,                      \
							     const double *restrict b,                 \
							     const double *restrict c, double s,       \
							     size_t n)                                 \
	{                                                                                          \
		size_t j = 0;                                                                      \
		V vs = SET1(s);                                                                    \
		for (; j < n && ((uintptr_t)(a + j) % (W * 8)); j++)                               \
			a[j] = b[j] + s * c[j];                                                    \
		for (; j + W <= n; j += W)                                                         \
			STREAM(a + j, ADD(LOAD(b + j), MUL(vs, LOAD(c + j))));                      \
		for (; j < n; j++)                                                                 \
			a[j] = b[j] + s * c[j];                                                    \
		_mm_sfence();                                                                      \
	}

STREAM_SET(avx512, "avx512f", 8, __m512d, _mm512_loadu_pd, _mm512_stream_pd, _mm512_add_pd,
	   _mm512_mul_pd, _mm512_set1_pd)
STREAM_SET(avx2, "avx2,fma", 4, __m256d, _mm256_loadu_pd, _mm256_stream_pd, _mm256_add_pd,
	   _mm256_mul_pd, _mm256_set1_pd)

/* ---- SGEMM micro-kernels: 6 rows x 2 registers of columns, 12
 * accumulators (of the 16 AVX2 / 32 AVX-512 registers), written out so
 * that they stay in registers at -O2 ---- */
#define ROW_FMA(V, FMA, SET1, r)                                                                   \
	do {                                                                                       \
		V ai = SET1(a[p * 6 + r]);                                                         \
		c##r##0 = FMA(ai, b0, c##r##0);                                                    \
		c##r##1 = FMA(ai, b1, c##r##1);                                                    \
	} while (0)
#define ROW_STORE(W, LOADU, STOREU, ADD, r)                                                        \
	do {                                                                                       \
		float *ci = c + r * ldc;                                                           \
		if (!first) {                                                                      \
			c##r##0 = ADD(c##r##0, LOADU(ci));                                         \
			c##r##1 = ADD(c##r##1, LOADU(ci + W));                                     \
		}                                                                                  \
		STOREU(ci, c##r##0);                                                               \
		STOREU(ci + W, c##r##1);                                                           \
	} while (0)
#define SGEMM_MICRO(SUF, TGT, W, V, LOAD, LOADU, STOREU, FMA, SET1, ADD, ZERO)                     \
	__attribute__((target(TGT))) static void sgemm_micro_##SUF(                                  \
		size_t k, const float *a, const float *b, float *c, size_t ldc, bool first)        \
	{                                                                                          \
		V c00 = ZERO(), c01 = ZERO(), c10 = ZERO(), c11 = ZERO(), c20 = ZERO(),            \
		  c21 = ZERO(), c30 = ZERO(), c31 = ZERO(), c40 = ZERO(), c41 = ZERO(),            \
		  c50 = ZERO(), c51 = ZERO();                                                      \
		for (size_t p = 0; p < k; p++) {                                                   \
			V b0 = LOAD(b + p * 2 * W), b1 = LOAD(b + p * 2 * W + W);                  \
			ROW_FMA(V, FMA, SET1, 0);                                                  \
			ROW_FMA(V, FMA, SET1, 1);                                                  \
			ROW_FMA(V, FMA, SET1, 2);                                                  \
			ROW_FMA(V, FMA, SET1, 3);                                                  \
			ROW_FMA(V, FMA, SET1, 4);                                                  \
			ROW_FMA(V, FMA, SET1, 5);                                                  \
		}                                                                                  \
		ROW_STORE(W, LOADU, STOREU, ADD, 0);                                               \
		ROW_STORE(W, LOADU, STOREU, ADD, 1);                                               \
		ROW_STORE(W, LOADU, STOREU, ADD, 2);                                               \
		ROW_STORE(W, LOADU, STOREU, ADD, 3);                                               \
		ROW_STORE(W, LOADU, STOREU, ADD, 4);                                               \
		ROW_STORE(W, LOADU, STOREU, ADD, 5);                                               \
	}

SGEMM_MICRO(avx512, "avx512f", 16, __m512, _mm512_load_ps, _mm512_loadu_ps, _mm512_storeu_ps,
	    _mm512_fmadd_ps, _mm512_set1_ps, _mm512_add_ps, _mm512_setzero_ps)
SGEMM_MICRO(avx2, "avx2,fma", 8, __m256, _mm256_load_ps, _mm256_loadu_ps, _mm256_storeu_ps,
	    _mm256_fmadd_ps, _mm256_set1_ps, _mm256_add_ps, _mm256_setzero_ps)

static bool has_avx512(void)
{
	return __builtin_cpu_supports("avx512f");
}

static bool has_avx2(void)
{
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

static bool has_any(void)
{
	return true;
}

/* Widest first: the first set the CPU supports is taken. */
static const struct isa_row {
	const char *force; /* XPU_BENCH_ISA's word for it */
	bool (*supported)(void);
	host_kernels k;
} sets[] = {
#if HOST_X86
	{ "avx512f", has_avx512,
	  { "avx512f", "512-bit loads, non-temporal stores", copy_avx512, scale_avx512, add_avx512,
	    triad_avx512, sgemm_micro_avx512, 6, 32 } },
	{ "avx2", has_avx2,
	  { "avx2+fma", "256-bit loads, non-temporal stores", copy_avx2, scale_avx2, add_avx2,
	    triad_avx2, sgemm_micro_avx2, 6, 16 } },
#endif
	{ "generic", has_any,
	  { "generic", "plain C loops, as the compiler builds them for any CPU", copy_c, scale_c,
	    add_c, triad_c, sgemm_micro_c, C_MR, C_NR } },
};

const host_kernels *host_kernels_pick(char *why, size_t len)
{
	const char *force = getenv("XPU_BENCH_ISA");
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		const struct isa_row *r = &sets[i];
		bool forced = force && *force;
		if (forced && strcmp(force, r->force) != 0)
			continue;
		if (r->supported())
			return &r->k;
		if (forced) {
			snprintf(why, len, "XPU_BENCH_ISA=%s: this CPU lacks it", force);
			return NULL;
		}
	}
	snprintf(why, len, "XPU_BENCH_ISA=%s: no such kernel set in this xpu (it has %s)", force,
		 host_kernels_built());
	return NULL;
}

const char *host_kernels_built(void)
{
#if HOST_X86
	return "avx512f avx2 generic";
#else
	return "generic";
#endif
}
