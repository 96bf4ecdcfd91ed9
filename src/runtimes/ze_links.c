/* Level Zero's view of the Xe Links between Intel GPUs (runtimes/links.h),
 * through Sysman: each device's fabric ports (zesDeviceEnumFabricPorts),
 * each port's own fabric id and, when it is up, the fabric id at its far end
 * (zesFabricPortGetState: remotePortId).  A pair's Xe Links are the healthy
 * or degraded ports of one whose far end is the other's fabric id; their
 * speed is the ports' transmit bit rate.  Only the Data Center GPU Max has
 * Xe Link; any other Intel GPU lists no port, and so no fabric.  Sysman's
 * own handles need zesInit (loader 1.10 and later). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"
#include "runtimes/level_zero_api.h"
#include "runtimes/links.h"

enum { ZE_MAX_PORTS = 64, ZE_MAX_FABRIC_IDS = 8 };

typedef struct ze_gpu {
	zes_device_handle_t h;
	unsigned n_ids;
	uint32_t fabric_ids[ZE_MAX_FABRIC_IDS]; /* its ports' own ids (one per tile) */
} ze_gpu;

static int row_of(const xpu_topology *t, const zes_pci_address_t *a)
{
	char addr[16];
	snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", a->domain & 0xffff, a->bus & 0xff,
		 a->device & 0x1f, a->function & 7);
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->devices[i].pci_address, addr) == 0 &&
		    t->devices[i].vendor == XPU_VENDOR_INTEL)
			return (int)i;
	return -1;
}

/* Every Sysman device, by the row of t it is. */
static bool sysman_devices(const xpu_ze_api *a, const xpu_topology *t, ze_gpu *g, xpu_status *why)
{
	if (!a->zes_init || !a->zes_driver_get || !a->zes_device_get || !a->zes_pci ||
	    !a->zes_fabric_ports || !a->zes_port_props || !a->zes_port_state) {
		xpu_set_status(why, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR,
			       "%s lacks zesInit/zesDeviceEnumFabricPorts (loader older than 1.10)",
			       a->lib.name);
		return false;
	}
	ze_result_t rc = a->zes_init(0);
	uint32_t nd = 8;
	zes_driver_handle_t drivers[8];
	if (rc == ZE_RESULT_SUCCESS)
		rc = a->zes_driver_get(&nd, drivers);
	if (rc != ZE_RESULT_SUCCESS) {
		xpu_set_status(why, XPU_UNAVAILABLE, XPU_R_RUNTIME_ERROR, "zesInit/zesDriverGet: 0x%x",
			       (unsigned)rc);
		return false;
	}
	for (uint32_t d = 0; d < nd && d < 8; d++) {
		zes_device_handle_t devs[XPU_MAX_DEVICES];
		uint32_t n = XPU_MAX_DEVICES;
		if (a->zes_device_get(drivers[d], &n, devs) != ZE_RESULT_SUCCESS)
			continue;
		for (uint32_t i = 0; i < n && i < XPU_MAX_DEVICES; i++) {
			zes_pci_properties_t p = { .stype = ZES_STRUCTURE_TYPE_PCI_PROPERTIES };
			int row = a->zes_pci(devs[i], &p) == ZE_RESULT_SUCCESS ? row_of(t, &p.address) : -1;
			if (row >= 0)
				g[row].h = devs[i];
		}
	}
	return true;
}

static zes_fabric_port_handle_t *ports_of(const xpu_ze_api *a, const ze_gpu *g, uint32_t *n)
{
	*n = 0;
	if (a->zes_fabric_ports(g->h, n, NULL) != ZE_RESULT_SUCCESS || *n == 0)
		return NULL;
	if (*n > ZE_MAX_PORTS)
		*n = ZE_MAX_PORTS;
	zes_fabric_port_handle_t *ports = calloc(*n, sizeof(*ports));
	if (ports && a->zes_fabric_ports(g->h, n, ports) != ZE_RESULT_SUCCESS)
		*n = 0;
	return ports;
}

