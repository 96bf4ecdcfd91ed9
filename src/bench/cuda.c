#include "bench/bench_int.h"
void bench_cuda(bench_ctx *c, const xpu_device *d)
{
	(void)d;
	bench_target_fail(c->t, XPU_R_RUNTIME_MISSING, "not built yet");
}
