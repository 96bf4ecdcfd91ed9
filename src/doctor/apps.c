/* App checks (--app): is the server up, and is its model on the GPU?
 *
 * Every app that has a profile of `xpu run` can be checked: its server
 * answers at the profile's address, and the running service's environment
 * suits the backend `xpu run` would give it.  Where doctor knows the app's
 * own API (the app_apis table) it asks more.  Ollama: GET /api/version,
 * /api/tags, /api/ps (size_vram against size is the share on the GPU;
 * docs.ollama.com/api) and the environment of the running ollama process.
 * ComfyUI: GET /system_stats (devices[].type).
 *
 * The app knowledge (which apps there are, default address, the variable
 * that moves it, which variables the service needs on each backend,
 * ComfyUI's CPU flag) is the app's profile (profiles/NAME.ini,
 * include/xpu/run.h): one source for both commands, overridable the same way
 * (XPU_PROFILES_DIR, /etc/xpu/profiles.d, the user's folder). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "core/http.h"
#include "doctor/doctor_int.h"
#include "model/value.h"
#include "xpu/run.h"

/* --- the service's environment against its profile --- */

/* The first backend in the policy's order, short of cpu, that the profile
 * supports (0: any) and that applies to the GPU g. */
static bool first_gpu_backend(const xpu_device *g, unsigned supported, xpu_backend_kind *be)
{
	for (size_t i = 0; i < XPU_POLICY_BACKENDS; i++) {
		xpu_backend_kind b = xpu_policy_backend(i);
		if (b != XPU_BACKEND_CPU && (!supported || (supported & (1u << b))) && g->backends[b].applies) {
			*be = b;
			return true;
		}
	}
	return false;
}

/* The device the app should run on and the backend `xpu run` would start it
 * with: the policy's choice when that is a GPU; else (no GPU backend usable
 * yet, which the checks above explain) the first GPU, discrete first, and
 * the first backend in the policy's order that the profile has and that
 * applies to it. */
static bool app_target(const doc_ctx *c, const app_ctx *a, const xpu_device **dev, xpu_backend_kind *be)
{
	xpu_request req = { .supported = xpu_profile_backends(a->profile), .app = a->name };
	xpu_decision *d = calloc(1, sizeof(*d));
	char err[256];
	bool found = false;
	if (d && xpu_decide(c->sys, &req, d, err, sizeof(err)) == XPU_DECIDE_OK && d->device && doc_is_gpu(d->device)) {
		*dev = d->device;
		*be = d->backend;
		found = true;
	}
	free(d);
	for (int pass = 0; pass < 2 && !found; pass++) /* discrete GPUs, then integrated */
		for (size_t i = 0; i < xpu_device_count(c->sys) && !found; i++) {
			const xpu_device *g = xpu_device_at(c->sys, i);
			if (doc_is_gpu(g) && (g->kind == XPU_KIND_DISCRETE) == (pass == 0))
				found = first_gpu_backend(g, req.supported, be);
			if (found)
				*dev = g;
		}
	return found;
}

/* The value of name in a NUL-separated environment block, or NULL. */
static const char *env_get(const char *block, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < len; i += strlen(block + i) + 1)
		if (strncmp(block + i, name, n) == 0 && block[i + n] == '=')
			return block + i + n + 1;
	return NULL;
}

long doc_app_service_pid(const doc_ctx *c, const char *command)
{
	xsys_names procs = { 0 };
	long found = 0;
	if (xsys_list(&c->fs, &procs, "/proc") == XSYS_OK || procs.count) {
		for (size_t i = 0; i < procs.count && !found; i++) {
			char comm[64], *end = NULL;
			long pid = strtol(procs.names[i], &end, 10);
			if (pid <= 0 || *end)
				continue;
			if (xsys_text(&c->fs, comm, sizeof(comm), "/proc/%ld/comm", pid) == XSYS_OK &&
			    strcmp(comm, command) == 0)
				found = pid;
		}
	}
	xsys_names_free(&procs);
	return found;
}

