/* The topology as a JSON object, for `xpu list --json` (core/json.c), and
 * the shape of one value both write. */
#ifndef XPU_CORE_TOPOLOGY_JSON_H
#define XPU_CORE_TOPOLOGY_JSON_H

#include <jansson.h>

#include "xpu/topology.h"

json_t *xpu_topology_json_object(const xpu_topology *t);
/* {"value": value or null, "state", and "reason", "detail" when not ok}:
 * the one shape of a value in core's JSON (json.c); takes value. */
json_t *xpu_json_value(const xpu_status *st, json_t *value);

#endif
