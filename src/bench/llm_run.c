/* `xpu bench llm`: the sweep.  Finds what the server speaks and serves,
 * then for each concurrency level keeps that many streaming requests in
 * flight (or starts them at --rate, Poisson arrivals as vLLM's
 * --request-rate) through one pool of transfers, timestamping each event as
 * it arrives, and turns the records into the level's figures. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "bench/bench_int.h"
#include "bench/llm_int.h"
#include "core/http.h"
#include "model/value.h"

typedef struct run_ctx run_ctx;

/* One request in flight. */
typedef struct req_state {
	run_ctx *run;
	xpu_llm_request *rec; /* NULL: a warm-up */
	double t_start, t_first, t_last;
	unsigned chunks;
	bool ended;
	llm_framer framer;
	llm_event last;       /* usage and timings, as the last event that had them */
	bool has_usage, has_timings;
	long status;
	char excerpt[240];    /* the body of an answer that is not 200 */
	char error[256];
	char *body;
} req_state;

struct run_ctx {
	const xpu_llm_options *opt;
	xpu_llm_report *r;
	xpu_llm_api api;
	char endpoint_url[512];
	xpu_http_pool *pool;
	unsigned prompt_words;
	unsigned seq;         /* requests made, for unique prompts */
	double *itl;          /* this level's ITL samples */
	size_t n_itl, cap_itl;
	uint64_t rng;
};

static void progress(const run_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const run_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bench_vsay(c->opt->progress, c->opt->progress_ctx, fmt, ap);
	va_end(ap);
}

