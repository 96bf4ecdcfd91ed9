/* libFuzzer target: a DRM fd's fdinfo (src/telemetry/fdinfo.c), as any
 * process's /proc/PID/fdinfo/N says it.  Aborts when a parsed record breaks
 * its contract: an unterminated name, more engines or regions than fit. */
#include <string.h>

#include "fuzz_input.h"
#include "telemetry/fdinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	xpu_fdinfo *f = s ? malloc(sizeof(*f)) : NULL;
	if (f && xpu_fdinfo_parse(s, f)) {
		if (strnlen(f->driver, sizeof(f->driver)) == sizeof(f->driver) ||
		    strnlen(f->pdev, sizeof(f->pdev)) == sizeof(f->pdev) ||
		    f->n_engines > XPU_MAX_ENGINES ||
		    f->n_regions > XPU_FDINFO_MAX_REGIONS)
			abort();
		for (unsigned i = 0; i < f->n_engines; i++)
			if (strnlen(f->engines[i].name, sizeof(f->engines[i].name)) == sizeof(f->engines[i].name))
				abort();
		for (unsigned i = 0; i < f->n_regions; i++)
			(void)xpu_fdinfo_region_is_vram(f->regions[i].name);
	}
	free(f);
	free(s);
	return 0;
}