/* Whether a device selector the service has (a list, "0,1" or UUIDs)
 * names dev, as the profile's {placeholder} value would: its index in
 * backend be's runtime, its UUID (with or without "GPU-") or its PCI
 * address; any index when the runtime gave none (not probed). */
static bool selector_names(const char *have, const xpu_device *dev, xpu_backend_kind be)
{
	char copy[512], idx[16] = "";
	xpu_strlcpy(copy, have, sizeof(copy));
	int ri = dev->backends[be].runtime_index;
	if (ri >= 0)
		snprintf(idx, sizeof(idx), "%d", ri);
	const char *uuid = xpu_is_ok(&dev->uuid.status) ? dev->uuid.value : "";
	const char *bare = xpu_starts_with(uuid, "GPU-") ? uuid + 4 : uuid;
	char *save = NULL;
	for (char *e = strtok_r(copy, ", ", &save); e; e = strtok_r(NULL, ", ", &save)) {
		bool number = e[strspn(e, "0123456789")] == '\0';
		if ((number && (ri < 0 || strcmp(e, idx) == 0)) || (uuid[0] && (!strcasecmp(e, uuid) || !strcasecmp(e, bare))) ||
		    (dev->pci_address[0] && !strcasecmp(e, dev->pci_address)))
			return true;
	}
	return false;
}

static void env_fix(const doc_ctx *c, xpu_check *k, const char *service, const char *name, const char *value,
		    bool selector)
{
	char want[160];
	if (selector)
		snprintf(want, sizeof(want), "remove %s (or name the device in it)", name);
	else
		snprintf(want, sizeof(want), "set %s=%s", name, value);
	if (c->pkg == DOC_PKG_NIX && selector)
		doc_fix(k, "remove %s from services.%s.environmentVariables and rebuild", name, service);
	else if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "set services.%s.environmentVariables.%s = \"%s\"; and rebuild", service, name, value);
	else if (selector)
		doc_fix(k, "sudo systemctl edit %s: %s, then sudo systemctl restart %s", service, want, service);
	else
		doc_fix(k, "sudo systemctl edit %s: add [Service] Environment=%s=%s, then sudo systemctl restart %s",
			service, name, value, service);
}

/* One variable of the profile's section against the service's value: a
 * FAIL (with its fix) when it would keep the app off dev. */
static bool env_wrong(doc_ctx *c, xpu_check *k, const app_ctx *a, long pid, const xpu_device *dev,
		      xpu_backend_kind be, const char *name, const char *want, const char *have)
{
	bool selector = strchr(want, '{') != NULL;
	bool required = xpu_profile_requires(a->profile, be, name, dev->kind == XPU_KIND_INTEGRATED);
	const char *bname = xpu_backend_name(be);
	if (!have && required) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s (pid %ld): %s unset; on %s (%s) the %s profile requires "
			    "%s=%s (%s)", a->name, pid, name, doc_dev_name(dev), bname, a->name, name, want,
			    xpu_profile_file(a->profile));
	} else if (have && selector && !selector_names(have, dev, be)) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s (pid %ld): %s=%s hides %s from %s (the %s profile sets %s)",
			    a->name, pid, name, have, doc_dev_name(dev), bname, a->name, want);
	} else if (have && !selector && strcmp(have, want) != 0) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s (pid %ld): %s=%s; on %s (%s) the %s profile sets %s=%s (%s)",
			    a->name, pid, name, have, doc_dev_name(dev), bname, a->name, name, want,
			    xpu_profile_file(a->profile));
	} else {
		return false;
	}
	env_fix(c, k, xpu_profile_command(a->profile), name, want, selector);
	return true;
}

