/* Names of enums: stable ids for JSON and scripts, words for people. */
#include <stdio.h>
#include <string.h>

#include "xpu/xpu.h"

static const struct {
	const char *id;
	const char *text;
} reasons[XPU_R_COUNT] = {
	[XPU_R_NO_SOURCE] = { "no_source", "no source" },
	[XPU_R_NONE] = { "none", "ok" },
	[XPU_R_FILE_MISSING] = { "file_missing", "not provided by this kernel" },
	[XPU_R_PERMISSION_DENIED] = { "permission_denied", "permission denied" },
	[XPU_R_UNPARSABLE] = { "unparsable", "unreadable value" },
	[XPU_R_EMPTY] = { "empty", "empty file" },
	[XPU_R_IO_ERROR] = { "io_error", "read error" },
	[XPU_R_NEEDS_CAP_PERFMON] = { "needs_cap_perfmon", "needs CAP_PERFMON" },
	[XPU_R_NEEDS_TWO_SAMPLES] = { "needs_two_samples", "needs two samples" },
	[XPU_R_RUNTIME_MISSING] = { "runtime_missing", "runtime not installed" },
	[XPU_R_RUNTIME_ERROR] = { "runtime_error", "runtime failed" },
	[XPU_R_RUNTIME_NO_DEVICE] = { "runtime_no_device", "runtime does not see this device" },
	[XPU_R_NOT_PROBED] = { "not_probed", "not probed" },
	[XPU_R_DRIVER_NOT_BOUND] = { "driver_not_bound", "no kernel driver bound" },
	[XPU_R_NO_DEVICE_NODE] = { "no_device_node", "device node missing" },
	[XPU_R_NOT_APPLICABLE] = { "not_applicable", "not for this device" },
};

const char *xpu_reason_name(xpu_reason r)
{
	return (unsigned)r < XPU_R_COUNT ? reasons[r].id : "unknown";
}

const char *xpu_reason_text(xpu_reason r)
{
	return (unsigned)r < XPU_R_COUNT ? reasons[r].text : "unknown";
}

const char *xpu_state_name(xpu_state s)
{
	switch (s) {
	case XPU_OK: return "ok";
	case XPU_UNAVAILABLE: return "unavailable";
	case XPU_UNSUPPORTED: return "unsupported";
	}
	return "unknown";
}

const char *xpu_backend_name(xpu_backend_kind b)
{
	static const char *const names[XPU_BACKEND_COUNT] = {
		[XPU_BACKEND_CUDA] = "cuda",       [XPU_BACKEND_LEVEL_ZERO] = "level_zero",
		[XPU_BACKEND_ROCM] = "rocm",       [XPU_BACKEND_VULKAN] = "vulkan",
		[XPU_BACKEND_CPU] = "cpu",         [XPU_BACKEND_OPENCL] = "opencl",
	};
	return (unsigned)b < XPU_BACKEND_COUNT ? names[b] : "unknown";
}

const char *xpu_kind_name(xpu_kind k)
{
	switch (k) {
	case XPU_KIND_CPU: return "cpu";
	case XPU_KIND_INTEGRATED: return "integrated";
	case XPU_KIND_DISCRETE: return "discrete";
	}
	return "unknown";
}

const char *xpu_status_describe(const xpu_status *st, char *buf, size_t len)
{
	if (st->state == XPU_OK)
		snprintf(buf, len, "ok");
	else if (st->detail[0])
		snprintf(buf, len, "n/a (%s: %s)", xpu_reason_text(st->reason), st->detail);
	else
		snprintf(buf, len, "n/a (%s)", xpu_reason_text(st->reason));
	return buf;
}

const char *xpu_version(void)
{
#include "config.h"
	return XPU_VERSION;
}

const char *xpu_cache_state_name(xpu_cache_state s)
{
	switch (s) {
	case XPU_CACHE_OFF: return "off";
	case XPU_CACHE_HIT: return "hit";
	case XPU_CACHE_MISS: return "miss";
	case XPU_CACHE_STORED: return "stored";
	case XPU_CACHE_UNWRITABLE: return "unwritable";
	}
	return "unknown";
}
