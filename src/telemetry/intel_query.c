/* The i915 and xe memory-region queries.  Debian 12's headers have neither
 * i915_drm.h nor xe_drm.h (xe's arrived in 6.8), so the few structs used are
 * declared here with their uapi names, checked against the kernel's
 * include/uapi/drm/{i915,xe}_drm.h and the query code (i915_query.c
 * query_memregion_info: perfmon_capable() since 6.2; xe_query.c
 * query_mem_regions): sizes and ioctl numbers are asserted below. */
#include "telemetry/intel_query.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "model/read.h"
#include "model/value.h"

/* drm.h: DRM_IOCTL_BASE 'd', DRM_COMMAND_BASE 0x40 */
#define XDRM_IOWR(nr, type) _IOWR('d', 0x40 + (nr), type)

struct xi915_query_item { /* drm_i915_query_item */
	uint64_t query_id;
	int32_t length; /* in: buffer size (0 asks for it); out: size or -errno */
	uint32_t flags;
	uint64_t data_ptr;
};

struct xi915_query { /* drm_i915_query */
	uint32_t num_items;
	uint32_t flags;
	uint64_t items_ptr;
};

struct xi915_memory_region_info { /* drm_i915_memory_region_info */
	uint16_t memory_class; /* I915_MEMORY_CLASS_SYSTEM 0, _DEVICE 1 */
	uint16_t memory_instance;
	uint32_t rsvd0;
	uint64_t probed_size;
	uint64_t unallocated_size;
	uint64_t rsvd1[8]; /* probed/unallocated_cpu_visible_size since 6.2 */
};

struct xi915_query_memory_regions { /* drm_i915_query_memory_regions */
	uint32_t num_regions;
	uint32_t rsvd[3];
	/* struct xi915_memory_region_info regions[] follows */
};

struct xxe_device_query { /* drm_xe_device_query */
	uint64_t extensions;
	uint32_t query;
	uint32_t size; /* in: buffer size (0 asks for it) */
	uint64_t data;
	uint64_t reserved[2];
};

struct xxe_mem_region { /* drm_xe_mem_region */
	uint16_t mem_class; /* DRM_XE_MEM_REGION_CLASS_SYSMEM 0, _VRAM 1 */
	uint16_t instance;
	uint32_t min_page_size;
	uint64_t total_size;
	uint64_t used;
	uint64_t cpu_visible_size;
	uint64_t cpu_visible_used;
	uint64_t reserved[6];
};

struct xxe_query_mem_regions { /* drm_xe_query_mem_regions */
	uint32_t num_mem_regions;
	uint32_t pad;
	/* struct xxe_mem_region mem_regions[] follows */
};

enum {
	XDRM_I915_QUERY = 0x39,
	XDRM_I915_QUERY_MEMORY_REGIONS = 4,
	XDRM_XE_DEVICE_QUERY = 0x00,
	XDRM_XE_DEVICE_QUERY_MEM_REGIONS = 1,
	XMEMORY_CLASS_DEVICE = 1, /* I915_MEMORY_CLASS_DEVICE == DRM_XE_MEM_REGION_CLASS_VRAM */
	REPLY_MAX = 1 << 16,      /* a handful of regions; anything larger is not a reply */
	CAP_SYS_ADMIN_BIT = 21,
	CAP_PERFMON_BIT = 38,
};

#define XDRM_IOCTL_I915_QUERY XDRM_IOWR(XDRM_I915_QUERY, struct xi915_query)
#define XDRM_IOCTL_XE_DEVICE_QUERY XDRM_IOWR(XDRM_XE_DEVICE_QUERY, struct xxe_device_query)

_Static_assert(sizeof(struct xi915_query_item) == 24, "drm_i915_query_item");
_Static_assert(sizeof(struct xi915_memory_region_info) == 88, "drm_i915_memory_region_info");
_Static_assert(sizeof(struct xi915_query_memory_regions) == 16, "drm_i915_query_memory_regions");
_Static_assert(sizeof(struct xxe_device_query) == 40, "drm_xe_device_query");
_Static_assert(sizeof(struct xxe_mem_region) == 88, "drm_xe_mem_region");
_Static_assert(sizeof(struct xxe_query_mem_regions) == 8, "drm_xe_query_mem_regions");
/* the values the uapi headers expand to on x86-64 and arm64 */
_Static_assert(XDRM_IOCTL_I915_QUERY == 0xC0106479ul, "DRM_IOCTL_I915_QUERY");
_Static_assert(XDRM_IOCTL_XE_DEVICE_QUERY == 0xC0286440ul, "DRM_IOCTL_XE_DEVICE_QUERY");

