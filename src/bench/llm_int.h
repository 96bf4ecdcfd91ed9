/* Private to src/bench: the parts of `xpu bench llm` (llm_*.c). */
#ifndef XPU_BENCH_LLM_INT_H
#define XPU_BENCH_LLM_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "xpu/bench_llm.h"

/* --- llm_stream.c: a response stream, cut into events and read --- */

/* What one event of a stream said. */
typedef struct llm_event {
	bool content;       /* it carries generated text (non-empty) */
	bool end;           /* "[DONE]", or Ollama's "done": true */
	bool has_usage;     /* completion/prompt token counts (usage, eval_count) */
	unsigned output_tokens, prompt_tokens;
	/* the server's own timings: llama.cpp's "timings", Ollama's durations */
	bool has_timings;
	double prompt_ms, prompt_tps, tpot_ms, decode_tps, load_ms;
	char error[200];    /* the server said it failed, or the event is not JSON */
} llm_event;

/* Cuts a byte stream into events: SSE ("data:" lines, a blank line ends an
 * event) or NDJSON (a line each).  Bytes are fed as they arrive. */
typedef struct llm_framer {
	bool sse;
	char *line;         /* the partial line, then the event's data */
	size_t len, cap;
	char *data;         /* SSE: the event's data lines joined */
	size_t dlen, dcap;
	bool too_long;
} llm_framer;

typedef void (*llm_event_fn)(void *user, const char *event, size_t len);
/* Feeds n bytes; calls fn for each complete event.  false when a line
 * outgrows 1 MiB (not a stream of events). */
bool llm_framer_feed(llm_framer *f, const char *bytes, size_t n, llm_event_fn fn, void *user);
void llm_framer_free(llm_framer *f);

/* Reads one event of api's stream (its text: JSON, or "[DONE]"). */
void llm_event_read(xpu_llm_api api, const char *text, size_t len, llm_event *ev);

/* --- llm_stats.c --- */

/* Linear-interpolated percentile q (0..100) of sorted x[0..n) (numpy's
 * default, as vLLM reports them). */
double llm_percentile(const double *sorted, size_t n, double q);
/* mean, p50, p90, p99 of x (sorted in place); unknown with why when n = 0. */
void llm_dist(xpu_llm_dist *d, double *x, size_t n, const char *why);
/* A level's figures from its requests and ITL samples. */
void llm_level_figures(xpu_llm_level *lv, const xpu_llm_request *req, size_t n, double *itl, size_t n_itl);
/* The roofline's percentages of each level. */
void llm_roofline_apply(xpu_llm_report *r);

/* --- llm_roofline.c --- */

/* Fills r->roof: the model's bytes, the server's device and its bandwidth.
 * -1 with err only when a --model-file is not a usable GGUF file. */
int llm_roofline_find(const xpu_llm_options *opt, xpu_llm_report *r, const char *model_path,
		      const char *model_source, char *err, size_t errlen);
/* The verdict: the first level's share of the roofline, and what to look
 * at when it is far below. */
void llm_verdict(xpu_llm_report *r);
/* The local TCP port's listening process, 0 when none is seen. */
int llm_listening_pid(const char *url);

#endif
