/* libFuzzer target: the values of options and variables a user types:
 * --listen ADDR:PORT and --interval (src/cli/opt_parse.c), --runtimes=LIST
 * (xpu_runtime_mask_parse) and XPU_ASSUME_USABLE (xpu_assume_usable, on the
 * igpu-plus-nvidia fixture).  The first byte picks which.  Aborts when an
 * accepted port is out of 0..65535, an interval out of 0.1 s..1 h, a mask
 * names no runtime, or a refusal gives no reason. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "cli/opt_parse.h"
#include "fuzz_input.h"
#include "model/system.h"
#include "xpu/run.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

static void listen_spec(const char *s)
{
	struct sockaddr_storage sa;
	socklen_t len;
	if (!cli_parse_listen(s, &sa, &len))
		return;
	if (sa.ss_family != AF_INET && sa.ss_family != AF_INET6)
		abort();
	const char *colon = strrchr(s, ':');
	unsigned long port = strtoul(colon + 1, NULL, 10);
	unsigned got = ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
						   : ((struct sockaddr_in6 *)&sa)->sin6_port);
	if (port > 65535 || got != port)
		abort();
}

static void interval(const char *s)
{
	double v;
	if (cli_parse_interval(s, &v) && !(v >= 0.1 && v <= 3600.0))
		abort();
}

static void runtimes(const char *s)
{
	unsigned mask;
	char bad[32] = "";
	if (xpu_runtime_mask_parse(s, &mask, bad, sizeof(bad))) {
		if (!mask || mask >= 1u << XPU_RT_COUNT)
			abort();
	}
}

/* XPU_ASSUME_USABLE changes the backends: they are put back after each. */
static void assume(const char *s)
{
	static xpu_system *sys;
	static xpu_backend saved[XPU_MAX_DEVICES][XPU_BACKEND_COUNT];
	if (!sys) {
		xpu_options opt = { .sysroot = SOURCE_DIR "/tests/fixtures/igpu-plus-nvidia",
				    .probe_runtimes = 0 };
		char err[256];
		if (xpu_discover(&opt, &sys, err, sizeof(err)) != XPU_E_OK)
			abort();
		for (size_t i = 0; i < sys->count; i++)
			memcpy(saved[i], sys->devices[i].backends, sizeof(saved[i]));
	}
	char err[512] = "";
	if (xpu_assume_usable(sys, s, err, sizeof(err)) != 0 && !err[0])
		abort();
	for (size_t i = 0; i < sys->count; i++)
		memcpy(sys->devices[i].backends, saved[i], sizeof(saved[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text_after_mode(data, size);
	if (!s)
		return 0;
	switch (data[0] % 4) {
	case 0: listen_spec(s); break;
	case 1: interval(s); break;
	case 2: runtimes(s); break;
	default: assume(s); break;
	}
	free(s);
	return 0;
}
