/* Rooted reads: trailing newlines, NUL padding, empty and garbage files,
 * and "missing" kept apart from "denied". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/read.h"
#include "sys/sys.h"

static char root[256];

static void put(const char *rel, const void *data, size_t n)
{
	char p[512];
	snprintf(p, sizeof(p), "%s%s", root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/xpu-test-sys-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	char p[512];
	snprintf(p, sizeof(p), "%s/sys", root);
	mkdir(p, 0755);
	put("/sys/newline", "2450\n", 5);
	put("/sys/padded", "amdgpu\n\0\0\0\0\0\0", 13);
	put("/sys/empty", "", 0);
	put("/sys/garbage", "\xff\xfe 12x", 6);
	put("/sys/denied", "42\n", 3);
	snprintf(p, sizeof(p), "%s/sys/denied", root);
	chmod(p, 0);
	/* issue 15: a FIFO where a file is expected, and links out of the tree */
	snprintf(p, sizeof(p), "%s/proc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/proc/meminfo", root);
	mkfifo(p, 0644);
	put("/secret", "the secret\n", 11);
	snprintf(p, sizeof(p), "%s/sys/version", root);
	if (symlink("/etc/hostname", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/sys/up", root);
	if (symlink("../../", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/sys/inner", root);
	if (symlink("newline", p) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void init_rejects_missing_root_with_a_message(void **state)
{
	xsys s;
	char err[256] = "";
	assert_int_not_equal(xsys_init(&s, "/nonexistent/xpu", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/xpu"));
	assert_non_null(strstr(err, "xpu snapshot"));
	assert_int_equal(xsys_init(&s, "/", err, sizeof(err)), 0);
	assert_true(xsys_is_live(&s));
}

static void reads_survive_newlines_padding_empty_garbage(void **state)
{
	xsys s;
	char err[256], buf[64];
	uint64_t v;
	assert_int_equal(xsys_init(&s, root, err, sizeof(err)), 0);
	assert_int_equal(xsys_u64(&s, &v, "/sys/newline"), XSYS_OK);
	assert_int_equal(v, 2450);
	assert_int_equal(xsys_text(&s, buf, sizeof(buf), "/sys/padded"), XSYS_OK);
	assert_string_equal(buf, "amdgpu");
	assert_int_equal(xsys_u64(&s, &v, "/sys/empty"), XSYS_EMPTY);
	assert_int_equal(xsys_u64(&s, &v, "/sys/garbage"), XSYS_GARBAGE);
	assert_int_equal(xsys_u64(&s, &v, "/sys/absent"), XSYS_MISSING);
	assert_int_equal(xsys_u64(&s, &v, "/sys/newline/below-a-file"), XSYS_MISSING);
}

static void value_states_name_the_path(void **state)
{
	xsys s;
	char err[256];
	xpu_uint u;
	memset(&u, 0, sizeof(u));
	assert_int_equal(xsys_init(&s, root, err, sizeof(err)), 0);
	assert_false(xpu_read_uint(&s, &u, 1, 1, "/sys/absent"));
	assert_int_equal(u.status.state, XPU_UNSUPPORTED);
	assert_int_equal(u.status.reason, XPU_R_FILE_MISSING);
	assert_string_equal(u.status.detail, "/sys/absent"); /* the machine path, not the sysroot's */
	assert_false(xpu_read_uint(&s, &u, 1, 1, "/sys/garbage"));
	assert_int_equal(u.status.state, XPU_UNAVAILABLE);
	assert_int_equal(u.status.reason, XPU_R_UNPARSABLE);
	assert_true(xpu_read_uint(&s, &u, 1, 1000, "/sys/newline"));
	assert_int_equal(u.value, 2);
	assert_int_equal(u.status.state, XPU_OK);
}

/* root reads anything: check EACCES as an unprivileged user in a child */
static void denied_is_not_missing(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		xsys s;
		char err[256];
		uint64_t v;
		if (xsys_init(&s, root, err, sizeof(err)) != 0)
			_exit(4);
		_exit(xsys_u64(&s, &v, "/sys/denied") == XSYS_DENIED ? 0 : 5);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void listing_is_sorted_and_reports_missing(void **state)
{
	xsys s;
	char err[256];
	xsys_names n;
	assert_int_equal(xsys_init(&s, root, err, sizeof(err)), 0);
	assert_int_equal(xsys_list(&s, &n, "/sys"), XSYS_OK);
	assert_int_equal(n.count, 8);
	assert_string_equal(n.names[0], "denied");
	assert_string_equal(n.names[5], "padded");
	xsys_names_free(&n);
	assert_int_equal(xsys_list(&s, &n, "/sys/class/drm"), XSYS_MISSING);
	assert_int_equal(n.count, 0);
}

/* Issue 15: `mkfifo T/proc/meminfo` hung `xpu --sysroot T list`; a
 * sysroot's link to /etc/hostname (or /root/secret) was read as a value.
 * An alarm turns a hang into a failure. */
static void a_fifo_in_a_sysroot_is_refused_at_once(void **state)
{
	xsys s;
	char err[256], buf[64];
	assert_int_equal(xsys_init(&s, root, err, sizeof(err)), 0);
	alarm(5);
	assert_int_equal(xsys_text(&s, buf, sizeof(buf), "/proc/meminfo"), XSYS_NOT_FILE);
	alarm(0);
	xpu_uint u;
	memset(&u, 0, sizeof(u));
	assert_false(xpu_read_uint(&s, &u, 1, 1, "/proc/meminfo"));
	assert_string_equal(u.status.detail, "/proc/meminfo: not a regular file in the sysroot");
}

static void links_out_of_a_sysroot_are_not_followed(void **state)
{
	xsys s;
	char err[256], buf[64];
	xsys_names n;
	uint64_t v;
	assert_int_equal(xsys_init(&s, root, err, sizeof(err)), 0);
	assert_int_equal(xsys_text(&s, buf, sizeof(buf), "/sys/version"), XSYS_OUTSIDE);
	assert_int_equal(xsys_text(&s, buf, sizeof(buf), "/sys/up/secret"), XSYS_OUTSIDE);
	assert_int_equal(xsys_text(&s, buf, sizeof(buf), "/../secret"), XSYS_OUTSIDE);
	assert_int_equal(xsys_list(&s, &n, "/sys/up"), XSYS_OUTSIDE);
	assert_false(xsys_exists(&s, "/sys/version"));
	assert_int_equal(xsys_real_name(&s, buf, sizeof(buf), "/sys/up"), XSYS_OUTSIDE);
	/* links inside the tree are what snapshots are made of */
	assert_int_equal(xsys_u64(&s, &v, "/sys/inner"), XSYS_OK);
	assert_int_equal(v, 2450);
	xpu_text t;
	memset(&t, 0, sizeof(t));
	assert_false(xpu_read_text(&s, &t, "/sys/version"));
	assert_string_equal(t.status.detail, "/sys/version: a link out of the sysroot, not followed");
}

static void slurp_refuses_more_than_its_cap(void **state)
{
	xsys s;
	char err[256], *text;
	size_t n;
	assert_int_equal(xsys_init(&s, root, err, sizeof(err)), 0);
	assert_int_equal(xsys_slurp(&s, &text, &n, 4, "/sys/newline"), XSYS_TOO_LARGE);
	assert_null(text);
	assert_int_equal(xsys_slurp(&s, &text, &n, 5, "/sys/newline"), XSYS_OK);
	assert_int_equal(n, 5);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_missing_root_with_a_message),
		cmocka_unit_test(reads_survive_newlines_padding_empty_garbage),
		cmocka_unit_test(value_states_name_the_path),
		cmocka_unit_test(denied_is_not_missing),
		cmocka_unit_test(listing_is_sorted_and_reports_missing),
		cmocka_unit_test(a_fifo_in_a_sysroot_is_refused_at_once),
		cmocka_unit_test(links_out_of_a_sysroot_are_not_followed),
		cmocka_unit_test(slurp_refuses_more_than_its_cap),
	};
	return cmocka_run_group_tests_name("sys", tests, setup, teardown);
}
