/* The discovery cache.
 *
 * Which runtimes load and which devices each sees are facts about the
 * installed stack that are slow to learn (cuInit alone takes 176 ms on an
 * H200, the OpenCL and Vulkan loaders 10-40 ms on a laptop) yet change only
 * when a driver, a library, an ICD manifest, the user's groups, the device
 * nodes or the environment change.  xpu keeps the result of a full probe per
 * user, with a fingerprint of all of those, and probes again whenever the
 * fingerprint differs.  Live values (temperatures, power, clocks, memory in
 * use) are never taken from the cache.
 *
 * The file is this process's own structs behind a header that names the xpu
 * version and the struct sizes, with a checksum: any mismatch is a miss. */
#include "core/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "config.h"
#include "model/value.h"
#include "vendors/vendor.h"

#define CACHE_MAGIC "XPUCACH2" /* 2: the checksum over 8-byte words */
#define CACHE_FILE "discovery.bin"

typedef struct cache_header {
	char magic[8];
	char version[24];
	uint32_t device_size, runtime_size, count, runtime_count;
	uint64_t fingerprint;
	uint64_t checksum;
	int64_t probed_at; /* unix time of the probe */
} cache_header;

/* ---- the fingerprint: FNV-1a over everything a probe's result depends on ---- */

typedef struct fingerprint {
	uint64_t hash;
} fingerprint;

static void fp_bytes(fingerprint *fp, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		fp->hash ^= p[i];
		fp->hash *= 0x100000001b3ull;
	}
}

