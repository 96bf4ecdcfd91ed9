/* NCCL and RCCL: where they are and their one symbol table
 * (runtimes/nccl_api.h). */
#include "runtimes/nccl_api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "runtimes/find.h"

static const char *const nccl_sonames[] = { "libnccl.so.2", NULL };
static const char *const rccl_sonames[] = { "librccl.so.1", "/opt/rocm/lib/librccl.so.1", NULL };

const xpu_ccl_lib xpu_nccl_lib = {
	.name = "NCCL",
	.sonames = nccl_sonames,
	.env = "XPU_NCCL",
	.install = "install libnccl2 (Debian non-free, NVIDIA's CUDA repository) or "
		   "'pip install nvidia-nccl-cu12' (PyTorch's CUDA builds bring it)",
};

const xpu_ccl_lib xpu_rccl_lib = {
	.name = "RCCL",
	.sonames = rccl_sonames,
	.env = "XPU_RCCL",
	.install = "install rccl (ROCm)",
};

void *xpu_ccl_open(const xpu_ccl_lib *l, char *where, size_t len, char *err, size_t errlen)
{
	void *h = xpu_lib_find(l->sonames, l->env, NULL, where, len);
	if (h)
		return h;
	const char *at = getenv(l->env);
	if (at && *at)
		snprintf(err, errlen, "%s not found at %s=%s (give %s or its folder)", l->name, l->env,
			 at, l->sonames[0]);
	else
		snprintf(err, errlen, "%s not found (%s in no searched place): %s; or set %s to it",
			 l->name, l->sonames[0], l->install, l->env);
	return NULL;
}

static void resolve(void *lib, xpu_nccl_api *a)
{
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->get_version, "ncclGetVersion", NULL);
	xpu_dl_fn(lib, &a->comm_init_all, "ncclCommInitAll", NULL);
	xpu_dl_fn(lib, &a->comm_destroy, "ncclCommDestroy", NULL);
	xpu_dl_fn(lib, &a->get_unique_id, "ncclGetUniqueId", NULL);
	xpu_dl_fn(lib, &a->comm_init_rank, "ncclCommInitRank", NULL);
	xpu_dl_fn(lib, &a->all_reduce, "ncclAllReduce", NULL);
	xpu_dl_fn(lib, &a->all_gather, "ncclAllGather", NULL);
	xpu_dl_fn(lib, &a->reduce_scatter, "ncclReduceScatter", NULL);
	xpu_dl_fn(lib, &a->broadcast, "ncclBroadcast", NULL);
	xpu_dl_fn(lib, &a->group_start, "ncclGroupStart", NULL);
	xpu_dl_fn(lib, &a->group_end, "ncclGroupEnd", NULL);
	xpu_dl_fn(lib, &a->error_string, "ncclGetErrorString", NULL);
}

const xpu_nccl_api *xpu_nccl_api_of(void *lib)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static xpu_nccl_api table;
	static void *resolved_for;
	pthread_mutex_lock(&lock);
	if (resolved_for != lib) {
		resolve(lib, &table);
		resolved_for = lib;
	}
	pthread_mutex_unlock(&lock);
	return &table;
}
