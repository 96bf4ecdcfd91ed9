/* The configuration of `xpu run` and the launchers, each value with where
 * it came from.  Precedence, lowest first: default, /etc/xpu/config,
 * $XDG_CONFIG_HOME/xpu/config, the environment (XPU_BACKEND, XPU_DEVICE,
 * XPU_FALLBACK), the command line.
 *
 *   [run]
 *   backend = auto | cuda | level_zero | rocm | vulkan | cpu
 *   device = 0 | 0000:03:00.0 | GPU-... | cpu | part of a name
 *   fallback = no
 *   [apps]
 *   comfyui = /srv/comfyui/venv/bin/python /srv/comfyui/main.py
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/util.h"
#include "run/ini.h"
#include "run/paths.h"
#include "run/run_int.h"
#include "xpu/run.h"

const char *xpu_source_name(xpu_source s)
{
	switch (s) {
	case XPU_SRC_DEFAULT: return "default";
	case XPU_SRC_SYSTEM: return "system config";
	case XPU_SRC_USER: return "user config";
	case XPU_SRC_ENV: return "environment";
	case XPU_SRC_COMMAND_LINE: return "command line";
	}
	return "?";
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void shipped_profiles(xpu_paths *p, char *dir, size_t len)
{
	const char *env = getenv("XPU_PROFILES_DIR");
	if (env && *env) {
		snprintf(dir, len, "%s", env);
		snprintf(p->shipped_profiles_origin, sizeof(p->shipped_profiles_origin),
			 "XPU_PROFILES_DIR");
	} else if (!is_dir(XPU_INSTALLED_PROFILES) && is_dir(XPU_SOURCE_PROFILES)) {
		/* an uninstalled build run from its build folder */
		snprintf(dir, len, "%s", XPU_SOURCE_PROFILES);
		snprintf(p->shipped_profiles_origin, sizeof(p->shipped_profiles_origin),
			 "source tree");
	} else {
		snprintf(dir, len, "%s", XPU_INSTALLED_PROFILES);
		snprintf(p->shipped_profiles_origin, sizeof(p->shipped_profiles_origin), "installed");
	}
}