static void fp_text(fingerprint *fp, const char *s)
{
	fp_bytes(fp, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

static void fp_u64(fingerprint *fp, uint64_t v)
{
	fp_bytes(fp, &v, sizeof(v));
}

/* A file or folder's identity: a changed mtime, size or inode means a package
 * was installed or removed, ldconfig ran, a manifest was added. */
static void fp_stat(fingerprint *fp, const char *path)
{
	struct stat st;
	fp_text(fp, path);
	if (stat(path, &st) != 0) {
		fp_u64(fp, (uint64_t)errno);
		return;
	}
	fp_u64(fp, (uint64_t)st.st_ino);
	fp_u64(fp, (uint64_t)st.st_size);
	fp_u64(fp, (uint64_t)st.st_mode);
	fp_u64(fp, (uint64_t)st.st_mtim.tv_sec);
	fp_u64(fp, (uint64_t)st.st_mtim.tv_nsec);
}

/* Every folder of a ':'-separated list (LD_LIBRARY_PATH). */
static void fp_stat_list(fingerprint *fp, const char *list)
{
	if (!list)
		return;
	char dir[XSYS_PATH_MAX];
	while (*list) {
		size_t n = strcspn(list, ":");
		if (n && n < sizeof(dir)) {
			memcpy(dir, list, n);
			dir[n] = '\0';
			fp_stat(fp, dir);
		}
		list += n + (list[n] == ':');
	}
}

/* Variables that change what any runtime loads or which devices it shows;
 * each vendor's descriptor adds its own (CUDA_VISIBLE_DEVICES...). */
static const char *const runtime_env[] = {
	"LD_LIBRARY_PATH", "OCL_ICD_VENDORS", "OCL_ICD_FILENAMES", "VK_ICD_FILENAMES",
	"VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES", "VK_LOADER_DRIVERS_SELECT",
	"VK_LOADER_DRIVERS_DISABLE", "XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "XPU_PCI_IDS",
};

/* Where runtimes look for libraries and manifests. */
static const char *const stack_paths[] = {
	"/etc/ld.so.cache",        "/etc/OpenCL/vendors",     "/usr/share/vulkan/icd.d",
	"/etc/vulkan/icd.d",       "/usr/local/share/vulkan/icd.d",
	"/run/opengl-driver/lib",  /* NixOS: hardware.graphics */
	"/usr/lib/wsl/lib",
	"/usr/share/misc/pci.ids",  "/usr/share/hwdata/pci.ids", /* names kept with the rest */
};

/* Device nodes a runtime opens: a node created, removed or re-permissioned
 * changes what it can see.  The DRM nodes are every vendor's; the
 * descriptors add their own (/dev/nvidiactl, /dev/kfd). */
static const char *const dev_paths[] = { "/dev/dri" };

static void fp_env(fingerprint *fp, const char *name)
{
	fp_text(fp, name);
	fp_text(fp, getenv(name));
}

/* What a vendor's runtimes depend on: its variables, its device nodes, and
 * the files that name its loaded driver (one reloaded without a reboot). */
static void fp_vendor(fingerprint *fp, const xsys *s, const xpu_vendor_desc *v)
{
	char text[512], path[XSYS_PATH_MAX];
	for (const char *const *e = v->cache_env; e && *e; e++)
		fp_env(fp, *e);
	for (const char *const *n = v->cache_nodes; n && *n; n++)
		fp_stat(fp, xsys_path(s, path, sizeof(path), "%s", *n));
	for (const char *const *f = v->cache_files; f && *f; f++)
		if (xsys_text(s, text, sizeof(text), "%s", *f) == XSYS_OK)
			fp_text(fp, text);
}

static void fp_user(fingerprint *fp)
{
	fp_u64(fp, (uint64_t)getuid());
	fp_u64(fp, (uint64_t)getgid());
	gid_t groups[256];
	int n = getgroups((int)XPU_ARRAY_LEN(groups), groups);
	for (int i = 0; i < n; i++)
		fp_u64(fp, (uint64_t)groups[i]);
}

/* What the sysfs pass found: devices, their drivers and node access. */
static void fp_devices(fingerprint *fp, const struct xpu_system *s)
{
	fp_u64(fp, s->count);
	for (size_t i = 0; i < s->count; i++) {
		const xpu_device *d = &s->devices[i];
		fp_text(fp, d->id);
		fp_u64(fp, ((uint64_t)d->pci_vendor_id << 16) | d->pci_device_id);
		fp_text(fp, d->driver.value);
		fp_u64(fp, ((uint64_t)d->driver.status.state << 8) | d->driver.status.reason);
		fp_u64(fp, ((uint64_t)d->render_node.status.state << 8) | d->render_node.status.reason);
		fp_u64(fp, ((uint64_t)d->card_node.status.state << 8) | d->card_node.status.reason);
	}
}

void xpu_cache_fingerprint(struct xpu_system *s, unsigned runtime_mask)
{
	fingerprint fp = { 0xcbf29ce484222325ull };
	fp_text(&fp, XPU_VERSION);
	fp_u64(&fp, runtime_mask);
	char text[512];
	/* a reboot may bring another kernel, driver or firmware */
	if (xsys_text(&s->sys, text, sizeof(text), "/proc/sys/kernel/random/boot_id") == XSYS_OK)
		fp_text(&fp, text);
	fp_user(&fp);
	for (size_t i = 0; i < XPU_ARRAY_LEN(runtime_env); i++)
		fp_env(&fp, runtime_env[i]);
	fp_stat_list(&fp, getenv("LD_LIBRARY_PATH"));
	for (size_t i = 0; i < XPU_ARRAY_LEN(stack_paths); i++)
		fp_stat(&fp, stack_paths[i]);
	char path[XSYS_PATH_MAX];
	for (size_t i = 0; i < XPU_ARRAY_LEN(dev_paths); i++)
		fp_stat(&fp, xsys_path(&s->sys, path, sizeof(path), "%s", dev_paths[i]));
	for (size_t v = 0; v < xpu_vendor_count(); v++)
		fp_vendor(&fp, &s->sys, xpu_vendor_desc_of((xpu_vendor)v));
	fp_devices(&fp, s);
	s->cache_fingerprint = fp.hash;
}

/* ---- where the file lives ---- */

/* XPU_CACHE_DIR (empty: no cache), else $XDG_RUNTIME_DIR/xpu (per user, gone
 * at logout), else $XDG_CACHE_HOME/xpu, else ~/.cache/xpu. */
static bool cache_dir(char *out, size_t len)
{
	const char *dir = getenv("XPU_CACHE_DIR");
	if (dir) {
		if (!*dir)
			return false;
		return (size_t)snprintf(out, len, "%s", dir) < len;
	}
	const char *base = getenv("XDG_RUNTIME_DIR");
	if (base && *base)
		return (size_t)snprintf(out, len, "%s/xpu", base) < len;
	base = getenv("XDG_CACHE_HOME");
	if (base && *base)
		return (size_t)snprintf(out, len, "%s/xpu", base) < len;
	base = getenv("HOME");
	if (base && *base)
		return (size_t)snprintf(out, len, "%s/.cache/xpu", base) < len;
	return false;
}

static void set_state(struct xpu_system *s, xpu_cache_state state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_state(struct xpu_system *s, xpu_cache_state state, const char *fmt, ...)
{
	s->cache_state = state;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->cache_detail, sizeof(s->cache_detail), fmt, ap);
	va_end(ap);
}

/* ---- reading ---- */

/* Damage, not attack, is what the checksum finds (the file is the user's
 * own, never a link, and every field is checked again when decoded): so a
 * multiply-xorshift over 8-byte words, 6x faster than FNV-1a's bytes on the
 * 20 KiB of a 2-device cache (it was the costliest function of xpu list). */
static uint64_t sum_words(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	for (; n; p++, n--)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

/* Over the header (its checksum field zero) and the payload. */
static uint64_t checksum(cache_header h, const void *a, size_t na, const void *b, size_t nb)
{
	h.checksum = 0;
	uint64_t sum = sum_words(0xcbf29ce484222325ull, &h, sizeof(h));
	sum = sum_words(sum, a, na);
	return sum_words(sum, b, nb);
}

bool xpu_cache_seal(void *data, size_t size)
{
	cache_header h;
	if (size < sizeof(h))
		return false;
	memcpy(&h, data, sizeof(h));
	const unsigned char *payload = (const unsigned char *)data + sizeof(h);
	h.checksum = checksum(h, payload, size - sizeof(h), NULL, 0);
	memcpy(data, &h, sizeof(h));
	return true;
}

/* Strings in a struct read from disk are terminated before use, so that a
 * damaged file that passed the checksum by chance cannot overrun. */
static void terminate_status(xpu_status *st)
{
	st->detail[sizeof(st->detail) - 1] = '\0';
}

static void terminate_text(xpu_text *t)
{
	t->value[sizeof(t->value) - 1] = '\0';
	terminate_status(&t->status);
}

static void terminate_runtime(xpu_runtime_info *r)
{
	terminate_status(&r->status);
	r->library[sizeof(r->library) - 1] = '\0';
	r->version[sizeof(r->version) - 1] = '\0';
	r->summary[sizeof(r->summary) - 1] = '\0';
}

static void terminate_device(xpu_device *d)
{
	d->id[sizeof(d->id) - 1] = '\0';
	d->pci_address[sizeof(d->pci_address) - 1] = '\0';
	d->compute_unit_name[sizeof(d->compute_unit_name) - 1] = '\0';
	xpu_text *texts[] = { &d->name,
			      &d->pci_vendor_name,
			      &d->pci_device_name,
			      &d->pci_subsystem_vendor_name,
			      &d->pci_subsystem_name,
			      &d->driver,
			      &d->driver_version,
			      &d->card_node,
			      &d->render_node,
			      &d->uuid,
			      &d->family,
			      &d->compute_capability,
			      &d->memory_kind };
	for (size_t i = 0; i < XPU_ARRAY_LEN(texts); i++)
		terminate_text(texts[i]);
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		xpu_backend *be = &d->backends[b];
		terminate_status(&be->status);
		be->runtime_version[sizeof(be->runtime_version) - 1] = '\0';
		be->device_name[sizeof(be->device_name) - 1] = '\0';
	}
}

/* A bool is one byte, 0 or 1; anything else read through a bool is
 * undefined behaviour, so a record's bools are checked as bytes before the
 * record is copied into a struct. */
static bool bool_bytes_ok(const unsigned char *rec, const size_t *offsets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rec[offsets[i]] > 1)
			return false;
	return true;
}

#define CPU_BOOL(f) offsetof(xpu_device, cpu) + offsetof(xpu_cpu_info, f)

static bool device_bytes_ok(const unsigned char *rec)
{
	static const size_t cpu_bools[] = {
		CPU_BOOL(avx2),     CPU_BOOL(avx512f),  CPU_BOOL(avx512_bf16), CPU_BOOL(avx512_vnni),
		CPU_BOOL(avx_vnni), CPU_BOOL(amx_tile), CPU_BOOL(amx_bf16),    CPU_BOOL(amx_int8),
		CPU_BOOL(neon),     CPU_BOOL(sve),
	};
	if (!bool_bytes_ok(rec, cpu_bools, XPU_ARRAY_LEN(cpu_bools)))
		return false;
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		size_t at = offsetof(xpu_device, backends) + (size_t)b * sizeof(xpu_backend);
		const size_t flags[] = { at + offsetof(xpu_backend, applies),
					 at + offsetof(xpu_backend, usable) };
		if (!bool_bytes_ok(rec, flags, XPU_ARRAY_LEN(flags)))
			return false;
	}
	unsigned temps, fans;
	memcpy(&temps, rec + offsetof(xpu_device, n_temps), sizeof(temps));
	memcpy(&fans, rec + offsetof(xpu_device, n_fans), sizeof(fans));
	return temps <= XPU_MAX_TEMPS && fans <= XPU_MAX_FANS;
}

