/* `xpu snapshot DIR`: copy what discovery reads into DIR so that
 * `xpu --sysroot DIR list` reproduces this machine anywhere.  sysfs folders
 * are copied as real folders (links are not followed, so the copy is
 * bounded); the links discovery walks (class/drm/cardN, .../device) are
 * written as relative links inside DIR.  Device nodes become empty files of
 * the same mode, enough for the access checks.  What each vendor needs
 * besides its DRM and PCI devices (NVIDIA's procfs folder, /dev/kfd, the
 * CPU's files) is its descriptor's `snapshot` list.
 *
 * DIR is often written as root, in a folder others can write (/tmp): it
 * must be new or empty and no link itself, and everything in it is made
 * beneath its descriptor, new (O_EXCL) and through no link
 * (base/file.h), so nothing planted in it is ever written through.  A file
 * longer than FILE_MAX is cut, and the caller is told which. */
#include "core/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "core/pci.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

enum { MAX_DEPTH = 5, FILE_MAX = XPU_SNAPSHOT_FILE_MAX };

typedef struct snap {
	const char *src; /* the machine's root: "" for this machine, a folder in tests */
	int out;         /* the destination folder */
	char *buf;       /* FILE_MAX + 1 bytes */
	xpu_snapshot_result *res;
} snap;

/* The source path of a machine path ("/sys/..."). */
static const char *src_path(const snap *sn, char *buf, size_t len, const char *machine_path)
{
	snprintf(buf, len, "%s%s", sn->src, machine_path);
	return buf;
}

