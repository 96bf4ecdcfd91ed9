/* libFuzzer target: the JSON xpu doctor reads from programs it does not
 * control: the python probe's report line (src/doctor/python.c) and the app
 * servers' answers (src/doctor/apps.c: Ollama's /api/version, /api/tags,
 * /api/ps, ComfyUI's /system_stats).  This file stands in for the child
 * process and the HTTP client (doc_proc_run, xpu_http_*: proc.c and
 * core/http.c are then not linked) and hands each the part of the input
 * meant for it; the framework and app checks run as in xpu doctor, on the
 * i915 fixture.
 *
 * Input: the first byte picks the app (even: ollama, odd: comfyui) and
 * whether the report is also written as JSON (0x10 or 0x11), then
 * parts separated by 0x1e: the python output, then the bodies of
 * /api/version, /api/tags, /api/ps and /system_stats.  Aborts when a check
 * is left without a verdict's evidence, or a failure without a fix. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "doctor/doctor_int.h"
#include "fuzz_input.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

enum { PARTS = 5 };
static const char *part[PARTS];

void doc_proc_run(const char *const argv[], double timeout_s, doc_proc *p)
{
	(void)argv;
	(void)timeout_s;
	memset(p, 0, sizeof(*p));
	p->end = DOC_PROC_EXITED;
	p->out = strdup(part[0]);
	p->out_len = p->out ? strlen(p->out) : 0;
}

void doc_proc_free(doc_proc *p)
{
	free(p->out);
	p->out = NULL;
}

/* The HTTP client (src/core/http.c) stands in here: when this file defines
 * its calls, the linker takes http.o from the library no more (a second
 * definition would stop the link), so no request leaves the fuzzer.  Before,
 * the doctor asked a server named "fuzz" through libcurl at every run: a
 * DNS query each time, 5 runs a second, and not one body fuzzed. */
json_t *xpu_http_get_json(const char *base, const char *path, double timeout_s, char *why, size_t whylen)
{
	static const char *const paths[] = { "/api/version", "/api/tags", "/api/ps", "/system_stats" };
	(void)timeout_s;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (strcmp(path, paths[i]) != 0)
			continue;
		json_error_t e;
		json_t *j = json_loads(part[i + 1], 0, &e);
		if (!j) {
			snprintf(why, whylen, "not JSON from %s%s: %s", base, path, e.text);
		} else if (!json_is_object(j)) {
			snprintf(why, whylen, "not a JSON object from %s%s", base, path);
			json_decref(j);
			j = NULL;
		}
		return j;
	}
	snprintf(why, whylen, "HTTP 404 from %s%s", base, path);
	return NULL;
}

bool xpu_http_request(const char *url, const char *json_body, double timeout_s, size_t max_body,
		      xpu_http_answer *a, char *why, size_t whylen)
{
	(void)json_body, (void)timeout_s, (void)max_body;
	memset(a, 0, sizeof(*a));
	snprintf(why, whylen, "cannot connect to %s (the fuzzer has no server)", url);
	return false;
}

void xpu_http_answer_free(xpu_http_answer *a)
{
	free(a->body);
	a->body = NULL;
}

bool xpu_http_local_port(const char *url, unsigned *port)
{
	(void)url;
	*port = 0;
	return false;
}

static const xpu_system *fixture(void)
{
	static xpu_system *sys;
	if (!sys) {
		setenv("XPU_PROFILES_DIR", SOURCE_DIR "/profiles", 1);
		xpu_options opt = { .sysroot = SOURCE_DIR "/tests/fixtures/i915-igpu", .probe_runtimes = 0 };
		char err[256];
		if (xpu_discover(&opt, &sys, err, sizeof(err)) != XPU_E_OK)
			abort();
	}
	return sys;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text_after_mode(data, size);
	if (!s)
		return 0;
	char *p = s;
	for (int i = 0; i < PARTS; i++) {
		part[i] = p;
		char *sep = p ? strchr(p, 0x1e) : NULL;
		if (sep)
			*sep = '\0';
		p = sep ? sep + 1 : p + strlen(p);
	}
	xpu_doctor_options opt = { .app = data[0] & 1 ? "comfyui" : "ollama", .url = "http://fuzz",
				   .python = "python-of-the-fuzzer" };
	xpu_doctor_report *r = NULL;
	char err[256];
	if (doc_run_groups(fixture(), &opt, DOC_FRAMEWORKS | DOC_APPS, &r, err, sizeof(err)) != XPU_E_OK)
		abort();
	for (size_t i = 0; i < xpu_doctor_count(r); i++) {
		const xpu_check *k = xpu_doctor_at(r, i);
		if (!k->evidence[0] || (k->verdict == XPU_VERDICT_FAIL && !k->fix[0]))
			abort();
	}
	if ((data[0] & 0xfe) == 0x10) { /* rarely: the report, fuzzed strings and all */
		char *json = xpu_doctor_json(r, false);
		free(json);
	}
	xpu_doctor_free(r);
	free(s);
	return 0;
}