void xpu_paths_init(xpu_paths *p)
{
	memset(p, 0, sizeof(*p));
	const char *etc = getenv("XPU_SYSCONFDIR");
	if (!etc || !*etc)
		etc = "/etc";
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char user_dir[XPU_PATH_LEN] = "";
	/* the XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/')
		snprintf(user_dir, sizeof(user_dir), "%s/xpu", xdg);
	else if (home && *home)
		snprintf(user_dir, sizeof(user_dir), "%s/.config/xpu", home);
	snprintf(p->system_config, sizeof(p->system_config), "%s/xpu/config", etc);
	if (user_dir[0]) {
		snprintf(p->user_config, sizeof(p->user_config), "%s/config", user_dir);
		snprintf(p->profile_dirs[p->n_profile_dirs++], XPU_PATH_LEN, "%s/profiles.d", user_dir);
	}
	snprintf(p->profile_dirs[p->n_profile_dirs++], XPU_PATH_LEN, "%s/xpu/profiles.d", etc);
	shipped_profiles(p, p->profile_dirs[p->n_profile_dirs++], XPU_PATH_LEN);
}

const xpu_setting *xpu_config_get(const xpu_config *cfg, const char *key)
{
	for (size_t i = 0; i < cfg->count; i++)
		if (strcmp(cfg->settings[i].key, key) == 0)
			return &cfg->settings[i];
	return NULL;
}

bool xpu_config_bool(const char *value, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	for (size_t i = 0; i < XPU_ARRAY_LEN(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0)
			return *out = true, true;
		if (strcasecmp(value, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

void run_backend_names(char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0, used = 0; i < XPU_POLICY_BACKENDS && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "",
					 xpu_backend_name(xpu_policy_backend(i)));
}

/* The problem with value for key (in buf where it needs one), or NULL when
 * it is fine. */
static const char *invalid(const char *key, const char *value, char *buf, size_t len)
{
	bool b;
	xpu_backend_kind k;
	if (strcmp(key, "run.backend") == 0 && strcasecmp(value, "auto") != 0 &&
	    !xpu_backend_parse(value, &k)) {
		char names[96];
		run_backend_names(names, sizeof(names));
		/* opencl is a backend xpu list reports, not one apps are launched
		 * through: say so rather than "unknown" */
		snprintf(buf, len, "%s (auto, %s)", strcasecmp(value, "opencl") == 0 ?
			 "no app is launched through OpenCL (xpu list and bench report it)" :
			 "unknown backend", names);
		return buf;
	}
	if (strcmp(key, "run.fallback") == 0 && !xpu_config_bool(value, &b))
		return "not a boolean (yes or no)";
	if (strncmp(key, "apps.", 5) == 0 && !value[0])
		return "empty command";
	return NULL;
}

int xpu_config_set(xpu_config *cfg, const char *key, const char *value, xpu_source src,
		   const char *origin, char *err, size_t errlen)
{
	char why[192];
	const char *bad = invalid(key, value, why, sizeof(why));
	if (bad) {
		snprintf(err, errlen, "%s: %s = '%s': %s", origin, key, value, bad);
		return -1;
	}
	xpu_setting *s = (xpu_setting *)xpu_config_get(cfg, key);
	if (!s) {
		if (cfg->count == XPU_CONFIG_MAX) {
			snprintf(err, errlen, "%s: too many settings (at most %d)", origin,
				 XPU_CONFIG_MAX);
			return -1;
		}
		s = &cfg->settings[cfg->count++];
		xpu_strlcpy(s->key, key, sizeof(s->key));
	}
	xpu_strlcpy(s->value, value, sizeof(s->value));
	xpu_strlcpy(s->origin, origin, sizeof(s->origin));
	s->source = src;
	return 0;
}

typedef struct file_load {
	xpu_config *cfg;
	xpu_source source;
} file_load;

static int on_config(xpu_ini_ctx *ctx, const char *section, const char *key, const char *value)
{
	file_load *fl = ctx->user;
	char full[64];
	if (strcmp(section, "run") == 0) {
		if (strcmp(key, "backend") && strcmp(key, "device") && strcmp(key, "fallback"))
			return xpu_ini_problem(ctx, "unknown key '%s' in [run] (keys: backend, device, "
					       "fallback)", key);
	} else if (strcmp(section, "apps") == 0) {
		if (!xpu_env_name_ok(key) && !strchr(key, '-'))
			return xpu_ini_problem(ctx, "'%s' is no profile name", key);
	} else {
		return xpu_ini_problem(ctx, "unknown section [%s] (sections: run, apps)", section);
	}
	snprintf(full, sizeof(full), "%s.%s", section, key);
	char why[192];
	const char *bad = invalid(full, value, why, sizeof(why));
	if (bad)
		return xpu_ini_problem(ctx, "%s = '%s': %s", key, value, bad);
	char err[64];
	return xpu_config_set(fl->cfg, full, value, fl->source, ctx->file, err, sizeof(err)) == 0
		       ? 1
		       : xpu_ini_problem(ctx, "too many settings");
}

static int load_file(xpu_config *cfg, const char *file, xpu_source src, char *err, size_t errlen)
{
	if (!file[0])
		return 0;
	file_load fl = { cfg, src };
	return xpu_ini_load(file, on_config, &fl, err, errlen) == XPU_INI_ERROR ? -1 : 0;
}

int run_config_parse(xpu_config *cfg, const char *name, const char *text, char *err, size_t errlen)
{
	file_load fl = { cfg, XPU_SRC_USER };
	return xpu_ini_parse(name, text, on_config, &fl, err, errlen) == XPU_INI_OK ? 0 : -1;
}

int xpu_config_load(xpu_config *cfg, const xpu_paths *paths, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	xpu_config_set(cfg, "run.backend", "auto", XPU_SRC_DEFAULT, "built in", err, errlen);
	xpu_config_set(cfg, "run.device", "", XPU_SRC_DEFAULT, "built in", err, errlen);
	xpu_config_set(cfg, "run.fallback", "no", XPU_SRC_DEFAULT, "built in", err, errlen);
	if (load_file(cfg, paths->system_config, XPU_SRC_SYSTEM, err, errlen) ||
	    load_file(cfg, paths->user_config, XPU_SRC_USER, err, errlen))
		return -1;
	static const struct {
		const char *var, *key;
	} env[] = {
		{ "XPU_BACKEND", "run.backend" },
		{ "XPU_DEVICE", "run.device" },
		{ "XPU_FALLBACK", "run.fallback" },
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(env); i++) {
		const char *v = getenv(env[i].var);
		if (v && *v && xpu_config_set(cfg, env[i].key, v, XPU_SRC_ENV, env[i].var, err, errlen))
			return -1;
	}
	return 0;
}
