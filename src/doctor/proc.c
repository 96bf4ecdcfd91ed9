/* Runs a program with a hard time limit: posix_spawn (safe although the
 * runtimes started threads), stdout and stderr read through poll until the
 * deadline, then the child's whole process group killed and reaped, and
 * with it every descendant that left the group: xpu is their subreaper
 * (PR_SET_CHILD_SUBREAPER), so an orphan of the probe (a python's child
 * that called setsid, then lost its parent) becomes xpu's child, which is
 * killed and reaped too, until none is left. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <dirent.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doctor/doctor_int.h"

extern char **environ;

#define OUT_MAX (256 * 1024)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct sink {
	char *buf;
	size_t len, cap;
} sink;

/* Appends what is readable; false at EOF or error. */
static bool drain(int fd, sink *s)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (s->len + (size_t)n + 1 > s->cap && s->cap < OUT_MAX) {
		size_t cap = s->cap ? s->cap * 2 : 8192;
		while (cap < s->len + (size_t)n + 1 && cap < OUT_MAX)
			cap *= 2;
		char *grown = realloc(s->buf, cap);
		if (grown) {
			s->buf = grown;
			s->cap = cap;
		}
	}
	size_t room = s->cap > s->len + 1 ? s->cap - s->len - 1 : 0;
	size_t take = (size_t)n < room ? (size_t)n : room; /* beyond OUT_MAX: dropped */
	if (take) {
		memcpy(s->buf + s->len, chunk, take);
		s->len += take;
		s->buf[s->len] = '\0';
	}
	return true;
}

static pid_t spawn(const char *const argv[], int out_fd, int err_fd, int *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	posix_spawnattr_init(&attr);
	/* its own process group: a timeout kills whatever it started too */
	posix_spawnattr_setpgroup(&attr, 0);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	pid_t pid = -1;
	*err = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return *err ? -1 : pid;
}

/* Reads both pipes until EOF on both or the deadline; true at EOF. */
static bool collect(int out_fd, int err_fd, double deadline, sink *out, sink *err)
{
	struct pollfd fds[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = err_fd, .events = POLLIN } };
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		double left = deadline - now_s();
		if (left <= 0)
			return false;
		int rc = poll(fds, 2, (int)(left * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			return false;
		for (int i = 0; i < 2 && rc > 0; i++)
			if (fds[i].fd >= 0 && fds[i].revents && !drain(fds[i].fd, i ? err : out))
				fds[i].fd = -1;
	}
	return true;
}

/* Waits for the child until the deadline; false when it is still running. */
static bool reap_until(pid_t pid, double deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		if (now_s() >= deadline)
			return false;
		struct timespec nap = { 0, 10 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
}

/* ---- every descendant ---- */

enum { MAX_KIDS = 256 };

typedef struct kids {
	pid_t pid[MAX_KIDS];
	size_t n;
} kids;

static bool has_kid(const kids *k, pid_t pid)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->pid[i] == pid)
			return true;
	return false;
}

/* The pids in one /proc/self/task/TID/children file (the children that
 * thread started or adopted); false when the kernel has no such file
 * (CONFIG_PROC_CHILDREN). */
static bool read_children(const char *path, kids *out)
{
	char text[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return true;
	text[n] = '\0';
	char *save = NULL;
	for (char *w = strtok_r(text, " \n", &save); w && out->n < MAX_KIDS; w = strtok_r(NULL, " \n", &save)) {
		pid_t pid = (pid_t)strtol(w, NULL, 10);
		if (pid > 0 && !has_kid(out, pid))
			out->pid[out->n++] = pid;
	}
	return true;
}

/* Without the children files: every process whose parent is this one, from
 * the fourth field of /proc/PID/stat (after the command's closing ')'). */
static void scan_children(kids *out)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	for (struct dirent *e = readdir(d); e && out->n < MAX_KIDS; e = readdir(d)) {
		char path[300], text[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		text[n] = '\0';
		const char *paren = strrchr(text, ')');
		int ppid = 0;
		if (paren && sscanf(paren + 1, " %*c %d", &ppid) == 1 && ppid == getpid())
			out->pid[out->n++] = (pid_t)strtol(e->d_name, NULL, 10);
	}
	closedir(d);
}

/* This process's children, whichever thread adopted them. */
static void children(kids *out)
{
	out->n = 0;
	bool listed = false;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
		char path[300];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		listed |= read_children(path, out);
	}
	if (d)
		closedir(d);
	if (!listed)
		scan_children(out);
}

