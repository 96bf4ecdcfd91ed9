/* One rule for every file xpu reads or writes (docs/design.md, "Files: one
 * rule"): a read never blocks, never opens anything but a regular file, never
 * takes more than the caller's cap, and under a root never leaves it; a write
 * never goes through a link and never leaves a half-written file.
 *
 *   char *text; size_t n; char err[512];
 *   if (xpu_file_read(-1, path, XPU_FILE_TRUSTED, 1 << 20, &text, &n, err, sizeof(err)))
 *           fail("%s", err);      // "PATH: writable by others (chmod go-w PATH)"
 *   if (xpu_file_write(path, text, n, 0644, err, sizeof(err)))
 *           fail("%s", err);
 *
 * The live /sys and /proc are read by src/sys with one open and one read
 * per attribute (O_NONBLOCK, no fstat: a FIFO cannot appear there and the
 * extra call costs `xpu list` start-up time); every other file goes through
 * these helpers. */
#ifndef XPU_BASE_FILE_H
#define XPU_BASE_FILE_H

#include <stddef.h>
#include <sys/types.h>

typedef enum xpu_file_rc {
	XPU_FILE_OK = 0,
	XPU_FILE_MISSING,     /* ENOENT, ENOTDIR */
	XPU_FILE_DENIED,      /* EACCES, EPERM */
	XPU_FILE_NOT_REGULAR, /* a folder, FIFO, socket, device node, a loop of links, or a link
				 where XPU_FILE_NOFOLLOW allows none */
	XPU_FILE_OUTSIDE,     /* a link or ".." leads out of the folder it is read beneath */
	XPU_FILE_TOO_LARGE,   /* more bytes than the caller's cap */
	XPU_FILE_UNTRUSTED,   /* XPU_FILE_TRUSTED or XPU_FILE_MINE refused its owner or mode */
	XPU_FILE_IO,          /* any other failure */
} xpu_file_rc;

enum {
	/* The file itself may not be a link (the folders on the way may). */
	XPU_FILE_NOFOLLOW = 1u << 0,
	/* It steers what xpu runs (config, app profiles): owned by root or
	 * the caller, writable by no one else, and so is a link to it (as ssh
	 * and sudo check their files). */
	XPU_FILE_TRUSTED = 1u << 1,
	/* Owned by the caller (a cache another user could have planted). */
	XPU_FILE_MINE = 1u << 2,
};

/* Opens a regular file for reading (O_CLOEXEC).  path is opened first
 * without access (O_PATH), so that nothing but a regular file is ever
 * opened for reading: no FIFO waits, no device acts on an open.  With
 * root_fd >= 0, path is relative to that folder and neither it nor a link
 * on its way may lead out (openat2 RESOLVE_BENEATH; on kernels before 5.6,
 * or where a seccomp filter refuses openat2, a check of where the
 * descriptor ended up).  max caps st_size (0: no cap).  On failure *fd is
 * -1 and err holds one line naming path and the fix. */
xpu_file_rc xpu_file_open(int root_fd, const char *path, unsigned flags, size_t max, int *fd,
			  char *err, size_t errlen);

/* The whole file, at most max (> 0) bytes, in a malloc'd buffer with a NUL after
 * its *len bytes (free it).  A file larger than max is refused, never cut. */
xpu_file_rc xpu_file_read(int root_fd, const char *path, unsigned flags, size_t max, char **data,
			  size_t *len, char *err, size_t errlen);

/* Reads up to len bytes of an open descriptor (until EOF), retrying on
 * EINTR.  Returns the count, or -1. */
ssize_t xpu_fd_read_all(int fd, void *buf, size_t len);
/* Writes all of data; false on error (errno set). */
int xpu_fd_write_all(int fd, const void *data, size_t len);

/* Replaces path with data, atomically: a new file made by mkstemp (O_EXCL)
 * in path's own folder, written, synced, given mode, then renamed over path.
 * A link at path is replaced, never written through; a reader sees the old
 * file or the new one, never a part. */
xpu_file_rc xpu_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
			   size_t errlen);

/* For trees xpu creates itself (xpu snapshot DIR): relative to dir_fd and
 * following no link anywhere on the way (openat2 RESOLVE_NO_SYMLINKS, or a
 * walk with O_NOFOLLOW).  Return a descriptor or -1 with errno (ELOOP for a
 * link, EEXIST for a file already there). */
int xpu_open_beneath(int dir_fd, const char *rel, int oflags, mode_t mode, int no_links);
/* Makes rel and the folders above it, beneath dir_fd; 0, or -1 with errno. */
int xpu_mkdirs_beneath(int dir_fd, const char *rel, mode_t mode);

#endif
