/* The discovery cache: runtime results kept per user between runs (cache.c
 * says why and what), keyed by a fingerprint of the machine's stack. */
#ifndef XPU_CACHE_H
#define XPU_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/system.h"

typedef struct xpu_cache_contents {
	xpu_runtime_info runtimes[XPU_RT_COUNT];
	xpu_device devices[XPU_MAX_DEVICES];
	size_t count;
	int64_t probed_at;
} xpu_cache_contents;

/* After the sysfs pass, before any runtime: the fingerprint of what a probe's
 * result depends on, kept in s. */
void xpu_cache_fingerprint(struct xpu_system *s, unsigned runtime_mask);
/* When the cache holds a probe made under s's fingerprint, merges its runtime results into s and returns true.  Sets
 * s's cache state either way. */
bool xpu_cache_load(struct xpu_system *s);
/* After a full probe: writes s's runtime results, atomically. */
void xpu_cache_store(struct xpu_system *s);
/* A record beside the discovery cache, kept under the same fingerprint:
 * what a later step derives from the runtimes and is as slow to ask again
 * (the topology's NVLink and P2P answers, 20 ms of NVML calls on two
 * H200s).  Only while this discovery uses the cache: load after a hit, store
 * after a hit or a stored probe.  NAME is a file name part ("topology");
 * load takes exactly size bytes, else it is a miss. */
bool xpu_cache_record_load(const struct xpu_system *s, const char *name, void *data, size_t size);
void xpu_cache_record_store(const struct xpu_system *s, const char *name, const void *data,
			    size_t size);
/* Validates a cache file's bytes against fingerprint fp (exposed for the
 * fuzzer and the tests). */
bool xpu_cache_parse(const void *data, size_t size, uint64_t fp, xpu_cache_contents *out);
/* The records past a file's header and checksum (count devices): checked
 * (bools, counts) and copied, strings terminated.  Exposed for the fuzzer,
 * which reaches it without forging a checksum each time. */
bool xpu_cache_decode(const void *payload, size_t size, size_t count, xpu_cache_contents *out);
/* Sets the checksum of a cache image in place, as a store would (for the
 * fuzzer and the tests: a forged record must fail on its content, not on
 * its checksum).  False when too short to have a header. */
bool xpu_cache_seal(void *data, size_t size);

#endif
