/* libFuzzer target: the discovery cache parser (src/core/cache.c), which
 * reads a file from a folder another user may share.  A real cache image is
 * made once (the no-drm fixture, ROCm probed: it reads only the sysroot);
 * each input is either a whole file as it comes (mode 0), or edits of that
 * image's records, (4-byte offset, byte) pairs, handed to the decoder past
 * the header and checksum (xpu_cache_decode: a forged file gets there with
 * a right checksum), so that its checks (bools, counts, strings) meet
 * forged records; a first byte 0xff seals and parses the whole edited file
 * instead.
 * A record that parses is then read as the consumers read it: every bool
 * and count (under UBSan: a bool byte of 2 used to reach json.c), and, with
 * a first byte 0x05, the whole JSON of a system holding it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cache.h"
#include "fuzz_input.h"
#include "model/system.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

static unsigned char *image;
static size_t image_size;
static uint64_t fingerprint;
static size_t records; /* devices in the image */

static void make_image(void)
{
	char dir[] = "/tmp/xpu-fuzz-cache-XXXXXX", path[64];
	if (!mkdtemp(dir))
		abort();
	setenv("XPU_CACHE_DIR", dir, 1);
	xpu_options opt = { .sysroot = SOURCE_DIR "/tests/fixtures/no-drm", .probe_runtimes = 1,
			    .runtime_mask = 1u << XPU_RT_ROCM, .cache = XPU_CACHE_USE };
	xpu_system *sys = NULL;
	char err[256];
	if (xpu_discover(&opt, &sys, err, sizeof(err)) != XPU_E_OK)
		abort();
	fingerprint = sys->cache_fingerprint;
	records = sys->count;
	xpu_system_free(sys);
	snprintf(path, sizeof(path), "%s/discovery.bin", dir);
	FILE *f = fopen(path, "rb");
	if (!f)
		abort();
	image = malloc(1 << 20);
	image_size = image ? fread(image, 1, 1 << 20, f) : 0;
	fclose(f);
	unlink(path);
	rmdir(dir);
	if (!image_size)
		abort();
}

/* What merge and the printers read: bools, counts, names. */
static unsigned long walk(const xpu_cache_contents *c)
{
	unsigned long sum = 0;
	for (int k = 0; k < XPU_RT_COUNT; k++)
		sum += c->runtimes[k].probed + strlen(c->runtimes[k].summary);
	for (size_t i = 0; i < c->count; i++) {
		const xpu_device *d = &c->devices[i];
		if (d->n_temps > XPU_MAX_TEMPS || d->n_fans > XPU_MAX_FANS)
			abort();
		for (int b = 0; b < XPU_BACKEND_COUNT; b++)
			sum += d->backends[b].applies + d->backends[b].usable +
			       strlen(xpu_reason_name(d->backends[b].status.reason));
		sum += d->cpu.avx2 + d->cpu.sve + d->cpu.neon + d->cpu.amx_tile + strlen(d->name.value);
		sum += strlen(xpu_vendor_name(d->vendor)) + strlen(xpu_kind_name(d->kind));
	}
	return sum;
}

static void as_json(const xpu_cache_contents *c)
{
	static struct xpu_system sys;
	sys.count = c->count;
	memcpy(sys.devices, c->devices, c->count * sizeof(xpu_device));
	memcpy(sys.runtimes, c->runtimes, sizeof(sys.runtimes));
	char *s = xpu_system_json(&sys, false);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static xpu_cache_contents *c;
	static unsigned char *copy;
	if (!image) {
		make_image();
		c = malloc(sizeof(*c));
		copy = malloc(image_size);
		if (!c || !copy)
			abort();
	}
	if (!size)
		return 0;
	bool hit;
	if (data[0] % 4 == 0) {
		uint8_t *b = fuzz_bytes(data + 1, size - 1);
		hit = b && xpu_cache_parse(b, size - 1, fingerprint, c);
		free(b);
	} else {
		/* the records: the image past its header */
		size_t header = image_size - sizeof(c->runtimes) - records * sizeof(xpu_device);
		bool whole = data[0] == 0xff; /* rare: two passes of the checksum cost */
		unsigned char *at0 = whole ? copy : copy + header;
		size_t n = whole ? image_size : image_size - header;
		memcpy(copy, image, image_size);
		for (size_t i = 1; i + 5 <= size; i += 5) {
			uint32_t at;
			memcpy(&at, data + i, sizeof(at));
			at0[at % n] = data[i + 4];
		}
		if (whole)
			hit = xpu_cache_seal(copy, image_size) &&
			      xpu_cache_parse(copy, image_size, fingerprint, c);
		else
			hit = xpu_cache_decode(at0, n, records, c);
	}
	if (hit) {
		volatile unsigned long sink = walk(c);
		(void)sink;
		if (data[0] == 0x05) /* rare: the JSON costs more than the rest */
			as_json(c);
	}
	return 0;
}
