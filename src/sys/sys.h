/* Rooted access to /sys, /proc and /dev: the only code that opens those
 * paths, so that a captured tree (a sysroot) replays anywhere.  It knows
 * files and folders, not the device model (model/read.h turns a read into a
 * value with its state). */
#ifndef XPU_SYS_H
#define XPU_SYS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define XSYS_PATH_MAX 4096
/* Every sysfs attribute fits in a page; larger files are read in part
 * (xsys_text), or refused (xsys_slurp: XSYS_TOO_LARGE).  Under a sysroot,
 * every path resolves beneath it (a link out is XSYS_OUTSIDE) and only
 * regular files are read (base/file.h). */
#define XSYS_ATTR_MAX 4096

typedef struct xsys {
	char root[XSYS_PATH_MAX]; /* "" for the live machine, else a folder without trailing '/' */
} xsys;

typedef enum xsys_rc {
	XSYS_OK = 0,
	XSYS_MISSING, /* ENOENT / ENOTDIR */
	XSYS_DENIED,  /* EACCES / EPERM */
	XSYS_EMPTY,   /* the file has no content */
	XSYS_GARBAGE, /* content that does not parse as what was asked */
	XSYS_IO,      /* any other failure */
	XSYS_NOT_FILE,  /* a sysroot's FIFO, socket, device node or loop of links */
	XSYS_OUTSIDE,   /* a sysroot's link (or "..") that leads out of it */
	XSYS_TOO_LARGE, /* xsys_slurp: more than its max bytes */
} xsys_rc;

/* root NULL or "/" is this machine.  Fails when root is not a readable folder. */
int xsys_init(xsys *s, const char *root, char *err, size_t errlen);
bool xsys_is_live(const xsys *s);

/* The real path of an absolute machine path ("/sys/class/drm"). */
const char *xsys_path(const xsys *s, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The file's content up to the first NUL or len-1 bytes, trailing white space
 * removed.  EMPTY when nothing remains. */
xsys_rc xsys_text(const xsys *s, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
xsys_rc xsys_vtext(const xsys *s, char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* Whole file (up to max bytes) in a malloc'd, NUL-terminated buffer;
 * XSYS_TOO_LARGE when it holds more. */
xsys_rc xsys_slurp(const xsys *s, char **out, size_t *n, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
xsys_rc xsys_u64(const xsys *s, uint64_t *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
xsys_rc xsys_i64(const xsys *s, int64_t *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool xsys_exists(const xsys *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The name of the folder a path resolves to, links followed: for
 * /sys/class/drm/card0/device, the device's own name ("fb000000.gpu"),
 * whatever the links on the way are called. */
xsys_rc xsys_real_name(const xsys *s, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The machine path a path resolves to, links followed, with the sysroot
 * taken off: /sys/bus/pci/devices/0000:03:00.0 ->
 * /sys/devices/pci0000:00/0000:00:01.0/0000:03:00.0 (the PCI hierarchy the
 * kernel's links encode).  A link that leaves the sysroot is GARBAGE. */
xsys_rc xsys_real_path(const xsys *s, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Whether this process may open the node read-write (device nodes). */
xsys_rc xsys_access_rw(const xsys *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sorted names in a folder, skipping "." and "..".  Returns the count (0 on
 * any error, with *rc saying which); free with xsys_names_free. */
typedef struct xsys_names {
	char **names;
	size_t count;
} xsys_names;
xsys_rc xsys_list(const xsys *s, xsys_names *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xsys_names_free(xsys_names *n);

#endif
