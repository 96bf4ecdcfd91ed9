/* libFuzzer target: amdgpu pp_dpm_* tables and pp_od_clk_voltage sections. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "sys/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;

	/* the level array is exactly `max` long, so ASan sees any write past it */
	int max = size ? 1 + data[0] % 16 : 16;
	unsigned *mhz = malloc(sizeof(*mhz) * (size_t)max);
	if (mhz) {
		int active = -2;
		int n = xpu_parse_dpm_levels(s, mhz, max, &active);
		if (n < 0 || n > max || active < -1 || active >= (n ? n : 1) || (n == 0 && active != -1))
			abort();
		free(mhz);
	}

	static const char *const sections[] = { "OD_SCLK:", "OD_MCLK:", "OD_VDDC_CURVE:", "OD_RANGE:" };
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		unsigned lo = 0, hi = 0;
		(void)xpu_parse_od_range(s, sections[i], &lo, &hi);
	}
	free(s);
	return 0;
}