/* A source file read without blocking, at most len - 1 bytes; -1 on error. */
static ssize_t read_src(const snap *sn, const char *machine_path, char *buf, size_t len)
{
	char p[XSYS_PATH_MAX];
	int fd = open(src_path(sn, p, sizeof(p), machine_path),
		      O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	ssize_t n = xpu_fd_read_all(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Binary blobs and registers: large, useless for discovery, some unsafe to read. */
static bool skipped(const char *name)
{
	static const char *const names[] = { "config", "rom", "remove", "rescan", "reset",
					     "hdcp_srm", "vbios", "edid", "new_id",
					     "remove_id", "bind", "unbind", NULL };
	for (const char *const *n = names; *n; n++)
		if (strcmp(name, *n) == 0)
			return true;
	return xpu_starts_with(name, "resource");
}

/* The folder of a machine path in the copy, made if needed (following no
 * link); *name is the last component.  -1 when it cannot be made. */
static int parent_in_copy(const snap *sn, const char *machine_path, const char **name)
{
	char dir[XSYS_PATH_MAX];
	xpu_strlcpy(dir, machine_path, sizeof(dir));
	char *slash = strrchr(dir, '/');
	*name = machine_path + (slash ? slash - dir + 1 : 0);
	if (!slash || slash == dir)
		return dup(sn->out);
	*slash = '\0';
	if (xpu_mkdirs_beneath(sn->out, dir + 1, 0755) != 0)
		return -1;
	return xpu_open_beneath(sn->out, dir + 1, O_PATH | O_DIRECTORY, 0, 1);
}

/* A new file in the copy; -1 when one is there already (the same file
 * reached twice) or it cannot be made. */
static int create_in_copy(const snap *sn, const char *machine_path, mode_t mode)
{
	const char *name;
	int dir = parent_in_copy(sn, machine_path, &name);
	if (dir < 0)
		return -1;
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	close(dir);
	return fd;
}

static void note_cut(snap *sn, const char *machine_path)
{
	xpu_snapshot_result *r = sn->res;
	if (r->cut < XPU_ARRAY_LEN(r->cut_paths))
		xpu_strlcpy(r->cut_paths[r->cut], machine_path, sizeof(r->cut_paths[0]));
	r->cut++;
}

static void copy_file(snap *sn, const char *machine_path, mode_t mode)
{
	ssize_t n = read_src(sn, machine_path, sn->buf, FILE_MAX + 2);
	if (n < 0)
		return; /* write-only attributes, or denied: a replay sees them missing */
	if (n > FILE_MAX) {
		note_cut(sn, machine_path);
		n = FILE_MAX;
	}
	int out = create_in_copy(sn, machine_path, mode & 0777 ? mode & 0666 : 0644);
	if (out < 0)
		return;
	if (xpu_fd_write_all(out, sn->buf, (size_t)n))
		sn->res->files++;
	close(out);
}

static void copy_tree(snap *sn, const char *machine_dir, int depth)
{
	char src[XSYS_PATH_MAX];
	if (xpu_mkdirs_beneath(sn->out, machine_dir + 1, 0755) != 0)
		return;
	DIR *d = opendir(src_path(sn, src, sizeof(src), machine_dir));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (skipped(e->d_name))
			continue;
		char child[XSYS_PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", machine_dir, e->d_name) >= sizeof(child))
			continue;
		if (lstat(src_path(sn, src, sizeof(src), child), &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			copy_tree(sn, child, depth + 1);
		else if (S_ISREG(st.st_mode))
			copy_file(sn, child, st.st_mode);
	}
	closedir(d);
}

static void link_rel(snap *sn, const char *target, const char *machine_link)
{
	const char *name;
	int dir = parent_in_copy(sn, machine_link, &name);
	if (dir < 0)
		return;
	/* card0 and renderD128 share a device: a link made twice is the same */
	if (symlinkat(target, dir, name) != 0 && errno == EEXIST) {
		unlinkat(dir, name, 0);
		if (symlinkat(target, dir, name) != 0) {
			/* nothing: a replay sees the link missing */
		}
	}
	close(dir);
}

/* A link at machine_link to the machine folder target, relative so that
 * it stays inside the copy: "../../devices/platform/X" from /sys/class/drm. */
static void link_to(snap *sn, const char *machine_target, const char *machine_link)
{
	char rel[XSYS_PATH_MAX] = "";
	size_t used = 0;
	for (const char *p = strchr(machine_link + 1, '/'); p; p = strchr(p + 1, '/'))
		used += (size_t)snprintf(rel + used, sizeof(rel) - used, "../");
	snprintf(rel + used, sizeof(rel) - used, "%s", machine_target + 1);
	link_rel(sn, rel, machine_link);
}

static void placeholder_node(snap *sn, const char *node)
{
	struct stat st;
	char src[XSYS_PATH_MAX];
	if (stat(src_path(sn, src, sizeof(src), node), &st) != 0)
		return;
	int fd = create_in_copy(sn, node, st.st_mode & 0666);
	if (fd >= 0)
		close(fd);
}

/* The device folder dev_dir (copied already), its DRM minors: for each,
 * /sys/class/drm/NAME -> DEV/drm/NAME, DEV/drm/NAME/device -> ../.. and a
 * placeholder /dev/dri/NAME. */
static void link_drm_minors(snap *sn, const char *dev_dir)
{
	char dir[XSYS_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s%s/drm", sn->src, dev_dir);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!xpu_starts_with(e->d_name, "card") && !xpu_starts_with(e->d_name, "renderD"))
			continue;
		char minor[XSYS_PATH_MAX], link[XSYS_PATH_MAX], node[XSYS_PATH_MAX];
		snprintf(minor, sizeof(minor), "%s/drm/%s", dev_dir, e->d_name);
		snprintf(link, sizeof(link), "/sys/class/drm/%s", e->d_name);
		link_to(sn, minor, link);
		snprintf(link, sizeof(link), "%s/device", minor);
		link_rel(sn, "../..", link);
		snprintf(node, sizeof(node), "/dev/dri/%s", e->d_name);
		placeholder_node(sn, node);
	}
	closedir(d);
}

static bool read_hex(const snap *sn, const char *machine_path, uint64_t *v)
{
	char text[32];
	return read_src(sn, machine_path, text, sizeof(text)) > 0 && xpu_parse_u64(text, v);
}

/* A display or accelerator function of a vendor xpu knows. */
static bool wanted_pci(const snap *sn, const char *addr)
{
	char p[XSYS_PATH_MAX];
	uint64_t cls, vendor;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/class", addr);
	if (!read_hex(sn, p, &cls))
		return false;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", addr);
	return xpu_pci_accelerator_class(cls) && read_hex(sn, p, &vendor) &&
	       xpu_vendor_of_pci_id((unsigned)vendor) != XPU_VENDOR_OTHER;
}

static bool machine_real(const snap *sn, const char *machine_path, char *out, size_t len);

/* /sys/bus/pci/devices/ADDR with its minors: the device folder where sysfs
 * keeps it and the bus's link to it, so that the copy keeps the bridges
 * between the device and its host bridge (xpu topo reads them); a real
 * folder where the source has one (an older snapshot). */
static void snapshot_pci(snap *sn)
{
	char src[XSYS_PATH_MAX];
	DIR *d = opendir(src_path(sn, src, sizeof(src), "/sys/bus/pci/devices"));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !wanted_pci(sn, e->d_name))
			continue;
		char dir[XSYS_PATH_MAX], real[XSYS_PATH_MAX];
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		if (machine_real(sn, dir, real, sizeof(real)) && strcmp(real, dir) != 0) {
			copy_tree(sn, real, 0);
			link_to(sn, real, dir);
			link_drm_minors(sn, real);
		} else {
			copy_tree(sn, dir, 0);
			link_drm_minors(sn, dir);
		}
	}
	closedir(d);
}

/* The machine path a source path resolves to (links followed), or false
 * when it leads outside the source's /sys. */
static bool machine_real(const snap *sn, const char *machine_path, char *out, size_t len)
{
	char p[XSYS_PATH_MAX], *root = realpath(sn->src[0] ? sn->src : "/", NULL);
	char *real = realpath(src_path(sn, p, sizeof(p), machine_path), NULL);
	size_t n = root ? strlen(root) : 0;
	if (n == 1)
		n = 0; /* this machine: "/" is no prefix to strip */
	bool ok = root && real && strncmp(real, root, n) == 0 && xpu_starts_with(real + n, "/sys/");
	if (ok)
		xpu_strlcpy(out, real + n, len);
	free(root);
	free(real);
	return ok;
}

/* Whether a machine folder holds a PCI device (its uevent names the slot). */
static bool is_pci_device(const snap *sn, const char *machine_dir)
{
	char p[XSYS_PATH_MAX], text[XSYS_ATTR_MAX];
	snprintf(p, sizeof(p), "%s/uevent", machine_dir);
	return read_src(sn, p, text, sizeof(text)) > 0 && strstr(text, "PCI_SLOT_NAME=") != NULL;
}

/* DRM devices that are no PCI device (SoC GPUs, and display-only or
 * virtual ones, copied too so that a replay makes the same decision): the
 * device folder where sysfs keeps it, and the minors' links to it. */
static void snapshot_platform(snap *sn)
{
	char src[XSYS_PATH_MAX];
	DIR *d = opendir(src_path(sn, src, sizeof(src), "/sys/class/drm"));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char dev[XSYS_PATH_MAX], real[XSYS_PATH_MAX], copied[XSYS_PATH_MAX];
		if (!xpu_starts_with(e->d_name, "card") && !xpu_starts_with(e->d_name, "renderD"))
			continue;
		snprintf(dev, sizeof(dev), "/sys/class/drm/%s/device", e->d_name);
		if (!machine_real(sn, dev, real, sizeof(real)) || is_pci_device(sn, real))
			continue; /* PCI devices come from the bus, with their vendor filter */
		snprintf(copied, sizeof(copied), "%s/uevent", real + 1);
		if (faccessat(sn->out, copied, F_OK, AT_SYMLINK_NOFOLLOW) != 0) /* card0 and renderD128 share a device */
			copy_tree(sn, real, 0);
		link_drm_minors(sn, real);
	}
	closedir(d);
}

/* One match of a descriptor's pattern: a /dev node, a file, a folder, or a
 * link to a device folder (the folder copied, the link made again). */
static void snapshot_match(snap *sn, const char *machine_path)
{
	char src[XSYS_PATH_MAX], real[XSYS_PATH_MAX];
	struct stat st;
	if (xpu_starts_with(machine_path, "/dev/")) {
		placeholder_node(sn, machine_path);
		return;
	}
	if (lstat(src_path(sn, src, sizeof(src), machine_path), &st) != 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		if (!machine_real(sn, machine_path, real, sizeof(real)))
			return;
		copy_tree(sn, real, 0);
		link_to(sn, real, machine_path);
	} else if (S_ISDIR(st.st_mode)) {
		copy_tree(sn, machine_path, 0);
	} else if (S_ISREG(st.st_mode)) {
		copy_file(sn, machine_path, st.st_mode);
	}
}

static void snapshot_vendor_files(snap *sn)
{
	size_t skip = strlen(sn->src);
	for (size_t v = 0; v < xpu_vendor_count(); v++) {
		const xpu_vendor_desc *desc = xpu_vendor_desc_of((xpu_vendor)v);
		for (const char *const *pat = desc->snapshot; pat && *pat; pat++) {
			char p[XSYS_PATH_MAX];
			glob_t g;
			if (glob(src_path(sn, p, sizeof(p), *pat), 0, NULL, &g) != 0)
				continue;
			for (size_t i = 0; i < g.gl_pathc; i++)
				snapshot_match(sn, g.gl_pathv[i] + skip);
			globfree(&g);
		}
	}
	/* the kernel release: the version of every in-tree driver */
	snapshot_match(sn, "/proc/sys/kernel/osrelease");
}

/* The folders above dir: the user's own path, made as given. */
static void make_parents(const char *dir)
{
	char p[XSYS_PATH_MAX];
	xpu_strlcpy(p, dir, sizeof(p));
	char *last = strrchr(p, '/');
	for (char *q = p + 1; last && q < last; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	if (last && last != p) {
		*last = '\0';
		mkdir(p, 0755);
	}
}

/* A new or empty folder, no link, open for making the copy in; -1 with
 * err set otherwise. */
static int open_target(const char *dir, char *err, size_t errlen)
{
	make_parents(dir);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "'%s': %s; give a new or empty folder, not a link", dir,
			 errno == ELOOP || errno == ENOTDIR ? "not a folder" : strerror(errno));
		return -1;
	}
	DIR *d = fdopendir(dup(fd));
	size_t entries = 0;
	for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d))
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	if (!d || entries) {
		snprintf(err, errlen, "'%s' is not empty; give a new or empty folder (xpu snapshot "
			 "writes nothing into a folder that holds files already)", dir);
		close(fd);
		return -1;
	}
	return fd;
}