void doc_app_env_check(doc_ctx *c, const app_ctx *a)
{
	xpu_check *k = doc_add(c, "apps", "service environment", "apps.%s.env", a->name);
	const char *command = xpu_profile_command(a->profile);
	const xpu_device *dev = NULL;
	xpu_backend_kind be = XPU_BACKEND_CPU;
	if (!app_target(c, a, &dev, &be)) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no GPU that the %s profile has a backend for", a->name);
		return;
	}
	long pid = doc_app_service_pid(c, command);
	if (!pid) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no process named %s on this machine (a remote server?)", command);
		return;
	}
	char *env = NULL;
	size_t len = 0;
	xsys_rc rc = xsys_slurp(&c->fs, &env, &len, 1 << 20, "/proc/%ld/environ", pid);
	if (rc == XSYS_TOO_LARGE) {
		doc_verdict(k, XPU_VERDICT_SKIP, "/proc/%ld/environ holds more than the 1 MiB xpu reads", pid);
		return;
	}
	if (rc != XSYS_OK && rc != XSYS_EMPTY) {
		doc_verdict(k, XPU_VERDICT_SKIP, "cannot read /proc/%ld/environ (%s): run as root or as %s's user",
			    pid, rc == XSYS_DENIED ? "permission denied" : "unreadable", command);
		return;
	}
	const char *name, *want;
	bool bad = false;
	for (size_t i = 0; !bad && xpu_profile_env_at(a->profile, be, i, &name, &want); i++)
		bad = env_wrong(c, k, a, pid, dev, be, name, want, env ? env_get(env, len, name) : NULL);
	if (!bad)
		doc_verdict(k, XPU_VERDICT_PASS, "%s (pid %ld): its environment suits %s through %s (the %s "
			    "profile's [%s] section)", a->name, pid, doc_dev_name(dev), xpu_backend_name(be), a->name,
			    xpu_backend_name(be));
	free(env);
}

/* --- Ollama's API --- */

static const char *model_name(const json_t *m)
{
	const char *s = json_string_value(json_object_get(m, "name"));
	return s ? s : "(unnamed model)";
}

/* GET path from a server that answered /api/version: a failure now is the
 * server's own error. */
static json_t *ollama_get(const app_ctx *a, xpu_check *k, const char *path)
{
	char why[320];
	json_t *doc = xpu_http_get_json(a->base, path, a->timeout, why, sizeof(why));
	if (!doc) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s", why);
		doc_fix(k, "see 'journalctl -u ollama' for the server's error");
	}
	return doc;
}

static void ollama_models_check(doc_ctx *c, const app_ctx *a)
{
	xpu_check *k = doc_add(c, "apps", "ollama models", "apps.ollama.models");
	json_t *tags = ollama_get(a, k, "/api/tags");
	if (!tags)
		return;
	json_t *models = json_object_get(tags, "models");
	size_t n = json_is_array(models) ? json_array_size(models) : 0;
	if (!json_is_array(models)) {
		doc_verdict(k, XPU_VERDICT_FAIL, "/api/tags has no \"models\" list: is this Ollama at %s?", a->base);
		doc_fix(k, "point --url at the Ollama server");
	} else if (!n) {
		doc_verdict(k, XPU_VERDICT_WARN, "no model pulled");
		doc_fix(k, "ollama pull llama3.2 (or services.ollama.loadModels on NixOS)");
	} else {
		doc_verdict(k, XPU_VERDICT_PASS, "%zu model%s, first %s", n, n == 1 ? "" : "s",
			    model_name(json_array_get(models, 0)));
	}
	json_decref(tags);
}

static void offload_verdict(doc_ctx *c, xpu_check *k, const char *name, double size, double vram)
{
	double pct = size > 0 ? 100.0 * vram / size : 0;
	if (pct >= 99.5) {
		doc_verdict(k, XPU_VERDICT_PASS, "%s runs 100%% on the GPU (%.1f GiB in VRAM)", name, vram / 1073741824.0);
	} else if (!c->any_gpu_usable && !c->has_gpu) {
		doc_verdict(k, XPU_VERDICT_PASS, "%s runs %.0f%% on the CPU, as expected: this machine has no GPU", name,
			    100 - pct);
	} else if (vram <= 0) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s runs 100%% on CPU (size_vram 0 of %.1f GiB) on a machine with a GPU",
			    name, size / 1073741824.0);
		doc_fix(k, "see apps.ollama.env and the runtimes above; 'journalctl -u ollama | grep -iE "
			"\"gpu|vulkan|cuda\"' says why Ollama skipped the GPU");
	} else {
		doc_verdict(k, XPU_VERDICT_WARN, "%s runs %.0f%% on the GPU, %.0f%% on the CPU (%.1f of %.1f GiB in VRAM)",
			    name, pct, 100 - pct, vram / 1073741824.0, size / 1073741824.0);
		doc_fix(k, "the model does not fit in GPU memory: use a smaller model or quantisation, or a smaller "
			"context (num_ctx)");
	}
}

