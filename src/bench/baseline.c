/* The report as JSON, baselines saved from it, and comparisons against them.
 * A baseline is the `xpu bench --json` document itself: "kind" and
 * "schema_version" say what it is, "machine" says where it was measured. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "bench/bench_int.h"
#include "model/value.h"

#define BASELINE_KIND "xpu-bench"
/* A baseline of every device and figure is some hundred KiB. */
#define BASELINE_MAX (4u << 20)

void bench_json_real(json_t *o, const char *key, const xpu_real *v)
{
	if (xpu_is_ok(&v->status)) {
		json_object_set_new(o, key, json_real(v->value));
		return;
	}
	json_t *r = json_object();
	json_object_set_new(r, "value", json_null());
	json_object_set_new(r, "state", json_string(xpu_state_name(v->status.state)));
	json_object_set_new(r, "reason", json_string(xpu_reason_name(v->status.reason)));
	json_object_set_new(r, "detail", json_string(v->status.detail));
	json_object_set_new(o, key, r);
}

static json_t *figure_json(const xpu_bench_figure *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(f->name));
	json_object_set_new(o, "unit", json_string(f->unit));
	json_object_set_new(o, "counting", json_string(f->counting));
	json_object_set_new(o, "higher_is_better", json_boolean(!f->lower_is_better));
	json_object_set_new(o, "state", json_string(xpu_state_name(f->status.state)));
	if (!xpu_is_ok(&f->status)) {
		json_object_set_new(o, "value", json_null());
		json_object_set_new(o, "reason", json_string(xpu_reason_name(f->status.reason)));
		json_object_set_new(o, "detail", json_string(f->status.detail));
		return o;
	}
	json_object_set_new(o, "value", json_real(f->best));
	json_object_set_new(o, "median", json_real(f->median));
	json_object_set_new(o, "min", json_real(f->min));
	json_object_set_new(o, "max", json_real(f->max));
	json_object_set_new(o, "reps", json_integer(f->reps));
	if (f->passes > 1) {
		json_t *b = json_array();
		for (unsigned i = 0; i < f->passes && i < XPU_BENCH_MAX_PASSES; i++)
			json_array_append_new(b, json_real(f->pass_best[i]));
		json_object_set_new(o, "pass_best", b);
	}
	json_object_set_new(o, "peak_kind", json_string(xpu_peak_kind_name(f->peak_kind)));
	bench_json_real(o, "peak", &f->peak);
	bench_json_real(o, "percent_of_peak", &f->percent_of_peak);
	if (xpu_is_ok(&f->alt_best.status)) {
		json_object_set_new(o, "alt_value", json_real(f->alt_best.value));
		json_object_set_new(o, "alt_counting", json_string(f->alt_counting));
	}
	if (f->note[0])
		json_object_set_new(o, "note", json_string(f->note));
	json_object_set_new(o, "spread_pct", json_real(f->spread_pct));
	json_object_set_new(o, "noisy", json_boolean(f->noisy));
	if (f->noisy)
		json_object_set_new(o, "noise", json_string(f->noise));
	return o;
}

static json_t *target_json(const xpu_bench_target *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "device", json_string(t->device_id));
	json_object_set_new(o, "name", json_string(t->device_name));
	json_object_set_new(o, "backend", json_string(t->backend));
	json_object_set_new(o, "library", json_string(t->library));
	json_object_set_new(o, "state", json_string(xpu_state_name(t->status.state)));
	if (!xpu_is_ok(&t->status)) {
		json_object_set_new(o, "reason", json_string(xpu_reason_name(t->status.reason)));
		json_object_set_new(o, "detail", json_string(t->status.detail));
	}
	if (t->properties[0])
		json_object_set_new(o, "properties", json_string(t->properties));
	bench_json_real(o, "others_cpu_pct", &t->others_cpu_pct);
	bench_json_real(o, "steal_pct", &t->steal_pct);
	if (t->busy[0])
		json_object_set_new(o, "busy", json_string(t->busy));
	if (t->gemm[0])
		json_object_set_new(o, "gemm", json_string(t->gemm));
	json_t *peaks = json_object();
	for (int k = XPU_PEAK_MEM_BW; k < XPU_PEAK_COUNT; k++)
		bench_json_real(peaks, xpu_peak_kind_name((xpu_peak_kind)k), &t->peaks[k]);
	json_object_set_new(o, "peaks", peaks);
	json_object_set_new(o, "peak_source", json_string(t->peak_source));
	json_t *how = json_object();
	for (int k = XPU_PEAK_MEM_BW; k < XPU_PEAK_COUNT; k++)
		if (t->peak_how[k][0])
			json_object_set_new(how, xpu_peak_kind_name((xpu_peak_kind)k),
					    json_string(t->peak_how[k]));
	json_object_set_new(o, "peak_how", how);
	json_t *figs = json_array();
	for (size_t i = 0; i < t->n_figures; i++)
		json_array_append_new(figs, figure_json(&t->figures[i]));
	json_object_set_new(o, "figures", figs);
	return o;
}

