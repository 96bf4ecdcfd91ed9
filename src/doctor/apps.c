/* App checks (--app): is the server up, and is its model on the GPU?
 *
 * Ollama: GET /api/version, /api/tags, /api/ps (size_vram against size is
 * the share on the GPU; docs.ollama.com/api) and the environment of the
 * running ollama process.  ComfyUI: GET /system_stats (devices[].type).
 *
 * The app knowledge below (which variables Ollama's backends need) is a small
 * table of its own until `xpu run`'s app profiles can be shared.  Sources:
 * ollama docs/gpu.mdx (Vulkan on by default when installed; OLLAMA_VULKAN=0
 * or GGML_VK_VISIBLE_DEVICES=-1 turn it off), ollama 0.32.5's log "dropping
 * integrated GPU; to enable, set OLLAMA_IGPU_ENABLE=1". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "doctor/doctor_int.h"

typedef struct app_ctx {
	char base[256];
	double timeout;
} app_ctx;

/* --- Ollama's environment --- */

typedef enum env_rule {
	RULE_DISABLED_IF,   /* the variable set to value turns the GPU off */
	RULE_REQUIRED_IGPU, /* on a machine with only an integrated GPU, must be value */
} env_rule;

static const struct ollama_env {
	const char *name, *value;
	env_rule rule;
	xpu_vendor vendor; /* whose GPUs it concerns; XPU_VENDOR_OTHER: Intel and AMD (Vulkan) */
	const char *why;
} ollama_env[] = {
	{ "OLLAMA_IGPU_ENABLE", "1", RULE_REQUIRED_IGPU, XPU_VENDOR_OTHER,
	  "Ollama drops integrated GPUs unless OLLAMA_IGPU_ENABLE=1" },
	{ "GGML_VK_VISIBLE_DEVICES", "-1", RULE_DISABLED_IF, XPU_VENDOR_OTHER,
	  "GGML_VK_VISIBLE_DEVICES=-1 hides every Vulkan device" },
	{ "OLLAMA_VULKAN", "0", RULE_DISABLED_IF, XPU_VENDOR_OTHER, "OLLAMA_VULKAN=0 turns the Vulkan backend off" },
	{ "CUDA_VISIBLE_DEVICES", "-1", RULE_DISABLED_IF, XPU_VENDOR_NVIDIA,
	  "CUDA_VISIBLE_DEVICES=-1 hides every NVIDIA GPU" },
};

/* The value of name in a NUL-separated environment block, or NULL. */
static const char *env_get(const char *block, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < len; i += strlen(block + i) + 1)
		if (strncmp(block + i, name, n) == 0 && block[i + n] == '=')
			return block + i + n + 1;
	return NULL;
}

/* The pid of a process named "ollama" (its comm), or 0. */
static long find_ollama(const doc_ctx *c)
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
			    strcmp(comm, "ollama") == 0)
				found = pid;
		}
	}
	xsys_names_free(&procs);
	return found;
}

static bool rule_applies(const doc_ctx *c, const struct ollama_env *e)
{
	bool vulkan_gpu = c->has_intel_gpu || c->has_amd_gpu;
	if (e->vendor == XPU_VENDOR_NVIDIA)
		return c->has_nvidia_gpu;
	if (e->rule == RULE_REQUIRED_IGPU)
		return vulkan_gpu && !c->has_discrete_gpu;
	return vulkan_gpu;
}

static void env_fix(const doc_ctx *c, xpu_check *k, const char *name, const char *value, bool unset)
{
	if (c->pkg == DOC_PKG_NIX && unset)
		doc_fix(k, "remove %s from services.ollama.environmentVariables and rebuild", name);
	else if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "set services.ollama.environmentVariables.%s = \"%s\"; and rebuild", name, value);
	else if (unset)
		doc_fix(k, "sudo systemctl edit ollama: remove Environment=%s, then sudo systemctl restart ollama", name);
	else
		doc_fix(k, "sudo systemctl edit ollama: add [Service] Environment=%s=%s, then sudo systemctl restart "
			"ollama", name, value);
}