static void ollama_gpu_check(doc_ctx *c, const app_ctx *a)
{
	xpu_check *k = doc_add(c, "apps", "ollama model on GPU", "apps.ollama.gpu");
	json_t *ps = ollama_get(a, k, "/api/ps");
	if (!ps)
		return;
	json_t *models = json_object_get(ps, "models");
	if (!json_is_array(models) || !json_array_size(models)) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no model loaded now: run 'ollama run MODEL' once, then run doctor again");
		json_decref(ps);
		return;
	}
	/* the worst of the loaded models speaks for all */
	size_t worst = 0;
	double worst_pct = 101;
	for (size_t i = 0; i < json_array_size(models); i++) {
		json_t *m = json_array_get(models, i);
		double size = json_number_value(json_object_get(m, "size"));
		double pct = size > 0 ? json_number_value(json_object_get(m, "size_vram")) / size : 0;
		if (pct < worst_pct) {
			worst_pct = pct;
			worst = i;
		}
	}
	json_t *m = json_array_get(models, worst);
	json_t *size = json_object_get(m, "size"), *vram = json_object_get(m, "size_vram");
	if (!json_is_number(size) || !json_is_number(vram)) {
		doc_verdict(k, XPU_VERDICT_FAIL, "/api/ps lacks size/size_vram for %s",
			    model_name(m));
		doc_fix(k, "update Ollama (size_vram is in /api/ps since 0.1.33)");
	} else {
		offload_verdict(c, k, model_name(m), json_number_value(size),
				json_number_value(vram));
	}
	json_decref(ps);
}

static void ollama_checks(doc_ctx *c, const app_ctx *a)
{
	xpu_check *k = doc_add(c, "apps", "ollama server", "apps.ollama.server");
	char why[320];
	json_t *v = xpu_http_get_json(a->base, "/api/version", a->timeout, why, sizeof(why));
	if (!v) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s", why);
		if (c->pkg == DOC_PKG_NIX)
			doc_fix(k, "set services.ollama.enable = true; (or start 'ollama serve'), or give --url");
		else
			doc_fix(k, "sudo systemctl start ollama (or 'ollama serve'); give --url if it listens elsewhere");
		static const char *const rest[][2] = { { "apps.ollama.models", "ollama models" },
						       { "apps.ollama.gpu", "ollama model on GPU" } };
		for (size_t i = 0; i < XPU_ARRAY_LEN(rest); i++)
			doc_verdict(doc_add(c, "apps", rest[i][1], "%s", rest[i][0]), XPU_VERDICT_SKIP,
				    "server not reachable (see apps.ollama.server)");
		doc_app_env_check(c, a);
		return;
	}
	const char *ver = json_string_value(json_object_get(v, "version"));
	if (ver)
		doc_verdict(k, XPU_VERDICT_PASS, "Ollama %s at %s", ver, a->base);
	else {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s/api/version has no \"version\": is this Ollama?", a->base);
		doc_fix(k, "point --url at the Ollama server");
	}
	json_decref(v);
	ollama_models_check(c, a);
	ollama_gpu_check(c, a);
	doc_app_env_check(c, a);
}

/* --- ComfyUI --- */

/* "drop --cpu, and ": the arguments the profile's [cpu] section adds are
 * what keeps the app on the CPU. */
