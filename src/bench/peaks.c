/* Theoretical peaks, as data: one row per device (PCI id), dense rates (no
 * sparsity).  Figures from ../shared/research/bench.md ("Peak table"):
 *   H200 SXM: 4.81 TB/s = 2 x 3201 MHz x 6016 bit / 8; 132 SMs x 128 x 2 x
 *     1980 MHz = 66.9 TF fp32; 989 TF fp16/bf16, 495 TF tf32, 1979 TF fp8
 *     (NVIDIA's sparse figures halved); PCIe 5 x16 = 63.0 GB/s per direction;
 *     NVLink 4: 26.5625 GB/s per link and direction (2 lanes x 106.25 Gb/s;
 *     `nvidia-smi nvlink -s` shows 26.562 GB/s on the H200 machine,
 *     docs/hardware-runs.md), 18 links = 478 GB/s per direction (NVIDIA's
 *     "900 GB/s" counts both directions of 25 GB/s of data).
 *   Arc A770 16G: 17.5 Gbps x 256 bit = 560 GB/s; 17.2 TF fp32 and 137.6 TF
 *     XMX fp16 at 2.1 GHz; PCIe 4 x16 = 31.5 GB/s.
 *   Arc B580: 19 Gbps x 192 bit = 456 GB/s; 13.7 TF fp32, 109 TF XMX at
 *     2.67 GHz; PCIe 4 x8 = 15.75 GB/s.
 *   Data Center GPU Max 1550: 3.2768 TB/s HBM2e; 52.4 TF fp32, 838.9 TF
 *     fp16/bf16, 419 TF tf32; PCIe 5 x16.
 *   Iris Xe 96 EU (Tiger Lake GT2): 96 x 16 x 1.1 GHz = 1.69 TF fp32; memory
 *     is the system's (no fixed figure), no XMX.
 * A device without a row gets "unknown" with the reason, except where a
 * runtime gives what the formula needs (CUDA: memory clock and bus width).
 * The CPU's peaks are computed (host_peaks.c), for the host target and for
 * OpenCL on the CPU alike. */
#include "bench/bench_int.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/value.h"

typedef struct peak_row {
	uint16_t vendor, device;
	const char *name;
	double v[XPU_PEAK_COUNT]; /* GB/s or TFLOP/s; 0: no figure */
} peak_row;

#define NV 0x10de
#define INTEL 0x8086

static const peak_row peak_table[] = {
	{ NV, 0x2335, "NVIDIA H200 SXM",
	  { [XPU_PEAK_MEM_BW] = 4810, [XPU_PEAK_LINK] = 63.0, [XPU_PEAK_FP32] = 66.9,
	    [XPU_PEAK_TF32] = 495, [XPU_PEAK_FP16] = 989, [XPU_PEAK_BF16] = 989,
	    [XPU_PEAK_FP8] = 1979 } },
	{ INTEL, 0x56a0, "Intel Arc A770",
	  { [XPU_PEAK_MEM_BW] = 560, [XPU_PEAK_LINK] = 31.5, [XPU_PEAK_FP32] = 17.2,
	    [XPU_PEAK_FP16] = 137.6, [XPU_PEAK_BF16] = 137.6 } },
	{ INTEL, 0xe20b, "Intel Arc B580",
	  { [XPU_PEAK_MEM_BW] = 456, [XPU_PEAK_LINK] = 15.75, [XPU_PEAK_FP32] = 13.7,
	    [XPU_PEAK_FP16] = 109, [XPU_PEAK_BF16] = 109 } },
	{ INTEL, 0x0bd5, "Intel Data Center GPU Max 1550",
	  { [XPU_PEAK_MEM_BW] = 3276.8, [XPU_PEAK_LINK] = 63.0, [XPU_PEAK_FP32] = 52.4,
	    [XPU_PEAK_TF32] = 419, [XPU_PEAK_FP16] = 838.9, [XPU_PEAK_BF16] = 838.9 } },
	{ INTEL, 0x9a49, "Intel Iris Xe 96 EU (1.1 GHz)", { [XPU_PEAK_FP32] = 1.69 } },
	{ INTEL, 0x9a40, "Intel Iris Xe 96 EU (1.1 GHz)", { [XPU_PEAK_FP32] = 1.69 } },
};

/* One link of a GPU's fabric (NVLink, xGMI, Xe Link), GB/s per direction:
 * a pair's peer peak is its links times this. */
static const struct link_rate {
	uint16_t vendor, device;
	double gbs;
} link_rates[] = {
	{ NV, 0x2335, 26.5625 }, /* H200 SXM: NVLink 4 */
};

static double link_rate_of(const xpu_device *d)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(link_rates); i++)
		if (link_rates[i].vendor == d->pci_vendor_id && link_rates[i].device == d->pci_device_id)
			return link_rates[i].gbs;
	return 0;
}

static const peak_row *find_row(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(peak_table); i++)
		if (peak_table[i].vendor == vendor && peak_table[i].device == device)
			return &peak_table[i];
	return NULL;
}

