/* The HTTP client (core/http.h) over libcurl's table (runtimes/curl_api.h). */
#include "core/http.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "config.h"
#include "runtimes/curl_api.h"

/* --- what every transfer shares --- */

/* The options of every transfer: a hard time limit, no signals, no
 * redirects (curl's default), http and https only, no proxy for this
 * machine. */
static void common_options(const xpu_curl_api *cu, CURL *h, const char *url, double timeout_s, char *errbuf)
{
	long ms = (long)(timeout_s * 1000);
	if (ms < 1)
		ms = 1;
	cu->easy_setopt(h, CURLOPT_URL, url);
	cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM: safe beside the runtimes' threads */
	cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	cu->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	cu->easy_setopt(h, CURLOPT_USERAGENT, "xpu/" XPU_VERSION);
}

/* A JSON body to POST: its header list (NULL when out of memory). */
static struct curl_slist *post_json(const xpu_curl_api *cu, CURL *h, const char *body)
{
	struct curl_slist *headers = cu->slist_append(NULL, "Content-Type: application/json");
	cu->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	cu->easy_setopt(h, CURLOPT_POSTFIELDS, body);
	return headers;
}

static void transfer_error(const xpu_curl_api *cu, CURLcode rc, const char *errbuf, const char *url,
			   double timeout_s, size_t too_big, char *why, size_t whylen)
{
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whylen, "no answer within %.1f s from %s", timeout_s, url);
	else if (too_big)
		snprintf(why, whylen, "answer over %zu MiB from %s", too_big >> 20, url);
	else if (rc == CURLE_COULDNT_CONNECT)
		snprintf(why, whylen, "cannot connect to %s (%s)", url, errbuf[0] ? errbuf : "connection refused");
	else if (rc == CURLE_WRITE_ERROR)
		snprintf(why, whylen, "%s: aborted by the reader", url);
	else
		snprintf(why, whylen, "%s: %s", url, errbuf[0] ? errbuf : cu->easy_strerror(rc));
}

/* --- one request, whole answer --- */

typedef struct body {
	xpu_http_answer *a;
	size_t max;
	bool too_big;
} body;

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	body *b = user;
	size_t add = size * n;
	if (!b->max)
		return add; /* the status only */
	if (b->a->len + add > b->max) {
		b->too_big = true;
		return 0; /* aborts the transfer */
	}
	char *grown = realloc(b->a->body, b->a->len + add + 1);
	if (!grown)
		return 0;
	b->a->body = grown;
	memcpy(grown + b->a->len, data, add);
	b->a->len += add;
	grown[b->a->len] = '\0';
	return add;
}

bool xpu_http_request(const char *url, const char *json_body, double timeout_s, size_t max_body,
		      xpu_http_answer *a, char *why, size_t whylen)
{
	memset(a, 0, sizeof(*a));
	const xpu_curl_api *cu = xpu_curl_api_get(why, whylen);
	if (!cu)
		return false;
	CURL *h = cu->easy_init();
	if (!h) {
		xpu_strlcpy(why, "libcurl could not start a transfer", whylen);
		return false;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	body b = { .a = a, .max = max_body };
	common_options(cu, h, url, timeout_s, errbuf);
	struct curl_slist *headers = json_body ? post_json(cu, h, json_body) : NULL;
	cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(h, CURLOPT_WRITEDATA, &b);
	CURLcode rc = cu->easy_perform(h);
	cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
	cu->easy_cleanup(h);
	cu->slist_free_all(headers);
	if (rc != CURLE_OK) {
		transfer_error(cu, rc, errbuf, url, timeout_s, b.too_big ? max_body : 0, why, whylen);
		xpu_http_answer_free(a);
	}
	return rc == CURLE_OK;
}

void xpu_http_answer_free(xpu_http_answer *a)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
}

#define JSON_MAX (4u << 20)

json_t *xpu_http_get_json(const char *base, const char *path, double timeout_s, char *why, size_t whylen)
{
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", base, path);
	xpu_http_answer a;
	if (!xpu_http_request(url, NULL, timeout_s, JSON_MAX, &a, why, whylen))
		return NULL;
	json_t *doc = NULL;
	if (a.status != 200) {
		snprintf(why, whylen, "HTTP %ld from %s", a.status, url);
	} else {
		json_error_t jerr;
		doc = a.body ? json_loads(a.body, 0, &jerr) : NULL;
		if (!doc)
			snprintf(why, whylen, "not JSON from %s: %s", url, a.body ? jerr.text : "empty answer");
		else if (!json_is_object(doc)) {
			snprintf(why, whylen, "not a JSON object from %s", url);
			json_decref(doc);
			doc = NULL;
		}
	}
	xpu_http_answer_free(&a);
	return doc;
}

/* --- the URL --- */

bool xpu_http_local_port(const char *url, unsigned *port)
{
	const char *p = strstr(url, "://");
	*port = strncmp(url, "https", 5) == 0 ? 443 : 80;
	p = p ? p + 3 : url;
	char host[256], self[256] = "";
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(p, "/"), p);
	char *colon = strrchr(host, ':'), *bracket = strrchr(host, ']');
	if (colon && (!bracket || colon > bracket)) {
		*port = (unsigned)strtoul(colon + 1, NULL, 10);
		*colon = '\0';
	}
	if (bracket) /* [::1] */
		*bracket = '\0';
	const char *h = host[0] == '[' ? host + 1 : host;
	gethostname(self, sizeof(self) - 1);
	bool local = xpu_starts_with(h, "127.") || !strcmp(h, "localhost") || !strcmp(h, "::1") ||
		     !strcmp(h, "0.0.0.0") || (self[0] && !strcmp(h, self));
	return local && *port > 0 && *port < 65536;
}

