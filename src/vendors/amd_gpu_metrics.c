/* AMD's gpu_metrics table: the layouts as data, one decoder.
 *
 * Source of every offset: the kernel's struct gpu_metrics_vF_C in
 * drivers/gpu/drm/amd/include/kgd_pp_interface.h.  The structs carry no
 * packing attribute, so they have the natural alignment of the 64-bit ABIs
 * amdgpu runs on (u64 on 8 bytes): gpu_metrics_v1_0 and v2_0 hold a hole
 * after the header, and the sizes are rounded up to 8.  The kernel fills a
 * table with 0xff bytes before the firmware's values go in
 * (smu_cmn_init_soft_gpu_metrics in drivers/gpu/drm/amd/pm/swsmu/smu_cmn.h),
 * so a field the firmware does not report reads all ones.
 *
 * Units are per layout: format 1 gives whole degrees Celsius and watts,
 * formats 2 and 3 (APUs) centi-degrees and milliwatts (v2_4 and v3_0 say so
 * in the header; the APU drivers divide GfxTemperature by 100 for hwmon).
 * Clocks are MHz and the fan RPM everywhere.
 *
 * The table is written in the CPU's byte order; it is read here as little
 * endian, the order of every CPU amdgpu runs on (x86-64, arm64, ppc64le,
 * riscv64), so that a capture replays on any machine. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "vendors/amd_gpu_metrics.h"

typedef struct gm_field {
	xpu_gm_value value;
	uint16_t offset;
	uint8_t bytes;    /* 2 or 4 */
	uint16_t divisor; /* raw / divisor = the value in degrees C, W, MHz, RPM */
	const char *name; /* the kernel's field name, for the reasons */
} gm_field;

typedef struct gm_layout {
	uint8_t format, content;
	/* sizeof the kernel's struct: every field read lies inside it.  Where a
	 * revision grew in place (v1_6 gained xcp_stats at its end without a new
	 * content revision), the smaller size. */
	uint16_t size;
	const gm_field *fields;
	size_t n_fields;
} gm_layout;

/* Clocks.  On discrete GPUs before Instinct, current_gfxclk is the clock
 * the firmware has set (its DPM level, CurrClock[PPCLK_GFXCLK] in the swsmu
 * drivers) and average_gfxclk_frequency the one the GFX block ran at, lower
 * in deep sleep.  On APUs and Instinct both are what the block runs at, now
 * and averaged.  Where a value has two rows, the first the firmware reports
 * wins (current_uclk is what hwmon's mclk shows; an APU may give only the
 * average). */

static const gm_field v1_0[] = {
	{ XPU_GM_TEMP_EDGE, 16, 2, 1, "temperature_edge" },
	{ XPU_GM_TEMP_JUNCTION, 18, 2, 1, "temperature_hotspot" },
	{ XPU_GM_TEMP_MEM, 20, 2, 1, "temperature_mem" },
	{ XPU_GM_TEMP_VRGFX, 22, 2, 1, "temperature_vrgfx" },
	{ XPU_GM_TEMP_VRSOC, 24, 2, 1, "temperature_vrsoc" },
	{ XPU_GM_TEMP_VRMEM, 26, 2, 1, "temperature_vrmem" },
	{ XPU_GM_POWER_W, 34, 2, 1, "average_socket_power" },
	{ XPU_GM_GFXCLK_SET_MHZ, 54, 2, 1, "current_gfxclk" },
	{ XPU_GM_GFXCLK_MHZ, 40, 2, 1, "average_gfxclk_frequency" },
	{ XPU_GM_UCLK_MHZ, 58, 2, 1, "current_uclk" },
	{ XPU_GM_UCLK_MHZ, 44, 2, 1, "average_uclk_frequency" },
	{ XPU_GM_FAN_RPM, 72, 2, 1, "current_fan_speed" },
};

/* v1_1, v1_2 and v1_3: the same offsets; v1_2 and v1_3 append fields */
static const gm_field v1_1[] = {
	{ XPU_GM_TEMP_EDGE, 4, 2, 1, "temperature_edge" },
	{ XPU_GM_TEMP_JUNCTION, 6, 2, 1, "temperature_hotspot" },
	{ XPU_GM_TEMP_MEM, 8, 2, 1, "temperature_mem" },
	{ XPU_GM_TEMP_VRGFX, 10, 2, 1, "temperature_vrgfx" },
	{ XPU_GM_TEMP_VRSOC, 12, 2, 1, "temperature_vrsoc" },
	{ XPU_GM_TEMP_VRMEM, 14, 2, 1, "temperature_vrmem" },
	{ XPU_GM_TEMP_HBM0, 88, 2, 1, "temperature_hbm[0]" },
	{ XPU_GM_TEMP_HBM1, 90, 2, 1, "temperature_hbm[1]" },
	{ XPU_GM_TEMP_HBM2, 92, 2, 1, "temperature_hbm[2]" },
	{ XPU_GM_TEMP_HBM3, 94, 2, 1, "temperature_hbm[3]" },
	{ XPU_GM_POWER_W, 22, 2, 1, "average_socket_power" },
	{ XPU_GM_GFXCLK_SET_MHZ, 54, 2, 1, "current_gfxclk" },
	{ XPU_GM_GFXCLK_MHZ, 40, 2, 1, "average_gfxclk_frequency" },
	{ XPU_GM_UCLK_MHZ, 58, 2, 1, "current_uclk" },
	{ XPU_GM_UCLK_MHZ, 44, 2, 1, "average_uclk_frequency" },
	{ XPU_GM_FAN_RPM, 72, 2, 1, "current_fan_speed" },
};

