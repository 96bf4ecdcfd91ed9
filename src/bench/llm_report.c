/* `xpu bench llm`'s report as JSON (kind "xpu-bench-llm"), saved and
 * compared like xpu bench's baselines, and its latency-throughput curve as
 * an SVG. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "bench/bench_int.h"
#include "bench/llm_int.h"
#include "model/value.h"

#define LLM_KIND "xpu-bench-llm"

static json_t *dist_json(const xpu_llm_dist *d)
{
	json_t *o = json_object();
	bench_json_real(o, "mean", &d->mean);
	bench_json_real(o, "p50", &d->p50);
	bench_json_real(o, "p90", &d->p90);
	bench_json_real(o, "p99", &d->p99);
	json_object_set_new(o, "samples", json_integer((json_int_t)d->n));
	return o;
}

static json_t *level_json(const xpu_llm_level *lv)
{
	json_t *o = json_pack("{s:i, s:i, s:f, s:i}", "concurrency", (int)lv->concurrency, "requests",
			      (int)lv->requests, "duration_s", lv->duration_s, "model_loads", (int)lv->model_loads);
	json_object_set_new(o, "ttft_ms", dist_json(&lv->ttft_ms));
	json_object_set_new(o, "tpot_ms", dist_json(&lv->tpot_ms));
	json_object_set_new(o, "itl_ms", dist_json(&lv->itl_ms));
	json_object_set_new(o, "e2e_ms", dist_json(&lv->e2e_ms));
	bench_json_real(o, "output_tokens_per_s", &lv->output_tps);
	bench_json_real(o, "stream_tokens_per_s", &lv->stream_tps);
	bench_json_real(o, "requests_per_s", &lv->request_rate);
	bench_json_real(o, "prefill_tokens_per_s", &lv->prefill_tps);
	bench_json_real(o, "prompt_tokens", &lv->prompt_tokens);
	bench_json_real(o, "output_tokens", &lv->output_tokens);
	bench_json_real(o, "mbu_percent", &lv->mbu_percent);
	bench_json_real(o, "compute_percent", &lv->compute_percent);
	json_t *s = json_object();
	bench_json_real(s, "ttft_ms", &lv->server_ttft_ms);
	bench_json_real(s, "tpot_ms", &lv->server_tpot_ms);
	bench_json_real(s, "prefill_tokens_per_s", &lv->server_prefill_tps);
	bench_json_real(s, "decode_tokens_per_s", &lv->server_decode_tps);
	json_object_set_new(o, "server", s);
	return o;
}

static json_t *request_json(const xpu_llm_request *q)
{
	json_t *o = json_pack("{s:i, s:f, s:f, s:f, s:i, s:i, s:i, s:b}", "concurrency", (int)q->concurrency,
			      "start_ms", q->start_ms, "ttft_ms", q->ttft_ms, "e2e_ms", q->e2e_ms, "prompt_tokens",
			      (int)q->prompt_tokens, "output_tokens", (int)q->output_tokens, "chunks", (int)q->chunks,
			      "model_load", q->model_load);
	bench_json_real(o, "tpot_ms", &q->tpot_ms);
	json_t *s = json_object();
	bench_json_real(s, "ttft_ms", &q->server_prompt_ms);
	bench_json_real(s, "tpot_ms", &q->server_tpot_ms);
	bench_json_real(s, "prefill_tokens_per_s", &q->server_prefill_tps);
	bench_json_real(s, "decode_tokens_per_s", &q->server_decode_tps);
	bench_json_real(s, "load_ms", &q->server_load_ms);
	json_object_set_new(o, "server", s);
	return o;
}

static json_t *roofline_json(const xpu_llm_roofline *rf)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "model_file", rf->model_file,
			      "model_source", rf->model_source, "layers", (int)rf->n_layers, "weight_type",
			      rf->weight_type, "server_pid", rf->server_pid, "device", rf->device_id, "device_name",
			      rf->device_name, "device_source", rf->device_source, "bandwidth_source",
			      rf->bandwidth_source, "flops_source", rf->flops_source, "verdict", rf->verdict);
	bench_json_real(o, "weight_bytes_per_token", &rf->weight_bytes);
	bench_json_real(o, "kv_bytes_per_context_token", &rf->kv_bytes_per_ctx);
	bench_json_real(o, "bytes_per_token", &rf->bytes_per_token);
	bench_json_real(o, "parameters_per_token", &rf->params);
	bench_json_real(o, "server_gpu_bytes", &rf->gpu_bytes);
	bench_json_real(o, "bandwidth_gbs", &rf->bandwidth_gbs);
	bench_json_real(o, "peak_tflops", &rf->peak_tflops);
	bench_json_real(o, "roofline_tokens_per_s", &rf->decode_tps);
	return o;
}

static json_t *report_json(const xpu_llm_report *r)
{
	json_t *o = json_pack("{s:s, s:i, s:s}", "kind", LLM_KIND, "schema_version", XPU_LLM_SCHEMA_VERSION,
			      "xpu_version", xpu_version());
	json_object_set_new(o, "machine", json_pack("{s:s, s:s}", "hostname", r->hostname, "machine_id", r->machine_id));
	json_object_set_new(o, "server", json_pack("{s:s, s:s, s:s, s:s, s:s, s:f}", "url", r->url, "api", r->api,
						   "endpoint", r->endpoint, "software", r->server, "model", r->model,
						   "load_wait_s", r->load_wait_s));
	json_t *w = json_pack("{s:i, s:i, s:i}", "prompt_tokens", (int)r->prompt_tokens, "output_tokens",
			      (int)r->output_tokens, "warmup", (int)r->warmup);
	json_object_set_new(w, "rate", r->rate > 0 ? json_real(r->rate) : json_null());
	json_object_set_new(o, "workload", w);
	json_t *levels = json_array(), *reqs = json_array();
	for (size_t i = 0; i < r->n_levels; i++)
		json_array_append_new(levels, level_json(&r->levels[i]));
	for (size_t i = 0; i < r->n_requests; i++)
		json_array_append_new(reqs, request_json(&r->requests[i]));
	json_object_set_new(o, "levels", levels);
	json_object_set_new(o, "roofline", roofline_json(&r->roof));
	json_object_set_new(o, "requests", reqs);
	return o;
}

char *xpu_llm_json(const xpu_llm_report *r, bool pretty)
{
	return bench_json_text(report_json(r), pretty);
}

int xpu_llm_save(const xpu_llm_report *r, const char *path, char *err, size_t errlen)
{
	return bench_json_write(report_json(r), path, "report", err, errlen);
}

/* --- compare --- */

