/* The search for libraries outside the loader's path (runtimes/find.h). */
#include "runtimes/find.h"

#include <dlfcn.h>
#include <glob.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the CUDA toolkit, ROCm and pip's nvidia wheels put their libraries
 * (PyTorch's CUDA 13 wheels: "nvidia/cu13/lib"; CUDA 12's: one folder per
 * library, "nvidia/cublas/lib", "nvidia/nccl/lib"). */
static const char *const search_globs[] = {
	"/usr/local/cuda/lib64",
	"/usr/local/cuda/targets/*-linux/lib",
	"/opt/rocm/lib",
	"/opt/*/.venv/lib/python3*/site-packages/nvidia/cu1[0-9]/lib",
	"/opt/*/.venv/lib/python3*/site-packages/nvidia/cublas/lib",
	"/opt/*/.venv/lib/python3*/site-packages/nvidia/nccl/lib",
	"/opt/*/lib/python3*/site-packages/nvidia/cu1[0-9]/lib",
	"/opt/*/lib/python3*/site-packages/nvidia/cublas/lib",
	"/opt/*/lib/python3*/site-packages/nvidia/nccl/lib",
	"/usr/local/lib/python3*/dist-packages/nvidia/cu1[0-9]/lib",
	"/usr/local/lib/python3*/dist-packages/nvidia/cublas/lib",
	"/usr/local/lib/python3*/dist-packages/nvidia/nccl/lib",
	"/usr/lib/python3/dist-packages/nvidia/cublas/lib",
	"/usr/lib/python3/dist-packages/nvidia/nccl/lib",
	NULL,
};

static void *open_in_dir(const char *const *sonames, const char *dir, char *where, size_t len)
{
	for (size_t i = 0; sonames[i]; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, sonames[i]);
		void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			snprintf(where, len, "%s", path);
			return h;
		}
	}
	return NULL;
}

/* $env: a folder, or a file (one of sonames, or any file whose folder
 * holds one). */
static void *open_env(const char *const *sonames, const char *name, const char *env, char *where,
		      size_t len)
{
	void *h = open_in_dir(sonames, env, where, len);
	if (h)
		return h;
	for (size_t i = 0; sonames[i]; i++) {
		const char *base = strrchr(sonames[i], '/');
		if (!strstr(env, base ? base + 1 : sonames[i]))
			continue;
		if ((h = dlopen(env, RTLD_NOW | RTLD_LOCAL)))
			snprintf(where, len, "%s (%s)", env, name);
		return h;
	}
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", env);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return open_in_dir(sonames, dir, where, len);
}

static void *open_globbed(const char *const *sonames, char *where, size_t len)
{
	for (size_t i = 0; search_globs[i]; i++) {
		glob_t g;
		if (glob(search_globs[i], 0, NULL, &g) != 0)
			continue;
		void *h = NULL;
		for (size_t j = 0; j < g.gl_pathc && !h; j++)
			h = open_in_dir(sonames, g.gl_pathv[j], where, len);
		globfree(&g);
		if (h)
			return h;
	}
	return NULL;
}

/* The file the loader picked for a soname, for the report. */
static void loaded_from(void *h, char *where, size_t len)
{
	struct link_map *map = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name)
		snprintf(where, len, "%s", map->l_name);
}

void *xpu_lib_find(const char *const *sonames, const char *env, const char *dir, char *where,
		   size_t len)
{
	const char *value = env ? getenv(env) : NULL;
	if (value && *value)
		return open_env(sonames, env, value, where, len);
	void *h = dir && *dir ? open_in_dir(sonames, dir, where, len) : NULL;
	for (size_t i = 0; !h && sonames[i]; i++) {
		h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (h) {
			snprintf(where, len, "%s", sonames[i]);
			loaded_from(h, where, len);
		}
	}
	return h ? h : open_globbed(sonames, where, len);
}
