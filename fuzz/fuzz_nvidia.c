/* libFuzzer target: /proc/driver/nvidia/gpus/BUS/information and
 * /proc/driver/nvidia/version. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "sys/parse.h"

static void check_terminated(const char *f, size_t len)
{
	if (!memchr(f, '\0', len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;

	xpu_nv_information info;
	if (xpu_parse_nvidia_information(s, &info)) {
		check_terminated(info.model, sizeof(info.model));
		check_terminated(info.uuid, sizeof(info.uuid));
		check_terminated(info.bus_location, sizeof(info.bus_location));
		check_terminated(info.video_bios, sizeof(info.video_bios));
		if (!info.model[0] || info.device_minor < -1 || info.device_minor >= 4096)
			abort();
	}

	/* an output buffer of exactly the length given */
	size_t len = size ? (size_t)data[size - 1] % 33 : 16;
	char *ver = malloc(len ? len : 1);
	if (ver) {
		if (xpu_parse_nvidia_version(s, ver, len) && strlen(ver) >= len)
			abort();
		free(ver);
	}
	free(s);
	return 0;
}
