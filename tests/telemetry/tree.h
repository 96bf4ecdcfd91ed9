/* Recorded trees for the telemetry tests: a temporary sysroot (tree_root)
 * and the helpers that fill it. */
#ifndef XPU_TESTS_TELEMETRY_TREE_H
#define XPU_TESTS_TELEMETRY_TREE_H

extern char tree_root[256];

/* Runs a shell command; the test fails unless it exits 0. */
void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes tree_root/rel (folders made as needed). */
void put(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
