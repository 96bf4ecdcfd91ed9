/* Private to src/run: what config.c, assume.c and profile.c share. */
#ifndef XPU_RUN_INT_H
#define XPU_RUN_INT_H

#include <stddef.h>

#include "xpu/run.h"

/* The backends an app can be started on, in the policy's order, as messages
 * list them: "cuda, level_zero, rocm, vulkan, cpu". */
void run_backend_names(char *out, size_t len);

/* A config's or a profile's text, as its file would be read (named name in
 * messages): the fuzzer's entries.  0, or -1 with err set. */
int run_config_parse(xpu_config *cfg, const char *name, const char *text, char *err, size_t errlen);
int run_profile_parse(const char *name, const char *text, xpu_profile **out, char *err, size_t errlen);

#endif
