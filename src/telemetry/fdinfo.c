#include "telemetry/fdinfo.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "sys/parse.h"

/* "1234 ns", "5 KiB", "7" -> number and the unit that follows it. */
static bool value_and_unit(const char *v, uint64_t *n, const char **unit)
{
	while (*v == ' ' || *v == '\t')
		v++;
	if (!isdigit((unsigned char)*v))
		return false;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno)
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	*n = x;
	*unit = end;
	return true;
}

static bool unit_is(const char *unit, const char *want)
{
	size_t n = strlen(want);
	return strncmp(unit, want, n) == 0 && (unit[n] == '\0' || isspace((unsigned char)unit[n]));
}

/* Memory values: no unit means bytes; the kernel prints KiB or MiB (older
 * i915 "kB"). */
static bool bytes_of(const char *v, uint64_t *out)
{
	uint64_t n;
	const char *unit;
	if (!value_and_unit(v, &n, &unit))
		return false;
	uint64_t mul = 1;
	if (unit_is(unit, "KiB") || unit_is(unit, "kB") || unit_is(unit, "KB"))
		mul = 1024;
	else if (unit_is(unit, "MiB"))
		mul = 1024 * 1024;
	else if (unit_is(unit, "GiB"))
		mul = 1024ull * 1024 * 1024;
	else if (*unit && !unit_is(unit, "B"))
		return false;
	if (n > UINT64_MAX / mul)
		return false;
	*out = n * mul;
	return true;
}

static bool plain_number(const char *v, const char *unit_wanted, uint64_t *out)
{
	const char *unit;
	if (!value_and_unit(v, out, &unit))
		return false;
	return !*unit || (unit_wanted && unit_is(unit, unit_wanted));
}

/* Names are keystr: no white space, bounded. */
static bool valid_name(const char *name, size_t cap)
{
	size_t n = strlen(name);
	return n > 0 && n < cap && strpbrk(name, " \t:") == NULL;
}

static xpu_fdinfo_engine *engine(xpu_fdinfo *f, const char *name)
{
	if (!valid_name(name, XPU_ENGINE_NAME_LEN))
		return NULL;
	for (unsigned i = 0; i < f->n_engines; i++)
		if (strcmp(f->engines[i].name, name) == 0)
			return &f->engines[i];
	if (f->n_engines == XPU_MAX_ENGINES)
		return NULL;
	xpu_fdinfo_engine *e = &f->engines[f->n_engines++];
	memset(e, 0, sizeof(*e));
	xpu_strlcpy(e->name, name, sizeof(e->name));
	e->capacity = 1;
	return e;
}

static xpu_fdinfo_region *region(xpu_fdinfo *f, const char *name)
{
	if (!valid_name(name, sizeof(f->regions[0].name)))
		return NULL;
	for (unsigned i = 0; i < f->n_regions; i++)
		if (strcmp(f->regions[i].name, name) == 0)
			return &f->regions[i];
	if (f->n_regions == XPU_FDINFO_MAX_REGIONS)
		return NULL;
	xpu_fdinfo_region *r = &f->regions[f->n_regions++];
	memset(r, 0, sizeof(*r));
	xpu_strlcpy(r->name, name, sizeof(r->name));
	return r;
}

static void engine_key(xpu_fdinfo *f, const char *key, const char *v)
{
	uint64_t n;
	xpu_fdinfo_engine *e;
	/* the longer prefixes first: drm-engine-capacity- is no engine named "capacity-X" */
	if (xpu_starts_with(key, "engine-capacity-")) {
		if (plain_number(v, NULL, &n) && n > 0 && n < 1024 &&
		    (e = engine(f, key + strlen("engine-capacity-"))))
			e->capacity = (unsigned)n;
	} else if (xpu_starts_with(key, "engine-")) {
		if (plain_number(v, "ns", &n) && (e = engine(f, key + strlen("engine-")))) {
			e->busy_ns = n;
			e->has_ns = true;
		}
	} else if (xpu_starts_with(key, "total-cycles-")) {
		if (plain_number(v, NULL, &n) && (e = engine(f, key + strlen("total-cycles-")))) {
			e->total_cycles = n;
			e->has_cycles = true;
		}
	} else if (xpu_starts_with(key, "cycles-")) {
		if (plain_number(v, NULL, &n) && (e = engine(f, key + strlen("cycles-"))))
			e->cycles = n;
	}
}