/* --- the pool --- */

typedef struct transfer {
	struct transfer *next;
	const xpu_curl_api *cu;
	CURL *h;
	struct curl_slist *headers;
	xpu_http_on_data on_data;
	void *user;
	long status;
	double timeout_s;
	char url[512];
	char errbuf[CURL_ERROR_SIZE];
} transfer;

struct xpu_http_pool {
	const xpu_curl_api *cu;
	CURLM *m;
	transfer *active;
	size_t n_active;
};

static size_t on_stream(char *data, size_t size, size_t n, void *user)
{
	transfer *t = user;
	if (!t->status) /* the headers are in: the status is known from here on */
		t->cu->easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &t->status);
	return t->on_data(t->user, t->status, data, size * n) ? size * n : 0;
}

xpu_http_pool *xpu_http_pool_new(char *why, size_t whylen)
{
	const xpu_curl_api *cu = xpu_curl_api_get(why, whylen);
	if (!cu)
		return NULL;
	xpu_http_pool *p = calloc(1, sizeof(*p));
	if (p && !(p->m = cu->multi_init())) {
		free(p);
		p = NULL;
	}
	if (!p)
		xpu_strlcpy(why, "libcurl could not start a transfer pool (out of memory)", whylen);
	else
		p->cu = cu;
	return p;
}

static void transfer_free(xpu_http_pool *p, transfer *t)
{
	p->cu->multi_remove_handle(p->m, t->h);
	p->cu->easy_cleanup(t->h);
	p->cu->slist_free_all(t->headers);
	free(t);
}

bool xpu_http_pool_start(xpu_http_pool *p, const xpu_http_stream *s, char *why, size_t whylen)
{
	transfer *t = calloc(1, sizeof(*t));
	CURL *h = t ? p->cu->easy_init() : NULL;
	if (!h) {
		free(t);
		xpu_strlcpy(why, "libcurl could not start a transfer (out of memory)", whylen);
		return false;
	}
	*t = (transfer){ .cu = p->cu, .h = h, .on_data = s->on_data, .user = s->user, .timeout_s = s->timeout_s };
	xpu_strlcpy(t->url, s->url, sizeof(t->url));
	common_options(p->cu, t->h, t->url, s->timeout_s, t->errbuf);
	if (s->json_body)
		t->headers = post_json(p->cu, t->h, s->json_body);
	p->cu->easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_stream);
	p->cu->easy_setopt(t->h, CURLOPT_WRITEDATA, t);
	p->cu->easy_setopt(t->h, CURLOPT_PRIVATE, t);
	if (p->cu->multi_add_handle(p->m, t->h) != CURLM_OK) {
		p->cu->easy_cleanup(t->h);
		p->cu->slist_free_all(t->headers);
		free(t);
		xpu_strlcpy(why, "libcurl refused a transfer", whylen);
		return false;
	}
	t->next = p->active;
	p->active = t;
	p->n_active++;
	return true;
}

/* Takes t off the active list and frees it, its end in e. */
static void transfer_end(xpu_http_pool *p, transfer *t, CURLcode rc, xpu_http_end *e)
{
	for (transfer **at = &p->active; *at; at = &(*at)->next)
		if (*at == t) {
			*at = t->next;
			break;
		}
	p->n_active--;
	p->cu->easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &t->status);
	*e = (xpu_http_end){ .user = t->user, .ok = rc == CURLE_OK, .status = t->status };
	if (rc != CURLE_OK)
		transfer_error(p->cu, rc, t->errbuf, t->url, t->timeout_s, 0, e->why, sizeof(e->why));
	transfer_free(p, t);
}

static size_t collect_ends(xpu_http_pool *p, xpu_http_end *ends, size_t max)
{
	size_t n = 0;
	int left = 0;
	CURLMsg *msg;
	while (n < max && (msg = p->cu->multi_info_read(p->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		transfer *t = NULL;
		p->cu->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t)
			transfer_end(p, t, msg->data.result, &ends[n++]);
	}
	return n;
}

size_t xpu_http_pool_run(xpu_http_pool *p, double wait_ms, xpu_http_end *ends, size_t max)
{
	int running = 0;
	size_t n = collect_ends(p, ends, max);
	if (n)
		return n;
	p->cu->multi_perform(p->m, &running);
	n = collect_ends(p, ends, max);
	if (n || !p->n_active)
		return n;
	int ms = wait_ms > 0 ? (int)(wait_ms + 0.999) : 0;
	p->cu->multi_poll(p->m, NULL, 0, ms, NULL);
	p->cu->multi_perform(p->m, &running);
	return collect_ends(p, ends, max);
}

size_t xpu_http_pool_active(const xpu_http_pool *p)
{
	return p->n_active;
}

void xpu_http_pool_free(xpu_http_pool *p, void (*drop)(void *user))
{
	if (!p)
		return;
	while (p->active) {
		transfer *t = p->active;
		p->active = t->next;
		if (drop)
			drop(t->user);
		transfer_free(p, t);
	}
	p->cu->multi_cleanup(p->m);
	free(p);
}
