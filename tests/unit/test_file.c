/* base/file.c, the one rule for files: every kind of file where a regular
 * one is expected (FIFO, socket, device node, folder, loop of links, 100 MB,
 * unreadable) is refused at once with a message naming it; trusted files
 * are held to their owner and mode; reads beneath a root stay inside it,
 * with openat2 and with the fallback older kernels get (forced here by a
 * seccomp filter that answers ENOSYS); writes replace a planted link
 * instead of following it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "base/file.h"

static char dir[64];

static const char *at(const char *rel)
{
	static char p[8][256];
	static int i;
	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, rel);
	return p[i];
}

static void put(const char *rel, const char *text, mode_t mode)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_true(xpu_fd_write_all(fd, text, strlen(text)));
	close(fd);
	assert_int_equal(chmod(at(rel), mode), 0);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/xpu-test-file-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0755);
	mkdir(at("root"), 0755);
	mkdir(at("root/sub"), 0755);
	put("root/sub/file", "inside\n", 0644);
	put("secret", "outside\n", 0600);
	put("plain", "key = value\n", 0644);
	if (symlink("sub/file", at("root/inner-link")) || symlink("/etc/passwd", at("root/absolute")) ||
	    symlink("../../secret", at("root/sub/up")) || symlink("loop-b", at("loop-a")) ||
	    symlink("loop-a", at("loop-b")) || symlink("plain", at("link-to-plain")) ||
	    mkfifo(at("fifo"), 0644) || mkdir(at("folder"), 0755))
		return -1;
	/* a sparse 100 MB file: no disk, every byte of it */
	int fd = open(at("huge"), O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, 100 << 20) != 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static xpu_file_rc read_rc(int root, const char *path, unsigned flags, size_t max, char *err,
			   size_t errlen)
{
	char *data = NULL;
	size_t n;
	xpu_file_rc rc = xpu_file_read(root, path, flags, max, &data, &n, err, errlen);
	assert_true(rc == XPU_FILE_OK ? data != NULL : data == NULL);
	free(data);
	return rc;
}

/* One kind where a file is expected: refused at once, the message names
 * the path and what it is. */
static void refused(const char *path, unsigned flags, xpu_file_rc want, const char *says)
{
	char err[512] = "";
	assert_int_equal(read_rc(-1, path, flags, 1 << 20, err, sizeof(err)), want);
	assert_non_null(strstr(err, path));
	if (!strstr(err, says))
		fail_msg("'%s' does not say '%s'", err, says);
}

static void every_kind_of_non_file_is_refused_at_once(void **state)
{
	refused(at("fifo"), 0, XPU_FILE_NOT_REGULAR, "a FIFO");
	refused(at("folder"), 0, XPU_FILE_NOT_REGULAR, "a folder");
	refused(at("loop-a"), 0, XPU_FILE_NOT_REGULAR, "loop of links");
	refused(at("link-to-plain"), XPU_FILE_NOFOLLOW, XPU_FILE_NOT_REGULAR, "a link");
	refused(at("huge"), 0, XPU_FILE_TOO_LARGE, "1 MiB");
	refused(at("absent"), 0, XPU_FILE_MISSING, "no such file");
	refused("/dev/null", 0, XPU_FILE_NOT_REGULAR, "a device node");
	/* a socket bound at a path */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("socket"));
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	refused(at("socket"), 0, XPU_FILE_NOT_REGULAR, "a socket");
	close(s);
	/* followed where allowed */
	char err[256];
	assert_int_equal(read_rc(-1, at("link-to-plain"), 0, 1 << 20, err, sizeof(err)), XPU_FILE_OK);
}

/* a device node made here, where mknod is allowed (root): /dev/zero's
 * numbers, which a reader without a cap would read for ever */
static void a_planted_device_node_is_never_opened(void **state)
{
	if (mknod(at("zero"), S_IFCHR | 0644, makedev(1, 5)) != 0)
		skip();
	refused(at("zero"), 0, XPU_FILE_NOT_REGULAR, "a device node");
}