static void cpu_flags(const app_ctx *a, char *out, size_t len)
{
	out[0] = '\0';
	const char *arg;
	for (size_t i = 0; (arg = xpu_profile_arg_at(a->profile, XPU_BACKEND_CPU, i)) != NULL; i++) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? " " : "drop ", arg);
	}
	size_t used = strlen(out);
	if (used)
		snprintf(out + used, len - used, ", and ");
}

static void comfyui_cpu_fix(const doc_ctx *c, const app_ctx *a, xpu_check *k)
{
	char drop[160];
	cpu_flags(a, drop, sizeof(drop));
	if (c->has_nvidia_gpu)
		doc_fix(k, "%sin ComfyUI's environment: pip install --force-reinstall torch torchvision "
			"torchaudio --index-url https://download.pytorch.org/whl/cu128", drop);
	else if (c->has_intel_gpu)
		doc_fix(k, "%sin ComfyUI's environment: pip install --force-reinstall torch torchvision "
			"torchaudio --index-url https://download.pytorch.org/whl/xpu (see frameworks.torch_xpu)", drop);
	else
		doc_fix(k, "%sinstall the torch build for this GPU in ComfyUI's environment", drop);
}

static void comfyui_checks(doc_ctx *c, const app_ctx *a)
{
	xpu_check *srv = doc_add(c, "apps", "comfyui server", "apps.comfyui.server");
	char why[320];
	json_t *st = xpu_http_get_json(a->base, "/system_stats", a->timeout, why, sizeof(why));
	if (!st) {
		doc_verdict(srv, XPU_VERDICT_FAIL, "%s", why);
		doc_fix(srv, c->pkg == DOC_PKG_NIX ? "set services.comfyui.enable = true;, or give --url" :
						     "start ComfyUI (python main.py --listen), or give --url");
		doc_verdict(doc_add(c, "apps", "comfyui device", "apps.comfyui.device"), XPU_VERDICT_SKIP,
			    "server not reachable (see apps.comfyui.server)");
		return;
	}
	json_t *sys = json_object_get(st, "system");
	const char *torch = json_string_value(json_object_get(sys, "pytorch_version"));
	const char *ver = json_string_value(json_object_get(sys, "comfyui_version"));
	doc_verdict(srv, XPU_VERDICT_PASS, "ComfyUI %s at %s, torch %s", ver ? ver : "(version not given)", a->base,
		    torch ? torch : "?");
	xpu_check *k = doc_add(c, "apps", "comfyui device", "apps.comfyui.device");
	json_t *devs = json_object_get(st, "devices");
	json_t *d0 = json_is_array(devs) ? json_array_get(devs, 0) : NULL;
	const char *type = json_string_value(json_object_get(d0, "type"));
	const char *name = json_string_value(json_object_get(d0, "name"));
	if (!type) {
		doc_verdict(k, XPU_VERDICT_FAIL, "/system_stats lists no device with a type: is this ComfyUI at %s?",
			    a->base);
		doc_fix(k, "point --url at the ComfyUI server");
	} else if (strcmp(type, "cpu") != 0) {
		doc_verdict(k, XPU_VERDICT_PASS, "ComfyUI runs on %s (%s)", type, name ? name : "?");
	} else if (c->has_gpu) {
		doc_verdict(k, XPU_VERDICT_FAIL, "ComfyUI runs on the CPU (device type cpu, torch %s) on a machine with a GPU",
			    torch ? torch : "?");
		comfyui_cpu_fix(c, a, k);
	} else {
		doc_verdict(k, XPU_VERDICT_PASS, "ComfyUI runs on the CPU, as expected: no GPU here");
	}
	json_decref(st);
}

/* The server's address: --url, else the profile's url_env variable as
 * servers read it ([scheme://]host[:port], 0.0.0.0 meaning this machine,
 * the profile url's port when none is given), else the profile's url. */
