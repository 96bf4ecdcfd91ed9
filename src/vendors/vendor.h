/* A vendor is one descriptor: everything xpu knows of it, read by discovery,
 * names, the discovery cache, snapshot, the policy and the doctor.  The
 * registry (registry.c) holds them in the order of the one list of vendors,
 * in src/vendors/meson.build; a vendor's index there is its xpu_vendor.
 * Adding a vendor is its file NAME.c, defining xpu_vendor_desc_NAME, plus NAME
 * in that list (plus its fixture). */
#ifndef XPU_VENDOR_H
#define XPU_VENDOR_H

#include "sys/sys.h"
#include "xpu/topology.h"
#include "xpu/xpu.h"

/* Room for a device's compatible strings, as of_node/compatible holds them:
 * each NUL-terminated, an empty string after the last. */
#define XPU_COMPATIBLE_MAX 256

typedef struct xpu_gpu_paths {
	char device[XSYS_PATH_MAX]; /* machine path of the device folder (PCI or platform) */
	char pci[XSYS_PATH_MAX];    /* the same for a PCI device, else "" */
	char card[XSYS_PATH_MAX];   /* machine path of the DRM card folder, or "" */
	char compatible[XPU_COMPATIBLE_MAX]; /* device-tree compatible strings, or "" */
} xpu_gpu_paths;

typedef struct xpu_vendor_desc {
	const char *id;           /* stable, in JSON and labels: "intel", "arm" */
	const char *display_name; /* for people: "Intel", "Arm" */
	/* Which devices are this vendor's, tried in this order: the PCI vendor
	 * id (also the id Vulkan and OpenCL report for the vendor's GPUs, SoC
	 * ones included), the name of the driver bound to the device, a prefix
	 * of one of its device-tree compatible strings.  Lists end with 0/NULL;
	 * NULL lists are empty. */
	const uint16_t *pci_vendor_ids;
	const char *const *drivers;
	const char *const *compatible_prefixes;
	/* The backends that can drive its devices: bits 1u << xpu_backend_kind. */
	unsigned backends;
	/* Why the render node does not apply, for vendors whose runtimes open
	 * other nodes (CUDA: /dev/nvidia*); NULL: the DRM render node is the one. */
	const char *render_node_not_applicable;
	/* Fills what sysfs and procfs tell about dev; the bus basics (ids,
	 * driver, kind) are set.  p is NULL for the CPU. */
	void (*probe)(const xsys *s, xpu_device *dev, const xpu_gpu_paths *p);
	/* Facts fixed until the next boot and slow to read (the CPU's model,
	 * vector units and caches: 17 files, 0.2 ms of each `xpu list` on a
	 * small VM), or NULL: probe reads everything.  When set, probe reads
	 * only what changes while the machine runs; discovery takes the rest
	 * from the discovery cache (keep_static, false when the cached device
	 * lacks them), else reads it (probe_static) after the runtimes. */
	void (*probe_static)(const xsys *s, xpu_device *dev);
	bool (*keep_static)(xpu_device *fresh, const xpu_device *cached);
	/* The fabric links between this vendor's GPUs (rows of t whose vendor
	 * is v) that sysfs shows, or why each such pair's stays unknown: AMD's
	 * KFD io_links (xGMI).  NULL where only a runtime knows the fabric
	 * (NVLink: NVML; Xe Link: Level Zero) or there is none. */
	void (*fabric_links)(const xsys *s, xpu_topology *t, xpu_vendor v);
	/* What the discovery cache fingerprints for this vendor: variables that
	 * change which devices its runtimes show, device nodes they open (their
	 * identity), files whose content names the loaded driver. */
	const char *const *cache_env;
	const char *const *cache_nodes;
	const char *const *cache_files;
	/* What `xpu snapshot` copies for it besides the DRM and PCI devices:
	 * glob patterns of files, folders, links to device folders, /dev nodes. */
	const char *const *snapshot;
} xpu_vendor_desc;

/* The descriptor of vendor v; NULL past the registry. */
const xpu_vendor_desc *xpu_vendor_desc_of(xpu_vendor v);
/* How many vendors the registry holds (valid xpu_vendor values: 0..count-1). */
size_t xpu_vendor_count(void);
/* The vendor of a device: by PCI vendor id when it has one (non-zero),
 * else by driver, else by a compatible string (p->compatible's format);
 * XPU_VENDOR_OTHER when no descriptor claims it. */
xpu_vendor xpu_vendor_identify(uint16_t pci_vendor_id, const char *driver, const char *compatible);

/* Shared by the vendors that expose a hwmon folder under the PCI device. */
bool xpu_hwmon_find(const xsys *s, const char *pci_dir, char *out, size_t len);
/* Temperatures by label; unlabeled sensors are called `unlabeled`.  The
 * first label of `primary` that exists becomes temperature_c. */
void xpu_hwmon_temps(const xsys *s, const char *hw, xpu_device *dev, const char *unlabeled,
		     const char *const *primary);
void xpu_hwmon_fans(const xsys *s, const char *hw, xpu_device *dev);
/* Power cap, cap maximum, draw and energy from the first files that exist. */
void xpu_hwmon_power(const xsys *s, const char *hw, xpu_device *dev);
/* Kernel release, the version of in-tree drivers. */
void xpu_kernel_driver_version(const xsys *s, xpu_device *dev, const char *module);
/* Marks every value the hwmon folder would have given as missing for why. */
void xpu_hwmon_absent(xpu_device *dev, const char *pci_dir);

/* The first of p->compatible's strings that starts with prefix, or NULL. */
const char *xpu_compatible_find(const char *compatible, const char *prefix);

/* Shared by the GPUs of systems-on-chip (platform.c). */
/* An integrated GPU's memory: shared system memory, with the reason. */
void xpu_shared_memory(xpu_device *dev);
/* Clocks from the device's devfreq folder (Hz): the allowed range
 * (min_freq, max_freq), the current frequency and the governor's target. */
void xpu_devfreq_clocks(const xsys *s, xpu_device *dev, const char *dev_dir);
/* What every SoC GPU gives or lacks in sysfs: shared memory, devfreq clocks,
 * hwmon if any, the in-tree driver's version; no UUID, no device busy
 * figure, and compute units only where units_source (the reason) says. */
void xpu_soc_gpu_probe(const xsys *s, xpu_device *dev, const xpu_gpu_paths *p,
		       const char *units_source);

#endif
