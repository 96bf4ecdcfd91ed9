/* HTTP GET of a JSON document with libcurl: a hard limit on the whole
 * transfer (connection included), no redirects, a bounded body, and one line
 * saying what went wrong. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/util.h"
#include "doctor/doctor_int.h"

#define BODY_MAX (4 * 1024 * 1024)

typedef struct body {
	char *buf;
	size_t len;
	bool too_big;
} body;

static size_t on_data(char *data, size_t size, size_t n, void *user)
{
	body *b = user;
	size_t add = size * n;
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
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void doc_http_cleanup(void)
{
	curl_global_cleanup();
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
		snprintf(why, whylen, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

json_t *doc_http_json(const char *base, const char *path, double timeout_s, char *why, size_t whylen)
{
	char url[512], errbuf[CURL_ERROR_SIZE] = "";
	snprintf(url, sizeof(url), "%s%s", base, path);
	CURL *h = curl_easy_init();
	if (!h) {
		xpu_strlcpy(why, "libcurl could not start a transfer", whylen);
		return NULL;
	}
	body b = { 0 };
	long ms = (long)(timeout_s * 1000);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM: safe beside the runtimes' threads */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "xpu-doctor/" XPU_VERSION);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	json_t *doc = NULL;
	if (rc != CURLE_OK) {
		transfer_error(rc, errbuf, url, timeout_s, &b, why, whylen);
	} else if (status != 200) {
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