static uint64_t next_random(run_ctx *c)
{
	c->rng ^= c->rng << 13; /* xorshift64: the prompts and the arrivals */
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

/* --- the prompt --- */

/* Common English words, each one token with its leading space in the
 * Llama 3 and GPT-2 BPE vocabularies: N words make about N tokens. */
static const char *const words[] = {
	"the", "time", "people", "water", "house", "world", "light", "night", "music", "story",
	"river", "city", "paper", "table", "green", "small", "great", "right", "under", "place",
	"school", "money", "power", "level", "market", "field", "order", "point", "state", "line",
};

/* A prompt of about c->prompt_words tokens whose first words differ from
 * every other request's, so that no server serves it from a prompt cache. */
static char *make_prompt(run_ctx *c)
{
	size_t cap = (size_t)c->prompt_words * 8 + 64, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	c->seq++;
	len += (size_t)snprintf(s, cap, "Request %u:", c->seq);
	for (unsigned i = 2; i < c->prompt_words && len + 10 < cap; i++) {
		const char *w = words[next_random(c) % XPU_ARRAY_LEN(words)];
		len += (size_t)snprintf(s + len, cap - len, " %s", w);
	}
	return s;
}

/* The request's JSON body: stream, exactly output_tokens (ignore_eos), the
 * usage in the last event, no prompt cache. */
static char *request_body(run_ctx *c)
{
	char *prompt = make_prompt(c);
	json_t *b = json_object();
	json_object_set_new(b, "model", json_string(c->r->model));
	json_object_set_new(b, "prompt", json_string(prompt ? prompt : ""));
	json_object_set_new(b, "stream", json_true());
	if (c->api == XPU_LLM_API_OLLAMA) {
		json_object_set_new(b, "raw", json_true());
		json_object_set_new(b, "options", json_pack("{s:i}", "num_predict", (int)c->opt->output_tokens));
	} else {
		json_object_set_new(b, "max_tokens", json_integer(c->opt->output_tokens));
		json_object_set_new(b, "ignore_eos", json_true());
		json_object_set_new(b, "cache_prompt", json_false());
		json_object_set_new(b, "stream_options", json_pack("{s:b}", "include_usage", 1));
	}
	char *s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	free(prompt);
	return s;
}

/* --- one stream --- */

static void push_itl(run_ctx *c, double ms)
{
	if (c->n_itl == c->cap_itl) {
		size_t cap = c->cap_itl ? c->cap_itl * 2 : 4096;
		double *grown = realloc(c->itl, cap * sizeof(double));
		if (!grown)
			return; /* a sample less */
		c->itl = grown;
		c->cap_itl = cap;
	}
	c->itl[c->n_itl++] = ms;
}

static void on_event(void *user, const char *text, size_t len)
{
	req_state *q = user;
	if (q->error[0] || q->ended)
		return;
	llm_event ev;
	llm_event_read(q->run->api, text, len, &ev);
	if (ev.error[0]) {
		xpu_strlcpy(q->error, ev.error, sizeof(q->error));
		return;
	}
	if (ev.content) {
		double t = xpu_now_ms();
		if (!q->chunks)
			q->t_first = t;
		else if (q->rec)
			push_itl(q->run, t - q->t_last);
		q->t_last = t;
		q->chunks++;
	}
	if (ev.has_usage || ev.has_timings) {
		q->has_usage |= ev.has_usage;
		q->has_timings |= ev.has_timings;
		q->last = ev;
	}
	q->ended = ev.end;
}

static bool on_data(void *user, long status, const char *data, size_t len)
{
	req_state *q = user;
	q->status = status;
	if (status != 200) { /* keep the start of the error body */
		size_t have = strlen(q->excerpt), room = sizeof(q->excerpt) - 1 - have;
		size_t n = len < room ? len : room;
		memcpy(q->excerpt + have, data, n);
		q->excerpt[have + n] = '\0';
		return true;
	}
	if (!llm_framer_feed(&q->framer, data, len, on_event, q))
		xpu_strlcpy(q->error, "a line of over 1 MiB in the stream: not a stream of events", sizeof(q->error));
	return !q->error[0];
}

static bool start_request(run_ctx *c, xpu_llm_request *rec, char *err, size_t errlen)
{
	req_state *q = calloc(1, sizeof(*q));
	char *body = q ? request_body(c) : NULL;
	if (!body) {
		free(q);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	*q = (req_state){ .run = c, .rec = rec, .body = body, .framer.sse = c->api == XPU_LLM_API_OPENAI };
	xpu_http_stream s = { .url = c->endpoint_url, .json_body = body, .timeout_s = c->opt->timeout_s,
			      .on_data = on_data, .user = q };
	q->t_start = xpu_now_ms();
	if (!xpu_http_pool_start(c->pool, &s, err, errlen)) {
		free(body);
		free(q);
		return false;
	}
	return true;
}

/* Why a finished transfer is no complete answer, in err; false when none. */
static bool request_failed(const req_state *q, const xpu_http_end *e, const char *url, char *err, size_t errlen)
{
	if (q->error[0])
		snprintf(err, errlen, "%s: %s", url, q->error);
	else if (!e->ok)
		snprintf(err, errlen, "%s", e->why);
	else if (e->status != 200)
		snprintf(err, errlen, "HTTP %ld from %s: %.200s", e->status, url, q->excerpt[0] ? q->excerpt : "(no body)");
	else if (!q->ended)
		snprintf(err, errlen, "%s: the stream stopped before its end (%s) after %u chunks: the server closed "
			 "it mid-stream", url, q->run->api == XPU_LLM_API_OLLAMA ? "\"done\": true" : "data: [DONE]",
			 q->chunks);
	else if (!q->chunks)
		snprintf(err, errlen, "%s: the stream ended without generating any text", url);
	else
		return false;
	return true;
}

/* The record of a measured request from its stream. */
static void record(const run_ctx *c, const req_state *q, double level_start)
{
	xpu_llm_request *rec = q->rec;
	*rec = (xpu_llm_request){ .concurrency = rec->concurrency, .start_ms = q->t_start - level_start,
				  .ttft_ms = q->t_first - q->t_start, .e2e_ms = q->t_last - q->t_start,
				  .chunks = q->chunks };
	rec->output_tokens = q->has_usage ? q->last.output_tokens : q->chunks;
	rec->prompt_tokens = q->has_usage ? q->last.prompt_tokens : 0;
	if (rec->output_tokens > 1)
		xpu_set_real(&rec->tpot_ms, (rec->e2e_ms - rec->ttft_ms) / (rec->output_tokens - 1));
	else
		xpu_set_status(&rec->tpot_ms.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "fewer than 2 tokens");
	xpu_real *srv[] = { &rec->server_prompt_ms, &rec->server_tpot_ms, &rec->server_prefill_tps,
			    &rec->server_decode_tps, &rec->server_load_ms };
	double vals[] = { q->last.prompt_ms, q->last.tpot_ms, q->last.prompt_tps, q->last.decode_tps, q->last.load_ms };
	for (size_t i = 0; i < XPU_ARRAY_LEN(srv); i++) {
		bool have = q->has_timings && (vals[i] > 0 || (i == 4 && c->api == XPU_LLM_API_OLLAMA));
		if (have)
			xpu_set_real(srv[i], vals[i]);
		else
			xpu_set_status(&srv[i]->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE, "not given by the server");
	}
	/* Ollama loads a model at its first request: that wait is no TTFT */
	rec->model_load = xpu_is_ok(&rec->server_load_ms.status) && rec->server_load_ms.value > 100;
}

static void req_free(req_state *q)
{
	llm_framer_free(&q->framer);
	free(q->body);
	free(q);
}

/* --- a batch of requests: a level, or the warm-up --- */

typedef struct batch {
	unsigned concurrency, n;
	xpu_llm_request *recs; /* n records, or NULL: warm-up */
	double start, end;     /* ms */
	unsigned prompt_tokens; /* warm-up: what the server counted (calibration) */
} batch;

/* The next arrival after t with --rate (exponential gaps), else now. */
static double next_arrival(run_ctx *c, double t)
{
	if (!(c->opt->rate > 0))
		return t;
	double u = ((double)(next_random(c) >> 11) + 0.5) / 9007199254740992.0;
	return t - xpu_ln(u) / c->opt->rate * 1000.0;
}

static bool batch_end(run_ctx *c, batch *b, const xpu_http_end *e, char *err, size_t errlen)
{
	req_state *q = e->user;
	bool failed = request_failed(q, e, c->endpoint_url, err, errlen);
	if (!failed && q->rec)
		record(c, q, b->start);
	if (!failed && !q->rec && q->has_usage)
		b->prompt_tokens = q->last.prompt_tokens;
	req_free(q);
	return !failed;
}

static bool run_batch(run_ctx *c, batch *b, char *err, size_t errlen)
{
	unsigned started = 0, done = 0;
	xpu_http_end ends[64];
	b->start = xpu_now_ms();
	double arrival = b->start;
	bool ok = true;
	while (ok && done < b->n) {
		double now = xpu_now_ms();
		while (ok && started < b->n && xpu_http_pool_active(c->pool) < b->concurrency && now >= arrival) {
			xpu_llm_request *rec = b->recs ? &b->recs[started] : NULL;
			if (rec)
				rec->concurrency = b->concurrency;
			ok = start_request(c, rec, err, errlen);
			started++;
			arrival = next_arrival(c, arrival);
		}
		double wait = started < b->n && arrival > now ? arrival - now : 100;
		size_t n = ok ? xpu_http_pool_run(c->pool, wait, ends, XPU_ARRAY_LEN(ends)) : 0;
		char later[256]; /* the first failure speaks; the others are dropped */
		for (size_t i = 0; i < n; i++, done++) {
			bool fine = batch_end(c, b, &ends[i], ok ? err : later, ok ? errlen : sizeof(later));
			ok = ok && fine;
		}
	}
	b->end = xpu_now_ms();
	return ok;
}

/* Runs level i into its records; its ITL samples and figures. */
static bool run_level(run_ctx *c, size_t i, xpu_llm_request *recs, char *err, size_t errlen)
{
	xpu_llm_level *lv = &c->r->levels[i];
	unsigned conc = c->opt->concurrency[i];
	unsigned n = c->opt->requests ? c->opt->requests : conc * 4 > 8 ? conc * 4 : 8;
	*lv = (xpu_llm_level){ .concurrency = conc, .requests = n };
	c->n_itl = 0;
	progress(c, "concurrency %u: %u requests of %u prompt and %u output tokens", conc, n,
		 c->opt->prompt_tokens, c->opt->output_tokens);
	batch b = { .concurrency = conc, .n = n, .recs = recs };
	if (!run_batch(c, &b, err, errlen))
		return false;
	lv->duration_s = (b.end - b.start) / 1000.0;
	llm_level_figures(lv, recs, n, c->itl, c->n_itl);
	return true;
}

/* The warm-up, which also fits the prompt's length: the server's count of
 * the first warm-up's prompt tokens moves the word count. */
static bool warm_up(run_ctx *c, char *err, size_t errlen)
{
	for (unsigned i = 0; i < c->opt->warmup; i++) {
		batch b = { .concurrency = 1, .n = 1 };
		progress(c, "warm-up %u of %u", i + 1, c->opt->warmup);
		if (!run_batch(c, &b, err, errlen))
			return false;
		long fit = (long)c->prompt_words + (long)c->opt->prompt_tokens - (long)b.prompt_tokens;
		if (b.prompt_tokens && fit >= 3)
			c->prompt_words = (unsigned)fit;
	}
	return true;
}

/* --- the server: what it speaks, serves and is --- */

/* GET path as a JSON object; NULL with why.  *answered: an HTTP answer came
 * (whatever it was), *status its status. */
static json_t *get_json(const run_ctx *c, const char *path, bool *answered, long *status, char *why, size_t whylen)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", c->r->url, path);
	xpu_http_answer a;
	double t = c->opt->timeout_s < 10 ? c->opt->timeout_s : 10;
	*answered = xpu_http_request(url, NULL, t, 4u << 20, &a, why, whylen);
	*status = a.status;
	json_t *doc = NULL;
	if (*answered && a.status == 200 && a.body)
		doc = json_loads(a.body, 0, NULL);
	if (*answered && !json_is_object(doc))
		snprintf(why, whylen, "%s answers HTTP %ld%s", url, a.status, a.status == 200 ? " but not a JSON object" : "");
	xpu_http_answer_free(&a);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* llama-server answers 503 while it loads its model: wait for it, within
 * the timeout, and say how long it took. */
static json_t *models_when_loaded(run_ctx *c, bool *answered, long *status, char *why, size_t whylen)
{
	double t0 = xpu_now_ms();
	json_t *doc = get_json(c, "/v1/models", answered, status, why, whylen);
	if (*status == 503)
		progress(c, "the server is loading its model; waiting at most %.0f s", c->opt->timeout_s);
	while (!doc && *status == 503 && xpu_now_ms() - t0 < c->opt->timeout_s * 1000) {
		usleep(200000);
		doc = get_json(c, "/v1/models", answered, status, why, whylen);
	}
	if (*status == 503 && !doc)
		snprintf(why, whylen, "%s/v1/models: still loading its model (HTTP 503) after %.0f s (--timeout)", c->r->url,
			 c->opt->timeout_s);
	c->r->load_wait_s = (xpu_now_ms() - t0) / 1000.0;
	return doc;
}

static bool detect_ollama(run_ctx *c, char *why, size_t whylen)
{
	bool answered;
	long status;
	json_t *v = get_json(c, "/api/version", &answered, &status, why, whylen);
	const char *ver = json_string_value(json_object_get(v, "version"));
	if (ver)
		snprintf(c->r->server, sizeof(c->r->server), "Ollama %s", ver);
	json_decref(v);
	return ver != NULL;
}

/* What the server speaks, and the OpenAI model list in *models. */
static bool detect_api(run_ctx *c, json_t **models, char *err, size_t errlen)
{
	char why[320] = "", why2[320] = "";
	bool answered = false;
	long status = 0;
	if (c->opt->api != XPU_LLM_API_OPENAI && detect_ollama(c, why, sizeof(why))) {
		c->api = XPU_LLM_API_OLLAMA;
		return true;
	}
	if (c->opt->api == XPU_LLM_API_OLLAMA) {
		snprintf(err, errlen, "%s: no Ollama server (%s); drop --api ollama or give Ollama's URL", c->r->url, why);
		return false;
	}
	*models = models_when_loaded(c, &answered, &status, why2, sizeof(why2));
	if (json_is_array(json_object_get(*models, "data"))) {
		c->api = XPU_LLM_API_OPENAI;
		return true;
	}
	if (!answered)
		snprintf(err, errlen, "%s: is the server running? (xpu doctor --app llama-server checks one)", why2);
	else
		snprintf(err, errlen, "%s is not an LLM server: neither Ollama's /api/version nor the OpenAI API's "
			 "/v1/models answers (%s)", c->r->url, why2);
	json_decref(*models);
	*models = NULL;
	return false;
}

static const char *first_name(const json_t *list, const char *key)
{
	return json_string_value(json_object_get(json_array_get(list, 0), key));
}

/* The model: --model, else the first the server lists (Ollama: the first
 * loaded, else the first pulled). */
static bool find_model(run_ctx *c, const json_t *models, char *err, size_t errlen)
{
	const char *name = c->opt->model;
	json_t *ps = NULL, *tags = NULL;
	bool answered;
	long status;
	char why[320];
	if (!name && c->api == XPU_LLM_API_OPENAI)
		name = first_name(json_object_get(models, "data"), "id");
	if (!name && c->api == XPU_LLM_API_OLLAMA) {
		ps = get_json(c, "/api/ps", &answered, &status, why, sizeof(why));
		name = first_name(json_object_get(ps, "models"), "name");
		if (!name)
			tags = get_json(c, "/api/tags", &answered, &status, why, sizeof(why));
		name = name ? name : first_name(json_object_get(tags, "models"), "name");
	}
	if (name)
		xpu_strlcpy(c->r->model, name, sizeof(c->r->model));
	else
		snprintf(err, errlen, "%s lists no model: give --model NAME (Ollama: ollama pull NAME)", c->r->url);
	json_decref(ps);
	json_decref(tags);
	return name != NULL;
}

/* The "FROM /path" line of Ollama's modelfile: the GGUF blob. */
static void ollama_model_file(run_ctx *c, char *path, size_t len)
{
	char url[512], why[320], *body = NULL;
	snprintf(url, sizeof(url), "%s/api/show", c->r->url);
	json_t *req = json_pack("{s:s}", "model", c->r->model);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	xpu_http_answer a;
	if (body && xpu_http_request(url, body, 10, 4u << 20, &a, why, sizeof(why))) {
		json_t *show = a.status == 200 && a.body ? json_loads(a.body, 0, NULL) : NULL;
		const char *mf = json_string_value(json_object_get(show, "modelfile"));
		const char *from = mf ? strstr(mf, "\nFROM /") : NULL;
		if (from)
			snprintf(path, len, "%.*s", (int)strcspn(from + 6, "\n"), from + 6);
		json_decref(show);
		xpu_http_answer_free(&a);
	}
	free(body);
}

/* What the server says it is, and where its model file is. */
static void server_identity(run_ctx *c, char *path, size_t len, char *source, size_t srclen)
{
	bool answered;
	long status;
	char why[320];
	path[0] = '\0';
	if (c->api == XPU_LLM_API_OLLAMA) {
		ollama_model_file(c, path, len);
		snprintf(source, srclen, "Ollama /api/show (modelfile FROM)");
		return;
	}
	json_t *props = get_json(c, "/props", &answered, &status, why, sizeof(why));
	const char *build = json_string_value(json_object_get(props, "build_info"));
	const char *model = json_string_value(json_object_get(props, "model_path"));
	if (build)
		snprintf(c->r->server, sizeof(c->r->server), "llama.cpp llama-server %s", build);
	if (model)
		xpu_strlcpy(path, model, len);
	snprintf(source, srclen, "llama-server /props model_path");
	json_decref(props);
	if (!build) {
		json_t *v = get_json(c, "/version", &answered, &status, why, sizeof(why));
		const char *ver = json_string_value(json_object_get(v, "version"));
		if (ver)
			snprintf(c->r->server, sizeof(c->r->server), "vLLM %s", ver);
		else
			xpu_strlcpy(c->r->server, "an OpenAI-compatible server", sizeof(c->r->server));
		json_decref(v);
	}
}

/* --- the run --- */

const char *xpu_llm_api_name(xpu_llm_api api)
{
	return api == XPU_LLM_API_OLLAMA ? "ollama" : api == XPU_LLM_API_OPENAI ? "openai" : "auto";
}

static void report_start(const xpu_llm_options *opt, xpu_llm_report *r)
{
	xpu_strlcpy(r->url, opt->url, sizeof(r->url));
	for (size_t n = strlen(r->url); n && r->url[n - 1] == '/'; n--)
		r->url[n - 1] = '\0';
	r->prompt_tokens = opt->prompt_tokens;
	r->output_tokens = opt->output_tokens;
	r->warmup = opt->warmup;
	r->rate = opt->rate;
	gethostname(r->hostname, sizeof(r->hostname) - 1);
	FILE *f = fopen("/etc/machine-id", "re");
	if (f) {
		if (!fgets(r->machine_id, sizeof(r->machine_id), f))
			r->machine_id[0] = '\0';
		r->machine_id[strcspn(r->machine_id, "\n")] = '\0';
		fclose(f);
	}
}

/* Everything before the first request: the API, the model, the roofline. */
static bool prepare(run_ctx *c, char *err, size_t errlen)
{
	json_t *models = NULL;
	char path[512], source[160];
	if (!detect_api(c, &models, err, errlen))
		return false;
	bool ok = find_model(c, models, err, errlen);
	json_decref(models);
	if (!ok)
		return false;
	xpu_strlcpy(c->r->api, xpu_llm_api_name(c->api), sizeof(c->r->api));
	xpu_strlcpy(c->r->endpoint, c->api == XPU_LLM_API_OLLAMA ? "/api/generate" : "/v1/completions",
		    sizeof(c->r->endpoint));
	snprintf(c->endpoint_url, sizeof(c->endpoint_url), "%s%s", c->r->url, c->r->endpoint);
	server_identity(c, path, sizeof(path), source, sizeof(source));
	progress(c, "%s at %s, model %s", c->r->server, c->r->url, c->r->model);
	return llm_roofline_find(c->opt, c->r, path, source, err, errlen) == 0;
}

static bool sweep(run_ctx *c, char *err, size_t errlen)
{
	size_t total = 0;
	for (size_t i = 0; i < c->opt->n_levels; i++) {
		unsigned conc = c->opt->concurrency[i];
		total += c->opt->requests ? c->opt->requests : conc * 4 > 8 ? conc * 4 : 8;
	}
	c->r->requests = calloc(total ? total : 1, sizeof(xpu_llm_request));
	if (!c->r->requests) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (!warm_up(c, err, errlen))
		return false;
	for (size_t i = 0; i < c->opt->n_levels; i++) {
		if (!run_level(c, i, c->r->requests + c->r->n_requests, err, errlen))
			return false;
		c->r->n_requests += c->r->levels[i].requests;
		c->r->n_levels = i + 1;
	}
	llm_roofline_apply(c->r);
	llm_verdict(c->r);
	return true;
}

static bool options_valid(const xpu_llm_options *opt, char *err, size_t errlen)
{
	if (!opt->url || !*opt->url)
		snprintf(err, errlen, "no server URL (--url http://HOST:PORT)");
	else if (!opt->n_levels || opt->n_levels > XPU_LLM_MAX_LEVELS)
		snprintf(err, errlen, "from 1 to %d concurrency levels", XPU_LLM_MAX_LEVELS);
	else if (!opt->output_tokens || !opt->prompt_tokens)
		snprintf(err, errlen, "prompt and output tokens must be 1 or more");
	else if (!(opt->timeout_s > 0))
		snprintf(err, errlen, "the timeout must be over 0 s");
	else
		return true;
	return false;
}

static void drop_request(void *user)
{
	req_free(user);
}

int xpu_llm_run(const xpu_llm_options *opt, xpu_llm_report **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!options_valid(opt, err, errlen))
		return -1;
	xpu_llm_report *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	report_start(opt, r);
	run_ctx c = { .opt = opt, .r = r, .rng = 0x9e3779b97f4a7c15ull,
		      .prompt_words = opt->prompt_tokens > 4 ? opt->prompt_tokens - 1 : 3 };
	bool ok = prepare(&c, err, errlen) && (c.pool = xpu_http_pool_new(err, errlen)) != NULL &&
		  sweep(&c, err, errlen);
	if (c.pool)
		xpu_http_pool_free(c.pool, drop_request);
	free(c.itl);
	if (!ok) {
		xpu_llm_report_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void xpu_llm_report_free(xpu_llm_report *r)
{
	if (!r)
		return;
	free(r->requests);
	free(r);
}
