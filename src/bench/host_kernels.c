/* The host's STREAM kernels and SGEMM micro-kernels, once per vector ISA.
 * Each x86 set is compiled with GCC's (and clang's) target attribute, so the
 * rest of xpu stays built for every x86-64; host_kernels_pick() asks the
 * CPU (CPUID, and XGETBV for what the kernel saves) which sets it can run.
 * Not __builtin_cpu_supports: it links libgcc's constructor, which runs
 * CPUID at every start of every command (0.06 ms of `xpu list` in a VM,
 * where each CPUID traps to the hypervisor), for the one command that asks.
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
#include <cpuid.h>
#include <immintrin.h>
#define HOST_X86 1
#else
#define HOST_X86 0
#endif

/* ---- STREAM: d[j] = EXPR(x[j], y[j], s) for each kernel, one shape:
 * copy (x), scale (s x), add (x + y), triad (x + s y) ---- */
#define COPY_OF(x, y, s) (x)
#define SCALE_OF(x, y, s) ((s) * (x))
#define ADD_OF(x, y, s) ((x) + (y))
#define TRIAD_OF(x, y, s) ((x) + (s) * (y))

/* ---- plain C: any CPU ---- */
#define C_KERNEL(NAME, OF)                                                                         \
	static void NAME##_c(double *restrict d, const double *restrict x, const double *restrict y,  \
			     double s, size_t n)                                                   \
	{                                                                                          \
		(void)y;                                                                           \
		(void)s;                                                                           \
		for (size_t j = 0; j < n; j++)                                                     \
			d[j] = OF(x[j], y[j], s);                                                  \
	}
C_KERNEL(copy, COPY_OF)
C_KERNEL(scale, SCALE_OF)
C_KERNEL(add, ADD_OF)
C_KERNEL(triad, TRIAD_OF)

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
/* ---- one STREAM kernel for a vector ISA: scalar to the first aligned
 * line, then non-temporal stores of W doubles, then the scalar tail; the
 * vector ops are VLOAD, VSTREAM, VSET1 and the OF macros over VADD and VMUL
 * as defined where the set is made ---- */
#define VEC_KERNEL(NAME, OF, SUF, TGT, W, V)                                                       \
	__attribute__((target(TGT))) static void NAME##_##SUF(double *restrict d,                     \
							      const double *restrict x,                \
							      const double *restrict y, double s,      \
							      size_t n)                                \
	{                                                                                          \
		size_t j = 0;                                                                      \
		V vs = VSET1(s);                                                                   \
		(void)vs;                                                                          \
		for (; j < n && ((uintptr_t)(d + j) % (W * 8)); j++)                               \
			d[j] = OF(x[j], y[j], s);                                                  \
		for (; j + W <= n; j += W)                                                         \
			VSTREAM(d + j, OF##_V(VLOAD(x + j), VLOAD(y + j), vs));                    \
		for (; j < n; j++)                                                                 \
			d[j] = OF(x[j], y[j], s);                                                  \
		_mm_sfence();                                                                      \
	}
/* the vector forms; a kernel without y drops its argument, so y (NULL
 * for copy and scale) is never loaded */
#define COPY_OF_V(x, y, s) (x)
#define SCALE_OF_V(x, y, s) VMUL((s), (x))
#define ADD_OF_V(x, y, s) VADD((x), (y))
#define TRIAD_OF_V(x, y, s) VADD((x), VMUL((s), (y)))
#define STREAM_SET(SUF, TGT, W, V)                                                                 \
	VEC_KERNEL(copy, COPY_OF, SUF, TGT, W, V)                                                  \
	VEC_KERNEL(scale, SCALE_OF, SUF, TGT, W, V)                                                \
	VEC_KERNEL(add, ADD_OF, SUF, TGT, W, V)                                                    \
	VEC_KERNEL(triad, TRIAD_OF, SUF, TGT, W, V)

#define VLOAD _mm512_loadu_pd
#define VSTREAM _mm512_stream_pd
#define VSET1 _mm512_set1_pd
#define VADD _mm512_add_pd
#define VMUL _mm512_mul_pd
STREAM_SET(avx512, "avx512f", 8, __m512d)
#undef VLOAD
#undef VSTREAM
#undef VSET1
#undef VADD
#undef VMUL
#define VLOAD _mm256_loadu_pd
#define VSTREAM _mm256_stream_pd
#define VSET1 _mm256_set1_pd
#define VADD _mm256_add_pd
#define VMUL _mm256_mul_pd
STREAM_SET(avx2, "avx2,fma", 4, __m256d)
#undef VLOAD
#undef VSTREAM
#undef VSET1
#undef VADD
#undef VMUL

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

/* Which of the vector units this code uses the CPU has and the kernel
 * saves across context switches (XCR0: SSE and AVX state, then the three
 * AVX-512 states). */
enum { ISA_AVX2_FMA = 1, ISA_AVX512F = 2 };

static unsigned isa_detect(void)
{
	unsigned a, b, c, d, found = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return 0;
	bool fma = c & bit_FMA;
	unsigned xcr0_lo, xcr0_hi;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	bool avx_state = (xcr0_lo & 0x6) == 0x6, avx512_state = (xcr0_lo & 0xe6) == 0xe6;
	if (avx_state && fma && (b & bit_AVX2))
		found |= ISA_AVX2_FMA;
	if (avx512_state && (b & bit_AVX512F))
		found |= ISA_AVX512F;
	return found;
}

/* Asked anew each time (a few CPUID, twice per xpu bench): no state to share
 * between threads. */
static bool has_isa(unsigned want)
{
	return (isa_detect() & want) == want;
}

static bool has_avx512(void)
{
	return has_isa(ISA_AVX512F);
}

static bool has_avx2(void)
{
	return has_isa(ISA_AVX2_FMA);
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
