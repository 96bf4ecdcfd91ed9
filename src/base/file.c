/* Safe reads and writes (base/file.h says the rule).  Why each step:
 * - O_PATH first, fstat, then reopen through /proc/self/fd: a FIFO would
 *   block an open for reading, a device node may act on one (a watchdog
 *   starts counting), so only a regular file is ever opened for reading.
 * - O_NONBLOCK and O_NOCTTY on every real open all the same: a file swapped
 *   between two steps still cannot hang xpu or become its terminal.
 * - openat2 RESOLVE_BENEATH under a root: a sysroot is data from anyone,
 *   and a link in it must not read /root/secret as a driver version.
 * - mkstemp in the target's folder, then rename: the new file is xpu's own
 *   (O_EXCL), a link planted at the name is replaced rather than followed,
 *   and a reader never sees half a file. */
#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

/* Set once openat2 answered ENOSYS (a kernel before 5.6): the fallback is
 * taken from then on without asking again. */
static int openat2_missing;

static int sys_openat2(int dir_fd, const char *rel, int oflags, mode_t mode, uint64_t resolve)
{
	if (__atomic_load_n(&openat2_missing, __ATOMIC_RELAXED)) {
		errno = ENOSYS;
		return -1;
	}
	struct open_how how = { .flags = (uint64_t)(oflags | O_CLOEXEC),
				.mode = (oflags & O_CREAT) ? mode : 0,
				.resolve = resolve };
	int fd = (int)syscall(SYS_openat2, dir_fd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		__atomic_store_n(&openat2_missing, 1, __ATOMIC_RELAXED);
	return fd;
}

/* Where a descriptor points, from /proc/self/fd. */
static bool fd_path(int fd, char *out, size_t len)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, len - 1);
	if (n <= 0 || (size_t)n >= len - 1)
		return false;
	out[n] = '\0';
	return true;
}

/* The fallback of RESOLVE_BENEATH: open, then check that the descriptor
 * ended up inside dir_fd's folder.  Without /proc nothing can be checked,
 * and the open is refused. */
