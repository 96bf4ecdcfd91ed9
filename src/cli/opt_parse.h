/* Pure parsers of option values (no I/O, no globals), apart from the
 * commands that use them so that the fuzzer can take them alone. */
#ifndef XPU_CLI_OPT_PARSE_H
#define XPU_CLI_OPT_PARSE_H

#include <stdbool.h>
#include <sys/socket.h>

/* "500ms", "1s", "1.5", "2m" -> seconds, within 0.1 s .. 1 h. */
bool cli_parse_interval(const char *s, double *seconds);
/* "127.0.0.1:9835", "[::1]:9835", "0.0.0.0:0" -> a socket address.  The
 * host is numeric, the port decimal digits from 0 to 65535 (getaddrinfo
 * alone took 99999 as 34463). */
bool cli_parse_listen(const char *spec, struct sockaddr_storage *out, socklen_t *len);

#endif
