#include "sys/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	default:
		return XSYS_IO;
	}
}

/* Reads up to len-1 bytes.  sysfs hands out a text attribute whole in the
 * first read (it formats the page, then copies), so a short read there is the
 * end and the read that would return 0 is skipped: one system call less per
 * value, about 30 per `xpu list`.  Other files (procfs, a snapshot's copies)
 * are read until they say end of file. */
static xsys_rc read_file(const char *path, char *buf, size_t len, size_t *got)
{
	/* kernfs returns at most a page per read: only a buffer of a page or
	 * less can take a short read for the end */
	bool one_read = strncmp(path, "/sys/", 5) == 0 && len <= XSYS_ATTR_MAX;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rc_from_errno(errno);
	size_t n = 0;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			/* EISDIR, EINVAL (write-only attribute), EIO from a hung device */
			return e == EACCES || e == EPERM ? XSYS_DENIED : XSYS_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (one_read && n + 1 < len)
			break;
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
	vpath(s, path, sizeof(path), fmt, ap);
	buf[0] = '\0';
	xsys_rc rc = read_file(path, buf, len, &got);
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
	vpath(s, path, sizeof(path), fmt, ap);
	va_end(ap);
	*out = NULL;
	*n = 0;
	char *buf = malloc(max + 1);
	if (!buf)
		return XSYS_IO;
	xsys_rc rc = read_file(path, buf, max + 1, n);
	if (rc != XSYS_OK) {
		free(buf);
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
	char path[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vpath(s, path, sizeof(path), fmt, ap);
	va_end(ap);
	return access(path, F_OK) == 0;
}

/* The real path of a rooted path, links followed (malloc'd), or NULL with
 * *rc saying why. */
static char *resolved(const xsys *s, xsys_rc *rc, const char *fmt, va_list ap)
{
	char path[XSYS_PATH_MAX];
	vpath(s, path, sizeof(path), fmt, ap);
	char *real = realpath(path, NULL);
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
	char path[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vpath(s, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (access(path, R_OK | W_OK) == 0)
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

xsys_rc xsys_list(const xsys *s, xsys_names *out, const char *fmt, ...)
{
	char path[XSYS_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vpath(s, path, sizeof(path), fmt, ap);
	va_end(ap);
	out->names = NULL;
	out->count = 0;
	DIR *d = opendir(path);
	if (!d)
		return rc_from_errno(errno);
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
