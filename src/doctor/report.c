/* xpu doctor: the report (a list of checks), its verdict helpers, its JSON,
 * and the run that fills it group by group. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doctor/doctor_int.h"

struct xpu_doctor_report {
	xpu_check *checks;
	size_t count, cap;
	bool nixos;
};

xpu_check *doc_add(doc_ctx *c, const char *group, const char *title, const char *idfmt, ...)
{
	xpu_doctor_report *r = c->report;
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		xpu_check *grown = realloc(r->checks, cap * sizeof(*grown));
		if (!grown) {
			c->nomem = true;
			return NULL;
		}
		r->checks = grown;
		r->cap = cap;
	}
	xpu_check *k = &r->checks[r->count++];
	memset(k, 0, sizeof(*k));
	k->group = group;
	k->verdict = XPU_VERDICT_SKIP;
	xpu_strlcpy(k->title, title, sizeof(k->title));
	va_list ap;
	va_start(ap, idfmt);
	vsnprintf(k->id, sizeof(k->id), idfmt, ap);
	va_end(ap);
	return k;
}

void doc_verdict(xpu_check *k, xpu_verdict v, const char *fmt, ...)
{
	if (!k)
		return;
	k->verdict = v;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->evidence, sizeof(k->evidence), fmt, ap);
	va_end(ap);
}

void doc_fix(xpu_check *k, const char *fmt, ...)
{
	if (!k)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->fix, sizeof(k->fix), fmt, ap);
	va_end(ap);
}

void doc_fix_install(const doc_ctx *c, xpu_check *k, const char *nix_option, const char *apt_pkg,
		     const char *then)
{
	const char *sep = then ? "; then " : "";
	then = then ? then : "";
	if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "set %s and run nixos-rebuild switch%s%s", nix_option, sep, then);
	else if (c->pkg == DOC_PKG_APT)
		doc_fix(k, "sudo apt install %s%s%s", apt_pkg, sep, then);
	else
		doc_fix(k, "install what Debian calls %s%s%s", apt_pkg, sep, then);
}

const char *doc_dev_label(const xpu_device *d)
{
	if (d->pci_address[0])
		return d->pci_address;
	return d->vendor == XPU_VENDOR_CPU ? "cpu" : d->id; /* "platform:fb000000.gpu" */
}

const char *doc_dev_name(const xpu_device *d)
{
	return d->name.status.state == XPU_OK ? d->name.value : "(unnamed)";
}

bool doc_is_gpu(const xpu_device *d)
{
	return d->vendor != XPU_VENDOR_CPU && d->kind != XPU_KIND_CPU;
}

const char *xpu_verdict_name(xpu_verdict v)
{
	static const char *const names[] = { "PASS", "WARN", "FAIL", "SKIP" };
	return (unsigned)v < XPU_ARRAY_LEN(names) ? names[v] : "?";
}

size_t xpu_doctor_count(const xpu_doctor_report *r)
{
	return r->count;
}

const xpu_check *xpu_doctor_at(const xpu_doctor_report *r, size_t i)
{
	return i < r->count ? &r->checks[i] : NULL;
}

size_t xpu_doctor_tally(const xpu_doctor_report *r, xpu_verdict v)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += r->checks[i].verdict == v;
	return n;
}

bool xpu_doctor_is_nixos(const xpu_doctor_report *r)
{
	return r->nixos;
}

int xpu_doctor_exit_status(const xpu_doctor_report *r)
{
	if (xpu_doctor_tally(r, XPU_VERDICT_FAIL))
		return 2;
	return xpu_doctor_tally(r, XPU_VERDICT_WARN) ? 1 : 0;
}

void xpu_doctor_free(xpu_doctor_report *r)
{
	if (!r)
		return;
	free(r->checks);
	free(r);
}

