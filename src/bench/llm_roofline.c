/* The roofline of `xpu bench llm`: what one generated token reads (the
 * model file's GGUF header: every tensor but the token embedding, by its
 * type's block size, plus the KV cache at the request's mean context), the
 * device the server runs on (the process table `xpu top` reads: the
 * server's pid, found by its listening socket, among each GPU's clients;
 * none: the CPU), and that device's bandwidth (`xpu bench`'s measured copy
 * figure from a saved baseline, else the peak table). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "bench/bench_int.h"
#include "bench/llm_int.h"
#include "core/gguf.h"
#include "model/value.h"
#include "sys/net.h"
#include "core/http.h"
#include "xpu/telemetry.h"

/* --- the server's process --- */

int llm_listening_pid(const char *url)
{
	unsigned port;
	xsys s;
	char err[160];
	if (!xpu_http_local_port(url, &port) || xsys_init(&s, "/", err, sizeof(err)) != 0)
		return 0;
	return xsys_tcp_listener(&s, port);
}

/* --- the device --- */

/* The device whose clients include pid (GPU memory in *gpu_bytes), else
 * the CPU; false when the process table cannot be read at all. */
static bool server_device(const xpu_llm_options *opt, int pid, xpu_device *dev, double *gpu_bytes, bool *other_gpu,
			  char *why, size_t whylen)
{
	xpu_sampler_options so = { .discovery = opt->discovery, .processes = true };
	xpu_sampler *s = xpu_sampler_new(&so, why, whylen);
	if (!s || xpu_sampler_refresh(s, why, whylen) != 0) {
		xpu_sampler_free(s);
		return false;
	}
	const xpu_sample *sm = xpu_sampler_last(s);
	const xpu_device *cpu = NULL, *gpu = NULL;
	*gpu_bytes = 0;
	*other_gpu = false;
	for (size_t i = 0; i < sm->n_processes; i++) {
		const xpu_process_sample *p = &sm->processes[i];
		if (p->pid == pid && p->device < sm->n_devices && !gpu) {
			gpu = &sm->devices[p->device].dev;
			*gpu_bytes = xpu_is_ok(&p->vram_bytes.status) ? (double)p->vram_bytes.value : 0;
		}
	}
	for (size_t i = 0; i < sm->n_devices; i++) {
		const xpu_device *d = &sm->devices[i].dev;
		if (d->vendor == XPU_VENDOR_CPU)
			cpu = cpu ? cpu : d;
		else
			*other_gpu = true;
	}
	if (gpu || cpu)
		*dev = gpu ? *gpu : *cpu;
	else
		snprintf(why, whylen, "discovery found no device");
	xpu_sampler_free(s);
	return gpu || cpu;
}

static void find_device(const xpu_llm_options *opt, xpu_llm_report *r, xpu_device *dev, bool *found, bool *other_gpu)
{
	xpu_llm_roofline *rf = &r->roof;
	char why[256] = "";
	double gpu_bytes = 0;
	rf->server_pid = llm_listening_pid(r->url);
	*found = server_device(opt, rf->server_pid, dev, &gpu_bytes, other_gpu, why, sizeof(why));
	if (!*found) {
		snprintf(rf->device_source, sizeof(rf->device_source), "unknown: %s", why);
		return;
	}
	xpu_strlcpy(rf->device_id, dev->id, sizeof(rf->device_id));
	xpu_strlcpy(rf->device_name, xpu_is_ok(&dev->name.status) ? dev->name.value : dev->id, sizeof(rf->device_name));
	if (dev->vendor != XPU_VENDOR_CPU) {
		xpu_set_real(&rf->gpu_bytes, gpu_bytes);
		snprintf(rf->device_source, sizeof(rf->device_source), "the server (pid %d) is a client of this GPU "
			 "(the process table of xpu top)", rf->server_pid);
		return;
	}
	xpu_set_status(&rf->gpu_bytes.status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE, "the server holds no GPU memory");
	if (rf->server_pid)
		snprintf(rf->device_source, sizeof(rf->device_source), "the server (pid %d) is no GPU's client: it "
			 "runs on the CPU", rf->server_pid);
	else
		snprintf(rf->device_source, sizeof(rf->device_source), "the server's process is not on this machine "
			 "(or not visible to this user): taken as this machine's CPU");
}

/* --- the bandwidth --- */

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The copy figures of a baseline, best first, as xpu bench names them. */
static const char *const copy_figures[] = { "d2d.memcpy", "d2d.kernel", "mem.copy", "mem.read", "stream.triad",
					   "stream.copy" };

