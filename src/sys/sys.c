#include "sys/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "sys/parse.h"

int xsys_init(xsys *s, const char *root, char *err, size_t errlen)
{
	struct stat st;

	s->root[0] = '\0';
	if (!root || !*root || strcmp(root, "/") == 0)
		return 0;
	if (strlen(root) >= sizeof(s->root) - 256) {
		xpu_strlcpy(err, "sysroot path is too long", errlen);
		return -1;
	}
	if (stat(root, &st) != 0) {
		snprintf(err, errlen, "sysroot '%s': %s; give a folder made by 'xpu snapshot DIR'",
			 root, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "sysroot '%s' is not a folder; give a folder made by 'xpu snapshot DIR'",
			 root);
		return -1;
	}
	xpu_strlcpy(s->root, root, sizeof(s->root));
	size_t n = strlen(s->root);
	while (n > 1 && s->root[n - 1] == '/')
		s->root[--n] = '\0';
	return 0;
}

bool xsys_is_live(const xsys *s)
{
	return s->root[0] == '\0';
}

__attribute__((format(printf, 4, 0)))
static const char *vpath(const xsys *s, char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t n = strlen(s->root);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s->root, n);
	vsnprintf(buf + n, len - n, fmt, ap);
	return buf;
}

const char *xsys_path(const xsys *s, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpath(s, buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

static xsys_rc rc_from_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ENODEV: /* some attributes vanish with the device */
	case ENXIO:
		return XSYS_MISSING;
	case EACCES:
	case EPERM:
		return XSYS_DENIED;
	case EXDEV: /* a link out of the sysroot */
		return XSYS_OUTSIDE;
	case ELOOP:
		return XSYS_NOT_FILE;
	default:
		return XSYS_IO;
	}
}

static xsys_rc rc_from_file(xpu_file_rc rc)
{
	static const xsys_rc map[] = {
		[XPU_FILE_OK] = XSYS_OK,
		[XPU_FILE_MISSING] = XSYS_MISSING,
		[XPU_FILE_DENIED] = XSYS_DENIED,
		[XPU_FILE_NOT_REGULAR] = XSYS_NOT_FILE,
		[XPU_FILE_OUTSIDE] = XSYS_OUTSIDE,
		[XPU_FILE_TOO_LARGE] = XSYS_TOO_LARGE,
		[XPU_FILE_UNTRUSTED] = XSYS_DENIED,
		[XPU_FILE_IO] = XSYS_IO,
	};
	return (size_t)rc < XPU_ARRAY_LEN(map) ? map[rc] : XSYS_IO;
}

/* The machine path ("/sys/...") of a format. */
__attribute__((format(printf, 3, 0)))
static const char *vmachine(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	return buf;
}

/* A machine path's place under the sysroot, for openat2: "sys/..." ("."
 * for "/"). */
static const char *below_root(const char *machine_path)
{
	while (*machine_path == '/')
		machine_path++;
	return *machine_path ? machine_path : ".";
}

/* Opens a machine path under the sysroot: beneath it (no link leads out)
 * and only a regular file (a FIFO or device node planted in a tree is
 * never opened).  The live machine keeps one open per attribute. */
static xsys_rc open_rooted(const xsys *s, const char *machine_path, int *fd)
{
	char err[16];
	int root = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return rc_from_errno(errno);
	xpu_file_rc rc = xpu_file_open(root, below_root(machine_path), 0, 0, fd, err, sizeof(err));
	close(root);
	return rc_from_file(rc);
}

/* Whether a machine path resolves beneath the sysroot (always, live). */
static xsys_rc check_rooted(const xsys *s, const char *machine_path, int oflags)
{
	if (xsys_is_live(s))
		return XSYS_OK;
	int root = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return rc_from_errno(errno);
	int fd = xpu_open_beneath(root, below_root(machine_path), O_PATH | oflags, 0, 0);
	int e = errno;
	close(root);
	if (fd < 0)
		return rc_from_errno(e);
	close(fd);
	return XSYS_OK;
}

