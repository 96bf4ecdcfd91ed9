/* dlopen and dlsym for the libraries xpu loads at run time and never links
 * (vendor runtimes, BLAS, libcurl, libmicrohttpd). */
#ifndef XPU_BASE_DL_H
#define XPU_BASE_DL_H

#include <stddef.h>

/* dlopen the first name that loads (RTLD_NOW | RTLD_LOCAL).  On failure err
 * says which names were tried and dlerror() of the last (or of an earlier one
 * that exists but failed to load: wrong architecture, missing dependency). */
void *xpu_dl_open(const char *const *names, char *err, size_t errlen);
/* Whether err (from xpu_dl_open) says only that no name exists, as opposed to
 * one that exists but cannot load. */
int xpu_dl_absent(const char *err);
/* dlsym of the first of the names (NULL-terminated) that resolves. */
void *xpu_dl_sym(void *lib, const char *const *names);
/* Resolves the first of the names (a NULL-terminated list, versioned names
 * first) into the function pointer variable at fnslot; NULL there when none
 * resolves.  Returns whether one did.  (memcpy, because ISO C has no cast from
 * void * to a function pointer; POSIX guarantees they have the same size.) */
int xpu_dl_fn(void *lib, void *fnslot, ...) __attribute__((sentinel));

#endif
