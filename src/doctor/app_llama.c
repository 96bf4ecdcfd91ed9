/* llama.cpp's llama-server (tools/server/README.md): is it up (GET /health:
 * 200, or 503 while it loads its model), which model does it serve (GET
 * /props: model_path, total_slots, build_info; /v1/models: meta.n_params,
 * size; /slots: each slot's n_ctx), and how many of its layers run on the
 * GPU.  The server does not say the last; its command line does (-ngl,
 * --device; LLAMA_ARG_N_GPU_LAYERS), the model file's header gives the
 * layer count, and the process table (`xpu top`'s) what it holds on which
 * GPU. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "core/gguf.h"
#include "core/http.h"
#include "doctor/doctor_int.h"
#include "model/value.h"
#include "sys/net.h"
#include "xpu/telemetry.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

/* What the running server's command line and environment ask. */
typedef struct llama_args {
	long ngl;          /* -ngl N; -1 not given (llama.cpp's default: as many as fit) */
	bool device_none;  /* --device none: nothing offloaded */
} llama_args;

static void parse_ngl(const char *v, llama_args *la)
{
	if (!strcmp(v, "auto") || !strcmp(v, "all"))
		la->ngl = -1;
	else
		la->ngl = strtol(v, NULL, 10);
}

/* The words of /proc/PID/cmdline and the one variable that moves -ngl. */
static void read_args(const doc_ctx *c, long pid, llama_args *la)
{
	*la = (llama_args){ .ngl = -1 };
	char *text = NULL;
	size_t n = 0;
	if (xsys_slurp(&c->fs, &text, &n, 1 << 20, "/proc/%ld/environ", pid) == XSYS_OK)
		for (size_t i = 0; i < n; i += strlen(text + i) + 1)
			if (xpu_starts_with(text + i, "LLAMA_ARG_N_GPU_LAYERS="))
				parse_ngl(text + i + 23, la);
	free(text);
	text = NULL;
	if (xsys_slurp(&c->fs, &text, &n, 1 << 20, "/proc/%ld/cmdline", pid) != XSYS_OK)
		return;
	static const char *const ngl_names[] = { "-ngl", "--gpu-layers", "--n-gpu-layers" };
	for (size_t i = 0; i < n; i += strlen(text + i) + 1) {
		const char *w = text + i, *next = i + strlen(w) + 1 < n ? w + strlen(w) + 1 : "";
		for (size_t k = 0; k < XPU_ARRAY_LEN(ngl_names); k++)
			if (!strcmp(w, ngl_names[k]))
				parse_ngl(next, la);
		if ((!strcmp(w, "--device") || !strcmp(w, "-dev")) && !strcmp(next, "none"))
			la->device_none = true;
	}
	free(text);
}

/* The pid of the server: the listener of the URL's port on this machine,
 * else a process named llama-server. */
static long server_pid(const doc_ctx *c, const app_ctx *a)
{
	unsigned port;
	if (!xsys_is_live(&c->fs))
		return 0;
	int pid = xpu_http_local_port(a->base, &port) ? xsys_tcp_listener(&c->fs, port) : 0;
	return pid ? pid : doc_app_service_pid(c, "llama-server");
}

/* What pid holds on a GPU (xpu top's process table): bytes, and the GPU's
 * name; false when it holds nothing on any. */
static bool gpu_held(const doc_ctx *c, long pid, double *bytes, char *gpu, size_t len)
{
	xpu_sampler_options so = { .discovery = { .probe_runtimes = -1 }, .processes = true };
	char why[256];
	xpu_sampler *s = xpu_sampler_new(&so, why, sizeof(why));
	bool found = false;
	if (s && xpu_sampler_refresh(s, why, sizeof(why)) == 0) {
		const xpu_sample *sm = xpu_sampler_last(s);
		for (size_t i = 0; i < sm->n_processes && !found; i++) {
			const xpu_process_sample *p = &sm->processes[i];
			if (p->pid != pid || p->device >= sm->n_devices)
				continue;
			found = true;
			*bytes = xpu_is_ok(&p->vram_bytes.status) ? (double)p->vram_bytes.value : 0;
			xpu_strlcpy(gpu, doc_dev_name(&sm->devices[p->device].dev), len);
		}
	}
	xpu_sampler_free(s);
	return found;
}