/* v1_4 to v1_8 (Instinct): the first 16 bytes agree, the clocks move.  The
 * GFX clock is the first XCC's. */
#define GM_INSTINCT_HEAD                                                     \
	{ XPU_GM_TEMP_JUNCTION, 4, 2, 1, "temperature_hotspot" },            \
	{ XPU_GM_TEMP_MEM, 6, 2, 1, "temperature_mem" },                     \
	{ XPU_GM_TEMP_VRSOC, 8, 2, 1, "temperature_vrsoc" },                 \
	{ XPU_GM_POWER_W, 10, 2, 1, "curr_socket_power" }

static const gm_field v1_4[] = {
	GM_INSTINCT_HEAD,
	{ XPU_GM_GFXCLK_MHZ, 240, 2, 1, "current_gfxclk[0]" },
	{ XPU_GM_UCLK_MHZ, 280, 2, 1, "current_uclk" },
};
static const gm_field v1_5[] = {
	GM_INSTINCT_HEAD,
	{ XPU_GM_GFXCLK_MHZ, 312, 2, 1, "current_gfxclk[0]" },
	{ XPU_GM_UCLK_MHZ, 352, 2, 1, "current_uclk" },
};
static const gm_field v1_6[] = {
	GM_INSTINCT_HEAD,
	{ XPU_GM_GFXCLK_MHZ, 264, 2, 1, "current_gfxclk[0]" },
	{ XPU_GM_UCLK_MHZ, 304, 2, 1, "current_uclk" },
};
/* v1_7 and v1_8: mem_max_bandwidth at 16 shifts the rest by 8, then 16 more */
static const gm_field v1_7[] = {
	GM_INSTINCT_HEAD,
	{ XPU_GM_GFXCLK_MHZ, 296, 2, 1, "current_gfxclk[0]" },
	{ XPU_GM_UCLK_MHZ, 336, 2, 1, "current_uclk" },
};

/* APUs.  The CPU cores' and L3's sensors belong to the CPU, not this device. */
static const gm_field v2_0[] = {
	{ XPU_GM_TEMP_EDGE, 16, 2, 100, "temperature_gfx" },
	{ XPU_GM_TEMP_SOC, 18, 2, 100, "temperature_soc" },
	{ XPU_GM_POWER_W, 44, 2, 1000, "average_socket_power" },
	{ XPU_GM_GFXCLK_MHZ, 80, 2, 1, "current_gfxclk" },
	{ XPU_GM_GFXCLK_MHZ, 68, 2, 1, "average_gfxclk_frequency" },
	{ XPU_GM_UCLK_MHZ, 84, 2, 1, "current_uclk" },
	{ XPU_GM_UCLK_MHZ, 72, 2, 1, "average_uclk_frequency" },
};

/* v2_1 to v2_4: the same offsets; each later one appends fields */
static const gm_field v2_1[] = {
	{ XPU_GM_TEMP_EDGE, 4, 2, 100, "temperature_gfx" },
	{ XPU_GM_TEMP_SOC, 6, 2, 100, "temperature_soc" },
	{ XPU_GM_POWER_W, 40, 2, 1000, "average_socket_power" },
	{ XPU_GM_GFXCLK_MHZ, 76, 2, 1, "current_gfxclk" },
	{ XPU_GM_GFXCLK_MHZ, 64, 2, 1, "average_gfxclk_frequency" },
	{ XPU_GM_UCLK_MHZ, 80, 2, 1, "current_uclk" },
	{ XPU_GM_UCLK_MHZ, 68, 2, 1, "average_uclk_frequency" },
};

static const gm_field v3_0[] = {
	{ XPU_GM_TEMP_EDGE, 4, 2, 100, "temperature_gfx" },
	{ XPU_GM_TEMP_SOC, 6, 2, 100, "temperature_soc" },
	{ XPU_GM_TEMP_SKIN, 40, 2, 100, "temperature_skin" },
	{ XPU_GM_POWER_W, 112, 4, 1000, "average_socket_power" },
	{ XPU_GM_GFXCLK_MHZ, 174, 2, 1, "average_gfxclk_frequency" },
	{ XPU_GM_UCLK_MHZ, 186, 2, 1, "average_uclk_frequency" },
};