/* Reads up to len-1 bytes; *more says whether the file had more.  sysfs
 * hands out a text attribute whole in the first read (it formats the page,
 * then copies), so a short read there is the end and the read that would
 * return 0 is skipped: one system call less per value, about 30 per
 * `xpu list`.  Other files (procfs, a snapshot's copies) are read until
 * they say end of file.  Live files open with O_NONBLOCK: no FIFO or
 * device can stall a read of /sys or /proc. */
static xsys_rc read_file(const xsys *s, const char *machine_path, char *buf, size_t len,
			 size_t *got, bool *more)
{
	/* kernfs returns at most a page per read: only a buffer of a page or
	 * less can take a short read for the end */
	bool live = xsys_is_live(s);
	bool one_read = live && strncmp(machine_path, "/sys/", 5) == 0 && len <= XSYS_ATTR_MAX;
	int fd;
	if (live) {
		fd = open(machine_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			return rc_from_errno(errno);
	} else {
		xsys_rc rc = open_rooted(s, machine_path, &fd);
		if (rc != XSYS_OK)
			return rc;
	}
	size_t n = 0;
	if (more)
		*more = false;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			/* EISDIR, EINVAL (write-only attribute), EIO from a hung device,
			 * EAGAIN from a FIFO */
			return e == EACCES || e == EPERM ? XSYS_DENIED : XSYS_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (one_read && n + 1 < len)
			break;
	}
	if (more && n + 1 >= len && !one_read) {
		char probe;
		*more = read(fd, &probe, 1) > 0;
	}
	close(fd);
	buf[n] = '\0';
	*got = n;
	return XSYS_OK;
}

static void trim_right(char *buf)
{
	size_t n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
			 buf[n - 1] == '\r'))
		buf[--n] = '\0';
}

xsys_rc xsys_vtext(const xsys *s, char *buf, size_t len, const char *fmt, va_list ap)
{
	char path[XSYS_PATH_MAX];
	size_t got;
	buf[0] = '\0';
	xsys_rc rc = read_file(s, vmachine(path, sizeof(path), fmt, ap), buf, len, &got, NULL);
	if (rc != XSYS_OK)
		return rc;
	trim_right(buf); /* strlen stops at an embedded NUL: padding is dropped */
	return buf[0] ? XSYS_OK : XSYS_EMPTY;
}