static bool payload_bytes_ok(const unsigned char *payload, size_t count)
{
	for (int k = 0; k < XPU_RT_COUNT; k++) {
		const size_t probed[] = { (size_t)k * sizeof(xpu_runtime_info) +
					  offsetof(xpu_runtime_info, probed) };
		if (!bool_bytes_ok(payload, probed, 1))
			return false;
	}
	const unsigned char *devices = payload + sizeof(xpu_runtime_info) * XPU_RT_COUNT;
	for (size_t i = 0; i < count; i++)
		if (!device_bytes_ok(devices + i * sizeof(xpu_device)))
			return false;
	return true;
}

bool xpu_cache_decode(const void *payload, size_t size, size_t count, xpu_cache_contents *out)
{
	size_t runtimes = sizeof(out->runtimes);
	if (count > XPU_MAX_DEVICES || size != runtimes + count * sizeof(xpu_device) ||
	    !payload_bytes_ok(payload, count))
		return false;
	memcpy(out->runtimes, payload, runtimes);
	memcpy(out->devices, (const unsigned char *)payload + runtimes, count * sizeof(xpu_device));
	out->count = count;
	for (int k = 0; k < XPU_RT_COUNT; k++)
		terminate_runtime(&out->runtimes[k]);
	for (size_t i = 0; i < out->count; i++)
		terminate_device(&out->devices[i]);
	return true;
}