#define GM_LAYOUT(f, c, size, fields) { f, c, size, fields, XPU_ARRAY_LEN(fields) }

static const gm_layout layouts[] = {
	GM_LAYOUT(1, 0, 80, v1_0),   GM_LAYOUT(1, 1, 96, v1_1),   GM_LAYOUT(1, 2, 104, v1_1),
	GM_LAYOUT(1, 3, 120, v1_1),  GM_LAYOUT(1, 4, 288, v1_4),  GM_LAYOUT(1, 5, 360, v1_5),
	GM_LAYOUT(1, 6, 312, v1_6),  GM_LAYOUT(1, 7, 2208, v1_7), GM_LAYOUT(1, 8, 3360, v1_7),
	GM_LAYOUT(2, 0, 120, v2_0),  GM_LAYOUT(2, 1, 120, v2_1),  GM_LAYOUT(2, 2, 128, v2_1),
	GM_LAYOUT(2, 3, 152, v2_1),  GM_LAYOUT(2, 4, 168, v2_1),  GM_LAYOUT(3, 0, 264, v3_0),
};

static const char *const labels[XPU_GM_TEMP_COUNT] = {
	[XPU_GM_TEMP_EDGE] = "edge",   [XPU_GM_TEMP_JUNCTION] = "junction", [XPU_GM_TEMP_MEM] = "mem",
	[XPU_GM_TEMP_VRGFX] = "vrgfx", [XPU_GM_TEMP_VRSOC] = "vrsoc",       [XPU_GM_TEMP_VRMEM] = "vrmem",
	[XPU_GM_TEMP_HBM0] = "hbm0",   [XPU_GM_TEMP_HBM1] = "hbm1",         [XPU_GM_TEMP_HBM2] = "hbm2",
	[XPU_GM_TEMP_HBM3] = "hbm3",   [XPU_GM_TEMP_SOC] = "soc",           [XPU_GM_TEMP_SKIN] = "skin",
};

static uint32_t read_le(const uint8_t *p, unsigned bytes)
{
	uint32_t x = 0;
	for (unsigned i = bytes; i-- > 0;)
		x = x << 8 | p[i];
	return x;
}

static const gm_layout *layout_of(unsigned format, unsigned content)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(layouts); i++)
		if (layouts[i].format == format && layouts[i].content == content)
			return &layouts[i];
	return NULL;
}

/* One field into its value, unless an earlier row already gave the value. */
static void decode_field(const uint8_t *table, const gm_layout *l, const gm_field *f,
			 xpu_gpu_metrics *out)
{
	xpu_real *v = &out->v[f->value];
	if (out->has_value[f->value] && xpu_is_ok(&v->status))
		return;
	out->has_value[f->value] = true;
	uint32_t raw = read_le(table + f->offset, f->bytes);
	uint32_t all_ones = f->bytes == 4 ? 0xffffffffu : 0xffffu;
	if (raw == all_ones) {
		xpu_set_status(&v->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "gpu_metrics v%u.%u %s reads 0x%x: not reported by the firmware", l->format,
			       l->content, f->name, (unsigned)raw);
		return;
	}
	/* A sensor at 0 degrees on a running GPU is one the board does not
	 * have: the firmware leaves it 0 (the RX 7600S's vrgfx, vrsoc, vrmem,
	 * next to an edge of 53 C).  Power, clocks and fan may be 0. */
	if (raw == 0 && f->value < XPU_GM_TEMP_COUNT) {
		xpu_set_status(&v->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "gpu_metrics v%u.%u %s reads 0: no such sensor on this board", l->format,
			       l->content, f->name);
		return;
	}
	xpu_set_real(v, (double)raw / f->divisor);
}

void xpu_gpu_metrics_unavailable(xpu_gpu_metrics *out, const xpu_status *why)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < XPU_GM_COUNT; i++)
		out->v[i].status = *why;
}

