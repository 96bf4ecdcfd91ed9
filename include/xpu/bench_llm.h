/* libxpu bench llm: how fast a running LLM server serves, against what the
 * hardware allows.  It streams requests to an OpenAI-compatible server
 * (llama.cpp's llama-server, vLLM, SGLang, Ollama's /v1) or Ollama's native
 * API at a sweep of concurrency levels, and reports per level TTFT, TPOT,
 * ITL and end-to-end latency (mean, p50, p90, p99), output tokens/s per
 * stream and in total, requests/s and prefill tokens/s, defined as vLLM's
 * `vllm bench serve` defines them; beside them, the server's own figures
 * where it gives them.  The roofline: bytes one generated token reads (the
 * GGUF header's tensors and the KV cache) against the bandwidth of the
 * device the server runs on.  The library knows nothing of the command
 * line. */
#ifndef XPU_BENCH_LLM_H
#define XPU_BENCH_LLM_H

#include <stdbool.h>
#include <stddef.h>

#include "xpu/bench.h"
#include "xpu/xpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a field of `xpu bench llm --json` changes meaning or goes away. */
#define XPU_LLM_SCHEMA_VERSION 1
#define XPU_LLM_MAX_LEVELS 16

typedef enum xpu_llm_api {
	XPU_LLM_API_AUTO = 0, /* Ollama's /api/version answers: ollama; else /v1/models: openai */
	XPU_LLM_API_OPENAI,   /* POST /v1/completions, SSE */
	XPU_LLM_API_OLLAMA,   /* POST /api/generate, NDJSON */
} xpu_llm_api;

typedef struct xpu_llm_options {
	const char *url;            /* the server: "http://127.0.0.1:8080" */
	xpu_llm_api api;
	const char *model;          /* NULL: the server's (first) model */
	const char *model_file;     /* a GGUF file for the roofline; NULL: the server's */
	double model_bytes;         /* bytes one token reads, given; 0: from the GGUF */
	const char *hw_baseline;    /* an `xpu bench --save` file: measured bandwidth */
	unsigned prompt_tokens;     /* per request */
	unsigned output_tokens;     /* per request, generated whatever the model says (ignore_eos) */
	size_t n_levels;
	unsigned concurrency[XPU_LLM_MAX_LEVELS];
	unsigned requests;          /* per level; 0: 4 x its concurrency, at least 8 */
	double rate;                /* requests/s (Poisson arrivals); 0: as fast as the concurrency allows */
	unsigned warmup;            /* requests before each level, not counted */
	double timeout_s;           /* each request, connection to last byte */
	xpu_options discovery;      /* how to find the device the server runs on */
	xpu_bench_progress_fn progress;
	void *progress_ctx;
} xpu_llm_options;

/* A distribution over requests (ms): unknown with a reason when no sample. */
typedef struct xpu_llm_dist {
	xpu_real mean, p50, p90, p99;
	size_t n;
} xpu_llm_dist;

/* One measured request. */
typedef struct xpu_llm_request {
	unsigned concurrency;
	double start_ms;            /* since its level started */
	double ttft_ms, e2e_ms;     /* to the first and the last non-empty chunk */
	xpu_real tpot_ms;           /* (e2e - ttft) / (output tokens - 1) */
	unsigned prompt_tokens, output_tokens, chunks;
	/* The server's own: llama.cpp's timings (prompt_ms, predicted_per_token_ms,
	 * prompt_per_second, predicted_per_second), Ollama's durations. */
	xpu_real server_prompt_ms, server_tpot_ms, server_prefill_tps, server_decode_tps;
	xpu_real server_load_ms;    /* Ollama's load_duration */
	bool model_load;            /* the model was loaded for it: its TTFT is not counted */
} xpu_llm_request;

