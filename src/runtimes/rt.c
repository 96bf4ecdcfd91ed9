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

void *xpu_rt_lib_open(xpu_runtime_kind k, xpu_rt_lib *lib)
{
	const char *const *names = xpu_runtime_desc_of(k)->libraries;
	memset(lib, 0, sizeof(*lib));
	xpu_strlcpy(lib->name, names[0], sizeof(lib->name));
	lib->handle = xpu_dl_open(names, lib->error, sizeof(lib->error));
	if (!lib->handle)
		return NULL;
	/* Which name loaded: the one whose handle is this one. */
	for (size_t i = 0; names[i]; i++) {
		void *o = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
		if (o)
			dlclose(o);
		if (o == lib->handle) {
			xpu_strlcpy(lib->name, names[i], sizeof(lib->name));
			break;
		}
	}
	return lib->handle;
}

void xpu_rt_info_init(xpu_runtime_info *info, xpu_runtime_kind k)
{
	memset(info, 0, sizeof(*info));
	info->probed = true;
	xpu_strlcpy(info->library, xpu_runtime_desc_of(k)->libraries[0], sizeof(info->library));
	xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, NULL);
}

bool xpu_rt_loaded(const xpu_rt_lib *lib, xpu_runtime_kind k, xpu_runtime_info *info)
{
	if (lib->handle) {
		xpu_strlcpy(info->library, lib->name, sizeof(info->library));
		return true;
	}
	const xpu_runtime_desc *rt = xpu_runtime_desc_of(k);
	const char *name = rt->missing_name ? rt->missing_name : rt->libraries[0];
	const char *why = strstr(lib->error, " not found: ");
	if (!why || xpu_dl_absent(why))
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING, "%s%s%s%s", name,
			       rt->install ? " (" : "", rt->install ? rt->install : "",
			       rt->install ? ")" : "");
	else
		xpu_set_status(&info->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "%s",
			       why + strlen(" not found: "));
	return false;
}

void xpu_rt_summary(xpu_runtime_info *info, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xpu_vappend(info->summary, sizeof(info->summary), "; ", fmt, ap);
	va_end(ap);
}

void xpu_rt_info_ok(xpu_runtime_info *info, const char *version, unsigned devices)
{
	xpu_set_ok(&info->status);
	if (version && version != info->version)
		xpu_strlcpy(info->version, version, sizeof(info->version));
	info->devices = devices;
}

bool xpu_rt_apply_start(struct xpu_system *s, const xpu_runtime_info *info, xpu_runtime_kind k,
			bool fail_devices)
{
	const xpu_runtime_desc *rt = xpu_runtime_desc_of(k);
	s->runtimes[k] = *info;
	if (rt->drives)
		xpu_rt_mark(s, rt->backend);
	if (xpu_is_ok(&info->status))
		return true;
	if (fail_devices && rt->drives)
		xpu_rt_unusable_all(s, rt->backend, info->status.reason, "%s", info->status.detail);
	return false;
}

bool xpu_rt_concerns(const struct xpu_system *s, const xpu_device *d, xpu_backend_kind b)
{
	return d->backends[b].applies || (s->backend_concerns && s->backend_concerns(d, b));
}

void xpu_rt_mark(struct xpu_system *s, xpu_backend_kind b)
{
	for (size_t i = 0; i < s->count; i++)
		if (xpu_rt_concerns(s, &s->devices[i], b))
			xpu_rt_applies(&s->devices[i], b);
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

const xpu_device *xpu_rt_lookup(const struct xpu_system *s, const char *pci, const char *uuid)
{
	/* the finders do not write: only their signatures are not const */
	struct xpu_system *sys = (struct xpu_system *)s;
	const xpu_device *d = pci && *pci ? xpu_system_find_pci(sys, pci) : NULL;
	return d ? d : uuid && *uuid ? xpu_system_find_uuid(sys, uuid) : NULL;
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

/* The vendor registry knows the ids (include/xpu/xpu.h). */
xpu_vendor xpu_rt_vendor_of(unsigned pci_vendor_id)
{
	return xpu_vendor_of_pci_id(pci_vendor_id);
}