static bool fail(xpu_gpu_metrics *out, xpu_status *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The table cannot be decoded: every value says why.  Returns false. */
static bool fail(xpu_gpu_metrics *out, xpu_status *why, const char *fmt, ...)
{
	unsigned format = out->format, content = out->content;
	va_list ap;
	va_start(ap, fmt);
	xpu_vset_status(why, XPU_UNAVAILABLE, XPU_R_UNPARSABLE, fmt, ap);
	va_end(ap);
	xpu_gpu_metrics_unavailable(out, why);
	out->format = format;
	out->content = content;
	return false;
}

bool xpu_gpu_metrics_parse(const uint8_t *buf, size_t len, xpu_gpu_metrics *out, xpu_status *why)
{
	memset(out, 0, sizeof(*out));
	if (len < 4)
		return fail(out, why, "gpu_metrics holds %zu bytes, less than its header", len);
	unsigned size = read_le(buf, 2);
	out->format = buf[2];
	out->content = buf[3];
	const gm_layout *l = layout_of(out->format, out->content);
	if (!l)
		return fail(out, why, "gpu_metrics v%u.%u: a layout xpu does not know", out->format,
			    out->content);
	if (size > len)
		return fail(out, why, "gpu_metrics v%u.%u truncated: %zu of %u bytes", out->format,
			    out->content, len, size);
	if (size < l->size)
		return fail(out, why, "gpu_metrics v%u.%u says %u bytes; the kernel's struct has %u",
			    out->format, out->content, size, l->size);
	for (int i = 0; i < XPU_GM_COUNT; i++)
		xpu_set_status(&out->v[i].status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "not in gpu_metrics v%u.%u", out->format, out->content);
	for (size_t i = 0; i < l->n_fields; i++)
		decode_field(buf, l, &l->fields[i], out);
	out->decoded = true;
	xpu_set_ok(why);
	return true;
}

/* --- what the device takes from it --- */

static bool has_label(const xpu_device *d, const char *label)
{
	for (unsigned i = 0; i < d->n_temps; i++)
		if (strcmp(d->temps[i].label, label) == 0)
			return true;
	return false;
}

/* hwmon wins where both have a sensor: it is what the kernel's thermal
 * reporting and fan control read, it carries the critical points, and
 * gpu_metrics' edge and hotspot are the same sensors (hwmon reads them from
 * the same firmware table).  The table adds those hwmon does not list.  A
 * sensor the firmware does not report (the HBM stacks of a GDDR board) is
 * left out, as hwmon leaves out a temperature it has no file for. */
static void add_temperatures(const xpu_gpu_metrics *m, xpu_device *d)
{
	for (int i = 0; i < XPU_GM_TEMP_COUNT && d->n_temps < XPU_MAX_TEMPS; i++) {
		if (!m->has_value[i] || !xpu_is_ok(&m->v[i].status) || has_label(d, labels[i]))
			continue;
		xpu_sensor *t = &d->temps[d->n_temps++];
		xpu_strlcpy(t->label, labels[i], sizeof(t->label));
		t->reading = m->v[i];
		xpu_set_status(&t->max.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "gpu_metrics has no critical temperature");
	}
	static const xpu_gm_value primary[] = { XPU_GM_TEMP_EDGE, XPU_GM_TEMP_JUNCTION };
	for (size_t i = 0; i < XPU_ARRAY_LEN(primary) && !xpu_is_ok(&d->temperature_c.status); i++)
		if (m->has_value[primary[i]] && xpu_is_ok(&m->v[primary[i]].status))
			d->temperature_c = m->v[primary[i]];
	if (d->n_temps > 0)
		xpu_set_ok(&d->sensors_status);
}

/* A value hwmon did not give: the table's, or the table's reason where the
 * table has the field or could not be decoded at all. */
static const xpu_real *fallback(const xpu_gpu_metrics *m, xpu_gm_value v, const xpu_status *have)
{
	if (xpu_is_ok(have) || (m->decoded && !m->has_value[v]))
		return NULL;
	return &m->v[v];
}

static void fallback_mhz(const xpu_gpu_metrics *m, xpu_gm_value v, xpu_uint *dst)
{
	const xpu_real *r = fallback(m, v, &dst->status);
	if (r && xpu_is_ok(&r->status))
		xpu_set_uint(dst, (uint64_t)(r->value + 0.5)); /* >= 0: a raw count over a divisor */
	else if (r)
		dst->status = r->status;
}

void xpu_gpu_metrics_apply(const xpu_gpu_metrics *m, xpu_device *d)
{
	add_temperatures(m, d);
	const xpu_real *power = fallback(m, XPU_GM_POWER_W, &d->power_draw_w.status);
	if (power)
		d->power_draw_w = *power;
	fallback_mhz(m, XPU_GM_GFXCLK_MHZ, &d->clock_actual_mhz);
	fallback_mhz(m, XPU_GM_GFXCLK_SET_MHZ, &d->clock_requested_mhz);
	fallback_mhz(m, XPU_GM_UCLK_MHZ, &d->memory_clock_mhz);
	const xpu_real *fan = &m->v[XPU_GM_FAN_RPM];
	if (d->n_fans == 0 && m->has_value[XPU_GM_FAN_RPM] && xpu_is_ok(&fan->status)) {
		xpu_sensor *f = &d->fans[d->n_fans++];
		xpu_strlcpy(f->label, "fan1", sizeof(f->label));
		f->reading = *fan;
		xpu_set_status(&f->max.status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "gpu_metrics has no maximum fan speed");
	}
}
