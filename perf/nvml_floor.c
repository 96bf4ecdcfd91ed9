/* perf/nvml_floor.c: the least a program pays to answer what `nvidia-smi -L`
 * and `xpu list --json` answer through NVML, and nothing else: init, every
 * GPU's handle, its name and UUID; with "live", also the values `xpu list
 * --json` reads live (memory, SM and memory clocks, temperature, power and
 * its limit); with "shutdown", nvmlShutdown before leaving.  Built and timed
 * by perf/nvml-floor.sh.  Exit status 1 when NVML cannot be loaded or
 * initialised, with why. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef int (*fn)();

static void *lib;

static fn sym(const char *name)
{
	fn f = (fn)dlsym(lib, name);
	if (!f) {
		fprintf(stderr, "nvml_floor: %s lacks %s\n", "libnvidia-ml.so.1", name);
		return NULL;
	}
	return f;
}

int main(int argc, char **argv)
{
	int live = 0, shutdown = 0;
	for (int i = 1; i < argc; i++) {
		live |= strcmp(argv[i], "live") == 0;
		shutdown |= strcmp(argv[i], "shutdown") == 0;
	}
	lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "nvml_floor: %s\n", dlerror());
		return 1;
	}
	fn init = sym("nvmlInit_v2"), count = sym("nvmlDeviceGetCount_v2"),
	   handle = sym("nvmlDeviceGetHandleByIndex_v2"), name = sym("nvmlDeviceGetName"),
	   uuid = sym("nvmlDeviceGetUUID");
	if (!init || !count || !handle || !name || !uuid)
		return 1;
	int rc = init();
	if (rc != 0) {
		fprintf(stderr, "nvml_floor: nvmlInit_v2: error %d\n", rc);
		return 1;
	}
	unsigned n = 0, v;
	count(&n);
	for (unsigned i = 0; i < n; i++) {
		void *h = NULL;
		char text[96];
		if (handle(i, &h) != 0)
			continue;
		name(h, text, (unsigned)sizeof(text));
		uuid(h, text, (unsigned)sizeof(text));
		if (!live)
			continue;
		/* nvmlMemory_v2_t: version, total, reserved, free, used */
		struct { unsigned version; unsigned long long total, reserved, free, used; } mem;
		mem.version = (unsigned)sizeof(mem) | 2u << 24;
		fn f;
		if ((f = sym("nvmlDeviceGetMemoryInfo_v2")))
			f(h, &mem);
		if ((f = sym("nvmlDeviceGetClockInfo"))) {
			f(h, 1 /* SM */, &v);
			f(h, 2 /* memory */, &v);
		}
		if ((f = sym("nvmlDeviceGetTemperature")))
			f(h, 0 /* GPU */, &v);
		if ((f = sym("nvmlDeviceGetPowerUsage")))
			f(h, &v);
		if ((f = sym("nvmlDeviceGetEnforcedPowerLimit")))
			f(h, &v);
	}
	fn down = shutdown ? sym("nvmlShutdown") : NULL;
	if (down)
		down();
	return 0;
}
