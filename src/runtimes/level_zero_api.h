/* oneAPI Level Zero (libze_loader.so.1) as libxpu calls it:
 * <level_zero/ze_api.h> (libze-dev) supplies the types, and one symbol
 * table, resolved once per process, serves the runtime probe
 * (src/runtimes/level_zero.c) and the benchmarks (src/bench/level_zero.c).
 * The loader is never a link-time dependency. */
#ifndef XPU_RUNTIMES_LEVEL_ZERO_API_H
#define XPU_RUNTIMES_LEVEL_ZERO_API_H

#include <level_zero/ze_api.h>
#include <level_zero/zes_api.h>

#include "runtimes/runtime.h"

/* A NULL entry: the loader lacks it. */
typedef struct xpu_ze_api {
	xpu_rt_lib lib; /* handle NULL: the loader did not load, lib.error says why */
	ze_result_t (*init)(ze_init_flags_t flags);
	ze_result_t (*driver_get)(uint32_t *count, ze_driver_handle_t *drivers);
	ze_result_t (*api_version)(ze_driver_handle_t drv, ze_api_version_t *version);
	ze_result_t (*device_get)(ze_driver_handle_t drv, uint32_t *count, ze_device_handle_t *devs);
	ze_result_t (*props)(ze_device_handle_t dev, ze_device_properties_t *props);
	ze_result_t (*pci)(ze_device_handle_t dev, ze_pci_ext_properties_t *props);
	ze_result_t (*memory)(ze_device_handle_t dev, uint32_t *count,
			      ze_device_memory_properties_t *props);
	/* Sysman, for the Xe Link fabric ports (runtimes/ze_links.c).  zesInit,
	 * zesDriverGet and zesDeviceGet came with loader 1.10 (its own handles,
	 * no ZES_ENABLE_SYSMAN needed); Debian 12's headers predate them, so
	 * their signatures are spelled out here. */
	ze_result_t (*zes_init)(uint32_t flags);
	ze_result_t (*zes_driver_get)(uint32_t *count, zes_driver_handle_t *drivers);
	ze_result_t (*zes_device_get)(zes_driver_handle_t drv, uint32_t *count,
				      zes_device_handle_t *devs);
	ze_result_t (*zes_pci)(zes_device_handle_t dev, zes_pci_properties_t *props);
	ze_result_t (*zes_fabric_ports)(zes_device_handle_t dev, uint32_t *count,
					zes_fabric_port_handle_t *ports);
	ze_result_t (*zes_port_props)(zes_fabric_port_handle_t port,
				      zes_fabric_port_properties_t *props);
	ze_result_t (*zes_port_state)(zes_fabric_port_handle_t port, zes_fabric_port_state_t *state);
} xpu_ze_api;

/* The loader (the runtime table's names), loaded and resolved at the first
 * call and kept: the drivers it loads keep threads running.  Thread-safe. */
const xpu_ze_api *xpu_ze_api_get(void);

#endif
