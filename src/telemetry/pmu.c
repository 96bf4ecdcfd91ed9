/* Intel engine busy counters through perf_event_open (see pmu.h).  The PMU
 * files are read through sys/, so a replayed tree can present a PMU; the
 * syscall itself always goes to this machine's kernel. */
#include "telemetry/pmu.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "model/read.h"
#include "model/value.h"
#include "telemetry/intel_query.h"

#define PMU_DIR "/sys/bus/event_source/devices"

enum {
	PMU_MAX_COUNTERS = 48,
	XE_MAX_GT = 4,
	XE_CLASSES = 5, /* DRM_XE_ENGINE_CLASS_RENDER .. _COMPUTE */
	XE_MAX_INSTANCES = 8,
};

/* fdinfo's names for the same engine classes, so the two line up */
static const char *const xe_class_names[XE_CLASSES] = { "rcs", "bcs", "vcs", "vecs", "ccs" };
static const struct {
	const char *prefix, *name;
} i915_classes[] = {
	{ "rcs", "render" }, { "bcs", "copy" }, { "vcs", "video" },
	{ "vecs", "video-enhance" }, { "ccs", "compute" },
};

typedef struct pmu_counter {
	char engine[XPU_ENGINE_NAME_LEN]; /* the class this instance counts toward */
	int fd;                           /* i915 <engine>-busy ns; xe engine-active-ticks */
	int fd_total;                     /* xe engine-total-ticks; -1 on i915 (wall time) */
	uint64_t busy, total;             /* the last read */
} pmu_counter;

typedef struct pmu_dev {
	char pci[16];
	bool xe;
	xpu_status status; /* OK while the counters are open */
	unsigned n;
	pmu_counter c[PMU_MAX_COUNTERS];
	bool have_last;
} pmu_dev;

struct xpu_pmu {
	unsigned n;
	pmu_dev dev[XPU_MAX_DEVICES];
};

/* --- pure parts --- */

void xpu_pmu_device_name(const char *driver, const char *pci, char *out, size_t len)
{
	if (strcmp(driver, "i915") == 0 && strcmp(pci, "0000:00:02.0") == 0) {
		xpu_strlcpy(out, "i915", len);
		return;
	}
	snprintf(out, len, "%s_%s", driver, pci);
	for (char *c = out; *c; c++)
		if (*c == ':')
			*c = '_';
}

bool xpu_pmu_parse_event(const char *text, uint64_t *config)
{
	const char *v = NULL;
	if (strncmp(text, "config=", 7) == 0)
		v = text + 7;
	else if (strncmp(text, "event=", 6) == 0)
		v = text + 6;
	if (!v || !*v)
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 16); /* both drivers print hex with 0x */
	if (errno || end == v || (*end && *end != '\n' && *end != ','))
		return false;
	*config = x;
	return true;
}

bool xpu_pmu_parse_format_shift(const char *text, unsigned *shift)
{
	if (strncmp(text, "config:", 7) != 0)
		return false;
	char *end = NULL;
	unsigned long lo = strtoul(text + 7, &end, 10);
	if (end == text + 7 || lo > 63 || (*end && *end != '-' && *end != '\n'))
		return false;
	*shift = (unsigned)lo;
	return true;
}

const char *xpu_pmu_i915_engine_class(const char *event, char *buf, size_t len)
{
	size_t n = strlen(event);
	if (n <= 5 || strcmp(event + n - 5, "-busy") != 0)
		return NULL;
	size_t letters = 0;
	while (letters < n - 5 && event[letters] >= 'a' && event[letters] <= 'z')
		letters++;
	if (letters == 0 || letters == n - 5)
		return NULL; /* "rcs0-busy": letters, then the instance */
	for (size_t i = 0; i < XPU_ARRAY_LEN(i915_classes); i++)
		if (strlen(i915_classes[i].prefix) == letters &&
		    strncmp(event, i915_classes[i].prefix, letters) == 0) {
			xpu_strlcpy(buf, i915_classes[i].name, len);
			return buf;
		}
	snprintf(buf, len, "%.*s", (int)letters, event);
	return buf;
}