typedef struct xpu_llm_level {
	unsigned concurrency, requests;
	double duration_s;
	xpu_llm_dist ttft_ms, tpot_ms, itl_ms, e2e_ms;
	xpu_real output_tps;        /* output tokens of every stream / duration */
	xpu_real stream_tps;        /* one stream's decode: 1000 / mean TPOT */
	xpu_real request_rate;      /* requests / duration */
	xpu_real prefill_tps;       /* prompt tokens / TTFT, summed over requests */
	xpu_real prompt_tokens, output_tokens; /* means, as the server counted them */
	/* the server's: mean prompt_ms and TPOT, and the rates from them */
	xpu_real server_ttft_ms, server_tpot_ms, server_prefill_tps, server_decode_tps;
	xpu_real mbu_percent;       /* decode: bytes/token x tokens/s / bandwidth */
	xpu_real compute_percent;   /* prefill: 2 x parameters x tokens/s / peak FLOP/s */
	unsigned model_loads;
} xpu_llm_level;

/* What the hardware allows. */
typedef struct xpu_llm_roofline {
	char model_file[512];       /* "" when unknown */
	char model_source[160];     /* "llama-server /props model_path", "--model-file", ... */
	xpu_real weight_bytes;      /* weights one token reads */
	xpu_real kv_bytes_per_ctx;  /* KV cache bytes per token of context */
	xpu_real params;            /* parameters one token multiplies */
	xpu_real bytes_per_token;   /* weights + KV at the mean context of a request */
	unsigned n_layers;
	char weight_type[16];       /* "q4_0" */
	int server_pid;             /* 0: not found */
	char device_id[40], device_name[XPU_TEXT_LEN];
	char device_source[192];    /* how the device was found */
	xpu_real gpu_bytes;         /* what the server holds on its GPU */
	bool gpu_present;           /* this machine has a GPU (the server may not be on it) */
	xpu_real bandwidth_gbs;
	char bandwidth_source[192];
	xpu_real peak_tflops;       /* fp16 matrix (GPU) or fp32 (CPU) */
	char flops_source[160];
	xpu_real decode_tps;        /* the roofline: bandwidth / bytes per token */
	char verdict[768];
} xpu_llm_roofline;

typedef struct xpu_llm_report {
	char url[256];
	char api[16];               /* "openai", "ollama" */
	char endpoint[32];          /* "/v1/completions", "/api/generate" */
	char model[160];
	char server[160];           /* what the server says it is */
	unsigned prompt_tokens, output_tokens, warmup;
	double rate;
	double load_wait_s;         /* waited for the server to load its model */
	char hostname[64], machine_id[40];
	size_t n_levels;
	xpu_llm_level levels[XPU_LLM_MAX_LEVELS];
	size_t n_requests;
	xpu_llm_request *requests;
	xpu_llm_roofline roof;
} xpu_llm_report;

/* Runs the sweep.  0, or -1 with one line in err (the server refused, hung,
 * streamed garbage or stopped mid-stream; the model file is not GGUF): then
 * *out is NULL. */
int xpu_llm_run(const xpu_llm_options *opt, xpu_llm_report **out, char *err, size_t errlen);
void xpu_llm_report_free(xpu_llm_report *r);

/* The report as JSON (kind "xpu-bench-llm"; jansson string, free()). */
char *xpu_llm_json(const xpu_llm_report *r, bool pretty);
int xpu_llm_save(const xpu_llm_report *r, const char *path, char *err, size_t errlen);
/* The latency-throughput curve of the sweep as an SVG document (free()). */
char *xpu_llm_svg(const xpu_llm_report *r);
/* Compares with a report saved by xpu_llm_save on this machine: each
 * level's headline figures (by concurrency); fails with err as
 * xpu_bench_compare does. */
int xpu_llm_compare(const xpu_llm_report *r, const char *path, double threshold_pct,
		    xpu_bench_comparison **out, char *err, size_t errlen);

const char *xpu_llm_api_name(xpu_llm_api api);

#ifdef __cplusplus
}
#endif
#endif