/* Why a device has no figure for a kind. */
static void peak_unknown(xpu_real *p, const xpu_device *d, const peak_row *row, xpu_peak_kind k)
{
	if (k == XPU_PEAK_PEER)
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "per pair of devices: each peer figure holds its link's");
	else if (d->vendor == XPU_VENDOR_CPU)
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "xpu computes no %s rate for a CPU", xpu_peak_kind_name(k));
	else if (!row)
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "no peak table entry for %04x:%04x", d->pci_vendor_id,
			       d->pci_device_id);
	else if (k == XPU_PEAK_MEM_BW)
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "shared system memory: depends on the DIMMs");
	else
		xpu_set_status(&p->status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
			       "%s has no %s rate", row->name, xpu_peak_kind_name(k));
}

void bench_peaks_fill(xpu_bench_target *t, const xpu_device *d, const xsys *root)
{
	const peak_row *row = d->vendor == XPU_VENDOR_CPU ? NULL :
			      find_row(d->pci_vendor_id, d->pci_device_id);
	if (row)
		snprintf(t->peak_source, sizeof(t->peak_source), "table: %s (%04x:%04x)",
			 row->name, row->vendor, row->device);
	else
		xpu_strlcpy(t->peak_source, "none", sizeof(t->peak_source));
	for (int k = XPU_PEAK_MEM_BW; k < XPU_PEAK_COUNT; k++) {
		xpu_real *p = &t->peaks[k];
		memset(p, 0, sizeof(*p));
		if (row && row->v[k] > 0)
			xpu_set_real(p, row->v[k]);
		else
			peak_unknown(p, d, row, (xpu_peak_kind)k);
	}
	xpu_set_status(&t->peaks[XPU_PEAK_NONE].status, XPU_UNSUPPORTED, XPU_R_NOT_APPLICABLE,
		       "a latency has no theoretical limit");
	if (d->vendor == XPU_VENDOR_CPU && root)
		bench_host_peaks(root, t, d);
}

void bench_peak_derive(xpu_bench_target *t, xpu_peak_kind k, double value, const char *how)
{
	xpu_real *p = &t->peaks[k];
	if (xpu_is_ok(&p->status) || !(value > 0))
		return;
	xpu_set_real(p, value);
	size_t used = strlen(t->peak_source);
	if (strcmp(t->peak_source, "none") == 0)
		used = 0;
	snprintf(t->peak_source + used, sizeof(t->peak_source) - used, "%s%s %s",
		 used ? "; " : "", xpu_peak_kind_name(k), how);
}

/* Whether a runner set the figure's own peak (a pair's link), OK or with
 * the reason it is unknown; a zeroed peak was never set. */
static bool own_peak(const xpu_bench_figure *f)
{
	return f->peak_kind == XPU_PEAK_PEER &&
	       (xpu_is_ok(&f->peak.status) || f->peak.status.detail[0]);
}

void bench_peer_peak(xpu_real *peak, const xpu_link *l, const xpu_device *a, const xpu_device *b,
		     char *how, size_t len)
{
	const peak_row *ra = find_row(a->pci_vendor_id, a->pci_device_id);
	const peak_row *rb = find_row(b->pci_vendor_id, b->pci_device_id);
	how[0] = '\0';
	double la = link_rate_of(a), lb = link_rate_of(b);
	if (l->links && la > 0 && lb > 0) {
		double rate = la < lb ? la : lb;
		xpu_set_real(peak, l->links * rate);
		snprintf(how, len, "table: %u links x %g GB/s", l->links, rate);
	} else if (l->links || l->kind == XPU_LINK_XGMI) {
		*peak = l->bandwidth_gbs;
		if (xpu_is_ok(&peak->status))
			snprintf(how, len, "%s: link speed", l->source);
	} else if (xpu_is_ok(&l->status) && ra && rb && ra->v[XPU_PEAK_LINK] > 0 &&
		   rb->v[XPU_PEAK_LINK] > 0) {
		/* peers over PCIe: at best the slower of the two host links */
		double pcie = ra->v[XPU_PEAK_LINK] < rb->v[XPU_PEAK_LINK] ? ra->v[XPU_PEAK_LINK] :
									 rb->v[XPU_PEAK_LINK];
		xpu_set_real(peak, pcie);
		snprintf(how, len, "table: PCIe, the slower host link");
	} else if (!xpu_is_ok(&l->status)) {
		peak->status = l->status;
	} else {
		xpu_set_status(&peak->status, XPU_UNSUPPORTED, XPU_R_NO_SOURCE,
			       "no peak table entry for the link between %04x:%04x and %04x:%04x",
			       a->pci_vendor_id, a->pci_device_id, b->pci_vendor_id, b->pci_device_id);
	}
}

void bench_peaks_apply(xpu_bench_target *t)
{
	for (size_t i = 0; i < t->n_figures; i++) {
		xpu_bench_figure *f = &t->figures[i];
		if (!own_peak(f))
			f->peak = t->peaks[f->peak_kind];
		const xpu_real *p = &f->peak;
		if (!xpu_is_ok(&f->status)) {
			xpu_set_status(&f->percent_of_peak.status, XPU_UNAVAILABLE,
				       f->status.reason, "no figure");
		} else if (!xpu_is_ok(&p->status)) {
			f->percent_of_peak.status = p->status;
		} else {
			xpu_set_real(&f->percent_of_peak, 100.0 * f->best / p->value);
		}
	}
}