static int open_then_check(int dir_fd, const char *rel, int oflags, mode_t mode)
{
	if (rel[0] == '/') {
		errno = EXDEV;
		return -1;
	}
	int fd = openat(dir_fd, rel, oflags | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	char dir[4096], got[4096];
	size_t n;
	if (!fd_path(dir_fd, dir, sizeof(dir)) || !fd_path(fd, got, sizeof(got))) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	n = strlen(dir);
	bool inside = strncmp(got, dir, n) == 0 && (got[n] == '/' || got[n] == '\0' ||
						   (n == 1 && dir[0] == '/'));
	if (!inside) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* The fallback of RESOLVE_NO_SYMLINKS: one component at a time, each
 * opened with O_NOFOLLOW. */
static int walk_no_links(int dir_fd, const char *rel, int oflags, mode_t mode)
{
	char copy[4096];
	if (xpu_strlcpy(copy, rel, sizeof(copy)) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int cur = dir_fd;
	char *save = NULL, *part = strtok_r(copy, "/", &save);
	while (part) {
		char *next = strtok_r(NULL, "/", &save);
		int fd;
		if (strcmp(part, "..") == 0) {
			errno = EXDEV;
			fd = -1;
		} else if (next) {
			fd = openat(cur, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		} else {
			fd = openat(cur, part, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
		}
		int e = errno;
		if (cur != dir_fd)
			close(cur);
		if (fd < 0) {
			errno = e;
			return -1;
		}
		cur = fd;
		part = next;
	}
	if (cur == dir_fd) { /* rel was empty or only slashes */
		errno = EINVAL;
		return -1;
	}
	return cur;
}

int xpu_open_beneath(int dir_fd, const char *rel, int oflags, mode_t mode, int no_links)
{
	uint64_t resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_links ? RESOLVE_NO_SYMLINKS : 0);
	int fd = -1;
	/* EAGAIN: a rename anywhere on the machine while the lookup walked a
	 * ".." (sysfs links are full of them), so the kernel could not prove the
	 * walk stayed beneath; openat2(2) says to ask again.  A busy machine
	 * (a parallel build, a test suite) can keep it busy, so after a few
	 * tries the fallback answers, which gives the same answer. */
	for (int tries = 0; tries < 8; tries++) {
		fd = sys_openat2(dir_fd, rel, oflags, mode, resolve);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	/* ENOSYS: before Linux 5.6; EPERM: a container's seccomp filter that
	 * predates openat2 (Docker's did) */
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != EAGAIN))
		return fd;
	return no_links ? walk_no_links(dir_fd, rel, oflags, mode)
			: open_then_check(dir_fd, rel, oflags, mode);
}

int xpu_mkdirs_beneath(int dir_fd, const char *rel, mode_t mode)
{
	char copy[4096];
	if (xpu_strlcpy(copy, rel, sizeof(copy)) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int cur = dir_fd, rc = 0;
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part && rc == 0;
	     part = strtok_r(NULL, "/", &save)) {
		int fd = -1;
		if (strcmp(part, "..") == 0 || strcmp(part, ".") == 0)
			errno = EXDEV;
		else if (mkdirat(cur, part, mode) == 0 || errno == EEXIST)
			fd = openat(cur, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		if (cur != dir_fd)
			close(cur);
		cur = fd;
		if (fd < 0) {
			errno = e;
			rc = -1;
		}
	}
	if (cur >= 0 && cur != dir_fd)
		close(cur);
	return rc;
}

ssize_t xpu_fd_read_all(int fd, void *buf, size_t len)
{
	size_t n = 0;
	while (n < len) {
		ssize_t r = read(fd, (char *)buf + n, len - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

int xpu_fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		len -= (size_t)w;
	}
	return 1;
}

/* ---- messages ---- */

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device node";
	if (S_ISLNK(m))
		return "a link, which xpu does not follow here";
	return "not a file";
}

static void human_size(size_t n, char *out, size_t len)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(out, len, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(out, len, "%zu KiB", n >> 10);
	else
		snprintf(out, len, "%zu bytes", n);
}

static xpu_file_rc fail_errno(int e, const char *path, unsigned flags, char *err, size_t errlen)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		snprintf(err, errlen, "%s: no such file", path);
		return XPU_FILE_MISSING;
	case EACCES:
	case EPERM:
		snprintf(err, errlen, "%s: permission denied", path);
		return XPU_FILE_DENIED;
	case ELOOP:
		snprintf(err, errlen, "%s: not a regular file (%s); replace it with a file", path,
			 flags & XPU_FILE_NOFOLLOW ? "a link" : "a loop of links");
		return XPU_FILE_NOT_REGULAR;
	case EXDEV:
		snprintf(err, errlen, "%s: a link or '..' leads out of the folder it is read from; "
			 "replace it with a file", path);
		return XPU_FILE_OUTSIDE;
	default:
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return XPU_FILE_IO;
	}
}

static void user_name(uid_t uid, char *out, size_t len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name)
		snprintf(out, len, "%s (uid %u)", pw->pw_name, (unsigned)uid);
	else
		snprintf(out, len, "uid %u", (unsigned)uid);
}

/* ---- reading ---- */

/* Owner and mode by flags: see XPU_FILE_TRUSTED and XPU_FILE_MINE. */
static xpu_file_rc check_owner(const char *path, const char *what, const struct stat *st,
			       unsigned flags, char *err, size_t errlen)
{
	uid_t me = geteuid();
	bool mine = st->st_uid == me || st->st_uid == getuid();
	char who[96];
	if ((flags & XPU_FILE_MINE) && st->st_uid != me) {
		user_name(st->st_uid, who, sizeof(who));
		snprintf(err, errlen, "%s: owned by %s, not by you; remove it (xpu writes its own)",
			 path, who);
		return XPU_FILE_UNTRUSTED;
	}
	if (!(flags & XPU_FILE_TRUSTED))
		return XPU_FILE_OK;
	if (st->st_uid != 0 && !mine) {
		user_name(st->st_uid, who, sizeof(who));
		snprintf(err, errlen, "%s: %s owned by %s, neither root nor you, so it could change "
			 "what xpu runs; 'chown root %s' if you trust it, else remove it", path, what,
			 who, path);
		return XPU_FILE_UNTRUSTED;
	}
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "%s: writable by %s (mode %04o), so anyone could change what "
			 "xpu runs; 'chmod go-w %s'", path, st->st_mode & S_IWOTH ? "everyone" : "its group",
			 (unsigned)(st->st_mode & 07777), path);
		return XPU_FILE_UNTRUSTED;
	}
	return XPU_FILE_OK;
}

/* A trusted file reached through a link: whoever owns the link chose it. */
static xpu_file_rc check_link(int root_fd, const char *path, unsigned flags, char *err,
			      size_t errlen)
{
	struct stat lst;
	if (!(flags & XPU_FILE_TRUSTED) || (flags & XPU_FILE_NOFOLLOW) || root_fd >= 0 ||
	    lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode))
		return XPU_FILE_OK;
	return check_owner(path, "a link", &lst, flags & ~XPU_FILE_MINE, err, errlen);
}

/* The O_PATH descriptor made readable.  Through /proc/self/fd it is the
 * very file checked; without /proc, opened again and held to its inode. */