bool xpu_cache_parse(const void *data, size_t size, uint64_t fp, xpu_cache_contents *out)
{
	cache_header h;
	if (size < sizeof(h))
		return false;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 ||
	    strncmp(h.version, XPU_VERSION, sizeof(h.version)) != 0 ||
	    h.device_size != sizeof(xpu_device) || h.runtime_size != sizeof(xpu_runtime_info) ||
	    h.runtime_count != XPU_RT_COUNT || h.count > XPU_MAX_DEVICES || h.fingerprint != fp)
		return false;
	size_t runtimes = sizeof(out->runtimes);
	size_t devices = (size_t)h.count * sizeof(xpu_device);
	if (size != sizeof(h) + runtimes + devices)
		return false;
	const unsigned char *payload = (const unsigned char *)data + sizeof(h);
	if (checksum(h, payload, runtimes, payload + runtimes, devices) != h.checksum ||
	    !xpu_cache_decode(payload, runtimes + devices, h.count, out))
		return false;
	out->probed_at = h.probed_at;
	return true;
}

/* The largest file a cache can be: a header, the runtimes, every device. */
static size_t cache_max(void)
{
	return sizeof(cache_header) + sizeof(xpu_runtime_info) * XPU_RT_COUNT +
	       sizeof(xpu_device) * XPU_MAX_DEVICES;
}

