/* `xpu snapshot`'s copy, from any root: the tests copy a fixture tree as
 * they would a machine, and replay the copy. */
#ifndef XPU_SNAPSHOT_H
#define XPU_SNAPSHOT_H

#include <stddef.h>

/* Copies what discovery reads from the machine whose root is src ("" for
 * this machine) into dir.  Returns XPU_E_OK, or an error with err set. */
int xpu_snapshot_from(const char *src, const char *dir, char *err, size_t errlen);

#endif