bool xpu_pmu_busy_percent(uint64_t busy0, uint64_t busy1, uint64_t ref0, uint64_t ref1,
			  double *percent)
{
	if (ref1 <= ref0 || busy1 < busy0)
		return false;
	double p = 100.0 * (double)(busy1 - busy0) / (double)(ref1 - ref0);
	*percent = p > 100.0 ? 100.0 : p; /* counters read a moment apart */
	return true;
}

const char *xpu_pmu_denied(int64_t paranoid, bool paranoid_known, bool perfmon, char *buf,
			   size_t len)
{
	if (perfmon || (paranoid_known && paranoid <= 0))
		return NULL;
	if (paranoid_known)
		snprintf(buf, len, "perf_event_paranoid=%" PRId64 " and no CAP_PERFMON", paranoid);
	else
		snprintf(buf, len, "perf_event_paranoid unreadable and no CAP_PERFMON");
	return buf;
}

/* --- counters --- */

static int perf_open(uint32_t type, uint64_t config, int cpu)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = type;
	a.size = sizeof(a);
	a.config = config;
	/* system-wide: the GPU PMUs count no task (pid -1) */
	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void close_counters(pmu_dev *pd)
{
	for (unsigned i = 0; i < pd->n; i++) {
		close(pd->c[i].fd);
		if (pd->c[i].fd_total >= 0)
			close(pd->c[i].fd_total);
	}
	pd->n = 0;
}

/* Why perf_event_open failed, on the device's status. */
static void open_failed(pmu_dev *pd, int err, const char *what)
{
	if (err == EACCES || err == EPERM)
		xpu_set_status(&pd->status, XPU_UNAVAILABLE, XPU_R_NEEDS_CAP_PERFMON,
			       "perf_event_open(%s): %s; setcap cap_perfmon=ep", what, strerror(err));
	else
		xpu_set_status(&pd->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "perf_event_open(%s): %s", what, strerror(err));
}

static bool add_counter(pmu_dev *pd, const char *engine, int fd, int fd_total)
{
	if (pd->n == PMU_MAX_COUNTERS) {
		close(fd);
		if (fd_total >= 0)
			close(fd_total);
		return false;
	}
	pmu_counter *c = &pd->c[pd->n++];
	memset(c, 0, sizeof(*c));
	xpu_strlcpy(c->engine, engine, sizeof(c->engine));
	c->fd = fd;
	c->fd_total = fd_total;
	return true;
}

static void open_i915(pmu_dev *pd, const xsys *s, const char *dir, uint32_t type, int cpu)
{
	xsys_names ev;
	xsys_list(s, &ev, "%s/events", dir);
	for (size_t i = 0; i < ev.count; i++) {
		char cls[XPU_ENGINE_NAME_LEN], text[64];
		uint64_t config;
		if (!xpu_pmu_i915_engine_class(ev.names[i], cls, sizeof(cls)) ||
		    xsys_text(s, text, sizeof(text), "%s/events/%s", dir, ev.names[i]) != XSYS_OK ||
		    !xpu_pmu_parse_event(text, &config))
			continue;
		int fd = perf_open(type, config, cpu);
		if (fd < 0) {
			char what[96];
			snprintf(what, sizeof(what), "%s %s", dir + strlen(PMU_DIR) + 1, ev.names[i]);
			open_failed(pd, errno, what);
			close_counters(pd);
			break;
		}
		add_counter(pd, cls, fd, -1);
	}
	xsys_names_free(&ev);
}

static bool xe_config(const xsys *s, const char *dir, const char *event, uint64_t *config)
{
	char text[64];
	return xsys_text(s, text, sizeof(text), "%s/events/%s", dir, event) == XSYS_OK &&
	       xpu_pmu_parse_event(text, config);
}

static bool xe_shift(const xsys *s, const char *dir, const char *field, unsigned *shift)
{
	char text[64];
	return xsys_text(s, text, sizeof(text), "%s/format/%s", dir, field) == XSYS_OK &&
	       xpu_pmu_parse_format_shift(text, shift);
}