static int baseline_bandwidth(const char *path, const xpu_device *dev, xpu_llm_roofline *rf, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	const char *kind = json_string_value(json_object_get(root, "kind"));
	if (!root || !kind || strcmp(kind, "xpu-bench") != 0) {
		snprintf(err, errlen, "--hw-baseline %s: %s; write one with 'xpu bench --save FILE'", path,
			 root ? "not an xpu bench baseline (no \"kind\": \"xpu-bench\")" : je.text);
		json_decref(root);
		return -1;
	}
	size_t i, j;
	json_t *t, *f;
	double best = 0;
	const char *name = NULL;
	for (size_t k = 0; k < XPU_ARRAY_LEN(copy_figures) && !name; k++)
		json_array_foreach(json_object_get(root, "targets"), i, t) {
			if (strcmp(jstr(t, "device"), dev->id) != 0)
				continue;
			json_array_foreach(json_object_get(t, "figures"), j, f)
				if (!name && !strcmp(jstr(f, "name"), copy_figures[k]) &&
				    json_number_value(json_object_get(f, "value")) > 0) {
					name = copy_figures[k];
					best = json_number_value(json_object_get(f, "value"));
				}
		}
	if (name) {
		xpu_set_real(&rf->bandwidth_gbs, best);
		snprintf(rf->bandwidth_source, sizeof(rf->bandwidth_source), "measured: %s %.1f GB/s in %s (xpu bench)",
			 name, best, path);
	}
	json_decref(root);
	return 0;
}

/* Bandwidth and peak FLOP/s: the baseline's measured copy, else the peak
 * table. */
static int find_bandwidth(const xpu_llm_options *opt, const xpu_device *dev, xpu_llm_roofline *rf, char *err,
			  size_t errlen)
{
	xpu_bench_target *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the server runs on this machine: the host's peaks come from its files */
	const xsys this_machine = { .root = "" };
	bench_peaks_fill(t, dev, &this_machine);
	xpu_peak_kind flops = dev->vendor == XPU_VENDOR_CPU ? XPU_PEAK_FP32 : XPU_PEAK_FP16;
	rf->peak_tflops = t->peaks[flops];
	snprintf(rf->flops_source, sizeof(rf->flops_source), "%s peak, %s", xpu_peak_kind_name(flops), t->peak_source);
	rf->bandwidth_gbs = t->peaks[XPU_PEAK_MEM_BW];
	snprintf(rf->bandwidth_source, sizeof(rf->bandwidth_source), "%s", t->peak_source);
	free(t);
	if (opt->hw_baseline && baseline_bandwidth(opt->hw_baseline, dev, rf, err, errlen) != 0)
		return -1;
	if (!xpu_is_ok(&rf->bandwidth_gbs.status))
		snprintf(rf->bandwidth_source, sizeof(rf->bandwidth_source), "unknown: %s%s", rf->bandwidth_gbs.status.detail,
			 opt->hw_baseline ? "" : "; give --hw-baseline FILE from 'xpu bench --save FILE'");
	return 0;
}

/* --- the model's bytes --- */

static void unknown_bytes(xpu_llm_roofline *rf, const char *why)
{
	xpu_real *all[] = { &rf->weight_bytes, &rf->kv_bytes_per_ctx, &rf->params, &rf->bytes_per_token };
	for (size_t i = 0; i < XPU_ARRAY_LEN(all); i++)
		xpu_set_status(&all[i]->status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "%s", why);
}

/* The model's bytes from its GGUF header; -1 only when the user gave the
 * file (--model-file) and it is not a usable GGUF file. */
static int model_bytes(const xpu_llm_options *opt, xpu_llm_report *r, const char *path, const char *source,
		       char *err, size_t errlen)
{
	xpu_llm_roofline *rf = &r->roof;
	const char *file = opt->model_file ? opt->model_file : path;
	xpu_strlcpy(rf->model_file, file ? file : "", sizeof(rf->model_file));
	snprintf(rf->model_source, sizeof(rf->model_source), "%s", opt->model_file ? "--model-file" : source);
	xpu_gguf_model m;
	char why[400];
	if (!rf->model_file[0]) {
		unknown_bytes(rf, "the server does not say where its model file is: give --model-file or "
			      "--model-bytes");
	} else if (xpu_gguf_read(rf->model_file, &m, why, sizeof(why)) != XPU_GGUF_OK) {
		if (opt->model_file) {
			snprintf(err, errlen, "--model-file %s", why);
			return -1;
		}
		unknown_bytes(rf, why);
	} else {
		xpu_set_real(&rf->weight_bytes, (double)m.weight_bytes_per_token);
		xpu_set_real(&rf->params, (double)m.params_per_token);
		xpu_set_real(&rf->kv_bytes_per_ctx, (double)xpu_gguf_kv_bytes_per_ctx_token(&m));
		rf->n_layers = (unsigned)m.n_layers;
		xpu_strlcpy(rf->weight_type, m.first_type, sizeof(rf->weight_type));
	}
	if (opt->model_bytes > 0) {
		xpu_set_real(&rf->weight_bytes, opt->model_bytes);
		snprintf(rf->model_source, sizeof(rf->model_source), "--model-bytes");
	}
	if (xpu_is_ok(&rf->weight_bytes.status)) {
		double ctx = r->prompt_tokens + r->output_tokens / 2.0;
		double kv = xpu_is_ok(&rf->kv_bytes_per_ctx.status) ? rf->kv_bytes_per_ctx.value * ctx : 0;
		xpu_set_real(&rf->bytes_per_token, rf->weight_bytes.value + kv);
	}
	return 0;
}

