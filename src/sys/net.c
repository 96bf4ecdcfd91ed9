/* The listener of a TCP port (sys/net.h). */
#include "sys/net.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool xsys_tcp_listen_line(const char *line, unsigned *port, unsigned long *inode)
{
	char local[64], state[8];
	/* "  0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 12345 ..." */
	if (sscanf(line, "%*s %63s %*s %7s %*s %*s %*s %*s %*s %lu", local, state, inode) != 3)
		return false;
	const char *colon = strrchr(local, ':');
	if (!colon || strcmp(state, "0A") != 0)
		return false;
	*port = (unsigned)strtoul(colon + 1, NULL, 16);
	return true;
}

static unsigned long listening_inode(const xsys *s, unsigned port)
{
	static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	unsigned long found = 0;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]) && !found; t++) {
		char *text = NULL;
		size_t n = 0;
		if (xsys_slurp(s, &text, &n, 16u << 20, "%s", tables[t]) != XSYS_OK)
			continue;
		for (char *line = strchr(text, '\n'); line && !found; line = strchr(line + 1, '\n')) {
			unsigned p;
			unsigned long inode;
			if (xsys_tcp_listen_line(line + 1, &p, &inode) && p == port)
				found = inode;
		}
		free(text);
	}
	return found;
}

/* Whether one of pid's descriptors (the folder fd) is socket want. */
static bool holds_socket(const xsys *s, const char *pid, const char *want)
{
	char path[XSYS_PATH_MAX], target[64];
	DIR *d = opendir(xsys_path(s, path, sizeof(path), "/proc/%s/fd", pid));
	bool found = false;
	for (struct dirent *e; d && !found && (e = readdir(d)) != NULL;) {
		xsys_path(s, path, sizeof(path), "/proc/%s/fd/%s", pid, e->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1); /* readlink: opening a socket is no read */
		if (n > 0) {
			target[n] = '\0';
			found = strcmp(target, want) == 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

int xsys_tcp_listener(const xsys *s, unsigned port)
{
	unsigned long inode = listening_inode(s, port);
	if (!inode)
		return 0;
	char want[48];
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	xsys_names procs = { 0 };
	int pid = 0;
	xsys_list(s, &procs, "/proc");
	for (size_t i = 0; i < procs.count && !pid; i++)
		if (isdigit((unsigned char)procs.names[i][0]) && holds_socket(s, procs.names[i], want))
			pid = atoi(procs.names[i]);
	xsys_names_free(&procs);
	return pid;
}
