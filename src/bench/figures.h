/* Private to src/bench: the registry of the figures xpu bench reports, one
 * row each.  Everything else reads it: the runners (a figure is named by its
 * row's id, so a runner cannot report a figure the registry lacks: it does
 * not compile), --only, `xpu bench --help` (through xpu_bench_figure_at), and
 * tests/bench/test_bench.c, which holds doc/xpu-bench.1 against it.  A new
 * figure is one row here plus its runner code.
 *
 * Columns:
 *   id         the enum name (BENCH_FIG_<id>) the runners use
 *   name       the figure's name, or with a shape its stem
 *   shape      NULL, or what a figure adds to the stem, as the help shows
 *              it: "N" (gemm.bf16.8192), "mM.nN.kK" (gemv.bf16.m1.n4096.k4096),
 *              "D" (p2p.memcpy.1: to device 1 as `xpu list` numbers it),
 *              "SIZE" (allreduce.1GiB: nccl-tests' size column)
 *   unit       "GB/s", "TFLOP/s", "us" (us: lower is better)
 *   peak       the xpu_peak_kind it is held against, without XPU_PEAK_
 *   counting   how bytes or operations are counted; a runner that measures
 *              another way gives its own (NULL: each runner says its way)
 *   alt        the second counting convention of alt_value, or NULL
 *   backends   the targets that report it
 *
 * Names, units and countings are what baselines compare: never change one. */
#ifndef XPU_BENCH_FIGURES_H
#define XPU_BENCH_FIGURES_H

/* clang-format off */
#define BENCH_FIGURES(X) \
	X(STREAM_COPY,   "stream.copy",    NULL, "GB/s", MEM_BW, "STREAM: read+write, 2 x 8 B x N", NULL, "host") \
	X(STREAM_SCALE,  "stream.scale",   NULL, "GB/s", MEM_BW, "STREAM: read+write, 2 x 8 B x N", NULL, "host") \
	X(STREAM_ADD,    "stream.add",     NULL, "GB/s", MEM_BW, "STREAM: read+write, 3 x 8 B x N", NULL, "host") \
	X(STREAM_TRIAD,  "stream.triad",   NULL, "GB/s", MEM_BW, "STREAM: read+write, 3 x 8 B x N", NULL, "host") \
	X(MEM_READ,      "mem.read",       NULL, "GB/s", MEM_BW, "bytes fetched once (clpeak)", NULL, "opencl") \
	X(MEM_COPY,      "mem.copy",       NULL, "GB/s", MEM_BW, "read+write, 2 x bytes (STREAM copy)", \
	  "bytes once (bcopy)", "opencl") \
	X(D2D_MEMCPY,    "d2d.memcpy",     NULL, "GB/s", MEM_BW, "read+write, 2 x bytes (bandwidthTest, PyTorch)", \
	  "bytes once (bcopy, nvbandwidth)", "cuda") \
	X(D2D_KERNEL,    "d2d.kernel",     NULL, "GB/s", MEM_BW, "read+write, 2 x bytes (bandwidthTest, PyTorch)", \
	  "bytes once (bcopy, nvbandwidth)", "cuda") \
	X(H2D_PINNED,    "h2d.pinned",     NULL, "GB/s", LINK, "bytes once, per direction", NULL, "cuda opencl") \
	X(D2H_PINNED,    "d2h.pinned",     NULL, "GB/s", LINK, "bytes once, per direction", NULL, "cuda opencl") \
	X(H2D_PAGEABLE,  "h2d.pageable",   NULL, "GB/s", LINK, "bytes once, per direction", NULL, "cuda opencl") \
	X(D2H_PAGEABLE,  "d2h.pageable",   NULL, "GB/s", LINK, "bytes once, per direction", NULL, "cuda opencl") \
	X(GEMM_FP32,     "gemm.fp32",      "N", "TFLOP/s", FP32, "2 x M x N x K", NULL, "host cuda opencl") \
	X(GEMM_TF32,     "gemm.tf32",      "N", "TFLOP/s", TF32, "2 x M x N x K", NULL, "cuda") \
	X(GEMM_FP16,     "gemm.fp16",      "N", "TFLOP/s", FP16, "2 x M x N x K", NULL, "cuda opencl") \
	X(GEMM_BF16,     "gemm.bf16",      "N", "TFLOP/s", BF16, "2 x M x N x K", NULL, "host cuda") \
	X(GEMM_FP8,      "gemm.fp8",       "N", "TFLOP/s", FP8, "2 x M x N x K", NULL, "cuda") \
	X(GEMV_BF16,     "gemv.bf16",      "mM.nN.kK", "GB/s", MEM_BW, "weight bytes read once (N x K x 2 B)", \
	  "TFLOP/s, 2 x M x N x K", "cuda") \
	X(GEMV_FP8,      "gemv.fp8",       "mM.nN.kK", "GB/s", MEM_BW, "weight bytes read once (N x K x 1 B)", \
	  "TFLOP/s, 2 x M x N x K", "cuda") \
	X(LAUNCH_LATENCY, "launch.latency", NULL, "us", NONE, NULL, NULL, "cuda opencl") \
	X(P2P_MEMCPY,    "p2p.memcpy",     "D", "GB/s", PEER, "bytes once, per direction (nvbandwidth)", \
	  NULL, "cuda") \
	X(P2P_LATENCY,   "p2p.latency",    "D", "us", NONE, "one dependent 8-byte read of the peer's memory", \
	  NULL, "cuda") \
	X(ALLREDUCE,     "allreduce",      "SIZE", "GB/s", PEER, "busbw = algbw x 2(n-1)/n (nccl-tests)", \
	  "algbw: bytes / time", "nccl rccl") \
	X(ALLGATHER,     "allgather",      "SIZE", "GB/s", PEER, "busbw = algbw x (n-1)/n (nccl-tests)", \
	  "algbw: bytes / time", "nccl rccl") \
	X(REDUCESCATTER, "reducescatter",  "SIZE", "GB/s", PEER, "busbw = algbw x (n-1)/n (nccl-tests)", \
	  "algbw: bytes / time", "nccl rccl") \
	X(BROADCAST,     "broadcast",      "SIZE", "GB/s", PEER, "busbw = algbw (nccl-tests)", \
	  "algbw: bytes / time", "nccl rccl")
/* clang-format on */

#define BENCH_FIG_ENUM(id, ...) BENCH_FIG_##id,
typedef enum bench_fig { BENCH_FIGURES(BENCH_FIG_ENUM) BENCH_FIG_COUNT } bench_fig;
#undef BENCH_FIG_ENUM

#endif