static void ollama_env_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "apps", "ollama environment", "apps.ollama.env");
	long pid = find_ollama(c);
	if (!pid) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no process named ollama on this machine (a remote server?)");
		return;
	}
	char *env = NULL;
	size_t len = 0;
	xsys_rc rc = xsys_slurp(&c->fs, &env, &len, 1 << 20, "/proc/%ld/environ", pid);
	if (rc != XSYS_OK && rc != XSYS_EMPTY) {
		doc_verdict(k, XPU_VERDICT_SKIP, "cannot read /proc/%ld/environ (%s): run as root or as ollama's user",
			    pid, rc == XSYS_DENIED ? "permission denied" : "unreadable");
		return;
	}
	char seen[256] = "";
	for (size_t i = 0; i < XPU_ARRAY_LEN(ollama_env); i++) {
		const struct ollama_env *e = &ollama_env[i];
		const char *v = env ? env_get(env, len, e->name) : NULL;
		if (v) {
			size_t used = strlen(seen);
			snprintf(seen + used, sizeof(seen) - used, "%s%s=%s", used ? " " : "", e->name, v);
		}
		if (!rule_applies(c, e))
			continue;
		bool bad = e->rule == RULE_DISABLED_IF ? v && strcmp(v, e->value) == 0 : !v || strcmp(v, e->value) != 0;
		if (bad && k->verdict != XPU_VERDICT_FAIL) {
			doc_verdict(k, XPU_VERDICT_FAIL, "ollama (pid %ld): %s%s%s", pid, e->why, v ? "; it is " : "; unset",
				    v ? v : "");
			env_fix(c, k, e->name, e->value, e->rule == RULE_DISABLED_IF);
		}
	}
	if (k->verdict != XPU_VERDICT_FAIL)
		doc_verdict(k, XPU_VERDICT_PASS, "ollama (pid %ld): %s", pid,
			    seen[0] ? seen : "no GPU-related variable set; the defaults suit this machine");
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
	json_t *doc = doc_http_json(a->base, path, a->timeout, why, sizeof(why));
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
	} else if (!c->any_gpu_usable && !c->has_intel_gpu && !c->has_nvidia_gpu && !c->has_amd_gpu) {
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
	json_t *v = doc_http_json(a->base, "/api/version", a->timeout, why, sizeof(why));
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
		ollama_env_check(c);
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
	ollama_env_check(c);
}

/* --- ComfyUI --- */

static void comfyui_cpu_fix(const doc_ctx *c, xpu_check *k)
{
	if (c->has_nvidia_gpu)
		doc_fix(k, "drop --cpu, and in ComfyUI's environment: pip install --force-reinstall torch torchvision "
			"torchaudio --index-url https://download.pytorch.org/whl/cu128");
	else if (c->has_intel_gpu)
		doc_fix(k, "drop --cpu, and in ComfyUI's environment: pip install --force-reinstall torch torchvision "
			"torchaudio --index-url https://download.pytorch.org/whl/xpu (see frameworks.torch_xpu)");
	else
		doc_fix(k, "drop --cpu and install the torch build for this GPU in ComfyUI's environment");
}

static void comfyui_checks(doc_ctx *c, const app_ctx *a)
{
	xpu_check *srv = doc_add(c, "apps", "comfyui server", "apps.comfyui.server");
	char why[320];
	json_t *st = doc_http_json(a->base, "/system_stats", a->timeout, why, sizeof(why));
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
	} else if (c->has_intel_gpu || c->has_nvidia_gpu || c->has_amd_gpu) {
		doc_verdict(k, XPU_VERDICT_FAIL, "ComfyUI runs on the CPU (device type cpu, torch %s) on a machine with a GPU",
			    torch ? torch : "?");
		comfyui_cpu_fix(c, k);
	} else {
		doc_verdict(k, XPU_VERDICT_PASS, "ComfyUI runs on the CPU, as expected: no GPU here");
	}
	json_decref(st);
}

/* OLLAMA_HOST as Ollama reads it: [scheme://]host[:port], 0.0.0.0 meaning
 * this machine, 11434 when no port is given. */
static void ollama_base(char *out, size_t len)
{
	const char *host = getenv("OLLAMA_HOST");
	if (!host || !*host) {
		xpu_strlcpy(out, "http://127.0.0.1:11434", len);
		return;
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
	bool port = colon && (!bracket || colon > bracket);
	snprintf(out, len, "%.*s://%s%s", scheme_len, sep ? host : "http", h, port ? "" : ":11434");
}

void doc_app_checks(doc_ctx *c)
{
	if (c->opt->app == XPU_APP_NONE) {
		doc_verdict(doc_add(c, "apps", "apps", "apps"), XPU_VERDICT_SKIP,
			    "no --app given (ollama, comfyui): app servers not checked");
		return;
	}
	app_ctx a = { .timeout = c->opt->http_timeout_s > 0 ? c->opt->http_timeout_s : 3.0 };
	if (c->opt->url && *c->opt->url)
		xpu_strlcpy(a.base, c->opt->url, sizeof(a.base));
	else if (c->opt->app == XPU_APP_OLLAMA)
		ollama_base(a.base, sizeof(a.base));
	else
		xpu_strlcpy(a.base, "http://127.0.0.1:8188", sizeof(a.base));
	size_t n = strlen(a.base);
	while (n && a.base[n - 1] == '/')
		a.base[--n] = '\0';
	doc_http_init();
	if (c->opt->app == XPU_APP_OLLAMA)
		ollama_checks(c, &a);
	else
		comfyui_checks(c, &a);
	doc_http_cleanup();
}
