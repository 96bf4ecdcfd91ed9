/* Sources: the Linux kernel's PCI id lists for i915/xe
 * (include/drm/intel/{i915,xe}_pciids.h), amdgpu's amdgpu_drv.c, and the
 * public pci.ids database; families as the vendors name them. */
#include "core/gpu_ids.h"

#include <stddef.h>
#include <string.h>

#include "base/util.h"

#define INTEL 0x8086
#define NVIDIA 0x10de
#define AMD 0x1002

static const xpu_gpu_family families[] = {
	/* Intel, integrated */
	{ INTEL, 0x1900, 0x19ff, "Gen9 (Skylake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x5900, 0x59ff, "Gen9.5 (Kaby Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x3e90, 0x3eff, "Gen9.5 (Coffee Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x9b00, 0x9bff, "Gen9.5 (Comet Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x87c0, 0x87cf, "Gen9.5 (Amber/Whiskey Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x3184, 0x3185, "Gen9 LP (Gemini Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x5a84, 0x5a85, "Gen9 LP (Apollo Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x8a50, 0x8a71, "Gen11 (Ice Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x4e50, 0x4e71, "Gen11 (Elkhart/Jasper Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x9a40, 0x9aff, "Xe-LP (Tiger Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x4c80, 0x4c9f, "Xe-LP (Rocket Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x4600, 0x46ff, "Xe-LP (Alder Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0xa700, 0xa7ff, "Xe-LP (Raptor Lake)", XPU_KIND_INTEGRATED, "EUs" },
	{ INTEL, 0x7d40, 0x7d4f, "Xe-LPG (Meteor/Arrow Lake)", XPU_KIND_INTEGRATED, "Xe-cores" },
	{ INTEL, 0x7d50, 0x7dff, "Xe-LPG (Meteor/Arrow Lake)", XPU_KIND_INTEGRATED, "Xe-cores" },
	{ INTEL, 0x6420, 0x64ff, "Xe2-LPG (Lunar Lake)", XPU_KIND_INTEGRATED, "Xe-cores" },
	{ INTEL, 0xb080, 0xb0ff, "Xe3-LPG (Panther Lake)", XPU_KIND_INTEGRATED, "Xe-cores" },
	/* Intel, discrete */
	{ INTEL, 0x4905, 0x4909, "Xe-LP (DG1)", XPU_KIND_DISCRETE, "EUs" },
	{ INTEL, 0x5690, 0x56cf, "Alchemist (Xe-HPG, DG2)", XPU_KIND_DISCRETE, "Xe-cores" },
	{ INTEL, 0x0bd0, 0x0bdf, "Ponte Vecchio (Xe-HPC)", XPU_KIND_DISCRETE, "Xe-cores" },
	{ INTEL, 0xe200, 0xe2ff, "Battlemage (Xe2-HPG)", XPU_KIND_DISCRETE, "Xe-cores" },
	/* NVIDIA */
	{ NVIDIA, 0x1b00, 0x1d7f, "Pascal", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x1d80, 0x1dff, "Volta", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x1e00, 0x1fff, "Turing", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x20b0, 0x20ff, "Ampere (GA100)", XPU_KIND_DISCRETE, "SMs" },
	/* Hopper's ids sit inside Ampere's range: first match wins */
	{ NVIDIA, 0x2300, 0x234f, "Hopper", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x2200, 0x25ff, "Ampere", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x2680, 0x28ff, "Ada Lovelace", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x2900, 0x29ff, "Blackwell (data centre)", XPU_KIND_DISCRETE, "SMs" },
	{ NVIDIA, 0x2b00, 0x2fff, "Blackwell", XPU_KIND_DISCRETE, "SMs" },
	/* AMD */
	{ AMD, 0x15d8, 0x15dd, "Vega (Raven/Picasso APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x1636, 0x1638, "Vega (Renoir/Cezanne APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x164c, 0x164c, "Vega (Lucienne APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x163f, 0x163f, "RDNA2 (Van Gogh APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x1681, 0x1681, "RDNA2 (Rembrandt APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x164e, 0x164e, "RDNA2 (Raphael iGPU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x1506, 0x1506, "RDNA2 (Mendocino APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x15bf, 0x15bf, "RDNA3 (Phoenix APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x15c8, 0x15c8, "RDNA3 (Phoenix APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x1900, 0x1901, "RDNA3 (Hawk Point APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x150e, 0x150e, "RDNA3.5 (Strix Point APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x1586, 0x1586, "RDNA3.5 (Strix Halo APU)", XPU_KIND_INTEGRATED, "CUs" },
	{ AMD, 0x738c, 0x738e, "CDNA (Arcturus, Instinct MI100)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x7408, 0x740f, "CDNA2 (Aldebaran, Instinct MI200)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x74a0, 0x74bf, "CDNA3 (Instinct MI300)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x73a0, 0x73bf, "RDNA2 (Navi 21)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x73c0, 0x73df, "RDNA2 (Navi 22)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x73e0, 0x73ff, "RDNA2 (Navi 23/24)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x7440, 0x745f, "RDNA3 (Navi 31)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x7460, 0x747f, "RDNA3 (Navi 32)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x7480, 0x749f, "RDNA3 (Navi 33)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x7550, 0x755f, "RDNA4 (Navi 48)", XPU_KIND_DISCRETE, "CUs" },
	{ AMD, 0x7590, 0x759f, "RDNA4 (Navi 44)", XPU_KIND_DISCRETE, "CUs" },
};

/* Accelerators the 2023 databases lack or name before their launch. */
static const struct {
	uint16_t vendor, device;
	const char *name;
} known_names[] = {
	{ INTEL, 0x64a0, "Lunar Lake [Intel Arc Graphics 130V / 140V]" },
	{ INTEL, 0x7d51, "Arrow Lake-H [Intel Graphics]" },
	{ INTEL, 0x7d55, "Meteor Lake-P [Intel Arc Graphics]" },
	{ INTEL, 0x7dd5, "Meteor Lake-P [Intel Graphics]" },
	{ INTEL, 0x0bd5, "Ponte Vecchio XT (2 Tile) [Data Center GPU Max 1550]" },
	{ INTEL, 0x0bda, "Ponte Vecchio XT (1 Tile) [Data Center GPU Max 1100]" },
	{ INTEL, 0xe20b, "Battlemage G21 [Arc B580]" },
	{ INTEL, 0xe20c, "Battlemage G21 [Arc B570]" },
	{ INTEL, 0xe211, "Battlemage G21 [Arc Pro B60]" },
	{ INTEL, 0xe212, "Battlemage G21 [Arc Pro B50]" },
	{ NVIDIA, 0x2321, "GH100 [H100 NVL]" },
	{ NVIDIA, 0x2330, "GH100 [H100 SXM5 80GB]" },
	{ NVIDIA, 0x2331, "GH100 [H100 PCIe]" },
	{ NVIDIA, 0x2335, "GH100 [H200 SXM 141GB]" },
	{ NVIDIA, 0x233b, "GH100 [H200 NVL]" },
	{ NVIDIA, 0x2901, "GB100 [B200]" },
	{ NVIDIA, 0x2b85, "GB202 [GeForce RTX 5090]" },
	{ NVIDIA, 0x2c02, "GB203 [GeForce RTX 5080]" },
	{ AMD, 0x744c, "Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]" },
	{ AMD, 0x7550, "Navi 48 [Radeon RX 9070/9070 XT/9070 GRE]" },
	{ AMD, 0x74a1, "Aqua Vanjaram [Instinct MI300X]" },
	{ AMD, 0x150e, "Strix [Radeon 880M / 890M]" },
};

const xpu_gpu_family *xpu_gpu_family_of(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(families); i++) {
		const xpu_gpu_family *f = &families[i];
		if (f->vendor == vendor && device >= f->first && device <= f->last)
			return f;
	}
	return NULL;
}

const char *xpu_gpu_known_name(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(known_names); i++)
		if (known_names[i].vendor == vendor && known_names[i].device == device)
			return known_names[i].name;
	return NULL;
}

void xpu_gpu_short_name(const char *pci_name, char *out, size_t len)
{
	const char *open = strrchr(pci_name, '[');
	const char *close = open ? strchr(open, ']') : NULL;
	if (open && close && close > open + 1) {
		size_t n = (size_t)(close - open - 1);
		if (n >= len)
			n = len - 1;
		memcpy(out, open + 1, n);
		out[n] = '\0';
		return;
	}
	xpu_strlcpy(out, pci_name, len);
}
