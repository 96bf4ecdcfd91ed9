/* The latency-throughput curve of a concurrency sweep as SVG: one point per
 * level, x the output tokens/s of all streams, y its median latency; two
 * panels, TPOT and TTFT, since their scales differ by orders. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/llm_int.h"
#include "model/value.h"

enum { PANEL_W = 440, PANEL_H = 320, MARGIN_L = 64, MARGIN_B = 48, MARGIN_T = 40, MARGIN_R = 16 };

/* An axis maximum: 1, 2 or 5 times a power of ten, at least v. */
static double nice_max(double v)
{
	if (!(v > 0))
		return 1;
	/* the power of ten at or below v (a loop: libm's pow and log10 would
	 * load libm at every start of xpu) */
	double p = 1;
	while (p * 10 <= v && isfinite(p * 10))
		p *= 10;
	while (p > v)
		p /= 10;
	return v <= p ? p : v <= 2 * p ? 2 * p : v <= 5 * p ? 5 * p : 10 * p;
}

typedef double (*level_y)(const xpu_llm_level *lv);

static double tpot_p50(const xpu_llm_level *lv)
{
	return xpu_is_ok(&lv->tpot_ms.p50.status) ? lv->tpot_ms.p50.value : NAN;
}

static double ttft_p50(const xpu_llm_level *lv)
{
	return xpu_is_ok(&lv->ttft_ms.p50.status) ? lv->ttft_ms.p50.value : NAN;
}

static double x_of(const xpu_llm_level *lv)
{
	return xpu_is_ok(&lv->output_tps.status) ? lv->output_tps.value : NAN;
}

static void axes(FILE *f, double x0, double xmax, double ymax, const char *title, const char *ylabel)
{
	double left = x0 + MARGIN_L, bottom = PANEL_H - MARGIN_B, w = PANEL_W - MARGIN_L - MARGIN_R;
	double h = PANEL_H - MARGIN_B - MARGIN_T;
	fprintf(f, "<text x=\"%.0f\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", left, title);
	fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#f7f7f7\" stroke=\"#333\"/>\n",
		left, MARGIN_T, w, h);
	for (int i = 0; i <= 5; i++) {
		double gx = left + w * i / 5, gy = bottom - h * i / 5;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", gx, MARGIN_T, gx, bottom);
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, gy, left + w, gy);
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n", gx,
			bottom + 16, xmax * i / 5);
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%g</text>\n", left - 6,
			gy + 4, ymax * i / 5);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">output tokens/s, all streams</text>\n",
		left + w / 2, PANEL_H - 10);
	fprintf(f, "<text transform=\"translate(%.0f %.0f) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
		x0 + 16, MARGIN_T + h / 2, ylabel);
}

static void panel(FILE *f, const xpu_llm_report *r, double x0, level_y y_of, const char *title, const char *ylabel)
{
	double xmax = 0, ymax = 0;
	for (size_t i = 0; i < r->n_levels; i++) {
		double x = x_of(&r->levels[i]), y = y_of(&r->levels[i]);
		xmax = isfinite(x) && x > xmax ? x : xmax;
		ymax = isfinite(y) && y > ymax ? y : ymax;
	}
	xmax = nice_max(xmax * 1.05);
	ymax = nice_max(ymax * 1.05);
	axes(f, x0, xmax, ymax, title, ylabel);
	double left = x0 + MARGIN_L, bottom = PANEL_H - MARGIN_B, w = PANEL_W - MARGIN_L - MARGIN_R;
	double h = PANEL_H - MARGIN_B - MARGIN_T;
	fprintf(f, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
	for (size_t i = 0; i < r->n_levels; i++) {
		double x = x_of(&r->levels[i]), y = y_of(&r->levels[i]);
		if (isfinite(x) && isfinite(y))
			fprintf(f, "%.1f,%.1f ", left + w * x / xmax, bottom - h * y / ymax);
	}
	fprintf(f, "\"/>\n");
	for (size_t i = 0; i < r->n_levels; i++) {
		double x = x_of(&r->levels[i]), y = y_of(&r->levels[i]);
		if (!isfinite(x) || !isfinite(y))
			continue;
		double px = left + w * x / xmax, py = bottom - h * y / ymax;
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#d62728\"/>\n", px, py);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">c=%u</text>\n", px + 7, py - 7,
			r->levels[i].concurrency);
	}
}

/* The model name, safe inside SVG text. */
static void escaped(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
}

char *xpu_llm_svg(const xpu_llm_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		2 * PANEL_W, PANEL_H + 24, 2 * PANEL_W, PANEL_H + 24);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	panel(f, r, 0, tpot_p50, "TPOT p50 (ms) against throughput", "TPOT p50, ms");
	panel(f, r, PANEL_W, ttft_p50, "TTFT p50 (ms) against throughput", "TTFT p50, ms");
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">", MARGIN_L, PANEL_H + 16);
	escaped(f, r->model);
	fprintf(f, " at ");
	escaped(f, r->url);
	fprintf(f, ": %u prompt + %u output tokens per request (xpu bench llm)</text>\n</svg>\n", r->prompt_tokens,
		r->output_tokens);
	fclose(f);
	return buf;
}
