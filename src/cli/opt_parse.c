#include "cli/opt_parse.h"

#include <math.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_interval(const char *s, double *seconds)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return false;
	if (strcmp(end, "ms") == 0)
		v /= 1000.0;
	else if (strcmp(end, "m") == 0)
		v *= 60.0;
	else if (strcmp(end, "s") != 0 && *end)
		return false;
	if (v < 0.1 || v > 3600.0)
		return false;
	*seconds = v;
	return true;
}

/* 1 to 5 decimal digits of at most 65535. */
static bool port_ok(const char *p)
{
	size_t n = strspn(p, "0123456789");
	return n > 0 && n <= 5 && p[n] == '\0' && strtoul(p, NULL, 10) <= 65535;
}

bool cli_parse_listen(const char *spec, struct sockaddr_storage *out, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || !port_ok(colon + 1) || (size_t)(colon - spec) >= sizeof(host))
		return false;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[') { /* [v6]:port */
		size_t n = strlen(host);
		if (n < 3 || host[n - 1] != ']')
			return false;
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai)
		return false;
	bool fits = ai->ai_addrlen <= sizeof(*out);
	if (fits) {
		memcpy(out, ai->ai_addr, ai->ai_addrlen);
		*len = ai->ai_addrlen;
	}
	freeaddrinfo(ai);
	return fits;
}
