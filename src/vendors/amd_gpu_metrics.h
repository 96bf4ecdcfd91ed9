/* AMD's gpu_metrics table (/sys/class/drm/cardN/device/gpu_metrics): a
 * binary struct that the amdgpu driver fills from the power-management
 * firmware, versioned by a header {u16 structure_size; u8 format_revision;
 * u8 content_revision}.  The layouts are the kernel's struct
 * gpu_metrics_vF_C in drivers/gpu/drm/amd/include/kgd_pp_interface.h: format
 * 1 for discrete GPUs (1.4-1.8: Instinct MI300 and later), 2 and 3 for APUs.
 *
 * It holds values hwmon does not show: the voltage-regulator temperatures
 * (vrgfx, vrsoc, vrmem), HBM stacks, and the APU's soc and skin sensors.
 * The parser is pure (bytes in, values out); src/vendors/amd.c reads the
 * file and decides what the device takes from it. */
#ifndef XPU_VENDORS_AMD_GPU_METRICS_H
#define XPU_VENDORS_AMD_GPU_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xpu/xpu.h"

/* What the table can give, whatever the layout calls it.  The temperatures
 * come first, in the order a device lists them. */
typedef enum xpu_gm_value {
	XPU_GM_TEMP_EDGE,     /* dGPU temperature_edge; APU temperature_gfx (hwmon calls it edge) */
	XPU_GM_TEMP_JUNCTION, /* temperature_hotspot (hwmon: junction) */
	XPU_GM_TEMP_MEM,
	XPU_GM_TEMP_VRGFX,
	XPU_GM_TEMP_VRSOC,
	XPU_GM_TEMP_VRMEM,
	XPU_GM_TEMP_HBM0,
	XPU_GM_TEMP_HBM1,
	XPU_GM_TEMP_HBM2,
	XPU_GM_TEMP_HBM3,
	XPU_GM_TEMP_SOC,
	XPU_GM_TEMP_SKIN,
	XPU_GM_TEMP_COUNT, /* the temperatures end here */
	XPU_GM_POWER_W = XPU_GM_TEMP_COUNT, /* socket power, averaged by the firmware */
	XPU_GM_GFXCLK_MHZ,                  /* what the GFX block runs at */
	XPU_GM_GFXCLK_SET_MHZ,              /* dGPU: the clock the firmware has set */
	XPU_GM_UCLK_MHZ,                    /* memory clock: current, else average */
	XPU_GM_FAN_RPM,
	XPU_GM_COUNT
} xpu_gm_value;

typedef struct xpu_gpu_metrics {
	unsigned format, content; /* the header's revisions, 0 when unreadable */
	bool decoded;             /* the layout was known and the table whole */
	/* Each value with its state.  A value this layout does not have is
	 * unsupported, no_source (has_value says which the layout has); one the
	 * firmware marks "not supported" (all ones: 0xffff, 0xffffffff) is
	 * unsupported with the field's name.  When the table itself cannot be
	 * decoded, every value carries that reason. */
	xpu_real v[XPU_GM_COUNT];
	bool has_value[XPU_GM_COUNT];
} xpu_gpu_metrics;

/* Decodes len bytes of a gpu_metrics file (a file longer than the table
 * is fine: structure_size says where it ends).  Returns false when the table
 * cannot be decoded (shorter than its header says, structure_size smaller
 * than its layout, a revision xpu does not know); *why then says so, as it
 * does in every value. */
bool xpu_gpu_metrics_parse(const uint8_t *buf, size_t len, xpu_gpu_metrics *out, xpu_status *why);

/* A table that could not be read: every value carries why. */
void xpu_gpu_metrics_unavailable(xpu_gpu_metrics *out, const xpu_status *why);

/* Fills what the device still lacks after hwmon: the temperatures the
 * table reports and hwmon did not list (by label), and power, current clocks
 * and fan where hwmon had none.  Power and clocks that stay unknown take the
 * table's reason where the table has the field or could not be read. */
void xpu_gpu_metrics_apply(const xpu_gpu_metrics *m, xpu_device *d);

#endif
