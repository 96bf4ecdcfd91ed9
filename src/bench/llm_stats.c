/* The figures of `xpu bench llm`, defined as vLLM's `vllm bench serve`
 * (benchmarks/serve.py, calculate_metrics) defines them:
 *   TTFT  time to the first chunk with generated text;
 *   ITL   time between consecutive chunks with text;
 *   E2E   time to the last chunk with text;
 *   TPOT  (E2E - TTFT) / (output tokens - 1), requests of 2 tokens or more;
 *   output tokens/s  every request's output tokens / the level's duration;
 *   percentiles linear-interpolated (numpy's default).
 * The output tokens are the server's count (usage.completion_tokens,
 * eval_count), not the chunks: a chunk may carry several tokens, or none
 * while a multi-byte character is incomplete. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/llm_int.h"
#include "model/value.h"

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double llm_percentile(const double *sorted, size_t n, double q)
{
	if (!n)
		return NAN;
	double at = q / 100.0 * (double)(n - 1);
	size_t lo = (size_t)at /* at >= 0: truncation is floor */, hi = lo + 1 < n ? lo + 1 : lo;
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - (double)lo);
}

void llm_dist(xpu_llm_dist *d, double *x, size_t n, const char *why)
{
	memset(d, 0, sizeof(*d));
	d->n = n;
	if (!n) {
		xpu_real *all[] = { &d->mean, &d->p50, &d->p90, &d->p99 };
		for (size_t i = 0; i < 4; i++)
			xpu_set_status(&all[i]->status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "%s", why);
		return;
	}
	qsort(x, n, sizeof(*x), by_value);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	xpu_set_real(&d->mean, sum / (double)n);
	xpu_set_real(&d->p50, llm_percentile(x, n, 50));
	xpu_set_real(&d->p90, llm_percentile(x, n, 90));
	xpu_set_real(&d->p99, llm_percentile(x, n, 99));
}

/* The mean of the known values among n, or unknown with why. */
static void mean_of(xpu_real *out, const xpu_real *first, size_t stride, size_t n, const char *why)
{
	double sum = 0;
	size_t have = 0;
	for (size_t i = 0; i < n; i++) {
		const xpu_real *v = (const xpu_real *)((const char *)first + i * stride);
		if (xpu_is_ok(&v->status)) {
			sum += v->value;
			have++;
		}
	}
	if (have)
		xpu_set_real(out, sum / (double)have);
	else
		xpu_set_status(&out->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "%s", why);
}

/* The server's own figures of a level, defined as the client's are (rates
 * from mean times, not means of rates, which a slow request would not
 * move): decode 1000 / mean predicted_per_token_ms, prefill mean prompt
 * tokens / mean prompt_ms. */
static void server_means(xpu_llm_level *lv, const xpu_llm_request *req, size_t n)
{
	const char *why = "the server gives no timings (llama-server's \"timings\", Ollama's durations)";
	size_t stride = sizeof(*req);
	mean_of(&lv->server_ttft_ms, &req->server_prompt_ms, stride, n, why);
	mean_of(&lv->server_tpot_ms, &req->server_tpot_ms, stride, n, why);
	if (xpu_is_ok(&lv->server_tpot_ms.status) && lv->server_tpot_ms.value > 0)
		xpu_set_real(&lv->server_decode_tps, 1000.0 / lv->server_tpot_ms.value);
	else
		xpu_set_status(&lv->server_decode_tps.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "%s", why);
	if (xpu_is_ok(&lv->server_ttft_ms.status) && lv->server_ttft_ms.value > 0 && xpu_is_ok(&lv->prompt_tokens.status))
		xpu_set_real(&lv->server_prefill_tps, lv->prompt_tokens.value * 1000.0 / lv->server_ttft_ms.value);
	else
		xpu_set_status(&lv->server_prefill_tps.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "%s", why);
}

/* The level's rates: output and requests over its duration; one stream's
 * decode 1000 / mean TPOT; prefill prompt tokens / TTFT, both summed over
 * the requests that loaded no model. */
