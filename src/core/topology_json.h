/* The topology as a JSON object, for `xpu list --json` (core/json.c). */
#ifndef XPU_CORE_TOPOLOGY_JSON_H
#define XPU_CORE_TOPOLOGY_JSON_H

#include <jansson.h>

#include "xpu/topology.h"

json_t *xpu_topology_json_object(const xpu_topology *t);

#endif
