/* NCCL (libnccl.so.2) and RCCL (librccl.so.1) as libxpu declares them, from
 * nccl.h's documented API (NVIDIA's header is not redistributed): the
 * types, the few entry points `xpu bench` calls, and one symbol table per
 * library found.  RCCL is AMD's port of NCCL and keeps its API and symbol
 * names (ncclCommInitAll, ncclAllReduce...), so one table and one runner
 * serve both; only the device memory calls around them differ (CUDA's or
 * HIP's).  Neither is a runtime of its own: the CUDA toolkit, pip's
 * nvidia-nccl wheel (inside PyTorch's environment), Debian's libnccl2 or
 * ROCm bring them, so they are found by a search (runtimes/find.h). */
#ifndef XPU_RUNTIMES_NCCL_API_H
#define XPU_RUNTIMES_NCCL_API_H

#include <stddef.h>

typedef int xnccl_result;                 /* ncclResult_t: 0 success */
typedef struct xnccl_comm_s *xnccl_comm;  /* ncclComm_t */
typedef struct xnccl_stream_s *xnccl_stream; /* cudaStream_t = CUstream; hipStream_t */

/* ncclUniqueId: what the ranks of several processes (several hosts) share
 * to make one communicator (ncclGetUniqueId on rank 0, sent through the
 * launcher, then ncclCommInitRank everywhere); see docs/design.md. */
#define XNCCL_UNIQUE_ID_BYTES 128
typedef struct xnccl_unique_id {
	char internal[XNCCL_UNIQUE_ID_BYTES];
} xnccl_unique_id;

enum {
	XNCCL_SUCCESS = 0,
	XNCCL_FLOAT32 = 7, /* ncclFloat32 (ncclDataType_t) */
	XNCCL_SUM = 0,     /* ncclSum (ncclRedOp_t) */
};

/* A NULL entry: the library lacks it. */
typedef struct xpu_nccl_api {
	xnccl_result (*get_version)(int *version); /* 22307 = 2.23.7 */
	xnccl_result (*comm_init_all)(xnccl_comm *comms, int ndev, const int *devlist);
	xnccl_result (*comm_destroy)(xnccl_comm comm);
	xnccl_result (*get_unique_id)(xnccl_unique_id *id);
	xnccl_result (*comm_init_rank)(xnccl_comm *comm, int nranks, xnccl_unique_id id, int rank);
	xnccl_result (*all_reduce)(const void *send, void *recv, size_t count, int type, int op,
				   xnccl_comm comm, xnccl_stream stream);
	xnccl_result (*all_gather)(const void *send, void *recv, size_t send_count, int type,
				   xnccl_comm comm, xnccl_stream stream);
	xnccl_result (*reduce_scatter)(const void *send, void *recv, size_t recv_count, int type,
				       int op, xnccl_comm comm, xnccl_stream stream);
	xnccl_result (*broadcast)(const void *send, void *recv, size_t count, int type, int root,
				  xnccl_comm comm, xnccl_stream stream);
	xnccl_result (*group_start)(void);
	xnccl_result (*group_end)(void);
	const char *(*error_string)(xnccl_result result);
} xpu_nccl_api;

/* A collective library: its name, sonames, the variable that points at it,
 * and what to install when it is missing. */
typedef struct xpu_ccl_lib {
	const char *name;              /* "NCCL", "RCCL" */
	const char *const *sonames;
	const char *env;               /* "XPU_NCCL" */
	const char *install;
} xpu_ccl_lib;
extern const xpu_ccl_lib xpu_nccl_lib, xpu_rccl_lib;

/* Finds and opens l; NULL with err saying what was looked for and what to
 * install.  where gets the file that loaded. */
void *xpu_ccl_open(const xpu_ccl_lib *l, char *where, size_t len, char *err, size_t errlen);
/* The table of lib (a handle xpu_ccl_open gave), resolved at the first call
 * for that handle.  Thread-safe. */
const xpu_nccl_api *xpu_nccl_api_of(void *lib);

#endif
