/* xpu bench llm's parts: the GGUF header reader (a hand-built header, every
 * prefix of it, the tied-embedding rule), the stream framer (every split
 * point of an SSE and an NDJSON stream), the event reader, and the
 * percentiles (against numpy's values). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/llm_int.h"
#include "core/gguf.h"

/* --- a GGUF header, built by hand (ggml's docs/gguf.md) --- */

typedef struct buf {
	uint8_t d[8192];
	size_t n;
} buf;

static void put(buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}
static void u32(buf *b, uint32_t v) { put(b, &v, 4); }
static void u64(buf *b, uint64_t v) { put(b, &v, 8); }
static void str(buf *b, const char *s)
{
	u64(b, strlen(s));
	put(b, s, strlen(s));
}
static void kv_u32(buf *b, const char *k, uint32_t v)
{
	str(b, k);
	u32(b, 4);
	u32(b, v);
}
static void tensor(buf *b, const char *name, uint64_t ne0, uint64_t ne1, uint32_t type, uint64_t off)
{
	str(b, name);
	u32(b, 2);
	u64(b, ne0);
	u64(b, ne1);
	u32(b, type);
	u64(b, off);
}

/* llama, 1 block of width 32, 2 heads, 1 KV head; token_embd f32 [32 x 10],
 * attn_q q4_0 [32 x 32], output q8_0 [32 x 10] (or none: tied). */
static size_t make_gguf(buf *b, bool with_output, uint64_t *file_size)
{
	b->n = 0;
	put(b, "GGUF", 4);
	u32(b, 3);
	u64(b, with_output ? 3 : 2);
	u64(b, 6);
	str(b, "general.architecture");
	u32(b, 8);
	str(b, "llama");
	kv_u32(b, "llama.block_count", 1);
	kv_u32(b, "llama.embedding_length", 32);
	kv_u32(b, "llama.attention.head_count", 2);
	kv_u32(b, "llama.attention.head_count_kv", 1);
	str(b, "tokenizer.ggml.tokens"); /* an array to skip */
	u32(b, 9);
	u32(b, 8);
	u64(b, 2);
	str(b, "a");
	str(b, "bc");
	tensor(b, "token_embd.weight", 32, 10, 0, 0);      /* 1280 bytes */
	tensor(b, "blk.0.attn_q.weight", 32, 32, 2, 1280); /* 32 blocks x 18 = 576 */
	if (with_output)
		tensor(b, "output.weight", 32, 10, 8, 1856); /* 10 blocks x 34 = 340 */
	size_t header = b->n;
	*file_size = (header + 31) / 32 * 32 + 1856 + (with_output ? 340 : 0);
	return header;
}

/* The hand-built header, parsed whole. */
static void parse_whole(bool with_output, xpu_gguf_model *m)
{
	buf b;
	uint64_t size;
	make_gguf(&b, with_output, &size);
	size_t need;
	char why[200];
	assert_int_equal(xpu_gguf_parse(b.d, b.n, size, m, &need, why, sizeof(why)), XPU_GGUF_OK);
}

static void test_gguf_counts(void **state)
{
	(void)state;
	xpu_gguf_model m;
	parse_whole(true, &m);
	assert_string_equal(m.arch, "llama");
	assert_int_equal(m.n_layers, 1);
	assert_int_equal(m.tensor_bytes, 1280 + 576 + 340);
	assert_int_equal(m.weight_bytes_per_token, 576 + 340); /* the embedding is a lookup */
	assert_int_equal(m.params_per_token, 32 * 32 + 320);
	assert_false(m.tied_embedding);
	assert_int_equal(m.head_dim_k, 16);
	assert_int_equal(xpu_gguf_kv_bytes_per_ctx_token(&m), 2 * 1 * 1 * (16 + 16));
	assert_string_equal(m.first_type, "q4_0");
}

static void test_gguf_tied(void **state)
{
	(void)state;
	xpu_gguf_model m;
	parse_whole(false, &m);
	assert_true(m.tied_embedding);
	assert_int_equal(m.weight_bytes_per_token, 1280 + 576); /* the output reads the embedding whole */
}