/* ---- merging a hit into this run's sysfs pass ---- */

/* Values that describe this moment: never taken from the cache. */
static void forget_live_values(xpu_device *d)
{
	const char *why = "a live value; the discovery cache does not keep it (xpu list -v reads it)";
	xpu_status *live[] = {
		&d->memory_used_bytes.status, &d->clock_actual_mhz.status,
		&d->clock_requested_mhz.status, &d->memory_clock_mhz.status,
		&d->power_draw_w.status,      &d->energy_j.status,
		&d->busy_percent.status,      &d->temperature_c.status,
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(live); i++)
		xpu_set_status(live[i], XPU_UNAVAILABLE, XPU_R_NOT_PROBED, "%s", why);
	d->n_temps = d->n_fans = 0;
}

static void keep_if_missing(xpu_text *fresh, const xpu_text *cached)
{
	if (!xpu_is_ok(&fresh->status) && xpu_is_ok(&cached->status))
		*fresh = *cached;
}

static void keep_uint_if_missing(xpu_uint *fresh, const xpu_uint *cached)
{
	if (!xpu_is_ok(&fresh->status) && xpu_is_ok(&cached->status))
		*fresh = *cached;
}

static void keep_real_if_missing(xpu_real *fresh, const xpu_real *cached)
{
	if (!xpu_is_ok(&fresh->status) && xpu_is_ok(&cached->status))
		*fresh = *cached;
}

/* The static facts that runtimes learnt about d: which backends drive it,
 * and what CUDA or NVML said of it that sysfs cannot. */
static void merge_device(xpu_device *fresh, const xpu_device *cached)
{
	memcpy(fresh->backends, cached->backends, sizeof(fresh->backends));
	fresh->compute_capability = cached->compute_capability;
	if (!xpu_is_ok(&fresh->compute_units.status)) {
		fresh->compute_units = cached->compute_units;
		memcpy(fresh->compute_unit_name, cached->compute_unit_name,
		       sizeof(fresh->compute_unit_name));
	}
	keep_if_missing(&fresh->name, &cached->name);
	keep_if_missing(&fresh->pci_vendor_name, &cached->pci_vendor_name);
	keep_if_missing(&fresh->pci_device_name, &cached->pci_device_name);
	keep_if_missing(&fresh->pci_subsystem_vendor_name, &cached->pci_subsystem_vendor_name);
	keep_if_missing(&fresh->pci_subsystem_name, &cached->pci_subsystem_name);
	keep_if_missing(&fresh->uuid, &cached->uuid);
	keep_if_missing(&fresh->driver_version, &cached->driver_version);
	keep_uint_if_missing(&fresh->memory_total_bytes, &cached->memory_total_bytes);
	keep_uint_if_missing(&fresh->clock_max_mhz, &cached->clock_max_mhz);
	keep_uint_if_missing(&fresh->memory_clock_max_mhz, &cached->memory_clock_max_mhz);
	keep_real_if_missing(&fresh->power_cap_w, &cached->power_cap_w);
	keep_real_if_missing(&fresh->power_cap_max_w, &cached->power_cap_max_w);
}

static xpu_device *find_by_id(struct xpu_system *s, const char *id)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->devices[i].id, id) == 0)
			return &s->devices[i];
	return NULL;
}

