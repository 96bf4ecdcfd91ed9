/* libFuzzer target: a response stream of `xpu bench llm` (src/bench/
 * llm_stream.c), cut into events (SSE and NDJSON, fed in two pieces at a
 * point the input chooses) and each event read as both APIs read it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/llm_int.h"
#include "fuzz_input.h"

static void read_event(void *user, const char *text, size_t len)
{
	(void)user;
	llm_event ev;
	llm_event_read(XPU_LLM_API_OPENAI, text, len, &ev);
	if (!memchr(ev.error, '\0', sizeof(ev.error)))
		abort();
	llm_event_read(XPU_LLM_API_OLLAMA, text, len, &ev);
	if (!memchr(ev.error, '\0', sizeof(ev.error)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t *b = fuzz_bytes(data + 1, size - 1);
	if (!b)
		return 0;
	size_t n = size - 1, cut = n ? data[0] % (n + 1) : 0;
	for (int sse = 0; sse < 2; sse++) {
		llm_framer f = { .sse = sse };
		if (llm_framer_feed(&f, (const char *)b, cut, read_event, NULL))
			llm_framer_feed(&f, (const char *)b + cut, n - cut, read_event, NULL);
		llm_framer_free(&f);
	}
	free(b);
	return 0;
}
