/* libcurl's one symbol table (runtimes/curl_api.h). */
#include "runtimes/curl_api.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"

const char *const xpu_curl_libs[] = { "libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL };

static bool curl_resolve(void *lib, xpu_curl_api *a)
{
	return xpu_dl_fn(lib, &a->easy_init, "curl_easy_init", NULL) &&
	       xpu_dl_fn(lib, &a->easy_setopt, "curl_easy_setopt", NULL) &&
	       xpu_dl_fn(lib, &a->easy_perform, "curl_easy_perform", NULL) &&
	       xpu_dl_fn(lib, &a->easy_getinfo, "curl_easy_getinfo", NULL) &&
	       xpu_dl_fn(lib, &a->easy_cleanup, "curl_easy_cleanup", NULL) &&
	       xpu_dl_fn(lib, &a->easy_strerror, "curl_easy_strerror", NULL) &&
	       xpu_dl_fn(lib, &a->multi_init, "curl_multi_init", NULL) &&
	       xpu_dl_fn(lib, &a->multi_add_handle, "curl_multi_add_handle", NULL) &&
	       xpu_dl_fn(lib, &a->multi_remove_handle, "curl_multi_remove_handle", NULL) &&
	       xpu_dl_fn(lib, &a->multi_perform, "curl_multi_perform", NULL) &&
	       xpu_dl_fn(lib, &a->multi_poll, "curl_multi_poll", NULL) &&
	       xpu_dl_fn(lib, &a->multi_info_read, "curl_multi_info_read", NULL) &&
	       xpu_dl_fn(lib, &a->multi_cleanup, "curl_multi_cleanup", NULL) &&
	       xpu_dl_fn(lib, &a->slist_append, "curl_slist_append", NULL) &&
	       xpu_dl_fn(lib, &a->slist_free_all, "curl_slist_free_all", NULL);
}

const xpu_curl_api *xpu_curl_api_get(char *why, size_t whylen)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static xpu_curl_api table;
	static bool tried, ok;
	static char failure[200];
	pthread_mutex_lock(&lock);
	if (!tried) {
		tried = true;
		char err[160];
		void *lib = xpu_dl_open(xpu_curl_libs, err, sizeof(err));
		CURLcode (*global_init)(long flags) = NULL;
		if (!lib)
			snprintf(failure, sizeof(failure), "%s (install libcurl4)", err);
		else if (!curl_resolve(lib, &table) || !xpu_dl_fn(lib, &global_init, "curl_global_init", NULL))
			xpu_strlcpy(failure, "libcurl.so.4 lacks curl_multi_poll: libcurl 7.66 or later is needed",
				    sizeof(failure));
		else
			ok = global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
		if (lib && !ok && !failure[0])
			xpu_strlcpy(failure, "curl_global_init failed", sizeof(failure));
	}
	pthread_mutex_unlock(&lock);
	if (!ok && why && whylen)
		xpu_strlcpy(why, failure, whylen);
	return ok ? &table : NULL;
}
