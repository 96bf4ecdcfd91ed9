/* Where a shared library really lives, and the version its file name
 * carries (libcuda.so.580.159.04), without loading anything new: a library
 * the runtime probes already loaded is asked through dlinfo, others are
 * looked for in the folders the loader and NixOS use. */
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doctor/doctor_int.h"

static bool loaded_file(const char *soname, char *path, size_t len)
{
	void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
	if (!h)
		return false;
	struct link_map *map = NULL;
	bool found = false;
	char real[PATH_MAX];
	if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && map->l_name[0] &&
	    realpath(map->l_name, real)) {
		xpu_strlcpy(path, real, len);
		found = true;
	}
	dlclose(h);
	return found;
}

static bool search_file(const char *dir, const char *soname, char *path, size_t len)
{
	char candidate[PATH_MAX], real[PATH_MAX];
	snprintf(candidate, sizeof(candidate), "%s/%s", dir, soname);
	if (!realpath(candidate, real))
		return false;
	xpu_strlcpy(path, real, len);
	return true;
}

bool doc_lib_file(const char *soname, char *path, size_t len)
{
	if (loaded_file(soname, path, len))
		return true;
	/* LD_LIBRARY_PATH first, as the loader does */
	const char *env = getenv("LD_LIBRARY_PATH");
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;
		bool found = false;
		for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
		     dir = strtok_r(NULL, ":", &save))
			found = *dir && search_file(dir, soname, path, len);
		free(copy);
		if (found)
			return true;
	}
	static const char *const dirs[] = {
		"/run/opengl-driver/lib", /* NixOS: hardware.graphics drivers */
		"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
		"/usr/local/lib", "/usr/lib/wsl/lib",
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(dirs); i++)
		if (search_file(dirs[i], soname, path, len))
			return true;
	return false;
}

void doc_lib_version(const char *path, const char *soname, char *out, size_t len)
{
	out[0] = '\0';
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *so = strstr(base, ".so.");
	/* the soname's own suffix ("libcuda.so.1") is no version of the driver */
	if (!so || strcmp(base, soname) == 0)
		return;
	xpu_strlcpy(out, so + 4, len);
}

int doc_kernel_version(const doc_ctx *c, char *text, size_t len)
{
	text[0] = '\0';
	if (xsys_text(&c->fs, text, len, "/proc/sys/kernel/osrelease") != XSYS_OK)
		return 0;
	int major = 0, minor = 0;
	if (sscanf(text, "%d.%d", &major, &minor) != 2)
		return 0;
	return major * 100 + minor;
}