static void merge(struct xpu_system *s, const xpu_cache_contents *c)
{
	memcpy(s->runtimes, c->runtimes, sizeof(s->runtimes));
	for (size_t i = 0; i < c->count; i++) {
		const xpu_device *cached = &c->devices[i];
		xpu_device *fresh = find_by_id(s, cached->id);
		if (fresh) {
			merge_device(fresh, cached);
			const xpu_vendor_desc *v = xpu_vendor_desc_of(fresh->vendor);
			if (v && v->keep_static && fresh->vendor == cached->vendor)
				s->static_kept[fresh->index] = v->keep_static(fresh, cached);
		} else if (s->count < XPU_MAX_DEVICES) {
			/* a device only a runtime showed (no sysfs in a container) */
			xpu_device *d = &s->devices[s->count];
			*d = *cached;
			d->index = (unsigned)s->count++;
			forget_live_values(d);
		}
	}
}

bool xpu_cache_load(struct xpu_system *s)
{
	char dir[XSYS_PATH_MAX], path[XSYS_PATH_MAX + 32];
	if (!cache_dir(dir, sizeof(dir))) {
		set_state(s, XPU_CACHE_OFF, "XPU_CACHE_DIR is empty, or no HOME");
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_FILE);
	char *data = NULL, why[XSYS_PATH_MAX + 160];
	size_t size = 0;
	/* ours alone, never a link: in a shared folder another user could
	 * plant either (a FIFO there once hung every xpu list) */
	xpu_file_rc rc = xpu_file_read(-1, path, XPU_FILE_NOFOLLOW | XPU_FILE_MINE, cache_max(),
				       &data, &size, why, sizeof(why));
	if (rc == XPU_FILE_MISSING) {
		set_state(s, XPU_CACHE_MISS, "%s: none yet", path);
		return false;
	}
	if (rc != XPU_FILE_OK) {
		set_state(s, XPU_CACHE_MISS, "%s; probed anew", why);
		return false;
	}
	xpu_cache_contents *c = malloc(sizeof(*c));
	bool hit = c && xpu_cache_parse(data, size, s->cache_fingerprint, c);
	free(data);
	if (hit) {
		merge(s, c);
		s->cache_probed_at = c->probed_at;
		set_state(s, XPU_CACHE_HIT, "%s", path);
	} else {
		set_state(s, XPU_CACHE_MISS, "%s: this machine, user or environment changed", path);
	}
	free(c);
	return hit;
}

/* ---- writing ---- */

static bool make_dir(const char *dir)
{
	char p[XSYS_PATH_MAX];
	xpu_strlcpy(p, dir, sizeof(p));
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return false;
		*q = '/';
	}
	return mkdir(p, 0700) == 0 || errno == EEXIST;
}

void xpu_cache_store(struct xpu_system *s)
{
	char dir[XSYS_PATH_MAX], path[XSYS_PATH_MAX + 32], why[XSYS_PATH_MAX + 160];
	if (!cache_dir(dir, sizeof(dir))) {
		set_state(s, XPU_CACHE_OFF, "XPU_CACHE_DIR is empty, or no HOME");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_FILE);
	cache_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	xpu_strlcpy(h.version, XPU_VERSION, sizeof(h.version));
	h.device_size = sizeof(xpu_device);
	h.runtime_size = sizeof(xpu_runtime_info);
	h.runtime_count = XPU_RT_COUNT;
	h.count = (uint32_t)s->count;
	h.fingerprint = s->cache_fingerprint;
	h.probed_at = (int64_t)time(NULL);
	size_t devices = s->count * sizeof(xpu_device);
	h.checksum = checksum(h, s->runtimes, sizeof(s->runtimes), s->devices, devices);
	if (!make_dir(dir)) {
		set_state(s, XPU_CACHE_UNWRITABLE, "%s: %s", dir, strerror(errno));
		return;
	}
	size_t size = sizeof(h) + sizeof(s->runtimes) + devices;
	unsigned char *data = malloc(size);
	if (!data) {
		set_state(s, XPU_CACHE_UNWRITABLE, "%s: out of memory", path);
		return;
	}
	memcpy(data, &h, sizeof(h));
	memcpy(data + sizeof(h), s->runtimes, sizeof(s->runtimes));
	memcpy(data + sizeof(h) + sizeof(s->runtimes), s->devices, devices);
	/* a new file renamed over the old: a planted link or FIFO is replaced */
	xpu_file_rc rc = xpu_file_write(path, data, size, 0600, why, sizeof(why));
	free(data);
	if (rc != XPU_FILE_OK) {
		set_state(s, XPU_CACHE_UNWRITABLE, "%s", why);
		return;
	}
	s->cache_probed_at = h.probed_at;
	set_state(s, XPU_CACHE_STORED, "%s", path);
}