static json_t *report_json(const xpu_bench_report *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(BASELINE_KIND));
	json_object_set_new(o, "schema_version", json_integer(XPU_BENCH_SCHEMA_VERSION));
	json_object_set_new(o, "xpu_version", json_string(xpu_version()));
	json_object_set_new(o, "level", json_string(xpu_bench_level_name(r->level)));
	json_t *m = json_object();
	json_object_set_new(m, "hostname", json_string(r->hostname));
	json_object_set_new(m, "machine_id", json_string(r->machine_id));
	json_object_set_new(m, "cpu", json_string(r->cpu_model));
	json_object_set_new(m, "kernel", json_string(r->kernel));
	json_object_set_new(m, "cpus", json_integer(r->cpus));
	bench_json_real(m, "load_avg_1m", &r->load_avg_1m);
	json_object_set_new(o, "machine", m);
	if (r->scale != 1.0)
		json_object_set_new(o, "test_scale", json_real(r->scale));
	json_t *ts = json_array();
	for (size_t i = 0; i < r->n_targets; i++)
		json_array_append_new(ts, target_json(&r->targets[i]));
	json_object_set_new(o, "targets", ts);
	return o;
}

char *bench_json_text(json_t *o, bool pretty)
{
	char *s = json_dumps(o, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(7));
	json_decref(o);
	return s;
}

char *xpu_bench_json(const xpu_bench_report *r, bool pretty)
{
	return bench_json_text(report_json(r), pretty);
}

int bench_json_write(json_t *o, const char *path, const char *what, char *err, size_t errlen)
{
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(7));
	json_decref(o);
	if (!text) {
		snprintf(err, errlen, "cannot write %s %s: out of memory", what, path);
		return -1;
	}
	/* a new file beside it, renamed over it: a link planted at path (or
	 * at the old PATH.tmp.PID name) is replaced, never written through */
	char why[512];
	xpu_file_rc rc = xpu_file_write(path, text, strlen(text), 0644, why, sizeof(why));
	free(text);
	if (rc != XPU_FILE_OK) {
		snprintf(err, errlen, "cannot write %s: %s", what, why);
		return -1;
	}
	return 0;
}

int xpu_bench_save(const xpu_bench_report *r, const char *path, char *err, size_t errlen)
{
	return bench_json_write(report_json(r), path, "baseline", err, errlen);
}

/* ---- compare ---- */

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The baseline's header: kind, schema, machine.  Message in err. */
static bool baseline_check(json_t *root, const xpu_bench_report *r, const char *path, char *err,
			   size_t errlen)
{
	if (!json_is_object(root) || strcmp(jstr(root, "kind"), BASELINE_KIND) != 0) {
		snprintf(err, errlen, "%s is not an xpu bench baseline (no \"kind\": \"%s\"); "
			 "write one with 'xpu bench --save FILE'", path, BASELINE_KIND);
		return false;
	}
	json_t *sv = json_object_get(root, "schema_version");
	if (!json_is_integer(sv) || json_integer_value(sv) != XPU_BENCH_SCHEMA_VERSION) {
		char found[32] = "missing";
		if (json_is_integer(sv))
			snprintf(found, sizeof(found), "%lld", (long long)json_integer_value(sv));
		snprintf(err, errlen, "%s has schema_version %s, this xpu reads %d: save a new "
			 "baseline with 'xpu bench --save FILE'", path, found, XPU_BENCH_SCHEMA_VERSION);
		return false;
	}
	json_t *m = json_object_get(root, "machine");
	const char *id = jstr(m, "machine_id"), *host = jstr(m, "hostname");
	bool other = (id[0] && r->machine_id[0]) ? strcmp(id, r->machine_id) != 0 :
						    strcmp(host, r->hostname) != 0;
	if (other) {
		snprintf(err, errlen, "%s was measured on another machine (host '%.40s', "
			 "machine-id '%.32s'; this is '%.40s'): compare on that machine, or save a "
			 "baseline here with --save", path, host, id, r->hostname);
		return false;
	}
	if (!json_is_array(json_object_get(root, "targets"))) {
		snprintf(err, errlen, "%s has no \"targets\" array: not a complete baseline", path);
		return false;
	}
	return true;
}

static json_t *find_baseline_figure(json_t *targets, const xpu_bench_target *t, const char *name)
{
	size_t i, j;
	json_t *bt, *bf;
	json_array_foreach(targets, i, bt) {
		if (strcmp(jstr(bt, "device"), t->device_id) != 0 ||
		    strcmp(jstr(bt, "backend"), t->backend) != 0)
			continue;
		json_array_foreach(json_object_get(bt, "figures"), j, bf)
			if (strcmp(jstr(bf, "name"), name) == 0)
				return bf;
	}
	return NULL;
}

