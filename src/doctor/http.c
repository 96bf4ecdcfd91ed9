/* HTTP GET of a JSON document with libcurl: a hard limit on the whole
 * transfer (connection included), no redirects, a bounded body, and one line
 * saying what went wrong.
 *
 * libcurl is dlopen'd at the first request, not linked: with its TLS, LDAP
 * and Kerberos libraries it adds 4.5 ms to the start of every xpu command
 * (measured on the CI machine), and only `xpu doctor --app` needs it. */
#define CURL_DISABLE_TYPECHECK /* calls go through pointers, not curl's macros */
#include <curl/curl.h>
#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "config.h"
#include "doctor/doctor_int.h"

static struct curl_api {
	bool tried, ok;
	char why[160];
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode rc);
} cu;

/* Loads libcurl once; false with cu.why naming the library and the fix. */
static bool curl_load(void)
{
	if (cu.tried)
		return cu.ok;
	cu.tried = true;
	static const char *const names[] = { "libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so" };
	void *lib = NULL;
	for (size_t i = 0; i < XPU_ARRAY_LEN(names) && !lib; i++)
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		xpu_strlcpy(cu.why, "libcurl.so.4 is not installed (install libcurl4)", sizeof(cu.why));
		return false;
	}
	cu.ok = xpu_dl_fn(lib, &cu.global_init, "curl_global_init", NULL) &&
		xpu_dl_fn(lib, &cu.global_cleanup, "curl_global_cleanup", NULL) &&
		xpu_dl_fn(lib, &cu.easy_init, "curl_easy_init", NULL) &&
		xpu_dl_fn(lib, &cu.easy_setopt, "curl_easy_setopt", NULL) &&
		xpu_dl_fn(lib, &cu.easy_perform, "curl_easy_perform", NULL) &&
		xpu_dl_fn(lib, &cu.easy_getinfo, "curl_easy_getinfo", NULL) &&
		xpu_dl_fn(lib, &cu.easy_cleanup, "curl_easy_cleanup", NULL) &&
		xpu_dl_fn(lib, &cu.easy_strerror, "curl_easy_strerror", NULL);
	if (!cu.ok) {
		xpu_strlcpy(cu.why, "libcurl.so.4 lacks curl_easy_* entry points", sizeof(cu.why));
		return false;
	}
	cu.global_init(CURL_GLOBAL_DEFAULT);
	return true;
}

#define BODY_MAX (4 * 1024 * 1024)

typedef struct body {
	char *buf;
	size_t len;
	bool too_big;
	bool discard; /* only the status is wanted: the body is not kept */
} body;

static size_t on_data(char *data, size_t size, size_t n, void *user)
{
	body *b = user;
	size_t add = size * n;
	if (b->discard)
		return add;
	if (b->len + add > BODY_MAX) {
		b->too_big = true;
		return 0; /* aborts the transfer */
	}
	char *grown = realloc(b->buf, b->len + add + 1);
	if (!grown)
		return 0;
	b->buf = grown;
	memcpy(b->buf + b->len, data, add);
	b->len += add;
	b->buf[b->len] = '\0';
	return add;
}

void doc_http_init(void)
{
	/* libcurl loads at the first request */
}

void doc_http_cleanup(void)
{
	if (cu.ok)
		cu.global_cleanup();
}

static void transfer_error(CURLcode rc, const char *errbuf, const char *url, double timeout_s, const body *b,
			   char *why, size_t whylen)
{
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whylen, "no answer within %.1f s from %s", timeout_s, url);
	else if (b->too_big)
		snprintf(why, whylen, "answer over %d MiB from %s", BODY_MAX >> 20, url);
	else if (rc == CURLE_COULDNT_CONNECT)
		snprintf(why, whylen, "cannot connect to %s (%s)", url, errbuf[0] ? errbuf : "connection refused");
	else
		snprintf(why, whylen, "%s: %s", url, errbuf[0] ? errbuf : cu.easy_strerror(rc));
}

/* GET base+path into b: true when the server answered (any HTTP status, in
 * *status), else false with why.  url gets the address asked. */
static bool http_get(const char *base, const char *path, double timeout_s, body *b, long *status,
		     char *url, size_t urllen, char *why, size_t whylen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	snprintf(url, urllen, "%s%s", base, path);
	if (!curl_load()) {
		xpu_strlcpy(why, cu.why, whylen);
		return false;
	}
	CURL *h = cu.easy_init();
	if (!h) {
		xpu_strlcpy(why, "libcurl could not start a transfer", whylen);
		return false;
	}
	long ms = (long)(timeout_s * 1000);
	cu.easy_setopt(h, CURLOPT_URL, url);
	cu.easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM: safe beside the runtimes' threads */
	cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	cu.easy_setopt(h, CURLOPT_WRITEDATA, b);
	cu.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	cu.easy_setopt(h, CURLOPT_USERAGENT, "xpu-doctor/" XPU_VERSION);
	CURLcode rc = cu.easy_perform(h);
	*status = 0;
	cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	cu.easy_cleanup(h);
	if (rc != CURLE_OK)
		transfer_error(rc, errbuf, url, timeout_s, b, why, whylen);
	return rc == CURLE_OK;
}

bool doc_http_status(const char *base, const char *path, double timeout_s, long *status, char *why,
		     size_t whylen)
{
	char url[512];
	body b = { .discard = true };
	return http_get(base, path, timeout_s, &b, status, url, sizeof(url), why, whylen);
}

json_t *doc_http_json(const char *base, const char *path, double timeout_s, char *why, size_t whylen)
{
	char url[512];
	body b = { 0 };
	long status = 0;
	json_t *doc = NULL;
	bool answered = http_get(base, path, timeout_s, &b, &status, url, sizeof(url), why, whylen);
	if (!answered) {
		free(b.buf); /* why says what failed */
		return NULL;
	}
	if (status != 200) {
		snprintf(why, whylen, "HTTP %ld from %s", status, url);
	} else {
		json_error_t jerr;
		doc = b.buf ? json_loads(b.buf, 0, &jerr) : NULL;
		if (!doc)
			snprintf(why, whylen, "not JSON from %s: %s", url, b.buf ? jerr.text : "empty answer");
		else if (!json_is_object(doc)) {
			snprintf(why, whylen, "not a JSON object from %s", url);
			json_decref(doc);
			doc = NULL;
		}
	}
	free(b.buf);
	return doc;
}
