#include "core/pci.h"

#include <pci/pci.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "base/util.h"
#include "core/gpu_ids.h"
#include "model/read.h"
#include "model/value.h"
#include "sys/parse.h"

/* libpci, by dlopen: only a device that neither a driver nor the cache named
 * needs the PCI id database, so the library (and the libudev and libz it
 * brings) is loaded then, not at every start of the program.  The types and
 * constants come from its header; libpci.so.3's ABI has been stable since
 * 2008. */
typedef struct pci_api {
	struct pci_access *(*alloc)(void);
	void (*cleanup)(struct pci_access *);
	void (*set_name_list_path)(struct pci_access *, char *, int);
	char *(*lookup_name)(struct pci_access *, char *, int, int, ...);
} pci_api;

static const char *const libpci_names[] = { "libpci.so.3", NULL };

/* One parsed database per process: parsing pci.ids costs 1-5 ms, and the
 * telemetry sampler discovers the devices again at every refresh.  libpci is
 * not thread-safe, so lookups hold the lock. */
static struct {
	pthread_mutex_t lock;
	pci_api api;
	bool loaded;          /* libpci was looked for */
	char why[160];        /* why it did not load, "" when it did */
	struct pci_access *pacc;
	bool tried;
	char path[XSYS_PATH_MAX]; /* XPU_PCI_IDS when it was opened */
} db = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void quiet_warning(char *msg, ...)
{
	(void)msg;
}

/* Resolves libpci once; false with db.why set when it is not there. */
static bool api_load(void)
{
	if (db.loaded)
		return !db.why[0];
	db.loaded = true;
	void *lib = xpu_dl_open(libpci_names, db.why, sizeof(db.why));
	if (!lib)
		return false;
	pci_api *a = &db.api;
	if (xpu_dl_fn(lib, &a->alloc, "pci_alloc", NULL) && xpu_dl_fn(lib, &a->cleanup, "pci_cleanup", NULL) &&
	    xpu_dl_fn(lib, &a->set_name_list_path, "pci_set_name_list_path", NULL) &&
	    xpu_dl_fn(lib, &a->lookup_name, "pci_lookup_name", NULL)) {
		db.why[0] = '\0';
		return true;
	}
	xpu_strlcpy(db.why, "libpci.so.3 lacks pci_alloc/pci_lookup_name", sizeof(db.why));
	return false;
}

/* Opened at the first name needed, again when XPU_PCI_IDS changed.  Called
 * with db.lock held. */
static struct pci_access *db_open(void)
{
	const char *path = getenv("XPU_PCI_IDS");
	if (!path)
		path = "";
	if (db.tried && strcmp(db.path, path) == 0)
		return db.pacc;
	if (!api_load())
		return NULL;
	if (db.pacc)
		db.api.cleanup(db.pacc);
	db.tried = true;
	xpu_strlcpy(db.path, path, sizeof(db.path));
	db.pacc = db.api.alloc();
	if (!db.pacc)
		return NULL;
	/* pci_init is never called, so libpci's fatal error handler can only
	 * fire on allocation failure; a missing ids file is a warning */
	db.pacc->warning = quiet_warning;
	db.pacc->debug = quiet_warning; /* pci_init would set it; lookups call it */
	if (*path)
		db.api.set_name_list_path(db.pacc, (char *)path, 0);
	/* numbers are no name: PCI_LOOKUP_NO_NUMBERS makes unknown ids NULL */
	return db.pacc;
}

static const char *lookup(char *buf, size_t len, int flags, ...)
{
	struct pci_access *pacc = db_open();
	if (!pacc)
		return NULL;
	va_list ap;
	va_start(ap, flags);
	unsigned a = va_arg(ap, unsigned), b = va_arg(ap, unsigned);
	unsigned c = va_arg(ap, unsigned), d = va_arg(ap, unsigned);
	va_end(ap);
	return db.api.lookup_name(pacc, buf, (int)len, flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
				  a, b, c, d);
}

bool xpu_pci_read_uevent(const xsys *s, const char *dir, char *address, size_t len)
{
	char uevent[XSYS_ATTR_MAX], slot[32];
	if (xsys_text(s, uevent, sizeof(uevent), "%s/uevent", dir) != XSYS_OK)
		return false;
	if (!xpu_kv_get(uevent, "PCI_SLOT_NAME", '=', slot, sizeof(slot)))
		return false;
	return xpu_pci_normalize(slot, address, len);
}