static void rates(xpu_llm_level *lv, const xpu_llm_request *req, size_t n)
{
	double out = 0, in = 0, timed_in = 0, timed_ms = 0;
	size_t timed = 0;
	for (size_t i = 0; i < n; i++) {
		out += req[i].output_tokens;
		in += req[i].prompt_tokens;
		if (!req[i].model_load && req[i].ttft_ms > 0) {
			timed_in += req[i].prompt_tokens;
			timed_ms += req[i].ttft_ms;
			timed++;
		}
	}
	if (lv->duration_s > 0 && n) {
		xpu_set_real(&lv->output_tps, out / lv->duration_s);
		xpu_set_real(&lv->request_rate, (double)n / lv->duration_s);
		xpu_set_real(&lv->prompt_tokens, in / (double)n);
		xpu_set_real(&lv->output_tokens, out / (double)n);
	}
	if (timed)
		xpu_set_real(&lv->prefill_tps, timed_in * 1000.0 / timed_ms);
	else
		xpu_set_status(&lv->prefill_tps.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "no request without a model load");
	if (xpu_is_ok(&lv->tpot_ms.mean.status) && lv->tpot_ms.mean.value > 0)
		xpu_set_real(&lv->stream_tps, 1000.0 / lv->tpot_ms.mean.value);
	else
		xpu_set_status(&lv->stream_tps.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "no request of 2 tokens or more");
}

void llm_level_figures(xpu_llm_level *lv, const xpu_llm_request *req, size_t n, double *itl, size_t n_itl)
{
	double *ttft = calloc(n + 1, sizeof(double)), *e2e = calloc(n + 1, sizeof(double));
	double *tpot = calloc(n + 1, sizeof(double));
	size_t nt = 0, ne = 0, np = 0;
	lv->model_loads = 0;
	for (size_t i = 0; ttft && e2e && tpot && i < n; i++) {
		lv->model_loads += req[i].model_load;
		if (!req[i].model_load) {
			ttft[nt++] = req[i].ttft_ms;
			e2e[ne++] = req[i].e2e_ms;
		}
		if (xpu_is_ok(&req[i].tpot_ms.status))
			tpot[np++] = req[i].tpot_ms.value;
	}
	llm_dist(&lv->ttft_ms, ttft, nt, "every request loaded the model");
	llm_dist(&lv->e2e_ms, e2e, ne, "every request loaded the model");
	llm_dist(&lv->tpot_ms, tpot, np, "no request of 2 tokens or more");
	llm_dist(&lv->itl_ms, itl, n_itl, "no request streamed 2 chunks with text");
	free(ttft);
	free(e2e);
	free(tpot);
	rates(lv, req, n);
	server_means(lv, req, n);
}

void llm_roofline_apply(xpu_llm_report *r)
{
	const xpu_llm_roofline *rf = &r->roof;
	for (size_t i = 0; i < r->n_levels; i++) {
		xpu_llm_level *lv = &r->levels[i];
		bool bytes = xpu_is_ok(&rf->weight_bytes.status), bw = xpu_is_ok(&rf->bandwidth_gbs.status);
		if (bytes && bw && xpu_is_ok(&lv->stream_tps.status)) {
			/* a decode step reads the weights once for every stream, and each
			 * stream's KV cache at its mean context */
			double ctx = lv->prompt_tokens.value + lv->output_tokens.value / 2.0;
			unsigned streams = lv->concurrency < lv->requests ? lv->concurrency : lv->requests;
			double kv = xpu_is_ok(&rf->kv_bytes_per_ctx.status) ? rf->kv_bytes_per_ctx.value * ctx : 0;
			double step = rf->weight_bytes.value + streams * kv;
			xpu_set_real(&lv->mbu_percent, 100.0 * step * lv->stream_tps.value / (rf->bandwidth_gbs.value * 1e9));
		} else {
			xpu_set_status(&lv->mbu_percent.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "%s",
				       !bytes ? "bytes per token unknown (see the roofline)" :
				       !bw    ? "the device's bandwidth is unknown (see the roofline)" :
					        "no decode rate");
		}
		if (xpu_is_ok(&rf->params.status) && xpu_is_ok(&rf->peak_tflops.status) &&
		    xpu_is_ok(&lv->prefill_tps.status))
			xpu_set_real(&lv->compute_percent, 100.0 * 2.0 * rf->params.value * lv->prefill_tps.value /
								   (rf->peak_tflops.value * 1e12));
		else
			xpu_set_status(&lv->compute_percent.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
				       "parameters or the device's peak FLOP/s unknown (see the roofline)");
	}
}
