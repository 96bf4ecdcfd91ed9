/* The default choice of `xpu run`: the first usable backend in policy order
 * (cuda > level_zero > rocm > vulkan) on a GPU, else the CPU.  Among GPUs
 * with the same backend, discrete before integrated, then more memory. */
#include <stdio.h>
#include <string.h>

#include "core/system.h"
#include "core/util.h"

static const xpu_backend_kind order[] = {
	XPU_BACKEND_CUDA, XPU_BACKEND_LEVEL_ZERO, XPU_BACKEND_ROCM, XPU_BACKEND_VULKAN,
};

static bool better(const xpu_device *a, const xpu_device *b)
{
	if (!b)
		return true;
	if (a->kind != b->kind)
		return a->kind == XPU_KIND_DISCRETE;
	uint64_t ma = xpu_is_ok(&a->memory_total_bytes.status) ? a->memory_total_bytes.value : 0;
	uint64_t mb = xpu_is_ok(&b->memory_total_bytes.status) ? b->memory_total_bytes.value : 0;
	return ma > mb;
}

void xpu_default_choice(const xpu_system *sys, xpu_choice *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t o = 0; o < XPU_ARRAY_LEN(order); o++) {
		const xpu_device *best = NULL;
		for (size_t i = 0; i < sys->count; i++) {
			const xpu_device *d = &sys->devices[i];
			if (d->vendor != XPU_VENDOR_CPU && d->backends[order[o]].usable && better(d, best))
				best = d;
		}
		if (best) {
			out->device = best;
			out->backend = order[o];
			snprintf(out->why, sizeof(out->why), "first usable backend in the order "
				 "cuda > level_zero > rocm > vulkan > cpu");
			return;
		}
	}
	for (size_t i = 0; i < sys->count; i++) {
		if (sys->devices[i].vendor == XPU_VENDOR_CPU) {
			out->device = &sys->devices[i];
			out->backend = XPU_BACKEND_CPU;
			snprintf(out->why, sizeof(out->why), "no GPU has a usable cuda, level_zero, rocm "
				 "or vulkan backend");
			return;
		}
	}
}
