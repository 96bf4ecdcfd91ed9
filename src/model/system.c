#include "model/system.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "model/value.h"
#include "sys/parse.h"

xpu_device *xpu_system_add(struct xpu_system *s, const char *pci_address)
{
	if (s->count >= XPU_MAX_DEVICES)
		return NULL;
	xpu_device *d = &s->devices[s->count];
	memset(d, 0, sizeof(*d));
	d->index = (unsigned)s->count;
	for (int b = 0; b < XPU_BACKEND_COUNT; b++)
		d->backends[b].runtime_index = -1;
	if (pci_address) {
		if (!xpu_pci_normalize(pci_address, d->pci_address, sizeof(d->pci_address)))
			xpu_strlcpy(d->pci_address, pci_address, sizeof(d->pci_address));
		char addr[sizeof(d->pci_address)];
		xpu_strlcpy(addr, d->pci_address, sizeof(addr));
		snprintf(d->id, sizeof(d->id), "pci:%s", addr);
		d->kind = XPU_KIND_DISCRETE;
		d->vendor = XPU_VENDOR_OTHER;
	} else {
		xpu_strlcpy(d->id, "cpu", sizeof(d->id));
		d->kind = XPU_KIND_CPU;
		d->vendor = XPU_VENDOR_CPU;
	}
	s->count++;
	return d;
}

xpu_device *xpu_system_find_pci(struct xpu_system *s, const char *pci_address)
{
	char norm[16];
	if (!pci_address || !xpu_pci_normalize(pci_address, norm, sizeof(norm)))
		return NULL;
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->devices[i].pci_address, norm) == 0)
			return &s->devices[i];
	return NULL;
}

static const char *strip_uuid_prefix(const char *u)
{
	if (strncasecmp(u, "GPU-", 4) == 0 || strncasecmp(u, "MIG-", 4) == 0)
		return u + 4;
	return u;
}

xpu_device *xpu_system_find_uuid(struct xpu_system *s, const char *uuid)
{
	if (!uuid || !*uuid)
		return NULL;
	const char *want = strip_uuid_prefix(uuid);
	for (size_t i = 0; i < s->count; i++) {
		xpu_device *d = &s->devices[i];
		if (xpu_is_ok(&d->uuid.status) && strcasecmp(strip_uuid_prefix(d->uuid.value), want) == 0)
			return d;
	}
	return NULL;
}

xpu_device *xpu_system_cpu(struct xpu_system *s)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->devices[i].vendor == XPU_VENDOR_CPU)
			return &s->devices[i];
	return NULL;
}

void xpu_backend_applies(xpu_device *dev, xpu_backend_kind b)
{
	xpu_backend *be = &dev->backends[b];
	be->applies = true;
	be->usable = false;
	xpu_set_status(&be->status, XPU_UNAVAILABLE, XPU_R_NOT_PROBED, NULL);
}

void xpu_backend_set_usable(xpu_device *dev, xpu_backend_kind b, const char *runtime_version,
			    const char *device_name, int runtime_index)
{
	xpu_backend *be = &dev->backends[b];
	be->applies = true;
	be->usable = true;
	xpu_set_ok(&be->status);
	xpu_strlcpy(be->runtime_version, runtime_version ? runtime_version : "",
		    sizeof(be->runtime_version));
	xpu_strlcpy(be->device_name, device_name ? device_name : "", sizeof(be->device_name));
	be->runtime_index = runtime_index;
}