static bool app_base(const doc_ctx *c, const app_ctx *a, char *out, size_t len)
{
	if (c->opt->url && *c->opt->url) {
		xpu_strlcpy(out, c->opt->url, len);
		return true;
	}
	const char *url = xpu_profile_url(a->profile), *var = xpu_profile_url_env(a->profile);
	const char *host = var[0] ? getenv(var) : NULL;
	if (!host || !*host) {
		xpu_strlcpy(out, url, len);
		return url[0] != '\0';
	}
	const char *sep = strstr(host, "://");
	int scheme_len = sep ? (int)(sep - host) : 4;
	const char *hp = sep ? sep + 3 : host;
	char h[200];
	if (xpu_starts_with(hp, "0.0.0.0"))
		snprintf(h, sizeof(h), "127.0.0.1%s", hp + 7);
	else
		xpu_strlcpy(h, hp, sizeof(h));
	size_t n = strlen(h);
	while (n && h[n - 1] == '/')
		h[--n] = '\0';
	const char *colon = strrchr(h, ':'), *bracket = strrchr(h, ']');
	const char *url_port = strrchr(url, ':');
	bool port = colon && (!bracket || colon > bracket);
	snprintf(out, len, "%.*s://%s%s", scheme_len, sep ? host : "http", h,
		 port || !url_port || url_port < url + 6 ? "" : url_port);
	return true;
}

/* The app's profile as a check of its own: both commands read it. */
static xpu_profile *app_profile(doc_ctx *c, const char *name)
{
	xpu_check *k = doc_add(c, "apps", "app profile", "apps.%s.profile", name);
	xpu_paths paths;
	xpu_paths_init(&paths);
	xpu_profile *p = NULL;
	char err[512];
	if (xpu_profile_load(&paths, name, &p, err, sizeof(err))) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s", err);
		doc_fix(k, "restore %s.ini (it ships with xpu) or point XPU_PROFILES_DIR at a folder with it; "
			"'xpu config' lists the profiles", name);
		return NULL;
	}
	doc_verdict(k, XPU_VERDICT_PASS, "%s (%s)", xpu_profile_file(p), xpu_profile_description(p));
	return p;
}

/* --- any other app: what its profile says --- */

/* The server answers at its address: any HTTP answer below 500 means it
 * listens (an API-only server may well answer 404 at /). */
static void server_check(doc_ctx *c, const app_ctx *a)
{
	xpu_check *k = doc_add(c, "apps", "app server", "apps.%s.server", a->name);
	char why[320], url[300];
	snprintf(url, sizeof(url), "%s/", a->base);
	xpu_http_answer ans;
	bool answered = xpu_http_request(url, NULL, a->timeout, 0, &ans, why, sizeof(why));
	long status = ans.status;
	xpu_http_answer_free(&ans);
	if (!answered) {
		const char *command = xpu_profile_command(a->profile);
		char how[96] = "";
		if (command[0] && strcmp(command, a->name) != 0)
			snprintf(how, sizeof(how), " (its command: %s)", command);
		doc_verdict(k, XPU_VERDICT_FAIL, "%s", why);
		doc_fix(k, "start %s%s, or give --url if it listens elsewhere", a->name, how);
	} else if (status >= 500) {
		doc_verdict(k, XPU_VERDICT_WARN, "%s answers HTTP %ld at %s/: a server error", a->name, status,
			    a->base);
		doc_fix(k, "see %s's log for the error (is it still loading?)", a->name);
	} else {
		doc_verdict(k, XPU_VERDICT_PASS, "%s answers at %s (HTTP %ld at /)", a->name, a->base, status);
	}
}

/* The apps whose own API doctor knows, by profile name; every other app
 * with a profile gets the checks its profile allows. */
static const struct app_api {
	const char *name;
	void (*checks)(doc_ctx *c, const app_ctx *a);
} app_apis[] = {
	{ "comfyui", comfyui_checks },
	{ "llama-server", doc_llama_server_checks },
	{ "ollama", ollama_checks },
};

static const struct app_api *app_api_of(const char *name)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(app_apis); i++)
		if (strcmp(app_apis[i].name, name) == 0)
			return &app_apis[i];
	return NULL;
}

