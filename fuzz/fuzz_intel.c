/* libFuzzer target: the Intel telemetry parsers (src/telemetry/pmu.c and
 * intel_query.c): the PMU's sysfs event and format strings and i915 engine
 * event names (text a sysroot can hold), and the i915 and xe memory-region
 * query replies (bytes a driver returns, as their uapi structs lay out).
 * The first byte picks which.  Aborts when a reply parses to more regions
 * than it can hold, or an engine class is unterminated. */
#include <string.h>

#include "fuzz_input.h"
#include "telemetry/intel_query.h"
#include "telemetry/pmu.h"

static void text_parsers(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return;
	uint64_t config;
	unsigned shift;
	(void)xpu_pmu_parse_event(s, &config);
	(void)xpu_pmu_parse_format_shift(s, &shift);
	size_t len = size ? data[0] % 40 : 16;
	char *buf = malloc(len ? len : 1);
	if (buf && len) {
		const char *cls = xpu_pmu_i915_engine_class(s, buf, len);
		if (cls && cls == buf && strnlen(buf, len) == len)
			abort();
		xpu_pmu_device_name("xe", s, buf, len);
		if (strnlen(buf, len) == len)
			abort();
	}
	free(buf);
	free(s);
}

static void replies(const uint8_t *data, size_t size)
{
	uint8_t *b = fuzz_bytes(data, size);
	xpu_intel_vram v;
	if (!b)
		return;
	if (xpu_i915_parse_mem_regions(b, size, &v) && v.regions > size)
		abort();
	if (xpu_xe_parse_mem_regions(b, size, &v) && v.regions > size)
		abort();
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		replies(data + 1, size - 1);
	else
		text_parsers(data + 1, size - 1);
	return 0;
}