static int reopen(int root_fd, const char *path, unsigned flags, int pfd, const struct stat *st)
{
	char link[64];
	int oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	int fd = open(link, oflags);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (flags & XPU_FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	fd = root_fd >= 0 ? xpu_open_beneath(root_fd, path, oflags, 0, 0) : open(path, oflags);
	struct stat again;
	if (fd >= 0 && (fstat(fd, &again) != 0 || again.st_dev != st->st_dev ||
			again.st_ino != st->st_ino)) {
		close(fd);
		errno = EAGAIN; /* replaced between the two opens */
		return -1;
	}
	return fd;
}

static xpu_file_rc check_stat(const char *path, const struct stat *st, unsigned flags,
			      size_t max, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s); replace it with a file", path,
			 kind_of(st->st_mode));
		return XPU_FILE_NOT_REGULAR;
	}
	if (max && (uintmax_t)st->st_size > (uintmax_t)max) {
		char cap[32];
		human_size(max, cap, sizeof(cap));
		snprintf(err, errlen, "%s: %jd bytes, more than the %s xpu reads of it; is it the "
			 "right file?", path, (intmax_t)st->st_size, cap);
		return XPU_FILE_TOO_LARGE;
	}
	return check_owner(path, "a file", st, flags, err, errlen);
}

xpu_file_rc xpu_file_open(int root_fd, const char *path, unsigned flags, size_t max, int *fd,
			  char *err, size_t errlen)
{
	*fd = -1;
	int pflags = O_PATH | ((flags & XPU_FILE_NOFOLLOW) ? O_NOFOLLOW : 0);
	int pfd = root_fd >= 0 ? xpu_open_beneath(root_fd, path, pflags, 0, 0)
			       : open(path, pflags | O_CLOEXEC);
	if (pfd < 0)
		return fail_errno(errno, path, flags, err, errlen);
	struct stat st;
	xpu_file_rc rc = fstat(pfd, &st) != 0 ? fail_errno(errno, path, flags, err, errlen)
					       : check_stat(path, &st, flags, max, err, errlen);
	if (rc == XPU_FILE_OK)
		rc = check_link(root_fd, path, flags, err, errlen);
	if (rc == XPU_FILE_OK) {
		*fd = reopen(root_fd, path, flags, pfd, &st);
		if (*fd < 0)
			rc = fail_errno(errno, path, flags, err, errlen);
	}
	close(pfd);
	return rc;
}

/* Up to max + 1 bytes of fd into a buffer sized from st_size (a file that
 * grew since is followed, up to the byte that says it is too large), with
 * room for a NUL; NULL on a read error or no memory. */
static char *read_bounded(int fd, size_t max, size_t *n)
{
	struct stat st;
	size_t cap = fstat(fd, &st) == 0 && (uintmax_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
	char *buf = malloc(cap + 1);
	*n = 0;
	while (buf) {
		ssize_t r = xpu_fd_read_all(fd, buf + *n, cap - *n);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		*n += (size_t)r;
		if (*n < cap || cap > max)
			return buf; /* the end, or one byte past the cap */
		size_t more = cap * 2 < max + 1 ? cap * 2 : max + 1;
		char *grown = realloc(buf, more + 1);
		if (!grown)
			free(buf);
		buf = grown;
		cap = more;
	}
	errno = ENOMEM;
	return NULL;
}

xpu_file_rc xpu_file_read(int root_fd, const char *path, unsigned flags, size_t max, char **data,
			  size_t *len, char *err, size_t errlen)
{
	*data = NULL;
	*len = 0;
	int fd;
	xpu_file_rc rc = xpu_file_open(root_fd, path, flags, max, &fd, err, errlen);
	if (rc != XPU_FILE_OK)
		return rc;
	size_t n;
	char *buf = read_bounded(fd, max, &n);
	int e = errno;
	close(fd);
	if (!buf)
		return fail_errno(e, path, flags, err, errlen);
	if (n > max) { /* it grew past the cap since the check */
		struct stat st = { .st_mode = S_IFREG, .st_size = (off_t)n };
		free(buf);
		return check_stat(path, &st, 0, max, err, errlen);
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return XPU_FILE_OK;
}

/* ---- writing ---- */

xpu_file_rc xpu_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
			   size_t errlen)
{
	char tmp[4096];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int n = slash ? snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, base)
		      : snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", base);
	if (!*base || n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: not a file name", path);
		return XPU_FILE_IO;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot make a new file in its folder: %s", path,
			 strerror(e));
		return e == EACCES || e == EPERM ? XPU_FILE_DENIED : XPU_FILE_IO;
	}
	bool ok = xpu_fd_write_all(fd, data, len) && fchmod(fd, mode) == 0 && fsync(fd) == 0;
	int e = errno;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return XPU_FILE_OK;
	e = ok ? errno : e;
	unlink(tmp);
	if (e == EISDIR) {
		snprintf(err, errlen, "%s: a folder; give a file name", path);
		return XPU_FILE_NOT_REGULAR;
	}
	return fail_errno(e, path, 0, err, errlen);
}