static void unreadable_is_denied(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		char err[256];
		_exit(read_rc(-1, at("secret"), 0, 1024, err, sizeof(err)) == XPU_FILE_DENIED &&
		      strstr(err, "permission denied") ? 0 : 4);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void reads_whole_files_and_caps_them(void **state)
{
	char *data, err[256];
	size_t n;
	assert_int_equal(xpu_file_read(-1, at("plain"), 0, 64, &data, &n, err, sizeof(err)), XPU_FILE_OK);
	assert_int_equal(n, 12);
	assert_string_equal(data, "key = value\n");
	free(data);
	assert_int_equal(read_rc(-1, at("plain"), 0, 11, err, sizeof(err)), XPU_FILE_TOO_LARGE);
	assert_non_null(strstr(err, "12 bytes, more than the 11 bytes"));
	assert_int_equal(read_rc(-1, at("plain"), 0, 12, err, sizeof(err)), XPU_FILE_OK);
}

/* ssh's and sudo's rule, with the command that fixes each refusal */
static void trusted_files_are_held_to_owner_and_mode(void **state)
{
	char err[512];
	put("group-writable", "", 0664);
	put("world-writable", "", 0666);
	assert_int_equal(read_rc(-1, at("plain"), XPU_FILE_TRUSTED, 1024, err, sizeof(err)), XPU_FILE_OK);
	assert_int_equal(read_rc(-1, at("group-writable"), XPU_FILE_TRUSTED, 1024, err, sizeof(err)),
			 XPU_FILE_UNTRUSTED);
	assert_non_null(strstr(err, "chmod go-w"));
	assert_int_equal(read_rc(-1, at("world-writable"), XPU_FILE_TRUSTED, 1024, err, sizeof(err)),
			 XPU_FILE_UNTRUSTED);
	assert_non_null(strstr(err, "writable by everyone"));
	assert_int_equal(read_rc(-1, at("world-writable"), 0, 1024, err, sizeof(err)), XPU_FILE_OK);
	if (geteuid() != 0)
		return; /* chown needs root */
	put("strangers", "", 0644);
	assert_int_equal(chown(at("strangers"), 65534, 65534), 0);
	assert_int_equal(read_rc(-1, at("strangers"), XPU_FILE_TRUSTED, 1024, err, sizeof(err)),
			 XPU_FILE_UNTRUSTED);
	assert_non_null(strstr(err, "uid 65534"));
	assert_non_null(strstr(err, "chown root"));
	assert_int_equal(read_rc(-1, at("strangers"), XPU_FILE_MINE, 1024, err, sizeof(err)),
			 XPU_FILE_UNTRUSTED);
	/* a link a stranger planted, to a file root owns */
	assert_int_equal(symlink("plain", at("strangers-link")), 0);
	assert_int_equal(lchown(at("strangers-link"), 65534, 65534), 0);
	assert_int_equal(read_rc(-1, at("strangers-link"), XPU_FILE_TRUSTED, 1024, err, sizeof(err)),
			 XPU_FILE_UNTRUSTED);
	assert_non_null(strstr(err, "a link owned by"));
}

/* Beneath a root: links inside are followed, none leads out. */
static int beneath_checks(void)
{
	int root = open(at("root"), O_PATH | O_DIRECTORY);
	char err[512];
	int bad = 0;
	bad |= (read_rc(root, "sub/file", 0, 64, err, sizeof(err)) != XPU_FILE_OK) << 0;
	bad |= (read_rc(root, "inner-link", 0, 64, err, sizeof(err)) != XPU_FILE_OK) << 1;
	bad |= (read_rc(root, "absolute", 0, 64, err, sizeof(err)) != XPU_FILE_OUTSIDE) << 2;
	bad |= (read_rc(root, "sub/up", 0, 64, err, sizeof(err)) != XPU_FILE_OUTSIDE) << 3;
	bad |= (read_rc(root, "../secret", 0, 64, err, sizeof(err)) != XPU_FILE_OUTSIDE) << 4;
	bad |= (read_rc(root, "sub/absent", 0, 64, err, sizeof(err)) != XPU_FILE_MISSING) << 5;
	/* no link at all, for trees xpu creates */
	int fd = xpu_open_beneath(root, "inner-link", O_RDONLY, 0, 1);
	bad |= (fd >= 0 || errno != ELOOP) << 6;
	fd = xpu_open_beneath(root, "sub/file", O_RDONLY, 0, 1);
	bad |= (fd < 0) << 7;
	if (fd >= 0)
		close(fd);
	close(root);
	return bad;
}

static void reads_beneath_a_root_stay_inside(void **state)
{
	assert_int_equal(beneath_checks(), 0);
}

/* openat2 made to answer `answer` always, by a seccomp filter in a child:
 * the fallback must give the same answers as openat2 itself. */
static void beneath_checks_when_openat2_answers(int answer)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter code[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)answer),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
			_exit(100);
		if (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) != -1 || errno != answer)
			_exit(101);
		_exit(beneath_checks());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A kernel without openat2 (before 5.6): ENOSYS. */
static void the_fallback_without_openat2_gives_the_same_answers(void **state)
{
	beneath_checks_when_openat2_answers(ENOSYS);
}

/* openat2 answers EAGAIN when a rename anywhere on the machine raced a ".."
 * of the lookup; on a busy machine it can do so again and again.  CI saw a
 * sysfs read through a device link come back as an I/O error this way. */