/* Every engine instance the kernel accepts: an absent one fails to open
 * (ENOENT/EINVAL), which ends that class; a refusal ends the search. */
static void open_xe(pmu_dev *pd, const xsys *s, const char *dir, uint32_t type, int cpu)
{
	uint64_t active, total;
	unsigned gt_s, class_s, inst_s;
	if (!xe_config(s, dir, "engine-active-ticks", &active) ||
	    !xe_config(s, dir, "engine-total-ticks", &total) || !xe_shift(s, dir, "gt", &gt_s) ||
	    !xe_shift(s, dir, "engine_class", &class_s) ||
	    !xe_shift(s, dir, "engine_instance", &inst_s)) {
		xpu_set_status(&pd->status, XPU_UNSUPPORTED, XPU_R_FILE_MISSING,
			       "%s has no engine-active-ticks (xe PMU engine events: kernel 6.14+)", dir);
		return;
	}
	for (uint64_t gt = 0; gt < XE_MAX_GT; gt++) {
		for (uint64_t cl = 0; cl < XE_CLASSES; cl++) {
			for (uint64_t in = 0; in < XE_MAX_INSTANCES; in++) {
				uint64_t engine = gt << gt_s | cl << class_s | in << inst_s;
				int fd = perf_open(type, active | engine, cpu);
				int err = errno;
				int fdt = fd >= 0 ? perf_open(type, total | engine, cpu) : -1;
				if (fd >= 0 && fdt < 0) {
					err = errno;
					close(fd);
				}
				if (fdt < 0 && (err == EACCES || err == EPERM)) {
					open_failed(pd, err, dir + strlen(PMU_DIR) + 1);
					close_counters(pd);
					return;
				}
				if (fdt < 0)
					break; /* no such instance */
				add_counter(pd, xe_class_names[cl], fd, fdt);
			}
		}
	}
}

/* The first CPU of the PMU's cpumask ("0", "0-3"): where its events count. */
static int pmu_cpu(const xsys *s, const char *dir)
{
	char mask[64];
	if (xsys_text(s, mask, sizeof(mask), "%s/cpumask", dir) != XSYS_OK)
		return 0;
	return atoi(mask);
}

static void open_device(pmu_dev *pd, const xsys *s, const char *driver)
{
	char name[48], dir[96];
	xpu_pmu_device_name(driver, pd->pci, name, sizeof(name));
	snprintf(dir, sizeof(dir), PMU_DIR "/%s", name);
	uint64_t type = 0;
	xsys_rc rc = xsys_u64(s, &type, "%s/type", dir);
	if (rc != XSYS_OK) {
		char path[128];
		snprintf(path, sizeof(path), "%s/type", dir);
		xpu_read_fail(&pd->status, rc, path);
		return;
	}
	int64_t paranoid = 0;
	bool known = xsys_i64(s, &paranoid, "/proc/sys/kernel/perf_event_paranoid") == XSYS_OK;
	char why[64];
	if (xpu_pmu_denied(paranoid, known, xpu_perfmon_capable(s), why, sizeof(why))) {
		xpu_set_status(&pd->status, XPU_UNAVAILABLE, XPU_R_NEEDS_CAP_PERFMON,
			       "the %s PMU: %s; setcap cap_perfmon=ep", name, why);
		return;
	}
	xpu_set_ok(&pd->status);
	if (pd->xe)
		open_xe(pd, s, dir, (uint32_t)type, pmu_cpu(s, dir));
	else
		open_i915(pd, s, dir, (uint32_t)type, pmu_cpu(s, dir));
	if (xpu_is_ok(&pd->status) && pd->n == 0)
		xpu_set_status(&pd->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "%s lists no engine busy event", dir);
}

xpu_pmu *xpu_pmu_new(void)
{
	return calloc(1, sizeof(xpu_pmu));
}

void xpu_pmu_free(xpu_pmu *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++)
		close_counters(&p->dev[i]);
	free(p);
}