int xpu_snapshot_from(const char *src, const char *dir, xpu_snapshot_result *res, char *err,
		      size_t errlen)
{
	xpu_snapshot_result local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	int out = open_target(dir, err, errlen);
	if (out < 0)
		return XPU_E_IO;
	snap sn = { .src = src, .out = out, .buf = malloc(FILE_MAX + 2), .res = res };
	if (!sn.buf) {
		close(out);
		snprintf(err, errlen, "out of memory");
		return XPU_E_IO;
	}
	snapshot_pci(&sn);
	snapshot_platform(&sn);
	snapshot_vendor_files(&sn);
	free(sn.buf);
	close(out);
	if (res->files == 0) {
		snprintf(err, errlen, "nothing could be read into '%s' (is /sys mounted?)", dir);
		return XPU_E_IO;
	}
	return XPU_E_OK;
}

int xpu_snapshot(const xpu_options *opt, const char *dir, xpu_snapshot_result *res, char *err,
		 size_t errlen)
{
	if (opt && opt->sysroot && strcmp(opt->sysroot, "/") != 0) {
		xpu_strlcpy(err, "snapshot reads this machine; it cannot be combined with --sysroot", errlen);
		return XPU_E_SYSROOT;
	}
	return xpu_snapshot_from("", dir, res, err, errlen);
}
