/* `xpu snapshot DIR`: copy what discovery reads into DIR so that
 * `xpu --sysroot DIR list` reproduces this machine anywhere.  sysfs folders
 * are copied as real folders (links are not followed, so the copy is
 * bounded); the links discovery walks (class/drm/cardN, .../device) are
 * written as relative links inside DIR.  Device nodes become empty files of
 * the same mode, enough for the access checks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "core/pci.h"
#include "sys/parse.h"

enum { MAX_DEPTH = 5, MAX_FILE = 64 * 1024 };

typedef struct snap {
	const char *out; /* destination folder */
	int files;
} snap;

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

static void copy_file(snap *sn, const char *src, const char *machine_path, mode_t mode)
{
	char buf[MAX_FILE];
	int fd = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
	char dst[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, machine_dir);
	if (mkdirs(dst) != 0)
		return;
	DIR *d = opendir(machine_dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (skipped(e->d_name))
			continue;
		char src[XSYS_PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(src, sizeof(src), "%s/%s", machine_dir, e->d_name) >= sizeof(src))
			continue;
		if (lstat(src, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			copy_tree(sn, src, depth + 1);
		else if (S_ISREG(st.st_mode))
			copy_file(sn, src, src, st.st_mode);
	}
	closedir(d);
}

static void link_rel(snap *sn, const char *target, const char *machine_link)
{
	char dst[XSYS_PATH_MAX], dir[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, machine_link);
	xpu_strlcpy(dir, dst, sizeof(dir));
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(dir);
	}
	unlink(dst);
	if (symlink(target, dst) != 0)
		return;
}

static void placeholder_node(snap *sn, const char *node)
{
	struct stat st;
	if (stat(node, &st) != 0)
		return;
	char dst[XSYS_PATH_MAX], dir[XSYS_PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", sn->out, node);
	xpu_strlcpy(dir, dst, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0666);
	if (fd >= 0)
		close(fd);
}

/* /sys/bus/pci/devices/ADDR (a real folder in the copy) and, for each DRM
 * minor under it, /sys/class/drm/NAME -> ../../bus/pci/devices/ADDR/drm/NAME. */
static void snapshot_pci_device(snap *sn, const char *addr)
{
	char dir[XSYS_PATH_MAX];
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", addr);
	copy_tree(sn, dir, 0);
	DIR *d = opendir(strcat(dir, "/drm"));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!xpu_starts_with(e->d_name, "card") && !xpu_starts_with(e->d_name, "renderD"))
			continue;
		char link[XSYS_PATH_MAX], target[XSYS_PATH_MAX], node[XSYS_PATH_MAX];
		snprintf(link, sizeof(link), "/sys/class/drm/%s", e->d_name);
		snprintf(target, sizeof(target), "../../bus/pci/devices/%s/drm/%s", addr, e->d_name);
		link_rel(sn, target, link);
		snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/drm/%s/device", addr, e->d_name);
		link_rel(sn, "../..", link);
		snprintf(node, sizeof(node), "/dev/dri/%s", e->d_name);
		placeholder_node(sn, node);
	}
	closedir(d);
}

static bool wanted_pci(const char *addr)
{
	char p[XSYS_PATH_MAX], v[32];
	uint64_t cls, vendor;
	FILE *f;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/class", addr);
	if (!(f = fopen(p, "r")))
		return false;
	bool ok = fgets(v, sizeof(v), f) && xpu_parse_u64(v, &cls);
	fclose(f);
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", addr);
	if (!ok || !(f = fopen(p, "r")))
		return false;
	ok = fgets(v, sizeof(v), f) && xpu_parse_u64(v, &vendor);
	fclose(f);
	unsigned base = (unsigned)(cls >> 16);
	return ok && (base == 0x03 || base == 0x12) &&
	       (vendor == 0x8086 || vendor == 0x10de || vendor == 0x1002);
}

static void snapshot_files(snap *sn)
{
	static const char *const files[] = {
		"/proc/cpuinfo", "/proc/meminfo", "/proc/sys/kernel/osrelease",
		"/proc/driver/nvidia/version", "/sys/module/nvidia/version",
		"/sys/devices/system/cpu/online", "/sys/devices/system/node/online",
		"/sys/module/amdgpu/version", NULL,
	};
	for (const char *const *f = files; *f; f++) {
		char dir[XSYS_PATH_MAX];
		snprintf(dir, sizeof(dir), "%s%s", sn->out, *f);
		*strrchr(dir, '/') = '\0';
		struct stat st;
		if (stat(*f, &st) != 0)
			continue;
		mkdirs(dir);
		copy_file(sn, *f, *f, st.st_mode);
	}
	copy_tree(sn, "/sys/devices/system/cpu/cpu0/cache", 0);
	copy_tree(sn, "/proc/driver/nvidia/gpus", 0);
	DIR *d = opendir("/dev");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			char node[300];
			if (!xpu_starts_with(e->d_name, "nvidia") && strcmp(e->d_name, "kfd") != 0)
				continue;
			snprintf(node, sizeof(node), "/dev/%s", e->d_name);
			placeholder_node(sn, node);
		}
		closedir(d);
	}
}

int xpu_snapshot(const xpu_options *opt, const char *dir, char *err, size_t errlen)
{
	if (opt && opt->sysroot && strcmp(opt->sysroot, "/") != 0) {
		xpu_strlcpy(err, "snapshot reads this machine; it cannot be combined with --sysroot", errlen);
		return XPU_E_SYSROOT;
	}
	if (mkdirs(dir) != 0) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		return XPU_E_IO;
	}
	snap sn = { .out = dir, .files = 0 };
	DIR *d = opendir("/sys/bus/pci/devices");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' && wanted_pci(e->d_name))
				snapshot_pci_device(&sn, e->d_name);
		closedir(d);
	}
	snapshot_files(&sn);
	if (sn.files == 0) {
		snprintf(err, errlen, "nothing could be read into '%s' (is /sys mounted?)", dir);
		return XPU_E_IO;
	}
	return XPU_E_OK;
}