/* The figures compared, by their JSON path in a level. */
static const struct compared {
	const char *key, *sub, *unit;
	bool lower_is_better;
} compared[] = {
	{ "output_tokens_per_s", NULL, "tok/s", false },  { "stream_tokens_per_s", NULL, "tok/s", false },
	{ "requests_per_s", NULL, "req/s", false },       { "prefill_tokens_per_s", NULL, "tok/s", false },
	{ "ttft_ms", "p50", "ms", true },                 { "tpot_ms", "p50", "ms", true },
	{ "itl_ms", "p50", "ms", true },                  { "e2e_ms", "p50", "ms", true },
};

static double level_value(json_t *level, const struct compared *f)
{
	json_t *v = json_object_get(level, f->key);
	if (f->sub)
		v = json_object_get(v, f->sub);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *level_of(json_t *levels, unsigned concurrency)
{
	size_t i;
	json_t *lv;
	json_array_foreach(levels, i, lv)
		if (json_integer_value(json_object_get(lv, "concurrency")) == concurrency)
			return lv;
	return NULL;
}

static bool check_saved(json_t *root, const xpu_llm_report *r, const char *path, char *err, size_t errlen)
{
	const char *kind = json_string_value(json_object_get(root, "kind"));
	json_t *m = json_object_get(root, "machine");
	const char *id = json_string_value(json_object_get(m, "machine_id"));
	const char *host = json_string_value(json_object_get(m, "hostname"));
	if (!kind || strcmp(kind, LLM_KIND) != 0)
		snprintf(err, errlen, "%s is not an xpu bench llm report (no \"kind\": \"%s\"); write one with "
			 "'xpu bench llm --save FILE'", path, LLM_KIND);
	else if (json_integer_value(json_object_get(root, "schema_version")) != XPU_LLM_SCHEMA_VERSION)
		snprintf(err, errlen, "%s has another schema_version than this xpu's %d: save it again", path,
			 XPU_LLM_SCHEMA_VERSION);
	else if ((id && id[0] && r->machine_id[0]) ? strcmp(id, r->machine_id) != 0 : strcmp(host ? host : "", r->hostname) != 0)
		snprintf(err, errlen, "%s was measured on another machine (host '%.40s'): compare on that machine, "
			 "or save a report here with --save", path, host ? host : "?");
	else
		return true;
	return false;
}

static void compare_level(xpu_bench_comparison *cmp, const xpu_llm_level *now, json_t *lv, json_t *before)
{
	for (size_t k = 0; k < XPU_ARRAY_LEN(compared); k++) {
		double b = level_value(before, &compared[k]), n = level_value(lv, &compared[k]);
		if (!(b > 0) || !(n > 0)) {
			cmp->unmatched++;
			continue;
		}
		xpu_bench_delta *d = &cmp->deltas[cmp->n++];
		snprintf(d->target, sizeof(d->target), "llm c=%u", now->concurrency);
		snprintf(d->name, sizeof(d->name), "%s%s%s", compared[k].key, compared[k].sub ? "." : "",
			 compared[k].sub ? compared[k].sub : "");
		xpu_strlcpy(d->unit, compared[k].unit, sizeof(d->unit));
		d->baseline = b;
		d->now = n;
		d->change_pct = ((compared[k].lower_is_better ? b / n : n / b) - 1.0) * 100.0;
		d->regression = d->change_pct < -cmp->threshold_pct;
		cmp->regressions += d->regression;
	}
}

int xpu_llm_compare(const xpu_llm_report *r, const char *path, double threshold_pct, xpu_bench_comparison **out,
		    char *err, size_t errlen)
{
	*out = NULL;
	err[0] = '\0';
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "cannot read %s: %s", path, je.text);
		return -1;
	}
	xpu_bench_comparison *cmp = check_saved(root, r, path, err, errlen) ? calloc(1, sizeof(*cmp)) : NULL;
	if (cmp) {
		cmp->threshold_pct = threshold_pct;
		json_t *levels = json_object_get(root, "levels"), *now = report_json(r);
		for (size_t i = 0; i < r->n_levels; i++) {
			json_t *before = level_of(levels, r->levels[i].concurrency);
			json_t *lv = level_of(json_object_get(now, "levels"), r->levels[i].concurrency);
			if (before)
				compare_level(cmp, &r->levels[i], lv, before);
			else
				cmp->unmatched += XPU_ARRAY_LEN(compared);
		}
		json_decref(now);
	} else if (!err[0]) {
		snprintf(err, errlen, "out of memory");
	}
	json_decref(root);
	*out = cmp;
	return cmp ? 0 : -1;
}
