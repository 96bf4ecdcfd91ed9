/* Theoretical peaks, as data: one row per device (PCI id), dense rates (no
 * sparsity).  Figures from ../shared/research/bench.md ("Peak table"):
 *   H200 SXM: 4.81 TB/s = 2 x 3201 MHz x 6016 bit / 8; 132 SMs x 128 x 2 x
 *     1980 MHz = 66.9 TF fp32; 989 TF fp16/bf16, 495 TF tf32, 1979 TF fp8
 *     (NVIDIA's sparse figures halved); PCIe 5 x16 = 63.0 GB/s per direction.
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
	if (d->vendor == XPU_VENDOR_CPU)
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

void bench_peaks_apply(xpu_bench_target *t)
{
	for (size_t i = 0; i < t->n_figures; i++) {
		xpu_bench_figure *f = &t->figures[i];
		const xpu_real *p = &t->peaks[f->peak_kind];
		f->peak = *p;
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
