/* `xpu snapshot DIR`: copy what discovery reads into DIR so that
 * `xpu --sysroot DIR list` reproduces this machine anywhere.  sysfs folders
 * are copied as real folders (links are not followed, so the copy is
 * bounded); the links discovery walks (class/drm/cardN, .../device) are
 * written as relative links inside DIR.  Device nodes become empty files of
 * the same mode, enough for the access checks.  What each vendor needs
 * besides its DRM and PCI devices (NVIDIA's procfs folder, /dev/kfd, the
 * CPU's files) is its descriptor's `snapshot` list. */
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

#include "base/util.h"
#include "core/pci.h"
#include "sys/parse.h"
#include "vendors/vendor.h"

enum { MAX_DEPTH = 5, MAX_FILE = 64 * 1024 };

typedef struct snap {
	const char *src; /* the machine's root: "" for this machine, a folder in tests */
	const char *out; /* destination folder */
	int files;
} snap;

/* The source path of a machine path ("/sys/..."). */
static const char *src_path(const snap *sn, char *buf, size_t len, const char *machine_path)
{
	snprintf(buf, len, "%s%s", sn->src, machine_path);
	return buf;
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

static int mkdirs(const char *path)
{
	char buf[XSYS_PATH_MAX];
	xpu_strlcpy(buf, path, sizeof(buf));
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The folder of a machine path, made in the copy. */
static void mkdirs_for(const snap *sn, const char *machine_path)
{
	char dir[XSYS_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s%s", sn->out, machine_path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(dir);
	}
}

static void copy_file(snap *sn, const char *machine_path, mode_t mode)
{
	char buf[MAX_FILE], src[XSYS_PATH_MAX];
	int fd = open(src_path(sn, src, sizeof(src), machine_path), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return; /* write-only attributes, or denied: a replay sees them missing */
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return;
	char dst[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, machine_path);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777 ? mode & 0666 : 0644);
	if (out < 0)
		return;
	if (write(out, buf, (size_t)n) == n)
		sn->files++;
	close(out);
}

static void copy_tree(snap *sn, const char *machine_dir, int depth)
{
	char dst[XSYS_PATH_MAX], src[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, machine_dir);
	if (mkdirs(dst) != 0)
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
	char dst[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, machine_link);
	mkdirs_for(sn, machine_link);
	unlink(dst);
	if (symlink(target, dst) != 0)
		return;
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
	char dst[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, node);
	mkdirs_for(sn, node);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0666);
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
	char p[XSYS_PATH_MAX], text[32];
	FILE *f = fopen(src_path(sn, p, sizeof(p), machine_path), "r");
	if (!f)
		return false;
	bool ok = fgets(text, sizeof(text), f) && xpu_parse_u64(text, v);
	fclose(f);
	return ok;
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
	snprintf(p, sizeof(p), "%s%s/uevent", sn->src, machine_dir);
	FILE *f = fopen(p, "r");
	if (!f)
		return false;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return strstr(text, "PCI_SLOT_NAME=") != NULL;
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
		snprintf(copied, sizeof(copied), "%s%s/uevent", sn->out, real);
		if (access(copied, F_OK) != 0) /* card0 and renderD128 share a device */
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
		mkdirs_for(sn, machine_path);
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

int xpu_snapshot_from(const char *src, const char *dir, char *err, size_t errlen)
{
	if (mkdirs(dir) != 0) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		return XPU_E_IO;
	}
	snap sn = { .src = src, .out = dir, .files = 0 };
	snapshot_pci(&sn);
	snapshot_platform(&sn);
	snapshot_vendor_files(&sn);
	if (sn.files == 0) {
		snprintf(err, errlen, "nothing could be read into '%s' (is /sys mounted?)", dir);
		return XPU_E_IO;
	}
	return XPU_E_OK;
}

int xpu_snapshot(const xpu_options *opt, const char *dir, char *err, size_t errlen)
{
	if (opt && opt->sysroot && strcmp(opt->sysroot, "/") != 0) {
		xpu_strlcpy(err, "snapshot reads this machine; it cannot be combined with --sysroot", errlen);
		return XPU_E_SYSROOT;
	}
	return xpu_snapshot_from("", dir, err, errlen);
}
