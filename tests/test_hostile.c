/* Issue 15: every kind of file where xpu expects a regular one, at every
 * path of every fixture tree (its files and its links): a FIFO (a read
 * used to wait for a writer for ever), a socket, a device node (/dev/zero's
 * numbers: endless), a loop of links, a folder, a 100 MB file, and (as
 * nobody) an unreadable file.  Each replay must end in bounded time (an
 * alarm names the path that hung), run clean under ASan and UBSan, and
 * give every value it read there a reason that says what was found: "not
 * a regular file in the sysroot", "permission denied".  The discovery
 * cache gets the same kinds in tests/unit/test_cache.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xpu/xpu.h"

#ifndef SOURCE_DIR
#error SOURCE_DIR must name the source tree
#endif

typedef enum kind { FIFO, SOCKET, DEVICE, LOOP, FOLDER, HUGE, UNREADABLE, KINDS } kind;
static const char *const kind_names[KINDS] = { "FIFO", "socket", "device node", "loop of links",
					       "folder", "100 MB file", "unreadable file" };

static char tree[256], aside[300];
static const char *now_path, *now_kind; /* for the alarm's message */

static void on_alarm(int sig)
{
	(void)sig;
	char msg[600];
	int n = snprintf(msg, sizeof(msg), "HUNG: a %s at %s did not end within 10 s\n", now_kind, now_path);
	if (write(2, msg, (size_t)n) < 0) {
		/* nothing more to say */
	}
	_exit(99);
}

/* The machine paths of a tree: its files and links, below sys, proc, dev. */
static size_t walk(const char *dir, const char *rel, char paths[][256], size_t n, size_t max)
{
	DIR *d = opendir(dir);
	if (!d)
		return n;
	for (struct dirent *e = readdir(d); e && n < max; e = readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		char full[512], mrel[256];
		snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
		snprintf(mrel, sizeof(mrel), "%s/%s", rel, e->d_name);
		struct stat st;
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			n = walk(full, mrel, paths, n, max);
		else
			snprintf(paths[n++], 256, "%s", mrel);
	}
	closedir(d);
	return n;
}

/* A socket bound at path, from inside its folder: sun_path holds 108 bytes
 * and a fixture's paths are longer. */
static bool make_socket(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	int here = open(".", O_RDONLY | O_DIRECTORY), s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", slash + 1);
	bool ok = here >= 0 && s >= 0 && chdir(dir) == 0 &&
		  bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (here >= 0 && fchdir(here) != 0)
		ok = false;
	if (here >= 0)
		close(here);
	if (s >= 0)
		close(s); /* the socket file stays, as one a dead server left */
	return ok;
}

/* 100 MB without the disk: a sparse file */
static bool make_huge(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	bool ok = fd >= 0 && ftruncate(fd, 100 << 20) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool plant(kind k, const char *path)
{
	switch (k) {
	case FIFO: return mkfifo(path, 0644) == 0;
	case SOCKET: return make_socket(path);
	case DEVICE: return mknod(path, S_IFCHR | 0644, makedev(1, 5)) == 0;
	case LOOP: return symlink(strrchr(path, '/') + 1, path) == 0; /* itself, by name */
	case FOLDER: return mkdir(path, 0755) == 0;
	case HUGE: return make_huge(path);
	case UNREADABLE: return chmod(path, 0) == 0;
	default: return false;
	}
}

/* Every status naming the path says what it found there. */
static int check_reasons(json_t *j, const char *mpath, kind k)
{
	int bad = 0;
	if (json_is_object(j)) {
		const char *detail = json_string_value(json_object_get(j, "detail"));
		const char *reason = json_string_value(json_object_get(j, "reason"));
		size_t n = strlen(mpath);
		if (detail && reason && strncmp(detail, mpath, n) == 0 && (!detail[n] || detail[n] == ':')) {
			bool clear = k == HUGE ||
				     (k == UNREADABLE ? strcmp(reason, "permission_denied") == 0
						      : strstr(detail, "not a regular file") != NULL);
			if (!clear) {
				print_error("a %s at %s: reason %s, detail '%s'\n", kind_names[k], mpath, reason, detail);
				bad++;
			}
		}
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v)
			bad += check_reasons(v, mpath, k);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			bad += check_reasons(v, mpath, k);
	}
	return bad;
}