int llm_roofline_find(const xpu_llm_options *opt, xpu_llm_report *r, const char *model_path,
		      const char *model_source, char *err, size_t errlen)
{
	xpu_llm_roofline *rf = &r->roof;
	if (model_bytes(opt, r, model_path, model_source, err, errlen) != 0)
		return -1;
	xpu_device *dev = calloc(1, sizeof(*dev));
	bool found = false, other_gpu = false;
	if (!dev) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	find_device(opt, r, dev, &found, &other_gpu);
	int rc = 0;
	if (found) {
		rc = find_bandwidth(opt, dev, rf, err, errlen);
	} else {
		xpu_set_status(&rf->bandwidth_gbs.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "the device is unknown");
		xpu_set_status(&rf->peak_tflops.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "the device is unknown");
		xpu_strlcpy(rf->bandwidth_source, "unknown: the device is unknown", sizeof(rf->bandwidth_source));
	}
	if (xpu_is_ok(&rf->bandwidth_gbs.status) && xpu_is_ok(&rf->bytes_per_token.status))
		xpu_set_real(&rf->decode_tps, rf->bandwidth_gbs.value * 1e9 / rf->bytes_per_token.value);
	else
		xpu_set_status(&rf->decode_tps.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE, "bytes per token or bandwidth unknown");
	/* the verdict's hints need to know whether a GPU was passed over */
	rf->gpu_present = other_gpu;
	free(dev);
	return rc;
}

/* --- the verdict --- */

#define FAR_BELOW_PERCENT 20.0

static void far_below_hint(const xpu_llm_roofline *rf, char *out, size_t len)
{
	bool on_cpu = strcmp(rf->device_id, "cpu") == 0;
	double gib = 1024.0 * 1024 * 1024;
	if (on_cpu && rf->gpu_present)
		snprintf(out, len, " Far below the roofline: the server holds no GPU memory, so it runs on the CPU "
			 "while this machine has a GPU; 'xpu doctor --app llama-server' (or ollama) says why.");
	else if (!on_cpu && xpu_is_ok(&rf->gpu_bytes.status) && xpu_is_ok(&rf->weight_bytes.status) &&
		 rf->gpu_bytes.value < 0.9 * rf->weight_bytes.value)
		snprintf(out, len, " Far below the roofline: the server holds %.2f GiB on %s of the model's %.2f GiB, "
			 "so some layers run on the CPU (llama-server: -ngl; 'xpu doctor --app llama-server').",
			 rf->gpu_bytes.value / gib, rf->device_name, rf->weight_bytes.value / gib);
	else
		snprintf(out, len, " Far below the roofline: 'xpu doctor --app llama-server' (or ollama) checks the "
			 "backend, the device and the layers on it.");
}

void llm_verdict(xpu_llm_report *r)
{
	xpu_llm_roofline *rf = &r->roof;
	const xpu_llm_level *lv = r->n_levels ? &r->levels[0] : NULL;
	if (!lv || !xpu_is_ok(&lv->mbu_percent.status)) {
		snprintf(rf->verdict, sizeof(rf->verdict), "No roofline: %s.",
			 !xpu_is_ok(&rf->bytes_per_token.status) ? rf->bytes_per_token.status.detail :
			 !xpu_is_ok(&rf->bandwidth_gbs.status)   ? rf->bandwidth_source :
								   "no decode rate");
		return;
	}
	double used = lv->mbu_percent.value / 100.0 * rf->bandwidth_gbs.value;
	int n = snprintf(rf->verdict, sizeof(rf->verdict),
			 "Decode at concurrency %u: %.1f tokens/s per stream x %.3f GB per token = %.1f GB/s, %.1f%% "
			 "of %s's %.1f GB/s (%s); the roofline is %.1f tokens/s.",
			 lv->concurrency, lv->stream_tps.value, rf->bytes_per_token.value / 1e9, used,
			 lv->mbu_percent.value, rf->device_name, rf->bandwidth_gbs.value, rf->bandwidth_source,
			 rf->decode_tps.value);
	if (lv->mbu_percent.value < FAR_BELOW_PERCENT && n > 0 && (size_t)n < sizeof(rf->verdict))
		far_below_hint(rf, rf->verdict + n, sizeof(rf->verdict) - (size_t)n);
}