/* ---- records beside it ---- */

#define RECORD_MAGIC "XPUREC01"

typedef struct record_header {
	char magic[8];
	char version[24];
	char name[24];
	uint64_t fingerprint;
	uint64_t size;
	uint64_t checksum; /* of the payload */
} record_header;

static uint64_t payload_sum(const void *data, size_t size)
{
	fingerprint fp = { 0xcbf29ce484222325ull };
	fp_bytes(&fp, data, size);
	return fp.hash;
}

static bool record_path(const struct xpu_system *s, const char *name, char *path, size_t len)
{
	char dir[XSYS_PATH_MAX];
	return (s->cache_state == XPU_CACHE_HIT || s->cache_state == XPU_CACHE_STORED) &&
	       cache_dir(dir, sizeof(dir)) &&
	       (size_t)snprintf(path, len, "%s/discovery-%s.bin", dir, name) < len;
}

bool xpu_cache_record_load(const struct xpu_system *s, const char *name, void *data, size_t size)
{
	char path[XSYS_PATH_MAX + 64], why[XSYS_PATH_MAX + 160];
	if (s->cache_state != XPU_CACHE_HIT || !record_path(s, name, path, sizeof(path)))
		return false;
	char *bytes = NULL;
	size_t n = 0;
	if (xpu_file_read(-1, path, XPU_FILE_NOFOLLOW | XPU_FILE_MINE, sizeof(record_header) + size,
			  &bytes, &n, why, sizeof(why)) != XPU_FILE_OK)
		return false;
	record_header h;
	bool ok = n == sizeof(h) + size;
	if (ok) {
		memcpy(&h, bytes, sizeof(h));
		ok = memcmp(h.magic, RECORD_MAGIC, sizeof(h.magic)) == 0 &&
		     strncmp(h.version, XPU_VERSION, sizeof(h.version)) == 0 &&
		     strncmp(h.name, name, sizeof(h.name)) == 0 && h.fingerprint == s->cache_fingerprint &&
		     h.size == size && h.checksum == payload_sum(bytes + sizeof(h), size);
	}
	if (ok)
		memcpy(data, bytes + sizeof(h), size);
	free(bytes);
	return ok;
}

void xpu_cache_record_store(const struct xpu_system *s, const char *name, const void *data,
			    size_t size)
{
	char path[XSYS_PATH_MAX + 64], why[XSYS_PATH_MAX + 160];
	if (!record_path(s, name, path, sizeof(path)))
		return;
	record_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RECORD_MAGIC, sizeof(h.magic));
	xpu_strlcpy(h.version, XPU_VERSION, sizeof(h.version));
	xpu_strlcpy(h.name, name, sizeof(h.name));
	h.fingerprint = s->cache_fingerprint;
	h.size = size;
	h.checksum = payload_sum(data, size);
	unsigned char *bytes = malloc(sizeof(h) + size);
	if (!bytes)
		return;
	memcpy(bytes, &h, sizeof(h));
	memcpy(bytes + sizeof(h), data, size);
	/* a cache: a record that cannot be written is asked for again next time */
	(void)xpu_file_write(path, bytes, sizeof(h) + size, 0600, why, sizeof(why));
	free(bytes);
}
