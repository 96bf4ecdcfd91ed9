/* One sweep of /proc for DRM clients: every process's file descriptors that
 * point at /dev/dri/, their fdinfo parsed, duplicates (the same open file
 * reached through dup'd or inherited fds: same drm-pdev and drm-client-id)
 * kept once, with the lowest pid. */
#ifndef XPU_TELEMETRY_PROCSCAN_H
#define XPU_TELEMETRY_PROCSCAN_H

#include <stddef.h>

#include "sys/sys.h"
#include "telemetry/fdinfo.h"

typedef struct xpu_drm_client {
	int pid;
	char command[XPU_COMMAND_LEN];
	xpu_fdinfo info;
} xpu_drm_client;

typedef struct xpu_drm_clients {
	xpu_drm_client *items;
	size_t count, cap;
	unsigned hidden;   /* processes whose descriptors this user may not read */
	xpu_status status; /* OK, or why some processes were hidden */
} xpu_drm_clients;

void xpu_drm_scan(const xsys *s, xpu_drm_clients *out);
void xpu_drm_clients_free(xpu_drm_clients *c);

#endif