/* Kills and reaps every child that was not there before (spare), and the
 * children each one leaves to us, for at most a second.  A child is ours
 * until we reap it, so its pid cannot name another process meanwhile. */
static void reap_descendants(const kids *spare)
{
	double until = now_s() + 1.0;
	kids k;
	for (children(&k); now_s() < until; children(&k)) {
		size_t killed = 0;
		for (size_t i = 0; i < k.n; i++) {
			if (has_kid(spare, k.pid[i]))
				continue;
			kill(-k.pid[i], SIGKILL); /* its own group, when it made one (setsid) */
			kill(k.pid[i], SIGKILL);
			waitpid(k.pid[i], NULL, 0);
			killed++;
		}
		if (!killed)
			return;
	}
}

static void last_line(const sink *s, char *out, size_t len)
{
	out[0] = '\0';
	if (!s->len)
		return;
	size_t end = s->len;
	while (end && (s->buf[end - 1] == '\n' || s->buf[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start && s->buf[start - 1] != '\n')
		start--;
	size_t n = end - start < len - 1 ? end - start : len - 1;
	memcpy(out, s->buf + start, n);
	out[n] = '\0';
}

void doc_proc_run(const char *const argv[], double timeout_s, doc_proc *p)
{
	memset(p, 0, sizeof(*p));
	int out_pipe[2], err_pipe[2];
	if (pipe2(out_pipe, O_CLOEXEC) != 0) {
		p->end = DOC_PROC_SPAWN_FAILED;
		p->spawn_errno = errno;
		return;
	}
	if (pipe2(err_pipe, O_CLOEXEC) != 0) {
		p->end = DOC_PROC_SPAWN_FAILED;
		p->spawn_errno = errno;
		close(out_pipe[0]);
		close(out_pipe[1]);
		return;
	}
	/* orphans of the probe come to us, not to init (once is enough) */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	kids before;
	children(&before);
	int err = 0;
	pid_t pid = spawn(argv, out_pipe[1], err_pipe[1], &err);
	close(out_pipe[1]);
	close(err_pipe[1]);
	sink out = { 0 }, errs = { 0 };
	if (pid < 0) {
		p->end = err == ENOENT ? DOC_PROC_NOT_FOUND : DOC_PROC_SPAWN_FAILED;
		p->spawn_errno = err;
	} else {
		double deadline = now_s() + timeout_s;
		int status = 0;
		bool done = collect(out_pipe[0], err_pipe[0], deadline, &out, &errs) &&
			    reap_until(pid, deadline, &status);
		if (!done) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0); /* SIGKILL cannot be ignored: this returns */
			p->end = DOC_PROC_TIMED_OUT;
		} else if (WIFSIGNALED(status)) {
			p->end = DOC_PROC_SIGNALED;
			p->term_signal = WTERMSIG(status);
		} else {
			p->end = DOC_PROC_EXITED;
			p->exit_code = WEXITSTATUS(status);
		}
		/* what it left, in its group or not, is ours now */
		reap_descendants(&before);
	}
	close(out_pipe[0]);
	close(err_pipe[0]);
	p->out = out.buf;
	p->out_len = out.len;
	last_line(&errs, p->err_tail, sizeof(p->err_tail));
	free(errs.buf);
}

void doc_proc_free(doc_proc *p)
{
	free(p->out);
	p->out = NULL;
}
