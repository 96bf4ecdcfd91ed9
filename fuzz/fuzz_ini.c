/* libFuzzer target: xpu's INI files, the config (/etc/xpu/config,
 * ~/.config/xpu/config) and the app profiles (profiles/NAME.ini,
 * profiles.d), through the same handlers the files go through (src/run:
 * inih, then config.c's and profile.c's checks).  Aborts when a refusal
 * gives no reason, or an accepted file leaves a setting or an entry that
 * its own checks should have refused. */
#include <string.h>

#include "fuzz_input.h"
#include "run/ini.h"
#include "run/run_int.h"

static void config(const char *text)
{
	char err[512] = "";
	xpu_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return;
	if (run_config_parse(cfg, "fuzz.conf", text, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();
	} else {
		for (size_t i = 0; i < cfg->count; i++)
			if (strncmp(cfg->settings[i].key, "apps.", 5) == 0 && !cfg->settings[i].value[0])
				abort(); /* an empty command is refused */
	}
	free(cfg);
}

static void profile(const char *text)
{
	char err[512] = "";
	xpu_profile *p;
	if (run_profile_parse("fuzz", text, &p, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();
		return;
	}
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		const char *name, *value;
		for (size_t i = 0; xpu_profile_env_at(p, (xpu_backend_kind)b, i, &name, &value); i++)
			if (!xpu_env_name_ok(name))
				abort();
		for (size_t i = 0; xpu_profile_arg_at(p, (xpu_backend_kind)b, i); i++)
			;
		(void)xpu_profile_requires(p, (xpu_backend_kind)b, "PATH", true);
	}
	(void)xpu_profile_command(p);
	(void)xpu_profile_backends(p);
	xpu_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;
	config(s);
	profile(s);
	free(s);
	return 0;
}
