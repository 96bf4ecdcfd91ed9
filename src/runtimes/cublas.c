/* cuBLAS and cuBLASLt: their names and one symbol table each
 * (runtimes/cublas_api.h). */
#include "runtimes/cublas_api.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"

const char *const xpu_cublas_libs[] = { "libcublas.so.13", "libcublas.so.12", "libcublas.so.11",
					NULL };
const char *const xpu_cublaslt_libs[] = { "libcublasLt.so.13", "libcublasLt.so.12", NULL };
const char *const xpu_cublas_dev_libs[] = { "/usr/local/cuda/lib64/libcublas.so", "libcublas.so",
					    NULL };
const char xpu_cublas_packages[] = "libcublas12 (non-free; or NVIDIA's cuda-libraries-12-x)";

void xpu_sonames_text(const char *const *names, const char *sep, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; names[i]; i++) {
		const char *part = i == 0 ? names[i] : strrchr(names[i], '.');
		if (!part)
			continue;
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", i ? sep : "", i ? part + 1 : part);
	}
}

static void cublas_resolve(void *lib, void *table)
{
	xpu_cublas_api *a = table;
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->create, "cublasCreate_v2", NULL);
	xpu_dl_fn(lib, &a->destroy, "cublasDestroy_v2", NULL);
	xpu_dl_fn(lib, &a->version, "cublasGetVersion_v2", NULL);
	xpu_dl_fn(lib, &a->set_stream, "cublasSetStream_v2", NULL);
	xpu_dl_fn(lib, &a->set_workspace, "cublasSetWorkspace_v2", NULL);
	xpu_dl_fn(lib, &a->gemm_ex, "cublasGemmEx", NULL);
}

static void cublaslt_resolve(void *lib, void *table)
{
	xpu_cublaslt_api *a = table;
	memset(a, 0, sizeof(*a));
	xpu_dl_fn(lib, &a->create, "cublasLtCreate", NULL);
	xpu_dl_fn(lib, &a->destroy, "cublasLtDestroy", NULL);
	xpu_dl_fn(lib, &a->version, "cublasLtGetVersion", NULL);
	xpu_dl_fn(lib, &a->desc_create, "cublasLtMatmulDescCreate", NULL);
	xpu_dl_fn(lib, &a->desc_destroy, "cublasLtMatmulDescDestroy", NULL);
	xpu_dl_fn(lib, &a->desc_set, "cublasLtMatmulDescSetAttribute", NULL);
	xpu_dl_fn(lib, &a->layout_create, "cublasLtMatrixLayoutCreate", NULL);
	xpu_dl_fn(lib, &a->layout_destroy, "cublasLtMatrixLayoutDestroy", NULL);
	xpu_dl_fn(lib, &a->pref_create, "cublasLtMatmulPreferenceCreate", NULL);
	xpu_dl_fn(lib, &a->pref_destroy, "cublasLtMatmulPreferenceDestroy", NULL);
	xpu_dl_fn(lib, &a->pref_set, "cublasLtMatmulPreferenceSetAttribute", NULL);
	xpu_dl_fn(lib, &a->heuristic, "cublasLtMatmulAlgoGetHeuristic", NULL);
	xpu_dl_fn(lib, &a->matmul, "cublasLtMatmul", NULL);
}

/* A table resolved for one library handle.  The handle is found by a search
 * (XPU_CUBLAS, the loader, toolkit and wheel folders), so the table is keyed
 * by it rather than opened here. */
typedef struct keyed_table {
	pthread_mutex_t lock;
	void *resolved_for;
	void *table;
	void (*resolve)(void *lib, void *table);
} keyed_table;

static const void *resolved(keyed_table *k, void *lib)
{
	pthread_mutex_lock(&k->lock);
	if (k->resolved_for != lib) {
		k->resolve(lib, k->table);
		k->resolved_for = lib;
	}
	pthread_mutex_unlock(&k->lock);
	return k->table;
}

const xpu_cublas_api *xpu_cublas_api_of(void *lib)
{
	static xpu_cublas_api table;
	static keyed_table k = { PTHREAD_MUTEX_INITIALIZER, NULL, &table, cublas_resolve };
	return resolved(&k, lib);
}

const xpu_cublaslt_api *xpu_cublaslt_api_of(void *lib)
{
	static xpu_cublaslt_api table;
	static keyed_table k = { PTHREAD_MUTEX_INITIALIZER, NULL, &table, cublaslt_resolve };
	return resolved(&k, lib);
}
