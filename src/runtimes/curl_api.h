/* libcurl as libxpu calls it: its sonames and one symbol table (the easy
 * and the multi interface), resolved once per process.  The HTTP client of
 * src/core/http.c is its one user; `xpu doctor --app` and `xpu bench llm`
 * go through that client.
 *
 * libcurl is dlopen'd at the first request, never linked: with its TLS, LDAP
 * and Kerberos libraries it adds 4.5 ms to the start of every xpu command
 * (measured on the CI machine), and only the commands that speak HTTP need
 * it.  The types come from libcurl's own header (a build dependency:
 * libcurl4-openssl-dev); the calls go through the table. */
#ifndef XPU_RUNTIMES_CURL_API_H
#define XPU_RUNTIMES_CURL_API_H

#define CURL_DISABLE_TYPECHECK /* calls go through pointers, not curl's macros */
#include <curl/curl.h>
#include <stddef.h>

/* The names dlopen tries, in order; NULL-terminated. */
extern const char *const xpu_curl_libs[];

typedef struct xpu_curl_api {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode rc);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd *extra, unsigned n, int timeout_ms, int *ready);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
} xpu_curl_api;

/* The table, libcurl loaded and initialised at the first call and kept; NULL
 * with why (the library and the fix) when it cannot load or lacks an entry
 * point (libcurl 7.66 or later: curl_multi_poll). */
const xpu_curl_api *xpu_curl_api_get(char *why, size_t whylen);

#endif
