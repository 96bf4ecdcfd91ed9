/* Private to src/run: what config.c, assume.c and profile.c share. */
#ifndef XPU_RUN_INT_H
#define XPU_RUN_INT_H

#include <stddef.h>

/* The backends an app can be started on, in the policy's order, as messages
 * list them: "cuda, level_zero, rocm, vulkan, cpu". */
void run_backend_names(char *out, size_t len);

#endif
