#include "telemetry/procscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"

/* fdinfo of a DRM fd is a few hundred bytes; more is none of ours. */
enum { FDINFO_MAX = 16384 };

/* A /proc folder's pid, or -1 for a name that is none: digits only, at
 * most 9 of them (pid_max is at most 2^22), so that no sum or conversion
 * can overflow whatever a recorded tree names its folders
 * ("-2147483648" made the sort's subtraction overflow). */
static int pid_of(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 9 || strspn(name, "0123456789") != n)
		return -1;
	return atoi(name);
}

/* Whether /proc/PID/fd/FD points at a DRM node.  readlink, not open: it
 * costs no file and works on recorded trees, where the link dangles. */
static bool is_drm_fd(const xsys *s, const char *pid, const char *fd)
{
	char path[XSYS_PATH_MAX], target[256];
	xsys_path(s, path, sizeof(path), "/proc/%s/fd/%s", pid, fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return xpu_starts_with(target, "/dev/dri/");
}

static bool seen_client(const xpu_drm_clients *c, const xpu_fdinfo *f)
{
	if (!f->has_client_id)
		return false;
	for (size_t i = 0; i < c->count; i++) {
		const xpu_fdinfo *o = &c->items[i].info;
		if (o->has_client_id && o->client_id == f->client_id && strcmp(o->pdev, f->pdev) == 0 &&
		    strcmp(o->driver, f->driver) == 0)
			return true;
	}
	return false;
}

static xpu_drm_client *append(xpu_drm_clients *c)
{
	if (c->count == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		xpu_drm_client *n = realloc(c->items, ncap * sizeof(*n));
		if (!n)
			return NULL;
		c->items = n;
		c->cap = ncap;
	}
	return &c->items[c->count++];
}

static void command_of(const xsys *s, const char *pid, char *out, size_t len)
{
	if (xsys_text(s, out, len, "/proc/%s/comm", pid) != XSYS_OK)
		xpu_strlcpy(out, "?", len);
}

static void scan_fd(const xsys *s, xpu_drm_clients *c, const char *pid, const char *fd,
		    xpu_fdinfo *scratch)
{
	if (!is_drm_fd(s, pid, fd))
		return;
	char *text = NULL;
	size_t n = 0;
	if (xsys_slurp(s, &text, &n, FDINFO_MAX, "/proc/%s/fdinfo/%s", pid, fd) != XSYS_OK)
		return;
	bool drm = xpu_fdinfo_parse(text, scratch);
	free(text);
	if (!drm || seen_client(c, scratch))
		return;
	xpu_drm_client *cl = append(c);
	if (!cl)
		return;
	cl->pid = pid_of(pid);
	command_of(s, pid, cl->command, sizeof(cl->command));
	cl->info = *scratch;
}

static void scan_process(const xsys *s, xpu_drm_clients *c, const char *pid, xpu_fdinfo *scratch)
{
	xsys_names fds;
	xsys_rc rc = xsys_list(s, &fds, "/proc/%s/fd", pid);
	if (rc == XSYS_DENIED) {
		c->hidden++;
		return;
	}
	if (rc != XSYS_OK)
		return; /* the process ended meanwhile */
	for (size_t i = 0; i < fds.count; i++)
		scan_fd(s, c, pid, fds.names[i], scratch);
	xsys_names_free(&fds);
}

typedef struct proc_entry {
	int pid;
	const char *name;
} proc_entry;

static int by_pid(const void *a, const void *b)
{
	int x = ((const proc_entry *)a)->pid, y = ((const proc_entry *)b)->pid;
	return (x > y) - (x < y);
}

void xpu_drm_scan(const xsys *s, xpu_drm_clients *c)
{
	c->count = 0;
	c->hidden = 0;
	xsys_names procs;
	xsys_rc rc = xsys_list(s, &procs, "/proc");
	if (rc != XSYS_OK) {
		xpu_read_fail(&c->status, rc, "/proc");
		return;
	}
	/* ascending pids: of the processes sharing one open file, the parent
	 * (usually the lower pid) is credited */
	proc_entry *pids = malloc((procs.count ? procs.count : 1) * sizeof(*pids));
	size_t n = 0;
	for (size_t i = 0; pids && i < procs.count; i++)
		if ((pids[n].pid = pid_of(procs.names[i])) >= 0)
			pids[n++].name = procs.names[i];
	if (n > 1)
		qsort(pids, n, sizeof(*pids), by_pid);
	xpu_fdinfo *scratch = malloc(sizeof(*scratch));
	for (size_t i = 0; scratch && pids && i < n; i++)
		scan_process(s, c, pids[i].name, scratch);
	free(scratch);
	free(pids);
	xsys_names_free(&procs);
	if (c->hidden)
		xpu_set_status(&c->status, XPU_UNAVAILABLE, XPU_R_PERMISSION_DENIED,
			       "/proc/PID/fd of %u processes of other users (run as root, or grant "
			       "CAP_SYS_PTRACE, to see them)",
			       c->hidden);
	else
		xpu_set_ok(&c->status);
}

void xpu_drm_clients_free(xpu_drm_clients *c)
{
	free(c->items);
	memset(c, 0, sizeof(*c));
}
