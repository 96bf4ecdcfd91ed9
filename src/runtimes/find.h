/* Finding a library that is no runtime of its own and that the loader's
 * search often misses: cuBLAS, NCCL, RCCL come with the CUDA toolkit,
 * ROCm under /opt/rocm, or pip's nvidia wheels inside a Python
 * environment.  One search serves them all. */
#ifndef XPU_RUNTIMES_FIND_H
#define XPU_RUNTIMES_FIND_H

#include <stddef.h>

/* The first of sonames (NULL-terminated) found: at $env (a file, or a
 * folder holding one of them) when that variable is set, and only there;
 * else in dir (may be NULL: the folder of a sibling library found before);
 * else by the loader (LD_LIBRARY_PATH, ld.so.cache); else in the CUDA
 * toolkit's, ROCm's and Python environments' folders (pip's nvidia/cu13/lib,
 * nvidia/cublas/lib, nvidia/nccl/lib).  where gets the file that loaded.
 * NULL when none did. */
void *xpu_lib_find(const char *const *sonames, const char *env, const char *dir, char *where,
		   size_t len);

#endif