/* One replay with kind k at the machine path mpath. */
static int replay(const char *mpath, kind k)
{
	char path[600];
	snprintf(path, sizeof(path), "%s%s", tree, mpath);
	if (k == UNREADABLE) {
		struct stat st;
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			return 0; /* a link has no mode of its own */
	} else if (rename(path, aside) != 0) {
		print_error("cannot move %s aside\n", path);
		return 1;
	}
	if (!plant(k, path)) {
		print_error("cannot make a %s at %s\n", kind_names[k], path);
		return 1;
	}
	now_path = mpath;
	now_kind = kind_names[k];
	alarm(10);
	xpu_options opt = { .sysroot = tree, .probe_runtimes = 0 };
	xpu_system *sys = NULL;
	char err[256];
	int bad = 0;
	if (xpu_discover(&opt, &sys, err, sizeof(err)) == XPU_E_OK) {
		char *text = xpu_system_json(sys, false);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		bad += !j;
		bad += check_reasons(j, mpath, k);
		json_decref(j);
		free(text);
		xpu_system_free(sys);
	} else if (!err[0]) {
		print_error("a %s at %s: discovery failed without a reason\n", kind_names[k], mpath);
		bad++;
	}
	alarm(0);
	if (k == UNREADABLE)
		return bad + (chmod(path, 0644) != 0);
	if (k == FOLDER)
		rmdir(path);
	else
		unlink(path);
	return bad + (rename(aside, path) != 0);
}

static int copy_fixture(const char *name)
{
	snprintf(tree, sizeof(tree), "/tmp/xpu-hostile-XXXXXX");
	if (!mkdtemp(tree))
		return -1;
	snprintf(aside, sizeof(aside), "%s.aside", tree);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cp -a '%s/tests/fixtures/%s/.' '%s/'", SOURCE_DIR, name, tree);
	return system(cmd) == 0 ? 0 : -1;
}

static void drop_fixture(void)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwX '%s'; rm -rf '%s' '%s'", tree, tree, aside);
	if (system(cmd) != 0)
		print_error("could not remove %s\n", tree);
}

/* Every path with every kind; returns the count of bad replays.  As root,
 * the unreadable kind is left to a child that runs as nobody. */
static int every_path(kind first, kind last)
{
	static char paths[2048][256];
	size_t n = walk(tree, "", paths, 0, 2048);
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		for (kind k = first; k <= last; k++)
			bad += replay(paths[i], k);
	return bad;
}

static void hostile_kinds(void **state)
{
	const char *name = *state;
	assert_int_equal(copy_fixture(name), 0);
	signal(SIGALRM, on_alarm);
	int bad = 0;
	for (kind k = FIFO; k <= HUGE; k++) {
		/* mknod needs root (CAP_MKNOD); without it the device kind is left out */
		if (k == DEVICE && geteuid() != 0) {
			print_message("device nodes need root: not planted\n");
			continue;
		}
		bad += every_path(k, k);
	}
	/* unreadable: as nobody, on a tree nobody owns (root would read it) */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "chown -R 65534:65534 '%s' && chmod 755 '%s'", tree, tree);
		if (geteuid() == 0 && (system(cmd) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
			_exit(98);
		_exit(every_path(UNREADABLE, UNREADABLE) ? 1 : 0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	drop_fixture();
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(bad, 0);
}

int main(void)
{
	static char names[64][128];
	struct CMUnitTest tests[64];
	size_t n = 0;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/tests/fixtures", SOURCE_DIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e = readdir(d); e && n < 64; e = readdir(d)) {
		char p[800];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(names[n], sizeof(names[n]), "%s", e->d_name);
		tests[n] = (struct CMUnitTest){ names[n], hostile_kinds, NULL, NULL, names[n] };
		n++;
	}
	closedir(d);
	return _cmocka_run_group_tests("hostile files", tests, n, NULL, NULL);
}