static size_t baseline_figures(json_t *targets)
{
	size_t i, n = 0;
	json_t *bt;
	json_array_foreach(targets, i, bt) {
		size_t j;
		json_t *bf;
		json_array_foreach(json_object_get(bt, "figures"), j, bf)
			n += json_is_number(json_object_get(bf, "value"));
	}
	return n;
}

/* Why a comparison of f with its baseline figure bf is noisy, or "". */
static void delta_noise(const xpu_bench_figure *f, json_t *bf, char *out, size_t len)
{
	bool then = json_is_true(json_object_get(bf, "noisy"));
	if (f->noisy && then)
		snprintf(out, len, "now %s; noisy in the baseline too", f->noise);
	else if (f->noisy)
		snprintf(out, len, "now %s", f->noise);
	else if (then)
		snprintf(out, len, "in the baseline: %.128s", jstr(bf, "noise"));
	else
		out[0] = '\0';
}

static void compare_figure(xpu_bench_comparison *cmp, const xpu_bench_target *t,
			   const xpu_bench_figure *f, json_t *bf)
{
	xpu_bench_delta *d = &cmp->deltas[cmp->n++];
	double before = json_number_value(json_object_get(bf, "value"));
	snprintf(d->target, sizeof(d->target), "%s %s", t->backend, t->device_id);
	xpu_strlcpy(d->name, f->name, sizeof(d->name));
	xpu_strlcpy(d->unit, f->unit, sizeof(d->unit));
	d->baseline = before;
	d->now = f->best;
	/* Positive: faster.  For times, a halving reads +100%, as for rates. */
	double ratio = f->lower_is_better ? before / f->best : f->best / before;
	d->change_pct = (ratio - 1.0) * 100.0;
	delta_noise(f, bf, d->noise, sizeof(d->noise));
	d->noisy = d->noise[0] != '\0';
	bool slower = d->change_pct < -cmp->threshold_pct;
	/* a noisy figure cannot carry a regression call unless asked */
	d->regression = slower && (!d->noisy || cmp->call_noisy);
	cmp->regressions += d->regression;
	cmp->held_back += slower && !d->regression;
}

/* The baseline file's text.  Read as any file is (base/file.h): a FIFO or
 * device is refused, and so is a file larger than a baseline can be (a
 * valid 50 MB one took 10 s and 726 MB to parse). */
static char *baseline_read(const char *path, size_t *len, char *err, size_t errlen)
{
	char *text, why[512];
	if (xpu_file_read(-1, path, 0, BASELINE_MAX, &text, len, why, sizeof(why)) != XPU_FILE_OK) {
		snprintf(err, errlen, "cannot read baseline %s", why);
		return NULL;
	}
	return text;
}

int xpu_bench_compare(const xpu_bench_report *r, const char *path, double threshold_pct,
		      bool call_noisy, xpu_bench_comparison **out, char *err, size_t errlen)
{
	*out = NULL;
	size_t len;
	char *text = baseline_read(path, &len, err, errlen);
	if (!text)
		return -1;
	int rc = bench_compare_text(r, path, text, len, threshold_pct, call_noisy, out, err, errlen);
	free(text);
	return rc;
}

int bench_compare_text(const xpu_bench_report *r, const char *path, const char *text, size_t len,
		       double threshold_pct, bool call_noisy, xpu_bench_comparison **out, char *err, size_t errlen)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je);
	if (!root) {
		snprintf(err, errlen, "baseline %s is not valid JSON (line %d: %s): save it "
			 "again with 'xpu bench --save FILE'", path, je.line, je.text);
		return -1;
	}
	if (!baseline_check(root, r, path, err, errlen)) {
		json_decref(root);
		return -1;
	}
	xpu_bench_comparison *cmp = calloc(1, sizeof(*cmp));
	if (!cmp) {
		json_decref(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cmp->threshold_pct = threshold_pct;
	cmp->call_noisy = call_noisy;
	json_t *targets = json_object_get(root, "targets");
	size_t matched = 0;
	for (size_t i = 0; i < r->n_targets; i++) {
		const xpu_bench_target *t = &r->targets[i];
		for (size_t j = 0; j < t->n_figures; j++) {
			const xpu_bench_figure *f = &t->figures[j];
			json_t *bf = find_baseline_figure(targets, t, f->name);
			json_t *bv = bf ? json_object_get(bf, "value") : NULL;
			if (!xpu_is_ok(&f->status) || !json_is_number(bv) ||
			    !(json_number_value(bv) > 0) || !(f->best > 0)) {
				cmp->unmatched += xpu_is_ok(&f->status);
				continue;
			}
			compare_figure(cmp, t, f, bf);
			matched++;
		}
	}
	size_t in_baseline = baseline_figures(targets);
	cmp->unmatched += in_baseline > matched ? in_baseline - matched : 0;
	json_decref(root);
	*out = cmp;
	return 0;
}
