/* The bookkeeping every runtime probe shares: opening the library, the
 * runtime record, marking backends usable or not, matching devices. */
#include "runtimes/rt_int.h"
#include "runtimes/runtime.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"

void *xpu_rt_open(const char *const *names, const char *hint, xpu_runtime_info *info)
{
	char err[512];
	void *h = xpu_dl_open(names, err, sizeof(err));
	if (h) {
		/* Which name loaded: the one whose handle is this one. */
		for (size_t i = 0; names[i]; i++) {
			void *o = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
			if (o)
				dlclose(o);
			if (o == h) {
				xpu_strlcpy(info->library, names[i], sizeof(info->library));
				break;
			}
		}
		return h;
	}
	const char *why = strstr(err, " not found: ");
	if (!why || xpu_dl_absent(why))
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING, "%s", hint);
	else
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s",
			       why + strlen(" not found: "));
	return NULL;
}

xpu_runtime_info *xpu_rt_info(struct xpu_system *s, xpu_runtime_kind k, const char *library)
{
	xpu_runtime_info *info = &s->runtimes[k];
	memset(info, 0, sizeof(*info));
	info->probed = true;
	xpu_strlcpy(info->library, library, sizeof(info->library));
	xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, NULL);
	return info;
}

void xpu_rt_summary(xpu_runtime_info *info, const char *fmt, ...)
{
	size_t used = strlen(info->summary);
	if (used && used + 2 < sizeof(info->summary)) {
		memcpy(info->summary + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(info->summary))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(info->summary + used, sizeof(info->summary) - used, fmt, ap);
	va_end(ap);
}

void xpu_rt_info_ok(xpu_runtime_info *info, const char *version, unsigned devices)
{
	xpu_set_ok(&info->status);
	if (version && version != info->version)
		xpu_strlcpy(info->version, version, sizeof(info->version));
	info->devices = devices;
}

void xpu_rt_applies(xpu_device *dev, xpu_backend_kind b)
{
	if (!dev->backends[b].applies)
		xpu_backend_applies(dev, b);
}

/* Causes below the runtime: with one of these the runtime cannot see the
 * device anyway, so they are the more useful answer. */
static int kernel_cause(xpu_reason r)
{
	return r == XPU_R_DRIVER_NOT_BOUND || r == XPU_R_NO_DEVICE_NODE ||
	       r == XPU_R_PERMISSION_DENIED;
}

__attribute__((format(printf, 4, 0))) static void vunusable(xpu_device *dev, xpu_backend_kind b,
							     xpu_reason r, const char *fmt,
							     va_list ap)
{
	xpu_backend *be = &dev->backends[b];
	xpu_rt_applies(dev, b);
	if (be->usable || xpu_is_ok(&be->status))
		return;
	if (kernel_cause(be->status.reason) && !kernel_cause(r))
		return;
	xpu_vset_status(&be->status, XPU_UNAVAILABLE, r, fmt, ap);
}

void xpu_rt_unusable(xpu_device *dev, xpu_backend_kind b, xpu_reason r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vunusable(dev, b, r, fmt, ap);
	va_end(ap);
}

void xpu_rt_unusable_all(struct xpu_system *s, xpu_backend_kind b, xpu_reason r,
			 const char *fmt, ...)
{
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (!d->backends[b].applies || d->backends[b].usable)
			continue;
		va_list ap;
		va_start(ap, fmt);
		vunusable(d, b, r, fmt, ap);
		va_end(ap);
	}
}

void xpu_rt_pci_format(char *out, size_t len, unsigned domain, unsigned bus, unsigned dev,
		       unsigned fn)
{
	snprintf(out, len, "%04x:%02x:%02x.%x", domain & 0xffffu, bus & 0xffu, dev & 0x1fu,
		 fn & 0x7u);
}

void xpu_rt_uuid_format(char *out, size_t len, const unsigned char u[16])
{
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

xpu_device *xpu_rt_find_or_add(struct xpu_system *s, const char *pci, xpu_vendor v,
			       xpu_kind k, const char *name)
{
	char norm[16];
	if (!pci || !xpu_pci_normalize(pci, norm, sizeof(norm)))
		return NULL;
	xpu_device *d = xpu_system_find_pci(s, norm);
	if (d)
		return d;
	d = xpu_system_add(s, norm);
	if (!d)
		return NULL;
	d->vendor = v;
	d->kind = k;
	if (name && *name)
		xpu_set_text(&d->name, "%s", name);
	return d;
}

xpu_device *xpu_rt_unique_gpu(struct xpu_system *s, xpu_backend_kind b, xpu_vendor v,
			      unsigned did)
{
	xpu_device *found = NULL;
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (d->vendor != v || d->kind == XPU_KIND_CPU || d->backends[b].usable)
			continue;
		if (did && d->pci_device_id != did)
			continue;
		if (found)
			return NULL;
		found = d;
	}
	return found;
}

xpu_vendor xpu_rt_vendor_of(unsigned pci_vendor_id)
{
	switch (pci_vendor_id) {
	case 0x8086:
		return XPU_VENDOR_INTEL;
	case 0x10de:
		return XPU_VENDOR_NVIDIA;
	case 0x1002:
	case 0x1022:
		return XPU_VENDOR_AMD;
	default:
		return XPU_VENDOR_OTHER;
	}
}
