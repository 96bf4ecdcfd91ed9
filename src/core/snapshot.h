/* `xpu snapshot`'s copy, from any root: the tests copy a fixture tree as
 * they would a machine, and replay the copy. */
#ifndef XPU_SNAPSHOT_H
#define XPU_SNAPSHOT_H

#include <stddef.h>

#include "xpu/xpu.h"

/* Copies what discovery reads from the machine whose root is src ("" for
 * this machine) into dir (new or empty).  Returns XPU_E_OK, or an error with
 * err set; res (may be NULL) counts the files and names those cut. */
int xpu_snapshot_from(const char *src, const char *dir, xpu_snapshot_result *res, char *err,
		      size_t errlen);

#endif
