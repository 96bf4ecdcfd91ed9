/* The HTTP client of libxpu (libcurl, through runtimes/curl_api.h): a hard
 * limit on every transfer (connection included), no redirects, http and
 * https only, the proxy bypassed for this machine, and one line saying what
 * went wrong.  `xpu doctor --app` asks app servers with the one-shot calls;
 * `xpu bench llm` streams many requests at once through a pool. */
#ifndef XPU_CORE_HTTP_H
#define XPU_CORE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct json_t json_t;

/* A whole answer: its HTTP status and body (NUL-terminated, malloc'd). */
typedef struct xpu_http_answer {
	long status;
	char *body;
	size_t len;
} xpu_http_answer;

/* GET url, or POST json_body (Content-Type: application/json) when it is
 * not NULL, keeping at most max_body bytes (0: the status only, the body is
 * read and dropped).  true when the server answered, whatever its status;
 * false with why ("cannot connect to URL (connection refused)", "no answer
 * within 3.0 s from URL", "answer over 4 MiB from URL"). */
bool xpu_http_request(const char *url, const char *json_body, double timeout_s, size_t max_body,
		      xpu_http_answer *a, char *why, size_t whylen);
void xpu_http_answer_free(xpu_http_answer *a);

/* GET base+path as a JSON object (4 MiB at most): NULL with why ("HTTP 404
 * from URL", "not JSON from URL: ...") unless the answer is 200 and an
 * object.  Free with json_decref. */
json_t *xpu_http_get_json(const char *base, const char *path, double timeout_s, char *why, size_t whylen);

/* The TCP port of an http(s) URL whose host is this machine (localhost,
 * 127.x, ::1, 0.0.0.0, this host's name); false for another host. */
bool xpu_http_local_port(const char *url, unsigned *port);

/* --- many streaming transfers at once (curl's multi interface) --- */

/* Body bytes as they arrive, with the HTTP status of the answer.  Returns
 * false to abort the transfer (its end then says "aborted by the reader"). */
typedef bool (*xpu_http_on_data)(void *user, long status, const char *data, size_t len);

typedef struct xpu_http_stream {
	const char *url;
	const char *json_body; /* POST when not NULL, else GET */
	double timeout_s;      /* the whole transfer, connection included */
	xpu_http_on_data on_data;
	void *user;
} xpu_http_stream;

/* A finished transfer. */
typedef struct xpu_http_end {
	void *user;
	bool ok;      /* the whole answer arrived (any HTTP status) */
	long status;  /* 0 when none came */
	char why[256]; /* when !ok: what went wrong, naming the URL */
} xpu_http_end;

typedef struct xpu_http_pool xpu_http_pool;
/* NULL with why when libcurl cannot load. */
xpu_http_pool *xpu_http_pool_new(char *why, size_t whylen);
/* Starts a transfer; false with why (out of memory). */
bool xpu_http_pool_start(xpu_http_pool *p, const xpu_http_stream *s, char *why, size_t whylen);
/* Moves the transfers on for at most wait_ms (less when one ends), calling
 * their on_data; the ones that ended go to ends (at most max, the others at
 * the next call).  Returns how many. */
size_t xpu_http_pool_run(xpu_http_pool *p, double wait_ms, xpu_http_end *ends, size_t max);
/* Transfers started and not yet returned by xpu_http_pool_run. */
size_t xpu_http_pool_active(const xpu_http_pool *p);
/* Aborts what still runs, handing each such transfer's user to drop (when
 * not NULL). */
void xpu_http_pool_free(xpu_http_pool *p, void (*drop)(void *user));

#endif