/* --- the checks --- */

/* apps.llama-server.server: false when the server does not serve yet. */
static bool server_up(doc_ctx *c, const app_ctx *a, json_t **props)
{
	xpu_check *k = doc_add(c, "apps", "llama-server", "apps.llama-server.server");
	char url[300], why[320];
	snprintf(url, sizeof(url), "%s/health", a->base);
	xpu_http_answer ans;
	if (!xpu_http_request(url, NULL, a->timeout, 4096, &ans, why, sizeof(why))) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s", why);
		doc_fix(k, "start it: xpu run --app llama-server -- llama-server -m MODEL.gguf (or give --url)");
		return false;
	}
	long status = ans.status;
	xpu_http_answer_free(&ans);
	if (status == 503) {
		doc_verdict(k, XPU_VERDICT_WARN, "llama-server at %s is loading its model (HTTP 503 at /health)", a->base);
		doc_fix(k, "wait for it to load, then run doctor again");
		return false;
	}
	if (status != 200) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s answers HTTP %ld: is this llama-server?", url, status);
		doc_fix(k, "point --url at llama-server (its default: http://127.0.0.1:8080)");
		return false;
	}
	*props = xpu_http_get_json(a->base, "/props", a->timeout, why, sizeof(why));
	const char *build = json_string_value(json_object_get(*props, "build_info"));
	doc_verdict(k, XPU_VERDICT_PASS, "llama-server %s at %s", build ? build : "(build not given)", a->base);
	return true;
}

/* "4 slots of 4096 tokens" from /slots, or why not. */
static void slots_text(const app_ctx *a, char *out, size_t len)
{
	char why[320];
	json_t *slots = NULL;
	char url[300];
	snprintf(url, sizeof(url), "%s/slots", a->base);
	xpu_http_answer ans;
	if (xpu_http_request(url, NULL, a->timeout, 4u << 20, &ans, why, sizeof(why)) && ans.status == 200 && ans.body)
		slots = json_loads(ans.body, 0, NULL);
	if (json_is_array(slots) && json_array_size(slots))
		snprintf(out, len, "%zu slot%s of %lld tokens", json_array_size(slots), json_array_size(slots) == 1 ? "" : "s",
			 (long long)json_integer_value(json_object_get(json_array_get(slots, 0), "n_ctx")));
	else
		snprintf(out, len, "/slots not served (--no-slots)");
	json_decref(slots);
	if (ans.body)
		xpu_http_answer_free(&ans);
}

/* apps.llama-server.model: the file, its shape, the slots. */
static void model_check(doc_ctx *c, const app_ctx *a, const json_t *props, xpu_gguf_model *m, bool *have)
{
	xpu_check *k = doc_add(c, "apps", "llama-server model", "apps.llama-server.model");
	const char *path = json_string_value(json_object_get(props, "model_path"));
	char slots[96], why[400];
	*have = false;
	if (!path) {
		doc_verdict(k, XPU_VERDICT_FAIL, "%s/props gives no model_path: an old llama-server, or not llama-server",
			    a->base);
		doc_fix(k, "update llama.cpp (the server's /props has model_path since 2024)");
		return;
	}
	slots_text(a, slots, sizeof(slots));
	if (xpu_gguf_read(path, m, why, sizeof(why)) != XPU_GGUF_OK) {
		doc_verdict(k, XPU_VERDICT_PASS, "%s, %s (its header is not readable here: %s)", path, slots, why);
		return;
	}
	*have = true;
	doc_verdict(k, XPU_VERDICT_PASS, "%s: %s, %.2f B parameters, %.2f GiB (%s), %llu layers; %s", path,
		    m->arch, (double)m->params / 1e9, (double)m->tensor_bytes / GIB, m->first_type,
		    (unsigned long long)m->n_layers, slots);
}

