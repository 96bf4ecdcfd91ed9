/* Device-wide Intel engine busy from the driver's perf PMU, what every
 * process together did (hidden ones too), where fdinfo gives each visible
 * process's share.
 *
 * i915: PMU "i915" (the iGPU at 0000:00:02.0) or "i915_<pci>" with ':' as
 * '_'; events/<engine>-busy ("config=0x..."), nanoseconds busy, so busy% is
 * delta busy ns / delta wall ns.  xe (6.14+): PMU "xe_<pci>",
 * events/engine-active-ticks and engine-total-ticks ("event=0x02"/"0x03"),
 * with the engine in the config fields that format/{gt,engine_class,
 * engine_instance} place ("config:60-63"); busy% is delta active / delta
 * total.  The counters are system-wide (pid -1, a cpu from the PMU's
 * cpumask), which the kernel allows with perf_event_paranoid <= 0 or
 * CAP_PERFMON/CAP_SYS_ADMIN. */
#ifndef XPU_TELEMETRY_PMU_H
#define XPU_TELEMETRY_PMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/sys.h"
#include "xpu/telemetry.h"

typedef struct xpu_pmu xpu_pmu;

xpu_pmu *xpu_pmu_new(void);
void xpu_pmu_free(xpu_pmu *p);
/* For each i915/xe device of x: opens its counters when first seen, reads
 * them, and sets pmu_engines/pmu_status (and util_percent from the busiest
 * engine class once two reads exist). */
void xpu_pmu_sample(xpu_pmu *p, const xsys *s, xpu_sample *x, uint64_t now_ns);

/* --- pure parts, tested alone --- */

/* "i915" / "i915_0000_03_00.0" / "xe_0000_03_00.0" */
void xpu_pmu_device_name(const char *driver, const char *pci, char *out, size_t len);
/* events/<name>: "config=0x3000" (i915) or "event=0x02" (xe) -> the value */
bool xpu_pmu_parse_event(const char *text, uint64_t *config);
/* format/<field>: "config:20-27" -> 20 */
bool xpu_pmu_parse_format_shift(const char *text, unsigned *shift);
/* i915 engine event "vecs0-busy" -> "video-enhance"; NULL when not *-busy */
const char *xpu_pmu_i915_engine_class(const char *event, char *buf, size_t len);
/* busy% over a window: the busy counter's delta over the reference's (wall
 * ns for i915, total ticks for xe), 0..100.  false when the window is empty
 * or a counter went back (reset). */
bool xpu_pmu_busy_percent(uint64_t busy0, uint64_t busy1, uint64_t ref0, uint64_t ref1,
			  double *percent);
/* Whether perf_event_open of a system-wide counter is allowed: NULL, or why
 * not ("perf_event_paranoid=2 and no CAP_PERFMON"). */
const char *xpu_pmu_denied(int64_t paranoid, bool paranoid_known, bool perfmon, char *buf,
			   size_t len);

#endif
