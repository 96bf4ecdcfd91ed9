/* A bound on the time a connection may take to deliver each whole request
 * (xpu exporter).  An HTTP server's idle timeout restarts with every byte,
 * so a client that sends a header line every few seconds (slowloris) holds
 * its connection for ever; here each connection's clock starts when it
 * opens or its previous answer is sent, and the connections past their time
 * are shut down, however busy they look.  Knows sockets, not HTTP. */
#ifndef XPU_CLI_HTTP_GUARD_H
#define XPU_CLI_HTTP_GUARD_H

typedef struct http_guard http_guard;

/* Room for slots connections, each allowed limit_s seconds per request. */
http_guard *http_guard_new(unsigned slots, double limit_s);
void http_guard_free(http_guard *g);
/* A connection opened on fd: its clock starts.  Returns its slot, or NULL
 * when every slot is taken (the connection is then shut down at once). */
void *http_guard_start(http_guard *g, int fd);
/* Its answer was sent: the clock starts again for the next request. */
void http_guard_restart(http_guard *g, void *slot);
/* It closed: its slot is free (before its descriptor is closed). */
void http_guard_end(http_guard *g, void *slot);
/* Shuts down (shutdown(2), not close: the server still owns the
 * descriptor) every connection past its time; returns how many. */
unsigned http_guard_reap(http_guard *g);

#endif
