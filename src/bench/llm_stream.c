/* A response stream of `xpu bench llm`, cut into events and read.
 *   OpenAI (llama-server, vLLM, SGLang, Ollama's /v1): Server-Sent Events,
 *     "data: {json}" lines, a blank line after each event, "data: [DONE]"
 *     last; with stream_options.include_usage the last JSON event has
 *     "usage" (and llama-server adds "timings").
 *   Ollama's native API: one JSON object a line; the last has "done": true
 *     and the durations (ns) eval_count/eval_duration, prompt_eval_*,
 *     load_duration (docs.ollama.com/api). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "bench/llm_int.h"

#define LINE_MAX_BYTES (1u << 20)

static bool append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > LINE_MAX_BYTES)
		return false;
	if (*len + n + 1 > *cap) {
		size_t want = *cap ? *cap : 512;
		while (want < *len + n + 1)
			want *= 2;
		char *grown = realloc(*buf, want);
		if (!grown)
			return false;
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return true;
}

/* One complete line (no '\n'; a trailing '\r' already cut). */
static bool framer_line(llm_framer *f, const char *line, size_t n, llm_event_fn fn, void *user)
{
	if (!f->sse) {
		if (n)
			fn(user, line, n);
		return true;
	}
	if (n == 0) { /* the event ends */
		if (f->dlen)
			fn(user, f->data, f->dlen);
		f->dlen = 0;
		return true;
	}
	if (n < 5 || memcmp(line, "data:", 5) != 0)
		return true; /* a comment, event:, id:, retry: */
	size_t skip = n > 5 && line[5] == ' ' ? 6 : 5;
	if (f->dlen && !append(&f->data, &f->dlen, &f->dcap, "\n", 1))
		return false;
	return append(&f->data, &f->dlen, &f->dcap, line + skip, n - skip);
}

bool llm_framer_feed(llm_framer *f, const char *bytes, size_t n, llm_event_fn fn, void *user)
{
	while (n) {
		const char *nl = memchr(bytes, '\n', n);
		size_t take = nl ? (size_t)(nl - bytes) : n;
		const char *line = bytes;
		size_t len = take;
		if (f->len || !nl) { /* the line started in an earlier chunk, or goes on */
			if (!append(&f->line, &f->len, &f->cap, bytes, take)) {
				f->too_long = true;
				return false;
			}
			line = f->line;
			len = f->len;
		}
		if (nl) {
			if (len && line[len - 1] == '\r')
				len--;
			if (!framer_line(f, line, len, fn, user)) {
				f->too_long = true;
				return false;
			}
			f->len = 0;
			take++;
		}
		bytes += take;
		n -= take;
	}
	return true;
}

void llm_framer_free(llm_framer *f)
{
	free(f->line);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* --- events --- */

static double num(const json_t *o, const char *key, bool *have)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		return 0;
	*have = true;
	return json_number_value(v);
}

/* A token count: a whole number from 0 to 2^31; anything else counts 0. */
static unsigned count(double v)
{
	return v >= 0 && v < 2147483648.0 ? (unsigned)v : 0;
}

static bool non_empty(const json_t *s)
{
	return json_is_string(s) && json_string_length(s) > 0;
}

static void server_error(const json_t *doc, llm_event *ev)
{
	json_t *e = json_object_get(doc, "error");
	const char *msg = json_is_string(e) ? json_string_value(e) : json_string_value(json_object_get(e, "message"));
	snprintf(ev->error, sizeof(ev->error), "the server says: %s", msg ? msg : "error (no message)");
}

static void read_openai(const json_t *doc, llm_event *ev)
{
	json_t *choice = json_array_get(json_object_get(doc, "choices"), 0);
	json_t *delta = json_object_get(choice, "delta");
	ev->content = non_empty(json_object_get(choice, "text")) || non_empty(json_object_get(delta, "content")) ||
		      non_empty(json_object_get(delta, "reasoning_content"));
	json_t *usage = json_object_get(doc, "usage");
	bool have = false;
	ev->output_tokens = count(num(usage, "completion_tokens", &have));
	ev->prompt_tokens = count(num(usage, "prompt_tokens", &have));
	ev->has_usage = have;
	json_t *t = json_object_get(doc, "timings"); /* llama-server's own */
	have = false;
	ev->prompt_ms = num(t, "prompt_ms", &have);
	ev->prompt_tps = num(t, "prompt_per_second", &have);
	ev->tpot_ms = num(t, "predicted_per_token_ms", &have);
	ev->decode_tps = num(t, "predicted_per_second", &have);
	ev->has_timings = have;
}

static void read_ollama(const json_t *doc, llm_event *ev)
{
	ev->content = non_empty(json_object_get(doc, "response")) ||
		      non_empty(json_object_get(json_object_get(doc, "message"), "content"));
	if (!json_is_true(json_object_get(doc, "done")))
		return;
	ev->end = true;
	bool have = false, times = false;
	double out = num(doc, "eval_count", &have), in = num(doc, "prompt_eval_count", &have);
	double eval_ns = num(doc, "eval_duration", &times), prompt_ns = num(doc, "prompt_eval_duration", &times);
	ev->load_ms = num(doc, "load_duration", &times) / 1e6;
	ev->has_usage = have;
	ev->output_tokens = count(out);
	ev->prompt_tokens = count(in);
	ev->has_timings = times;
	ev->prompt_ms = prompt_ns / 1e6;
	ev->prompt_tps = prompt_ns > 0 ? in / prompt_ns * 1e9 : 0;
	ev->tpot_ms = out > 0 ? eval_ns / out / 1e6 : 0;
	ev->decode_tps = eval_ns > 0 ? out / eval_ns * 1e9 : 0;
}

void llm_event_read(xpu_llm_api api, const char *text, size_t len, llm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (api == XPU_LLM_API_OPENAI && len == 6 && memcmp(text, "[DONE]", 6) == 0) {
		ev->end = true;
		return;
	}
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr);
	if (!json_is_object(doc)) {
		snprintf(ev->error, sizeof(ev->error), "not a JSON object in the stream: '%.*s'",
			 (int)(len < 60 ? len : 60), text);
		json_decref(doc);
		return;
	}
	if (json_object_get(doc, "error"))
		server_error(doc, ev);
	else if (api == XPU_LLM_API_OLLAMA)
		read_ollama(doc, ev);
	else
		read_openai(doc, ev);
	json_decref(doc);
}