static void memory_key(xpu_fdinfo *f, const char *key, const char *v)
{
	static const char *const prefixes[] = { "total-", "memory-", "resident-", "shared-" };
	for (size_t i = 0; i < XPU_ARRAY_LEN(prefixes); i++) {
		if (!xpu_starts_with(key, prefixes[i]))
			continue;
		uint64_t b;
		xpu_fdinfo_region *r;
		if (!bytes_of(v, &b) || !(r = region(f, key + strlen(prefixes[i]))))
			return;
		if (i == 0) {
			r->total = b;
			r->has_total = true;
		} else if (i == 1 && !r->has_total) {
			/* drm-memory-REGION (amdgpu, deprecated): what the client holds */
			r->total = b;
			r->has_total = true;
		} else if (i == 2) {
			r->resident = b;
			r->has_resident = true;
		} else if (i == 3) {
			r->shared = b;
		}
		return;
	}
}

static void parse_line(xpu_fdinfo *f, char *line, bool *is_drm)
{
	char *colon = strchr(line, ':');
	if (!colon || !xpu_starts_with(line, "drm-"))
		return;
	*colon = '\0';
	const char *key = line + 4, *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strcmp(key, "driver") == 0) {
		xpu_strlcpy(f->driver, v, sizeof(f->driver));
		*is_drm = f->driver[0] != '\0';
	} else if (strcmp(key, "pdev") == 0) {
		if (!xpu_pci_normalize(v, f->pdev, sizeof(f->pdev)))
			f->pdev[0] = '\0';
	} else if (strcmp(key, "client-id") == 0) {
		f->has_client_id = plain_number(v, NULL, &f->client_id);
	} else if (xpu_starts_with(key, "engine-") || xpu_starts_with(key, "cycles-") ||
		   xpu_starts_with(key, "total-cycles-")) {
		engine_key(f, key, v);
	} else {
		memory_key(f, key, v);
	}
}

bool xpu_fdinfo_parse(const char *text, xpu_fdinfo *out)
{
	memset(out, 0, sizeof(*out));
	bool is_drm = false;
	char line[256];
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n < sizeof(line)) { /* longer lines are none of ours */
			memcpy(line, p, n);
			line[n] = '\0';
			/* trailing white space and CR */
			while (n && isspace((unsigned char)line[n - 1]))
				line[--n] = '\0';
			parse_line(out, line, &is_drm);
		}
		p = nl ? nl + 1 : NULL;
	}
	/* an engine seen only through drm-cycles- lacks its total: unusable */
	for (unsigned i = 0; i < out->n_engines; i++)
		if (!out->engines[i].has_cycles)
			out->engines[i].cycles = 0;
	return is_drm;
}

bool xpu_fdinfo_region_is_vram(const char *name)
{
	return strstr(name, "vram") != NULL || strstr(name, "local") != NULL;
}

static double clamp_percent(double p)
{
	return p < 0 ? 0 : p > 100 ? 100 : p;
}

bool xpu_fdinfo_engine_busy(const xpu_fdinfo_engine *before, const xpu_fdinfo_engine *after,
			    uint64_t wall_ns, double *percent)
{
	unsigned cap = after->capacity ? after->capacity : 1;
	if (before->has_cycles && after->has_cycles) {
		if (after->cycles < before->cycles || after->total_cycles <= before->total_cycles)
			return false;
		double busy = (double)(after->cycles - before->cycles);
		double total = (double)(after->total_cycles - before->total_cycles);
		*percent = clamp_percent(100.0 * busy / (total * cap));
		return true;
	}
	if (before->has_ns && after->has_ns && wall_ns > 0) {
		if (after->busy_ns < before->busy_ns)
			return false;
		double busy = (double)(after->busy_ns - before->busy_ns);
		*percent = clamp_percent(100.0 * busy / ((double)wall_ns * cap));
		return true;
	}
	return false;
}