static pmu_dev *device_for(xpu_pmu *p, const xsys *s, const xpu_device *d, bool xe)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->dev[i].pci, d->pci_address) == 0)
			return &p->dev[i];
	if (p->n == XPU_MAX_DEVICES)
		return NULL;
	pmu_dev *pd = &p->dev[p->n++];
	xpu_strlcpy(pd->pci, d->pci_address, sizeof(pd->pci));
	pd->xe = xe;
	open_device(pd, s, xe ? "xe" : "i915");
	return pd;
}

static bool read_u64(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v);
}

/* One class's busy: the mean over its instances, as fdinfo's engine
 * capacity does. */
static void add_instance(xpu_device_sample *ds, const char *engine, double pct, unsigned *count)
{
	unsigned i = 0;
	while (i < ds->n_pmu_engines && strcmp(ds->pmu_engines[i].name, engine) != 0)
		i++;
	if (i == ds->n_pmu_engines) {
		if (i == XPU_MAX_ENGINES)
			return;
		ds->n_pmu_engines++;
		xpu_strlcpy(ds->pmu_engines[i].name, engine, sizeof(ds->pmu_engines[i].name));
		xpu_set_real(&ds->pmu_engines[i].busy_percent, 0);
		count[i] = 0;
	}
	double sum = ds->pmu_engines[i].busy_percent.value * count[i] + pct;
	count[i]++;
	ds->pmu_engines[i].busy_percent.value = sum / count[i];
}

static void read_device(pmu_dev *pd, xpu_device_sample *ds, uint64_t now_ns)
{
	unsigned count[XPU_MAX_ENGINES];
	ds->n_pmu_engines = 0;
	for (unsigned i = 0; i < pd->n; i++) {
		pmu_counter *c = &pd->c[i];
		uint64_t busy, total = now_ns;
		if (!read_u64(c->fd, &busy) || (c->fd_total >= 0 && !read_u64(c->fd_total, &total))) {
			xpu_set_status(&pd->status, XPU_UNAVAILABLE, XPU_R_IO_ERROR,
				       "reading the %s PMU counter: %s", c->engine, strerror(errno));
			close_counters(pd);
			ds->pmu_status = pd->status;
			ds->n_pmu_engines = 0;
			return;
		}
		double pct;
		if (pd->have_last && xpu_pmu_busy_percent(c->busy, busy, c->total, total, &pct))
			add_instance(ds, c->engine, pct, count);
		c->busy = busy;
		c->total = total;
	}
	if (!pd->have_last) {
		pd->have_last = true;
		xpu_set_status(&ds->pmu_status, XPU_UNAVAILABLE, XPU_R_NEEDS_TWO_SAMPLES,
			       "busy is the rate of the PMU's counters");
		return;
	}
	xpu_set_ok(&ds->pmu_status);
	/* the device's own total: hidden processes included, unlike fdinfo */
	for (unsigned i = 0; i < ds->n_pmu_engines; i++)
		if (i == 0 || ds->pmu_engines[i].busy_percent.value > ds->util_percent.value)
			xpu_set_real(&ds->util_percent, ds->pmu_engines[i].busy_percent.value);
}

void xpu_pmu_sample(xpu_pmu *p, const xsys *s, xpu_sample *x, uint64_t now_ns)
{
	for (size_t i = 0; i < x->n_devices; i++) {
		xpu_device_sample *ds = &x->devices[i];
		const xpu_device *d = &ds->dev;
		bool xe = xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, "xe") == 0;
		bool i915 = xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, "i915") == 0;
		if (d->vendor != XPU_VENDOR_INTEL || !(xe || i915)) {
			xpu_set_status(&ds->pmu_status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
				       "engine PMUs are read for Intel i915 and xe");
			continue;
		}
		pmu_dev *pd = device_for(p, s, d, xe);
		if (!pd)
			continue;
		if (!xpu_is_ok(&pd->status))
			ds->pmu_status = pd->status;
		else
			read_device(pd, ds, now_ns);
	}
}