/* apps.llama-server.layers: how many of the model's layers (its blocks and
 * the output layer, as llama.cpp counts "offloaded N/M layers") run on the
 * GPU. */
static void layers_check(doc_ctx *c, const app_ctx *a, const xpu_gguf_model *m, bool have)
{
	xpu_check *k = doc_add(c, "apps", "llama-server layers on the GPU", "apps.llama-server.layers");
	long pid = server_pid(c, a);
	unsigned long long total = have ? m->n_layers + 1 : 0;
	if (!pid) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no llama-server process on this machine (a remote server?): its layers "
			    "are not seen");
		return;
	}
	llama_args la;
	read_args(c, pid, &la);
	double held = 0;
	char gpu[XPU_TEXT_LEN] = "";
	bool on_gpu = c->has_gpu && gpu_held(c, pid, &held, gpu, sizeof(gpu));
	bool none = la.device_none || la.ngl == 0;
	if (!c->has_gpu)
		doc_verdict(k, XPU_VERDICT_PASS, "llama-server (pid %ld) runs all %llu layers on the CPU, as expected: no "
			    "GPU here", pid, total);
	else if (none || !on_gpu) {
		doc_verdict(k, XPU_VERDICT_FAIL, "llama-server (pid %ld) offloads 0 of %llu layers: %s, on a machine with "
			    "a GPU", pid, total, la.device_none ? "--device none" : la.ngl == 0 ? "-ngl 0" :
			    "it holds no GPU memory (a CPU-only build?)");
		doc_fix(k, none ? "start it with 'xpu run --app llama-server -- llama-server -m MODEL' (its profile gives "
			"--device and -ngl 999)" : "use a llama.cpp built for this GPU (GGML_CUDA, GGML_VULKAN, GGML_SYCL, "
			"GGML_HIP), started with 'xpu run --app llama-server'");
	} else if (la.ngl > 0 && (unsigned long long)la.ngl < total) {
		doc_verdict(k, XPU_VERDICT_WARN, "llama-server (pid %ld) offloads %ld of %llu layers to %s (-ngl %ld): "
			    "the others run on the CPU", pid, la.ngl, total, gpu, la.ngl);
		doc_fix(k, "raise -ngl (999: all), or use a smaller model or quantisation if it does not fit");
	} else if (have && held < 0.9 * (double)m->tensor_bytes) {
		doc_verdict(k, XPU_VERDICT_WARN, "llama-server (pid %ld) holds %.2f GiB on %s of the model's %.2f GiB: "
			    "some layers run on the CPU", pid, held / GIB, gpu, (double)m->tensor_bytes / GIB);
		doc_fix(k, "give -ngl 999 (all layers), or a smaller model or quantisation if it does not fit");
	} else {
		doc_verdict(k, XPU_VERDICT_PASS, "llama-server (pid %ld) runs its %llu layers on %s (it holds %.2f GiB)",
			    pid, total, gpu, held / GIB);
	}
}

void doc_llama_server_checks(doc_ctx *c, const app_ctx *a)
{
	json_t *props = NULL;
	if (server_up(c, a, &props)) {
		xpu_gguf_model m;
		bool have = false;
		model_check(c, a, props, &m, &have);
		layers_check(c, a, &m, have);
	} else {
		doc_verdict(doc_add(c, "apps", "llama-server model", "apps.llama-server.model"), XPU_VERDICT_SKIP,
			    "server not serving (see apps.llama-server.server)");
		doc_verdict(doc_add(c, "apps", "llama-server layers on the GPU", "apps.llama-server.layers"),
			    XPU_VERDICT_SKIP, "server not serving (see apps.llama-server.server)");
	}
	json_decref(props);
	doc_app_env_check(c, a);
}
