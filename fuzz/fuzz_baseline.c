/* libFuzzer target: `xpu bench --compare FILE`'s reading of a baseline
 * (src/bench/baseline.c: jansson, then the header, machine and figure
 * checks) against a report of this "machine" (hostname fuzz) with figures
 * of both directions.  Aborts when a refusal gives no reason, or a
 * comparison counts more deltas than figures or a regression it does not
 * count. */
#include <stdio.h>
#include <string.h>

#include "bench/bench_int.h"
#include "fuzz_input.h"
#include "model/value.h"

static xpu_bench_report *report(void)
{
	static xpu_bench_report *r;
	if (r)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	snprintf(r->hostname, sizeof(r->hostname), "fuzz");
	r->n_targets = 2;
	static const char *const names[] = { "stream.triad", "gemm.fp32.1024", "launch.latency" };
	for (size_t t = 0; t < r->n_targets; t++) {
		xpu_bench_target *tg = &r->targets[t];
		snprintf(tg->device_id, sizeof(tg->device_id), t ? "pci:0000:01:00.0" : "cpu");
		snprintf(tg->backend, sizeof(tg->backend), t ? "cuda" : "host");
		tg->n_figures = 3;
		for (size_t i = 0; i < tg->n_figures; i++) {
			xpu_bench_figure *f = &tg->figures[i];
			snprintf(f->name, sizeof(f->name), "%s", names[i]);
			f->lower_is_better = i == 2;
			f->best = 10.0 * (double)(i + 1);
			xpu_set_ok(&f->status);
		}
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = (char *)fuzz_bytes(data, size);
	if (!text)
		return 0;
	char err[512] = "";
	xpu_bench_comparison *cmp = NULL;
	if (bench_compare_text(report(), "fuzz.json", text, size, 5.0, false, &cmp, err, sizeof(err)) != 0) {
		if (!err[0] || cmp)
			abort();
	} else {
		size_t regressions = 0;
		if (!cmp || cmp->n > 6)
			abort();
		for (size_t i = 0; i < cmp->n; i++)
			regressions += cmp->deltas[i].regression;
		if (regressions != cmp->regressions)
			abort();
	}
	free(cmp);
	free(text);
	return 0;
}