xsys_rc xsys_text(const xsys *s, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xsys_rc rc = xsys_vtext(s, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

xsys_rc xsys_slurp(const xsys *s, char **out, size_t *n, size_t max, const char *fmt, ...)
{
	char path[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine(path, sizeof(path), fmt, ap);
	va_end(ap);
	*out = NULL;
	*n = 0;
	char *buf = malloc(max + 1);
	if (!buf)
		return XSYS_IO;
	bool more;
	xsys_rc rc = read_file(s, path, buf, max + 1, n, &more);
	if (rc == XSYS_OK && more)
		rc = XSYS_TOO_LARGE;
	if (rc != XSYS_OK) {
		free(buf);
		*n = 0;
		return rc;
	}
	*out = buf;
	return *n ? XSYS_OK : XSYS_EMPTY;
}

xsys_rc xsys_u64(const xsys *s, uint64_t *out, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	xsys_rc rc = xsys_vtext(s, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rc != XSYS_OK)
		return rc;
	return xpu_parse_u64(buf, out) ? XSYS_OK : XSYS_GARBAGE;
}

xsys_rc xsys_i64(const xsys *s, int64_t *out, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	xsys_rc rc = xsys_vtext(s, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rc != XSYS_OK)
		return rc;
	return xpu_parse_i64(buf, out) ? XSYS_OK : XSYS_GARBAGE;
}

bool xsys_exists(const xsys *s, const char *fmt, ...)
{
	char mpath[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine(mpath, sizeof(mpath), fmt, ap);
	va_end(ap);
	if (!xsys_is_live(s))
		return check_rooted(s, mpath, 0) == XSYS_OK;
	return access(mpath, F_OK) == 0;
}

/* The real path of a rooted path, links followed (malloc'd), or NULL with
 * *rc saying why. */
static char *resolved(const xsys *s, xsys_rc *rc, const char *fmt, va_list ap)
{
	/* beneath the root: a planted link may not lead out of it */
	char mpath[XSYS_PATH_MAX], path[XSYS_PATH_MAX];
	vmachine(mpath, sizeof(mpath), fmt, ap);
	*rc = check_rooted(s, mpath, 0);
	if (*rc != XSYS_OK)
		return NULL;
	char *real = realpath(xsys_path(s, path, sizeof(path), "%s", mpath), NULL);
	*rc = real ? XSYS_OK : rc_from_errno(errno);
	return real;
}

xsys_rc xsys_real_name(const xsys *s, char *buf, size_t len, const char *fmt, ...)
{
	xsys_rc rc;
	va_list ap;
	va_start(ap, fmt);
	char *real = resolved(s, &rc, fmt, ap);
	va_end(ap);
	if (!real)
		return rc;
	const char *slash = strrchr(real, '/');
	xpu_strlcpy(buf, slash ? slash + 1 : real, len);
	free(real);
	return buf[0] ? XSYS_OK : XSYS_EMPTY;
}

xsys_rc xsys_real_path(const xsys *s, char *buf, size_t len, const char *fmt, ...)
{
	xsys_rc rc;
	va_list ap;
	va_start(ap, fmt);
	char *real = resolved(s, &rc, fmt, ap);
	va_end(ap);
	if (!real)
		return rc;
	/* the root itself may be relative or reached through links */
	char *root = s->root[0] ? realpath(s->root, NULL) : NULL;
	size_t n = root ? strlen(root) : 0;
	if (s->root[0] && (!root || strncmp(real, root, n) != 0 || (real[n] && real[n] != '/')))
		rc = XSYS_GARBAGE;
	else
		xpu_strlcpy(buf, real[n] ? real + n : "/", len);
	free(root);
	free(real);
	return rc;
}

xsys_rc xsys_access_rw(const xsys *s, const char *fmt, ...)
{
	char mpath[XSYS_PATH_MAX], path[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine(mpath, sizeof(mpath), fmt, ap);
	va_end(ap);
	xsys_rc rc = check_rooted(s, mpath, 0);
	if (rc != XSYS_OK)
		return rc;
	if (access(xsys_path(s, path, sizeof(path), "%s", mpath), R_OK | W_OK) == 0)
		return XSYS_OK;
	return rc_from_errno(errno);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void xsys_names_free(xsys_names *n)
{
	for (size_t i = 0; i < n->count; i++)
		free(n->names[i]);
	free(n->names);
	n->names = NULL;
	n->count = 0;
}

/* A folder to list: under a sysroot opened beneath it. */
static DIR *open_folder(const xsys *s, const char *mpath, xsys_rc *rc)
{
	*rc = XSYS_OK;
	if (xsys_is_live(s)) {
		DIR *d = opendir(mpath);
		if (!d)
			*rc = rc_from_errno(errno);
		return d;
	}
	int root = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = root < 0 ? -1 : xpu_open_beneath(root, below_root(mpath), O_RDONLY | O_DIRECTORY, 0, 0);
	int e = errno;
	if (root >= 0)
		close(root);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		e = fd < 0 ? e : errno;
		if (fd >= 0)
			close(fd);
		*rc = rc_from_errno(e);
	}
	return d;
}

xsys_rc xsys_list(const xsys *s, xsys_names *out, const char *fmt, ...)
{
	char mpath[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vmachine(mpath, sizeof(mpath), fmt, ap);
	va_end(ap);
	out->names = NULL;
	out->count = 0;
	xsys_rc rc;
	DIR *d = open_folder(s, mpath, &rc);
	if (!d)
		return rc;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (out->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(out->names, ncap * sizeof(*nn));
			if (!nn)
				break;
			out->names = nn;
			cap = ncap;
		}
		char *dup = strdup(e->d_name);
		if (!dup)
			break;
		out->names[out->count++] = dup;
	}
	closedir(d);
	if (out->count > 1)
		qsort(out->names, out->count, sizeof(*out->names), cmp_names);
	return XSYS_OK;
}