static void test_gguf_every_prefix_is_truncated(void **state)
{
	(void)state;
	buf b;
	uint64_t size;
	make_gguf(&b, true, &size);
	for (size_t n = 0; n < b.n; n++) {
		xpu_gguf_model m;
		size_t need;
		char why[200] = "";
		/* as a prefix of a longer file, and as a file cut there */
		assert_int_equal(xpu_gguf_parse(b.d, n, size, &m, &need, why, sizeof(why)), XPU_GGUF_TRUNCATED);
		assert_true(need > n);
		assert_int_equal(xpu_gguf_parse(b.d, n, n, &m, &need, why, sizeof(why)), XPU_GGUF_TRUNCATED);
		assert_non_null(strstr(why, "truncated"));
	}
	xpu_gguf_model m;
	size_t need;
	char why[200];
	/* the whole header, but a file shorter than its tensors */
	assert_int_equal(xpu_gguf_parse(b.d, b.n, b.n + 10, &m, &need, why, sizeof(why)), XPU_GGUF_TRUNCATED);
	assert_non_null(strstr(why, "the tensors end at byte"));
}

static void test_gguf_not_gguf_and_bad_fields(void **state)
{
	(void)state;
	xpu_gguf_model m;
	size_t need;
	char why[200];
	const char *text = "{\"not\": \"a model\"}";
	assert_int_equal(xpu_gguf_parse((const uint8_t *)text, strlen(text), strlen(text), &m, &need, why, sizeof(why)),
			 XPU_GGUF_NOT_GGUF);
	assert_non_null(strstr(why, "not a GGUF model file"));
	buf b;
	uint64_t size;
	make_gguf(&b, true, &size);
	b.d[4] = 9; /* version 9 */
	assert_int_equal(xpu_gguf_parse(b.d, b.n, size, &m, &need, why, sizeof(why)), XPU_GGUF_BAD);
	assert_non_null(strstr(why, "version 9"));
	make_gguf(&b, true, &size);
	b.d[b.n - 12] = 99; /* output.weight's type */
	assert_int_equal(xpu_gguf_parse(b.d, b.n, size, &m, &need, why, sizeof(why)), XPU_GGUF_BAD);
	assert_non_null(strstr(why, "type 99"));
}

/* --- the framer --- */

typedef struct events {
	char seen[16][128];
	size_t n;
} events;

static void collect(void *user, const char *text, size_t len)
{
	events *e = user;
	assert_true(e->n < 16);
	snprintf(e->seen[e->n++], sizeof(e->seen[0]), "%.*s", (int)len, text);
}

/* Feeds text in two pieces split at every point: the events must not
 * depend on where the network cut the bytes. */
static void every_split(bool sse, const char *text, const char *const *want, size_t n_want)
{
	size_t len = strlen(text);
	for (size_t cut = 0; cut <= len; cut++) {
		llm_framer f = { .sse = sse };
		events e = { .n = 0 };
		assert_true(llm_framer_feed(&f, text, cut, collect, &e));
		assert_true(llm_framer_feed(&f, text + cut, len - cut, collect, &e));
		assert_int_equal(e.n, n_want);
		for (size_t i = 0; i < n_want; i++)
			assert_string_equal(e.seen[i], want[i]);
		llm_framer_free(&f);
	}
}

static void test_framer_sse(void **state)
{
	(void)state;
	const char *text = ": a comment\n"
			   "data: {\"a\":1}\n\n"
			   "event: x\r\ndata:{\"b\":2}\r\n\r\n"
			   "data: line1\ndata: line2\n\n"
			   "data: [DONE]\n\n";
	const char *const want[] = { "{\"a\":1}", "{\"b\":2}", "line1\nline2", "[DONE]" };
	every_split(true, text, want, 4);
}

static void test_framer_ndjson(void **state)
{
	(void)state;
	const char *text = "{\"response\":\"a\"}\n\n{\"response\":\"b\"}\r\n{\"done\":true}\n";
	const char *const want[] = { "{\"response\":\"a\"}", "{\"response\":\"b\"}", "{\"done\":true}" };
	every_split(false, text, want, 3);
}

static void test_framer_refuses_endless_line(void **state)
{
	(void)state;
	llm_framer f = { .sse = true };
	events e = { .n = 0 };
	char *junk = malloc(1 << 16);
	memset(junk, 'x', 1 << 16);
	bool ok = true;
	for (int i = 0; i < 20 && ok; i++) /* 1.25 MiB without a newline */
		ok = llm_framer_feed(&f, junk, 1 << 16, collect, &e);
	assert_false(ok);
	free(junk);
	llm_framer_free(&f);
}

