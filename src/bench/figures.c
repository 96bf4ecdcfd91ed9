/* The figure registry (figures.h) as data, and what reads it: the runners'
 * figures get their name, unit, peak kind and counting from their row, and
 * --only is checked against the rows. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "bench/bench_int.h"
#include "model/value.h"

#define BENCH_FIG_ROW(id, name, shape, unit, peak, counting, alt, backends) \
	[BENCH_FIG_##id] = { name, shape, unit, XPU_PEAK_##peak, counting, alt, backends },
static const xpu_bench_figure_info rows[BENCH_FIG_COUNT] = { BENCH_FIGURES(BENCH_FIG_ROW) };
#undef BENCH_FIG_ROW

size_t xpu_bench_figure_count(void)
{
	return BENCH_FIG_COUNT;
}

const xpu_bench_figure_info *xpu_bench_figure_at(size_t i)
{
	return i < BENCH_FIG_COUNT ? &rows[i] : NULL;
}

/* The row whose figures include name (n bytes): its name, or with a shape
 * its stem, a dot and a shape; NULL when none does. */
static const xpu_bench_figure_info *row_of(const char *name, size_t n)
{
	for (size_t i = 0; i < BENCH_FIG_COUNT; i++) {
		const xpu_bench_figure_info *r = &rows[i];
		size_t len = strlen(r->name);
		if (n < len || strncmp(name, r->name, len) != 0)
			continue;
		if (n == len ? !r->shape : r->shape && name[len] == '.' && n > len + 1)
			return r;
	}
	return NULL;
}

/* Whether the token (n bytes) is a row's stem or a prefix of a row's name
 * that ends at a dot ("gemm", "h2d"). */
static bool is_prefix(const char *tok, size_t n)
{
	for (size_t i = 0; i < BENCH_FIG_COUNT; i++) {
		const char *name = rows[i].name;
		/* strncmp first: name[n] exists only when name starts with tok */
		if (n && strncmp(name, tok, n) == 0 && (name[n] == '.' || (!name[n] && rows[i].shape)))
			return true;
	}
	return false;
}

bool xpu_bench_only_valid(const char *only, char *bad, size_t badlen)
{
	if (!only)
		return true;
	for (const char *p = only;;) {
		size_t n = strcspn(p, ",");
		if (!row_of(p, n) && !is_prefix(p, n)) {
			snprintf(bad, badlen, "%.*s", (int)(n < 60 ? n : 60), p);
			return false;
		}
		p += n;
		if (*p != ',')
			return true;
		p++;
	}
}

/* Does token (len n) select name? */
static bool token_selects(const char *tok, size_t n, const char *name)
{
	return n && strncmp(name, tok, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

bool xpu_bench_selected(const char *only, const char *name)
{
	if (!only || !*only)
		return true;
	for (const char *p = only; *p;) {
		size_t n = strcspn(p, ",");
		if (token_selects(p, n, name))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The figure's full name: the row's name, with ".shape" for a shaped row. */
static void fig_name(bench_fig id, const char *shape, char *out, size_t len)
{
	const xpu_bench_figure_info *r = &rows[id];
	/* A shaped row's figures always carry a shape, and others never do:
	 * the name is what baselines match. */
	assert(!shape == !r->shape);
	if (shape)
		snprintf(out, len, "%s.%s", r->name, shape);
	else
		xpu_strlcpy(out, r->name, len);
}

bool bench_want(const bench_ctx *c, bench_fig id, const char *shape)
{
	char name[48];
	fig_name(id, shape, name, sizeof(name));
	return xpu_bench_selected(c->opt->only, name);
}

/* A new figure of row id on the target, counted as counting. */
static xpu_bench_figure *new_figure(bench_ctx *c, bench_fig id, const char *shape,
				    const char *counting)
{
	xpu_bench_target *t = c->t;
	const xpu_bench_figure_info *r = &rows[id];
	/* The row says which targets report it (the help and man page show it). */
	assert(xpu_word_in(r->backends, t->backend));
	char name[sizeof(t->figures[0].name)];
	fig_name(id, shape, name, sizeof(name));
	xpu_bench_figure *f = NULL;
	for (size_t i = 0; c->pass > 0 && i < t->n_figures && !f; i++)
		if (strcmp(t->figures[i].name, name) == 0)
			f = &t->figures[i]; /* a later pass: the first pass's row */
	if (!f && t->n_figures >= XPU_BENCH_MAX_FIGURES)
		return NULL;
	if (!f)
		f = &t->figures[t->n_figures++];
	double pass_best[XPU_BENCH_MAX_PASSES]; /* what earlier passes found */
	memcpy(pass_best, f->pass_best, sizeof(pass_best));
	memset(f, 0, sizeof(*f));
	if (c->pass > 0)
		memcpy(f->pass_best, pass_best, sizeof(pass_best));
	xpu_strlcpy(f->name, name, sizeof(f->name));
	xpu_strlcpy(f->unit, r->unit, sizeof(f->unit));
	xpu_strlcpy(f->counting, counting, sizeof(f->counting));
	f->peak_kind = r->peak_kind;
	f->lower_is_better = strcmp(r->unit, "us") == 0;
	xpu_set_status(&f->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "not run");
	return f;
}

xpu_bench_figure *bench_figure(bench_ctx *c, bench_fig id, const char *shape, const char *counting)
{
	const char *row_counting = rows[id].counting;
	/* A row without a counting leaves it to each runner, which must say it. */
	assert(counting || row_counting);
	return new_figure(c, id, shape, counting ? counting : row_counting ? row_counting : "");
}

void bench_skip(bench_ctx *c, bench_fig id, const char *shape, xpu_state st, xpu_reason r,
		const char *fmt, ...)
{
	if (!bench_want(c, id, shape))
		return;
	/* Nothing was counted: the counting stays empty. */
	xpu_bench_figure *f = new_figure(c, id, shape, "");
	va_list ap;
	va_start(ap, fmt);
	bench_vfail(f, st, r, fmt, ap);
	va_end(ap);
}

void bench_alt(xpu_bench_figure *f, double value)
{
	if (!f)
		return;
	const xpu_bench_figure_info *r = row_of(f->name, strlen(f->name));
	assert(r && r->alt_counting);
	if (!r || !r->alt_counting)
		return;
	xpu_set_real(&f->alt_best, value);
	xpu_strlcpy(f->alt_counting, r->alt_counting, sizeof(f->alt_counting));
}

const char *bench_fig_stem(bench_fig id)
{
	return rows[id].name;
}
