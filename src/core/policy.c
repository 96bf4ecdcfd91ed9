/* The backend policy of `xpu run` (and the default `xpu list` marks): the
 * first usable backend in the order cuda > level_zero > rocm > vulkan on a
 * GPU, else cpu on the CPU.  Among GPUs with the same backend, discrete
 * before integrated, then more memory.  A request narrows the candidates
 * (a forced backend, a device, the backends the app's profile knows) and
 * every candidate left out is recorded with its reason, for --explain. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "model/system.h"
#include "model/value.h"
#include "sys/parse.h"
#include "xpu/run.h"

static const xpu_backend_kind order[XPU_POLICY_BACKENDS] = {
	XPU_BACKEND_CUDA, XPU_BACKEND_LEVEL_ZERO, XPU_BACKEND_ROCM, XPU_BACKEND_VULKAN,
	XPU_BACKEND_CPU,
};

xpu_backend_kind xpu_policy_backend(size_t i)
{
	return i < XPU_POLICY_BACKENDS ? order[i] : XPU_BACKEND_CPU;
}

#define ORDER_TEXT "cuda > level_zero > rocm > vulkan > cpu"

bool xpu_backend_parse(const char *name, xpu_backend_kind *out)
{
	static const struct {
		const char *name;
		xpu_backend_kind kind;
	} names[] = {
		{ "cuda", XPU_BACKEND_CUDA },       { "level_zero", XPU_BACKEND_LEVEL_ZERO },
		{ "level-zero", XPU_BACKEND_LEVEL_ZERO }, { "xpu", XPU_BACKEND_LEVEL_ZERO },
		{ "rocm", XPU_BACKEND_ROCM },       { "hip", XPU_BACKEND_ROCM },
		{ "vulkan", XPU_BACKEND_VULKAN },   { "cpu", XPU_BACKEND_CPU },
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(names); i++)
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].kind;
			return true;
		}
	return false;
}

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

/* Devices in preference order (discrete first, then memory), stable. */
static size_t ranked(const xpu_system *sys, const xpu_device **out)
{
	size_t n = 0;
	for (size_t i = 0; i < sys->count; i++) {
		const xpu_device *d = &sys->devices[i];
		size_t at = n;
		while (at > 0 && better(d, out[at - 1]) && !better(out[at - 1], d))
			at--;
		memmove(&out[at + 1], &out[at], (n - at) * sizeof(*out));
		out[at] = d;
		n++;
	}
	return n;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static const char *uuid_body(const char *u)
{
	return strncasecmp(u, "GPU-", 4) == 0 ? u + 4 : u;
}

/* Whether spec names d (index, PCI address, UUID, "cpu" or a part of the name). */
static bool device_matches(const xpu_device *d, const char *spec)
{
	if (all_digits(spec))
		return strtoul(spec, NULL, 10) == d->index;
	if (strcasecmp(spec, "cpu") == 0)
		return d->vendor == XPU_VENDOR_CPU;
	char pci[16];
	if (strchr(spec, ':') && xpu_pci_normalize(spec, pci, sizeof(pci)))
		return d->pci_address[0] && strcasecmp(pci, d->pci_address) == 0;
	if (xpu_is_ok(&d->uuid.status) && strcasecmp(uuid_body(spec), uuid_body(d->uuid.value)) == 0)
		return true;
	return xpu_is_ok(&d->name.status) && strcasestr(d->name.value, spec) != NULL;
}

/* The single device spec names; err says why there is none. */
static const xpu_device *find_device(const xpu_system *sys, const char *spec, char *err,
				     size_t errlen)
{
	const xpu_device *found = NULL;
	size_t n = 0;
	for (size_t i = 0; i < sys->count; i++)
		if (device_matches(&sys->devices[i], spec)) {
			if (!found)
				found = &sys->devices[i];
			n++;
		}
	if (n == 1)
		return found;
	if (n == 0)
		snprintf(err, errlen, "device '%s' matches no device (see 'xpu list' for indices, "
			 "PCI addresses, UUIDs and names)", spec);
	else
		snprintf(err, errlen, "device '%s' matches %zu devices; give its index or PCI "
			 "address (see 'xpu list')", spec, n);
	return NULL;
}

static void reject(xpu_decision *out, const xpu_device *d, xpu_backend_kind b, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
static void reject(xpu_decision *out, const xpu_device *d, xpu_backend_kind b, const char *fmt, ...)
{
	if (out->n_rejected == XPU_MAX_REJECTED)
		return;
	xpu_rejected *r = &out->rejected[out->n_rejected++];
	r->device = d;
	r->backend = b;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Every backend that concerns the device is a candidate; whether it is
 * usable is discovery's answer, the same that xpu list shows (lavapipe's
 * Vulkan on the CPU is a candidate that is not usable, with its reason). */
static bool candidate(const xpu_device *d, xpu_backend_kind b)
{
	return d->backends[b].applies;
}

typedef struct scan {
	const xpu_device *only;  /* a requested device, or NULL */
	int backend;             /* a forced backend, or -1 */
	unsigned supported;
	const char *app;
} scan;

/* Walks the candidates in policy order; the first usable one wins. */
static bool choose(const xpu_system *sys, const scan *s, xpu_decision *out)
{
	const xpu_device *devs[XPU_MAX_DEVICES];
	size_t n = ranked(sys, devs);
	for (size_t o = 0; o < XPU_POLICY_BACKENDS; o++) {
		xpu_backend_kind b = order[o];
		if (s->backend >= 0 && (xpu_backend_kind)s->backend != b)
			continue;
		for (size_t i = 0; i < n; i++) {
			const xpu_device *d = devs[i];
			if ((s->only && d != s->only) || !candidate(d, b))
				continue;
			char why[160];
			if (s->supported && !(s->supported & (1u << b)))
				reject(out, d, b, "profile %s has no [%s] section", s->app ? s->app : "",
				       xpu_backend_name(b));
			else if (!d->backends[b].usable)
				reject(out, d, b, "%s", xpu_status_describe(&d->backends[b].status, why,
									    sizeof(why)));
			else {
				out->device = d;
				out->backend = b;
				return true;
			}
		}
	}
	return false;
}

/* What would work instead: the usable backends of the policy, as
 * "cpu on device 0" (at most a few), or "" when there is none. */
static void alternatives(const xpu_system *sys, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t o = 0; o < XPU_POLICY_BACKENDS; o++)
		for (size_t i = 0; i < sys->count && used + 1 < len; i++) {
			const xpu_device *d = &sys->devices[i];
			if (!d->backends[order[o]].usable)
				continue;
			int w = snprintf(out + used, len - used, "%s%s on device %u", used ? ", " : "",
					 xpu_backend_name(order[o]), d->index);
			used = w > 0 ? used + (size_t)w : used;
		}
}

static void describe_failure(const xpu_system *sys, const scan *s, const xpu_decision *out,
			     char *err, size_t errlen)
{
	const char *b = s->backend >= 0 ? xpu_backend_name((xpu_backend_kind)s->backend) : NULL;
	char instead[160];
	alternatives(sys, instead, sizeof(instead));
	if (out->n_rejected > 0) {
		const xpu_rejected *r = &out->rejected[0];
		snprintf(err, errlen, "%s%s is not usable on device %u (%s): %s%s%s",
			 b ? "forced backend " : "", xpu_backend_name(r->backend), r->device->index,
			 r->device->name.value, r->reason, instead[0] ? "; usable: " : "", instead);
	} else if (b && s->only) {
		snprintf(err, errlen, "backend %s does not apply to device %u (%s)", b,
			 s->only->index, s->only->name.value);
	} else if (b) {
		snprintf(err, errlen, "backend %s applies to no device of this machine%s%s", b,
			 instead[0] ? "; usable: " : "", instead);
	} else {
		snprintf(err, errlen, "no device of this machine has a usable backend");
	}
}

int xpu_decide(const xpu_system *sys, const xpu_request *req, xpu_decision *out, char *err,
	       size_t errlen)
{
	memset(out, 0, sizeof(*out));
	scan s = { .backend = -1, .supported = req ? req->supported : 0, .app = req ? req->app : NULL };
	const char *want = req && req->backend && *req->backend && strcasecmp(req->backend, "auto")
				   ? req->backend : NULL;
	if (want) {
		xpu_backend_kind b;
		if (!xpu_backend_parse(want, &b)) {
			snprintf(err, errlen, "unknown backend '%s'; backends: auto, cuda, level_zero "
				 "(xpu), rocm, vulkan, cpu", want);
			return XPU_DECIDE_BAD_REQUEST;
		}
		s.backend = (int)b;
		out->forced = true;
	}
	if (req && req->device && *req->device) {
		s.only = find_device(sys, req->device, err, errlen);
		if (!s.only)
			return XPU_DECIDE_BAD_REQUEST;
	}
	if (choose(sys, &s, out)) {
		snprintf(out->why, sizeof(out->why), "%s", want ? "forced" :
			 "first usable backend in the order " ORDER_TEXT);
		return XPU_DECIDE_OK;
	}
	describe_failure(sys, &s, out, err, errlen);
	if (!want || !req->fallback)
		return XPU_DECIDE_UNUSABLE;
	char forced_err[256];
	snprintf(forced_err, sizeof(forced_err), "%s", err);
	s.backend = -1;
	if (!choose(sys, &s, out)) {
		describe_failure(sys, &s, out, err, errlen);
		return XPU_DECIDE_UNUSABLE;
	}
	out->fell_back = true;
	snprintf(out->why, sizeof(out->why), "fell back to the order " ORDER_TEXT ": %s", forced_err);
	return XPU_DECIDE_OK;
}

void xpu_default_choice(const xpu_system *sys, xpu_choice *out)
{
	memset(out, 0, sizeof(*out));
	xpu_decision *d = calloc(1, sizeof(*d));
	char err[256];
	if (!d || xpu_decide(sys, NULL, d, err, sizeof(err)) != XPU_DECIDE_OK) {
		free(d);
		return;
	}
	out->device = d->device;
	out->backend = d->backend;
	if (d->backend == XPU_BACKEND_CPU)
		snprintf(out->why, sizeof(out->why), "no GPU has a usable cuda, level_zero, rocm "
			 "or vulkan backend");
	else
		snprintf(out->why, sizeof(out->why), "first usable backend in the order " ORDER_TEXT);
	free(d);
}