void xpu_pci_fill(const xsys *s, xpu_device *dev, const char *dir)
{
	char uevent[XSYS_ATTR_MAX], v[64];
	xsys_rc rc = xsys_text(s, uevent, sizeof(uevent), "%s/uevent", dir);
	if (rc != XSYS_OK) {
		xpu_read_fail(&dev->driver.status, rc, dir);
		return;
	}
	if (xpu_kv_get(uevent, "PCI_ID", '=', v, sizeof(v)))
		xpu_parse_id_pair(v, &dev->pci_vendor_id, &dev->pci_device_id);
	if (xpu_kv_get(uevent, "PCI_SUBSYS_ID", '=', v, sizeof(v)))
		xpu_parse_id_pair(v, &dev->pci_subsystem_vendor_id, &dev->pci_subsystem_device_id);
	uint64_t cls;
	if (xpu_kv_get(uevent, "PCI_CLASS", '=', v, sizeof(v))) {
		/* uevent writes the class in hex without 0x */
		char hex[70];
		snprintf(hex, sizeof(hex), "0x%s", v);
		if (xpu_parse_u64(hex, &cls))
			dev->pci_class = (uint32_t)cls;
	}
	if (xpu_kv_get(uevent, "DRIVER", '=', v, sizeof(v)) && v[0])
		xpu_set_text(&dev->driver, "%s", v);
	else
		xpu_set_status(&dev->driver.status, XPU_UNAVAILABLE, XPU_R_DRIVER_NOT_BOUND,
			       "%s/uevent has no DRIVER", dir);

	const xpu_gpu_family *fam = xpu_gpu_family_of(dev->pci_vendor_id, dev->pci_device_id);
	if (fam) {
		xpu_set_text(&dev->family, "%s", fam->family);
		dev->kind = fam->kind;
		xpu_strlcpy(dev->compute_unit_name, fam->unit_name, sizeof(dev->compute_unit_name));
	} else {
		xpu_set_status(&dev->family.status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "device id 0x%04x is not in xpu's family table", dev->pci_device_id);
	}
}

static void set_db_name(xpu_text *t, const char *name, const char *what, unsigned a, unsigned b)
{
	if (name)
		xpu_set_text(t, "%s", name);
	else if (db.why[0])
		xpu_set_status(&t->status, XPU_UNAVAILABLE, XPU_R_RUNTIME_MISSING,
			       "PCI names need libpci.so.3 (install libpci3): %s", db.why);
	else
		xpu_set_status(&t->status, XPU_UNAVAILABLE, XPU_R_NO_SOURCE,
			       "%s %04x:%04x is not in the PCI id database (update pci.ids or set XPU_PCI_IDS)",
			       what, a, b);
}

static void names_locked(xpu_device *dev)
{
	char buf[256];
	const char *n;
	unsigned v = dev->pci_vendor_id, d = dev->pci_device_id;
	unsigned sv = dev->pci_subsystem_vendor_id, sd = dev->pci_subsystem_device_id;

	n = lookup(buf, sizeof(buf), PCI_LOOKUP_VENDOR, v, d, 0u, 0u);
	set_db_name(&dev->pci_vendor_name, n, "vendor", v, 0);

	n = xpu_gpu_known_name((uint16_t)v, (uint16_t)d);
	if (!n)
		n = lookup(buf, sizeof(buf), PCI_LOOKUP_DEVICE, v, d, 0u, 0u);
	set_db_name(&dev->pci_device_name, n, "device", v, d);

	if (sv || sd) {
		n = lookup(buf, sizeof(buf), PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR, sv, 0u, 0u, 0u);
		set_db_name(&dev->pci_subsystem_vendor_name, n, "subsystem vendor", sv, 0);
		n = lookup(buf, sizeof(buf), PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, v, d, sv, sd);
		set_db_name(&dev->pci_subsystem_name, n, "subsystem", sv, sd);
	}

	if (xpu_is_ok(&dev->name.status)) {
		/* the driver named it (NVIDIA's procfs, NVML): keep that */
	} else if (xpu_is_ok(&dev->pci_device_name.status)) {
		char shortname[XPU_TEXT_LEN];
		xpu_gpu_short_name(dev->pci_device_name.value, shortname, sizeof(shortname));
		xpu_set_text(&dev->name, "%s", shortname);
	} else {
		const char *vn = dev->vendor == XPU_VENDOR_INTEL    ? "Intel"
				 : dev->vendor == XPU_VENDOR_NVIDIA ? "NVIDIA"
				 : dev->vendor == XPU_VENDOR_AMD    ? "AMD"
								    : "PCI";
		xpu_set_text(&dev->name, "unknown %s GPU 0x%04x", vn, d);
	}
}

void xpu_pci_names(xpu_device *dev)
{
	pthread_mutex_lock(&db.lock);
	names_locked(dev);
	pthread_mutex_unlock(&db.lock);
}