/* The region array of a reply: its count, or -1 when the buffer is too
 * short for the regions it claims. */
static long region_count(size_t len, size_t header, size_t each, uint32_t claimed)
{
	if (len < header || claimed > (len - header) / each)
		return -1;
	return (long)claimed;
}

bool xpu_i915_parse_mem_regions(const void *buf, size_t len, xpu_intel_vram *out)
{
	memset(out, 0, sizeof(*out));
	struct xi915_query_memory_regions q;
	if (len < sizeof(q))
		return false;
	memcpy(&q, buf, sizeof(q));
	long n = region_count(len, sizeof(q), sizeof(struct xi915_memory_region_info), q.num_regions);
	if (n < 0)
		return false;
	const unsigned char *p = (const unsigned char *)buf + sizeof(q);
	for (long i = 0; i < n; i++) {
		struct xi915_memory_region_info r;
		memcpy(&r, p + (size_t)i * sizeof(r), sizeof(r));
		if (r.memory_class != XMEMORY_CLASS_DEVICE)
			continue;
		out->regions++;
		out->total += r.probed_size;
		/* "-1 = unknown" in older headers; never above the size */
		if (r.unallocated_size <= r.probed_size)
			out->used += r.probed_size - r.unallocated_size;
	}
	return true;
}

bool xpu_xe_parse_mem_regions(const void *buf, size_t len, xpu_intel_vram *out)
{
	memset(out, 0, sizeof(*out));
	struct xxe_query_mem_regions q;
	if (len < sizeof(q))
		return false;
	memcpy(&q, buf, sizeof(q));
	long n = region_count(len, sizeof(q), sizeof(struct xxe_mem_region), q.num_mem_regions);
	if (n < 0)
		return false;
	const unsigned char *p = (const unsigned char *)buf + sizeof(q);
	for (long i = 0; i < n; i++) {
		struct xxe_mem_region r;
		memcpy(&r, p + (size_t)i * sizeof(r), sizeof(r));
		if (r.mem_class != XMEMORY_CLASS_DEVICE)
			continue;
		out->regions++;
		out->total += r.total_size;
		out->used += r.used;
	}
	return true;
}

bool xpu_perfmon_capable(const xsys *s)
{
	char *status = NULL;
	size_t n = 0;
	if (xsys_slurp(s, &status, &n, 1 << 16, "/proc/self/status") != XSYS_OK)
		return false;
	bool capable = false;
	for (char *save = NULL, *line = strtok_r(status, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "CapEff:", 7) != 0)
			continue;
		unsigned long long eff = strtoull(line + 7, NULL, 16);
		capable = ((eff >> CAP_PERFMON_BIT) & 1) || ((eff >> CAP_SYS_ADMIN_BIT) & 1);
	}
	free(status);
	return capable;
}

static int ioctl_retry(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r == -1 && (errno == EINTR || errno == EAGAIN));
	return r;
}

/* The i915 reply in a malloc'd buffer (*len bytes), or NULL with errno. */
static void *i915_query(int fd, size_t *len)
{
	struct xi915_query_item item = { .query_id = XDRM_I915_QUERY_MEMORY_REGIONS };
	struct xi915_query q = { .num_items = 1, .items_ptr = (uint64_t)(uintptr_t)&item };
	if (ioctl_retry(fd, XDRM_IOCTL_I915_QUERY, &q) != 0)
		return NULL;
	if (item.length <= 0 || item.length > REPLY_MAX) {
		errno = item.length < 0 ? -item.length : EPROTO;
		return NULL;
	}
	/* zeroed: the kernel refuses a non-zero num_regions or rsvd */
	void *buf = calloc(1, (size_t)item.length);
	if (!buf)
		return NULL;
	item.data_ptr = (uint64_t)(uintptr_t)buf;
	if (ioctl_retry(fd, XDRM_IOCTL_I915_QUERY, &q) != 0 || item.length <= 0) {
		if (item.length < 0)
			errno = -item.length;
		free(buf);
		return NULL;
	}
	*len = (size_t)item.length;
	return buf;
}