/* --- events --- */

static void test_events_openai(void **state)
{
	(void)state;
	llm_event ev;
	const char *chunk = "{\"choices\":[{\"text\":\" hi\",\"index\":0}]}";
	llm_event_read(XPU_LLM_API_OPENAI, chunk, strlen(chunk), &ev);
	assert_true(ev.content && !ev.end && !ev.has_usage && !ev.error[0]);
	const char *empty = "{\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}],"
			    "\"usage\":{\"completion_tokens\":48,\"prompt_tokens\":128},"
			    "\"timings\":{\"prompt_ms\":2.5,\"prompt_per_second\":51200,\"predicted_per_token_ms\":0.9,"
			    "\"predicted_per_second\":1111.1}}";
	llm_event_read(XPU_LLM_API_OPENAI, empty, strlen(empty), &ev);
	assert_false(ev.content); /* usage chunk: no text, not a token's time */
	assert_true(ev.has_usage && ev.has_timings);
	assert_int_equal(ev.output_tokens, 48);
	assert_int_equal(ev.prompt_tokens, 128);
	assert_true(ev.tpot_ms == 0.9 && ev.decode_tps == 1111.1 && ev.prompt_ms == 2.5);
	const char *chat = "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}";
	llm_event_read(XPU_LLM_API_OPENAI, chat, strlen(chat), &ev);
	assert_true(ev.content);
	llm_event_read(XPU_LLM_API_OPENAI, "[DONE]", 6, &ev);
	assert_true(ev.end);
	const char *err = "{\"error\":{\"code\":500,\"message\":\"boom\"}}";
	llm_event_read(XPU_LLM_API_OPENAI, err, strlen(err), &ev);
	assert_string_equal(ev.error, "the server says: boom");
	llm_event_read(XPU_LLM_API_OPENAI, "{not json", 9, &ev);
	assert_non_null(strstr(ev.error, "not a JSON object"));
}

static void test_events_ollama(void **state)
{
	(void)state;
	llm_event ev;
	const char *tok = "{\"model\":\"m\",\"response\":\"a\",\"done\":false}";
	llm_event_read(XPU_LLM_API_OLLAMA, tok, strlen(tok), &ev);
	assert_true(ev.content && !ev.end);
	const char *done = "{\"done\":true,\"eval_count\":100,\"eval_duration\":2000000000,\"prompt_eval_count\":50,"
			   "\"prompt_eval_duration\":100000000,\"load_duration\":3000000}";
	llm_event_read(XPU_LLM_API_OLLAMA, done, strlen(done), &ev);
	assert_true(ev.end && ev.has_usage && ev.has_timings);
	assert_int_equal(ev.output_tokens, 100);
	assert_true(ev.decode_tps == 50.0 && ev.tpot_ms == 20.0 && ev.prompt_tps == 500.0 && ev.load_ms == 3.0);
}

/* --- percentiles: numpy.percentile's default (linear) --- */

static void test_percentiles(void **state)
{
	(void)state;
	double x[] = { 4, 1, 3, 2 };
	xpu_llm_dist d;
	llm_dist(&d, x, 4, "none");
	assert_true(d.mean.value == 2.5 && d.p50.value == 2.5);
	assert_float_equal(d.p90.value, 3.7, 1e-12);  /* numpy.percentile([1,2,3,4], 90) */
	assert_float_equal(d.p99.value, 3.97, 1e-12); /* numpy.percentile([1,2,3,4], 99) */
	double one[] = { 7 };
	llm_dist(&d, one, 1, "none");
	assert_true(d.p50.value == 7 && d.p99.value == 7);
	llm_dist(&d, NULL, 0, "no request");
	assert_int_equal(d.p50.status.state, XPU_UNAVAILABLE);
	assert_string_equal(d.p50.status.detail, "no request");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gguf_counts),
		cmocka_unit_test(test_gguf_tied),
		cmocka_unit_test(test_gguf_every_prefix_is_truncated),
		cmocka_unit_test(test_gguf_not_gguf_and_bad_fields),
		cmocka_unit_test(test_framer_sse),
		cmocka_unit_test(test_framer_ndjson),
		cmocka_unit_test(test_framer_refuses_endless_line),
		cmocka_unit_test(test_events_openai),
		cmocka_unit_test(test_events_ollama),
		cmocka_unit_test(test_percentiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
