/* Who listens on a TCP port of this machine: /proc/net/tcp and tcp6 give
 * the listening socket's inode, /proc/PID/fd links name its owner.  For
 * `xpu doctor --app` and `xpu bench llm`, which find a local server's
 * process (its environment, its device) from its URL. */
#ifndef XPU_SYS_NET_H
#define XPU_SYS_NET_H

#include "sys/sys.h"

/* The pid of the process listening on port (IPv4 or IPv6), 0 when none is
 * seen: no listener, or one this user may not look into. */
int xsys_tcp_listener(const xsys *s, unsigned port);

/* The port of a /proc/net/tcp line's local address when its state is
 * LISTEN (0A), with its inode; false for any other line.  (Pure.) */
bool xsys_tcp_listen_line(const char *line, unsigned *port, unsigned long *inode);

#endif
