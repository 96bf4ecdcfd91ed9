/* libFuzzer target: AMD's binary gpu_metrics table, then what a device
 * takes from it.  The input is the file's bytes; the header in its first 4
 * bytes picks the layout. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "model/value.h"
#include "vendors/amd_gpu_metrics.h"

static bool terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* The parser's contract: a decoded table gives values read (finite, under
 * the largest a 32-bit field can hold) or unsupported with a reason; a
 * rejected one gives every value unavailable for the same reason. */
static void check_parse(const xpu_gpu_metrics *m, const xpu_status *why, bool ok)
{
	if (ok != m->decoded || !terminated(why->detail, sizeof(why->detail)))
		abort();
	if (!ok && (why->state != XPU_UNAVAILABLE || !why->detail[0]))
		abort();
	for (int i = 0; i < XPU_GM_COUNT; i++) {
		const xpu_real *v = &m->v[i];
		if (!terminated(v->status.detail, sizeof(v->status.detail)))
			abort();
		if (!ok && (m->has_value[i] || strcmp(v->status.detail, why->detail) != 0))
			abort();
		if (v->status.state == XPU_OK && (!m->has_value[i] || !isfinite(v->value) ||
						  v->value < 0 || v->value > 4294967295.0))
			abort();
		/* all ones is "not reported", never a reading of 65535 C or 655.35 C,
		 * and a sensor at 0 is one the board lacks */
		if (v->status.state == XPU_OK && i < XPU_GM_TEMP_COUNT &&
		    (v->value == 65535.0 || fabs(v->value - 655.35) < 1e-9 || v->value == 0))
			abort();
		if (v->status.state != XPU_OK && !v->status.detail[0])
			abort();
	}
}

static void check_apply(const xpu_gpu_metrics *m)
{
	xpu_device *d = calloc(1, sizeof(*d));
	if (!d)
		return;
	/* a device with a full temperature list: apply must not overrun it */
	d->n_temps = XPU_MAX_TEMPS - 1;
	for (unsigned i = 0; i < d->n_temps; i++)
		d->temps[i].label[0] = 'x';
	xpu_gpu_metrics_apply(m, d);
	if (d->n_temps > XPU_MAX_TEMPS || d->n_fans > XPU_MAX_FANS)
		abort();
	for (unsigned i = 0; i < d->n_temps; i++)
		if (!terminated(d->temps[i].label, sizeof(d->temps[i].label)))
			abort();
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fuzz_bytes(data, size);
	if (!buf)
		return 0;
	xpu_gpu_metrics *m = malloc(sizeof(*m));
	if (m) {
		xpu_status why;
		bool ok = xpu_gpu_metrics_parse(buf, size, m, &why);
		check_parse(m, &why, ok);
		check_apply(m);
		free(m);
	}
	free(buf);
	return 0;
}
