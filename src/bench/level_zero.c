/* Level Zero, where a GPU driver is present: the device properties the peaks
 * are computed from (slices x sub-slices x EUs, core clock; memory clock and
 * bus width).  No kernels: the OpenCL target measures the same device.
 * Per-clock rates (research/bench.md, section 6): FP32 16 FLOP/clk per EU on
 * Gen12/Xe-HPG, 32 per vector engine on Xe2 and Xe-HPC; XMX fp16/bf16 2048
 * per Xe-core per clock on Xe-HPG and Xe2, 4096 on Xe-HPC. */
#include "bench/bench_int.h"

#include <level_zero/ze_api.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "runtimes/level_zero_api.h"
#include "runtimes/runtime.h"

/* EUs per Xe-core, FP32 FLOP per EU per clock, XMX FLOP per Xe-core per
 * clock, from the family discovery named. */
typedef struct xe_rates {
	const char *family;
	unsigned eus_per_core, fp32_per_eu, xmx_per_core;
} xe_rates;

static const xe_rates rates[] = {
	{ "Xe2", 8, 32, 2048 },
	{ "Battlemage", 8, 32, 2048 },
	{ "Lunar Lake", 8, 32, 2048 },
	{ "Xe-HPC", 8, 32, 4096 },
	{ "Ponte Vecchio", 8, 32, 4096 },
	{ "Xe-HPG", 16, 16, 2048 },
	{ "Alchemist", 16, 16, 2048 },
	{ "Xe-LP", 16, 16, 0 },
};

static const xe_rates *rates_of(const xpu_device *d)
{
	if (!xpu_is_ok(&d->family.status))
		return NULL;
	for (size_t i = 0; i < XPU_ARRAY_LEN(rates); i++)
		if (strstr(d->family.value, rates[i].family))
			return &rates[i];
	return NULL;
}

static bool ze_find(const xpu_ze_api *a, const char *want, ze_device_handle_t *out)
{
	ze_driver_handle_t drv[8];
	uint32_t nd = 8;
	if (a->driver_get(&nd, drv) != ZE_RESULT_SUCCESS)
		return false;
	for (uint32_t i = 0; i < nd && i < 8; i++) {
		ze_device_handle_t devs[32];
		uint32_t n = 32;
		if (a->device_get(drv[i], &n, devs) != ZE_RESULT_SUCCESS)
			continue;
		for (uint32_t j = 0; j < n && j < 32; j++) {
			ze_device_properties_t p = { .stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES };
			if (a->props(devs[j], &p) == ZE_RESULT_SUCCESS && strcmp(p.name, want) == 0) {
				*out = devs[j];
				return true;
			}
		}
	}
	return false;
}

static void ze_derive(xpu_bench_target *t, const xpu_device *d, unsigned eus, double mhz)
{
	const xe_rates *r = rates_of(d);
	if (!r || !eus || !(mhz > 0))
		return;
	bench_peak_derive(t, XPU_PEAK_FP32, eus * r->fp32_per_eu * mhz * 1e6 * 1e-12,
			  "computed: EUs x FLOP/clk x core clock");
	if (r->xmx_per_core) {
		double xmx = (double)eus / r->eus_per_core * r->xmx_per_core * mhz * 1e6 * 1e-12;
		bench_peak_derive(t, XPU_PEAK_FP16, xmx, "computed: Xe-cores x XMX FLOP/clk x clock");
		bench_peak_derive(t, XPU_PEAK_BF16, xmx, "computed: Xe-cores x XMX FLOP/clk x clock");
	}
}

void bench_level_zero(bench_ctx *c, const xpu_device *d)
{
	const xpu_ze_api *a = xpu_ze_api_get();
	if (!a->lib.handle) {
		bench_target_fail(c->t, XPU_R_RUNTIME_MISSING, "%s", a->lib.error);
		return;
	}
	ze_device_handle_t dev = NULL;
	ze_result_t rc = a->init && a->driver_get && a->device_get && a->props ?
				 a->init(ZE_INIT_FLAG_GPU_ONLY) : ZE_RESULT_ERROR_UNINITIALIZED;
	if (rc != ZE_RESULT_SUCCESS ||
	    !ze_find(a, d->backends[XPU_BACKEND_LEVEL_ZERO].device_name, &dev)) {
		bench_target_fail(c->t, XPU_R_RUNTIME_NO_DEVICE,
				  "zeInit: 0x%x, or the driver no longer lists '%s'", (unsigned)rc,
				  d->backends[XPU_BACKEND_LEVEL_ZERO].device_name);
		return;
	}
	snprintf(c->t->library, sizeof(c->t->library), "Level Zero (%s): properties only",
		 xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->libraries[0]);
	ze_device_properties_t p = { .stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES };
	a->props(dev, &p);
	unsigned eus = p.numSlices * p.numSubslicesPerSlice * p.numEUsPerSubslice;
	ze_device_memory_properties_t mp = { .stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES };
	uint32_t nm = 1;
	if (!a->memory || a->memory(dev, &nm, &mp) != ZE_RESULT_SUCCESS)
		nm = 0;
	snprintf(c->t->properties, sizeof(c->t->properties),
		 "%u slices x %u sub-slices x %u EUs = %u EUs at %u MHz; memory %u MHz x %u bit%s",
		 p.numSlices, p.numSubslicesPerSlice, p.numEUsPerSubslice, eus, p.coreClockRate,
		 nm ? mp.maxClockRate : 0, nm ? mp.maxBusWidth : 0, nm ? "" : " (not reported)");
	ze_derive(c->t, d, eus, p.coreClockRate);
}