static void own_ids(const xpu_ze_api *a, ze_gpu *g)
{
	uint32_t n;
	zes_fabric_port_handle_t *ports = ports_of(a, g, &n);
	for (uint32_t p = 0; ports && p < n; p++) {
		zes_fabric_port_properties_t pp = { .stype = ZES_STRUCTURE_TYPE_FABRIC_PORT_PROPERTIES };
		if (a->zes_port_props(ports[p], &pp) != ZE_RESULT_SUCCESS)
			continue;
		bool seen = false;
		for (unsigned k = 0; k < g->n_ids; k++)
			seen |= g->fabric_ids[k] == pp.portId.fabricId;
		if (!seen && g->n_ids < ZE_MAX_FABRIC_IDS)
			g->fabric_ids[g->n_ids++] = pp.portId.fabricId;
	}
	free(ports);
}

static bool owns(const ze_gpu *g, uint32_t fabric_id)
{
	for (unsigned k = 0; k < g->n_ids; k++)
		if (g->fabric_ids[k] == fabric_id)
			return true;
	return false;
}

/* The up ports of row i, counted (and their speed added) by the row at
 * their far end. */
static void count_links(const xpu_ze_api *a, xpu_topology *t, const ze_gpu *g, size_t i)
{
	uint32_t n;
	double gbs[XPU_MAX_DEVICES] = { 0 };
	zes_fabric_port_handle_t *ports = ports_of(a, &g[i], &n);
	for (uint32_t p = 0; ports && p < n; p++) {
		zes_fabric_port_state_t st = { .stype = ZES_STRUCTURE_TYPE_FABRIC_PORT_STATE };
		if (a->zes_port_state(ports[p], &st) != ZE_RESULT_SUCCESS ||
		    (st.status != ZES_FABRIC_PORT_STATUS_HEALTHY &&
		     st.status != ZES_FABRIC_PORT_STATUS_DEGRADED))
			continue;
		for (size_t j = 0; j < t->n; j++)
			if (j != i && g[j].h && owns(&g[j], st.remotePortId.fabricId)) {
				t->links[i][j].links++;
				gbs[j] += st.txSpeed.bitRate > 0 ? (double)st.txSpeed.bitRate / 8e9 : 0;
			}
	}
	free(ports);
	for (size_t j = 0; j < t->n; j++) {
		xpu_link *l = &t->links[i][j];
		if (j == i || !g[j].h)
			continue;
		xpu_set_ok(&l->status);
		xpu_strlcpy(l->source, "level_zero", sizeof(l->source));
		if (l->links)
			l->kind = XPU_LINK_XELINK;
		if (gbs[j] > 0)
			xpu_set_real(&l->bandwidth_gbs, gbs[j]);
		xpu_set_status(&l->p2p.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "zeDeviceCanAccessPeer not asked");
	}
}

void xpu_ze_links(xpu_topology *t)
{
	const xpu_ze_api *a = xpu_ze_api_get();
	ze_gpu *g = calloc(XPU_MAX_DEVICES, sizeof(*g));
	xpu_status why;
	if (!g || !a->lib.handle)
		goto out;
	if (sysman_devices(a, t, g, &why)) {
		for (size_t i = 0; i < t->n; i++)
			if (g[i].h)
				own_ids(a, &g[i]);
		for (size_t i = 0; i < t->n; i++)
			if (g[i].h)
				count_links(a, t, g, i);
		xpu_set_status(&why, XPU_UNAVAILABLE, XPU_R_RUNTIME_NO_DEVICE,
			       "not among the devices Level Zero Sysman lists");
	}
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++) {
			xpu_link *l = &t->links[i][j];
			if (i != j && t->devices[i].vendor == XPU_VENDOR_INTEL &&
			    t->devices[j].vendor == XPU_VENDOR_INTEL &&
			    l->status.reason == XPU_R_NOT_PROBED) {
				l->status = why;
				l->p2p.status = why;
			}
		}
out:
	free(g);
}