/* Why the API checks do not apply: "comfyui and ollama" have them. */
static void api_skip(doc_ctx *c, const app_ctx *a)
{
	char known[160] = "";
	for (size_t i = 0, used = 0; i < XPU_ARRAY_LEN(app_apis) && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s",
					 !i ? "" : i + 1 < XPU_ARRAY_LEN(app_apis) ? ", " : " and ", app_apis[i].name);
	doc_verdict(doc_add(c, "apps", "app API", "apps.%s.api", a->name), XPU_VERDICT_SKIP,
		    "doctor knows the API of %s only: whether %s's model is on the GPU is not asked", known,
		    a->name);
}

static void generic_checks(doc_ctx *c, const app_ctx *a, bool server)
{
	if (server) {
		server_check(c, a);
		doc_app_env_check(c, a);
	} else {
		doc_verdict(doc_add(c, "apps", "app server", "apps.%s.server", a->name), XPU_VERDICT_SKIP,
			    "the %s profile (%s) gives no url, and no --url was given: no server to check",
			    a->name, xpu_profile_file(a->profile));
		doc_verdict(doc_add(c, "apps", "service environment", "apps.%s.env", a->name), XPU_VERDICT_SKIP,
			    "no server (see apps.%s.server): no service whose environment to check", a->name);
	}
	api_skip(c, a);
}

/* An app whose API checks need its server, and no address for it. */
static void no_server(doc_ctx *c, const app_ctx *a)
{
	xpu_check *k = doc_add(c, "apps", "app server", "apps.%s.server", a->name);
	const char *file = xpu_profile_file(a->profile);
	doc_verdict(k, XPU_VERDICT_FAIL, "the %s profile (%s) gives no url and no --url was given", a->name, file);
	doc_fix(k, "give --url, or add url = http://HOST:PORT to [profile] in %s", file);
}

void doc_app_checks(doc_ctx *c)
{
	if (!c->opt->app) {
		char apps[512];
		xpu_doctor_apps(apps, sizeof(apps));
		doc_verdict(doc_add(c, "apps", "apps", "apps"), XPU_VERDICT_SKIP,
			    "no --app given (apps with a profile: %s): app servers not checked", apps);
		return;
	}
	const char *name = c->opt->app;
	xpu_profile *p = app_profile(c, name);
	if (!p)
		return;
	const struct app_api *api = app_api_of(name);
	app_ctx a = { .timeout = c->opt->http_timeout_s > 0 ? c->opt->http_timeout_s : 3.0, .profile = p,
		      .name = name };
	bool server = app_base(c, &a, a.base, sizeof(a.base));
	size_t n = strlen(a.base);
	while (n && a.base[n - 1] == '/')
		a.base[--n] = '\0';
	if (api && !server)
		no_server(c, &a);
	else if (api)
		api->checks(c, &a);
	else
		generic_checks(c, &a, server);
	xpu_profile_free(p);
}

/* --- the apps: every profile in effect --- */

typedef struct app_names {
	char names[64][64];
	size_t n;
} app_names;

static int add_name(const char *file, const char *name, void *user, char *err, size_t errlen)
{
	app_names *a = user;
	if (a->n < XPU_ARRAY_LEN(a->names))
		xpu_strlcpy(a->names[a->n++], name, sizeof(a->names[0]));
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(x, y);
}

/* The profile names, from every profile folder (a name once), sorted. */
static void read_app_names(app_names *a)
{
	xpu_paths paths;
	xpu_paths_init(&paths);
	char err[256];
	a->n = 0;
	xpu_profile_list(&paths, add_name, a, err, sizeof(err));
	qsort(a->names, a->n, sizeof(a->names[0]), by_name);
}

size_t xpu_doctor_apps(char *list, size_t len)
{
	app_names a;
	read_app_names(&a);
	list[0] = '\0';
	for (size_t i = 0, used = 0; i < a.n && used < len; i++)
		used += (size_t)snprintf(list + used, len - used, "%s%s", i ? ", " : "", a.names[i]);
	return a.n;
}

bool xpu_doctor_app_known(const char *name)
{
	app_names a;
	read_app_names(&a);
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.names[i], name) == 0)
			return true;
	return false;
}