static void an_openat2_that_keeps_answering_eagain_falls_back(void **state)
{
	beneath_checks_when_openat2_answers(EAGAIN);
}

/* The same for real: reads through a link with ".." (as every
 * /sys/bus/pci/devices/ADDR is) while another process renames files as
 * fast as it can.  Each read must find the file. */
static void reads_through_dotdot_links_survive_renames_elsewhere(void **state)
{
	assert_int_equal(mkdir(at("root/devices"), 0755), 0);
	assert_int_equal(mkdir(at("root/devices/d"), 0755), 0);
	assert_int_equal(mkdir(at("root/bus"), 0755), 0);
	put("root/devices/d/local_cpulist", "0-3\n", 0644);
	assert_int_equal(symlink("../devices/d", at("root/bus/d")), 0);
	put("renamed", "x", 0644);
	pid_t renamer = fork();
	assert_true(renamer >= 0);
	if (renamer == 0) {
		for (int i = 0; i < 2000000; i++) { /* bounded: killed long before */
			if (rename(at(i % 2 ? "renamed-b" : "renamed"), at(i % 2 ? "renamed" : "renamed-b")))
				_exit(1);
		}
		_exit(0);
	}
	int root = open(at("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	int failed = 0, first_errno = 0;
	for (int i = 0; i < 20000; i++) {
		int fd = xpu_open_beneath(root, "bus/d/local_cpulist", O_RDONLY, 0, 0);
		if (fd >= 0) {
			close(fd);
		} else if (failed++ == 0) {
			first_errno = errno;
		}
	}
	kill(renamer, SIGKILL);
	waitpid(renamer, NULL, 0);
	close(root);
	if (failed)
		print_error("%d of 20000 reads failed, the first with %s\n", failed, strerror(first_errno));
	assert_int_equal(failed, 0);
}

static void writes_replace_a_planted_link_and_never_follow_it(void **state)
{
	char err[512], *data;
	size_t n;
	/* another user's link at the name, to a file root must not lose */
	assert_int_equal(symlink(at("secret"), at("baseline.json")), 0);
	assert_int_equal(xpu_file_write(at("baseline.json"), "{}\n", 3, 0644, err, sizeof(err)), XPU_FILE_OK);
	assert_int_equal(xpu_file_read(-1, at("secret"), 0, 64, &data, &n, err, sizeof(err)), XPU_FILE_OK);
	assert_string_equal(data, "outside\n");
	free(data);
	struct stat st;
	assert_int_equal(lstat(at("baseline.json"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	/* a folder at the name, and a folder that does not exist */
	assert_int_equal(xpu_file_write(at("folder"), "x", 1, 0644, err, sizeof(err)), XPU_FILE_NOT_REGULAR);
	assert_non_null(strstr(err, "a folder"));
	assert_int_not_equal(xpu_file_write(at("nowhere/file"), "x", 1, 0644, err, sizeof(err)), XPU_FILE_OK);
	assert_non_null(strstr(err, "nowhere/file"));
	/* no temporary file left behind */
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "ls -a '%s' | grep -q '^\\.'baseline", dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
}

static void mkdirs_beneath_follows_no_link(void **state)
{
	int root = open(at("root"), O_PATH | O_DIRECTORY);
	assert_true(root >= 0);
	assert_int_equal(xpu_mkdirs_beneath(root, "a/b/c", 0755), 0);
	assert_int_equal(access(at("root/a/b/c"), F_OK), 0);
	assert_int_equal(symlink("/tmp", at("root/a/escape")), 0);
	assert_int_equal(xpu_mkdirs_beneath(root, "a/escape/x", 0755), -1);
	assert_int_equal(xpu_mkdirs_beneath(root, "../x", 0755), -1);
	int fd = xpu_open_beneath(root, "a/escape/new", O_WRONLY | O_CREAT | O_EXCL, 0644, 1);
	assert_int_equal(fd, -1);
	close(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_of_non_file_is_refused_at_once),
		cmocka_unit_test(a_planted_device_node_is_never_opened),
		cmocka_unit_test(unreadable_is_denied),
		cmocka_unit_test(reads_whole_files_and_caps_them),
		cmocka_unit_test(trusted_files_are_held_to_owner_and_mode),
		cmocka_unit_test(reads_beneath_a_root_stay_inside),
		cmocka_unit_test(the_fallback_without_openat2_gives_the_same_answers),
		cmocka_unit_test(an_openat2_that_keeps_answering_eagain_falls_back),
		cmocka_unit_test(reads_through_dotdot_links_survive_renames_elsewhere),
		cmocka_unit_test(writes_replace_a_planted_link_and_never_follow_it),
		cmocka_unit_test(mkdirs_beneath_follows_no_link),
	};
	return cmocka_run_group_tests_name("file", tests, setup, teardown);
}