char *xpu_doctor_json(const xpu_doctor_report *r, bool pretty)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", json_integer(XPU_DOCTOR_SCHEMA_VERSION));
	json_object_set_new(root, "exit_status", json_integer(xpu_doctor_exit_status(r)));
	json_object_set_new(root, "nixos", json_boolean(r->nixos));
	json_t *sum = json_object();
	static const char *const keys[] = { "pass", "warn", "fail", "skip" };
	for (int v = 0; v <= XPU_VERDICT_SKIP; v++)
		json_object_set_new(sum, keys[v], json_integer((json_int_t)xpu_doctor_tally(r, (xpu_verdict)v)));
	json_object_set_new(root, "summary", sum);
	json_t *arr = json_array();
	for (size_t i = 0; i < r->count; i++) {
		const xpu_check *k = &r->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(k->id));
		json_object_set_new(o, "group", json_string(k->group));
		json_object_set_new(o, "title", json_string(k->title));
		json_object_set_new(o, "verdict", json_string(xpu_verdict_name(k->verdict)));
		json_object_set_new(o, "evidence", json_string(k->evidence));
		json_object_set_new(o, "fix", k->fix[0] ? json_string(k->fix) : json_null());
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "checks", arr);
	char *s = json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

/* Debian and Ubuntu (and what derives from them) take apt commands. */
static doc_pkg_tool pkg_tool_of(const xsys *fs)
{
	if (xsys_exists(fs, "/etc/NIXOS"))
		return DOC_PKG_NIX;
	char *text = NULL;
	size_t n = 0;
	doc_pkg_tool t = DOC_PKG_OTHER;
	if (xsys_slurp(fs, &text, &n, 16384, "/etc/os-release") == XSYS_OK) {
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			if ((xpu_starts_with(line, "ID=") || xpu_starts_with(line, "ID_LIKE=")) &&
			    (strstr(line, "debian") || strstr(line, "ubuntu")))
				t = DOC_PKG_APT;
	}
	free(text);
	return t;
}

static void gather_facts(doc_ctx *c)
{
	for (size_t i = 0; i < xpu_device_count(c->sys); i++) {
		const xpu_device *d = xpu_device_at(c->sys, i);
		if (!doc_is_gpu(d))
			continue;
		c->has_gpu = true;
		c->has_intel_gpu |= d->vendor == XPU_VENDOR_INTEL;
		c->has_nvidia_gpu |= d->vendor == XPU_VENDOR_NVIDIA;
		c->has_amd_gpu |= d->vendor == XPU_VENDOR_AMD;
		c->has_discrete_gpu |= d->kind == XPU_KIND_DISCRETE;
		for (int b = 0; b < XPU_BACKEND_COUNT; b++)
			if (b != XPU_BACKEND_OPENCL && b != XPU_BACKEND_CPU && d->backends[b].usable)
				c->any_gpu_usable = true;
	}
}

int doc_run_groups(const xpu_system *sys, const xpu_doctor_options *opt, unsigned groups,
		   xpu_doctor_report **out, char *err, size_t errlen)
{
	static void (*const run[])(doc_ctx *) = {
		doc_kernel_checks, doc_access_checks, doc_runtime_checks,
		doc_framework_checks, doc_app_checks, doc_compat_checks,
	};
	*out = NULL;
	xpu_doctor_report *r = calloc(1, sizeof(*r));
	if (!r) {
		xpu_strlcpy(err, "out of memory", errlen);
		return XPU_E_NOMEM;
	}
	doc_ctx c;
	memset(&c, 0, sizeof(c));
	c.sys = sys;
	c.opt = opt;
	c.report = r;
	if (xsys_init(&c.fs, xpu_system_sysroot(sys), err, errlen) != 0) {
		free(r);
		return XPU_E_SYSROOT;
	}
	c.pkg = pkg_tool_of(&c.fs);
	r->nixos = c.pkg == DOC_PKG_NIX;
	gather_facts(&c);
	for (size_t i = 0; i < XPU_ARRAY_LEN(run); i++)
		if (groups & (1u << i))
			run[i](&c);
	if (c.nomem) {
		xpu_doctor_free(r);
		xpu_strlcpy(err, "out of memory", errlen);
		return XPU_E_NOMEM;
	}
	*out = r;
	return XPU_E_OK;
}

int xpu_doctor_run(const xpu_system *sys, const xpu_doctor_options *opt,
		   xpu_doctor_report **out, char *err, size_t errlen)
{
	return doc_run_groups(sys, opt, DOC_ALL_GROUPS, out, err, errlen);
}