/* The xe reply: the size first, then the same size exactly. */
static void *xe_query(int fd, size_t *len)
{
	struct xxe_device_query q = { .query = XDRM_XE_DEVICE_QUERY_MEM_REGIONS };
	if (ioctl_retry(fd, XDRM_IOCTL_XE_DEVICE_QUERY, &q) != 0)
		return NULL;
	if (q.size == 0 || q.size > REPLY_MAX) {
		errno = EPROTO;
		return NULL;
	}
	void *buf = calloc(1, q.size);
	if (!buf)
		return NULL;
	q.data = (uint64_t)(uintptr_t)buf;
	if (ioctl_retry(fd, XDRM_IOCTL_XE_DEVICE_QUERY, &q) != 0) {
		free(buf);
		return NULL;
	}
	*len = q.size;
	return buf;
}

void xpu_intel_vram_apply(xpu_device *d, const xpu_intel_vram *v, bool perfmon, const char *drv)
{
	if (!xpu_is_ok(&d->memory_total_bytes.status))
		xpu_set_uint(&d->memory_total_bytes, v->total);
	if (perfmon)
		xpu_set_uint(&d->memory_used_bytes, v->used);
	else
		xpu_set_status(&d->memory_used_bytes.status, XPU_UNAVAILABLE, XPU_R_NEEDS_CAP_PERFMON,
			       "%s reports use only to CAP_PERFMON/CAP_SYS_ADMIN; setcap cap_perfmon=ep",
			       drv);
}

void xpu_intel_vram_sample(const xsys *s, xpu_device_sample *ds, bool perfmon)
{
	xpu_device *d = &ds->dev;
	bool xe = xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, "xe") == 0;
	bool i915 = xpu_is_ok(&d->driver.status) && strcmp(d->driver.value, "i915") == 0;
	if (d->vendor != XPU_VENDOR_INTEL || d->kind != XPU_KIND_DISCRETE || !(xe || i915))
		return;
	if (!xpu_is_ok(&d->render_node.status)) {
		/* the node, not the capability, is what stops the query first */
		if (d->render_node.status.state == XPU_UNAVAILABLE)
			d->memory_used_bytes.status = d->render_node.status;
		return;
	}
	char path[XSYS_PATH_MAX];
	xsys_path(s, path, sizeof(path), "%s", d->render_node.value);
	/* a sysroot's node must lie inside it (no link to this machine's GPU);
	 * O_NONBLOCK: a FIFO planted there answers at once */
	xsys_rc where = xsys_is_live(s) ? XSYS_OK : xsys_access_rw(s, "%s", d->render_node.value);
	int fd = where == XSYS_OK ? open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
	if (fd < 0) {
		if (where == XSYS_OK)
			where = errno == EACCES || errno == EPERM ? XSYS_DENIED : XSYS_IO;
		xpu_read_fail(&d->memory_used_bytes.status, where, d->render_node.value);
		return;
	}
	size_t len = 0;
	void *reply = xe ? xe_query(fd, &len) : i915_query(fd, &len);
	int err = errno;
	close(fd);
	xpu_intel_vram v;
	bool parsed = reply && (xe ? xpu_xe_parse_mem_regions(reply, len, &v)
				   : xpu_i915_parse_mem_regions(reply, len, &v));
	free(reply);
	if (!reply)
		xpu_set_status(&d->memory_used_bytes.status, XPU_UNAVAILABLE, XPU_R_IO_ERROR,
			       "%s memory-region query on %s: %s", xe ? "xe" : "i915",
			       d->render_node.value, strerror(err));
	else if (!parsed || v.regions == 0)
		xpu_set_status(&d->memory_used_bytes.status, XPU_UNAVAILABLE, XPU_R_UNPARSABLE,
			       "%s memory-region query: %s", xe ? "xe" : "i915",
			       parsed ? "no device-local region" : "reply shorter than its count");
	else
		xpu_intel_vram_apply(d, &v, perfmon, xe ? "xe" : "i915");
}
