/* Compatibility by device family: which driver, kernel, runtime and
 * framework each family needs.  The table is data; the checks read it.
 *
 * Sources: torch.xpu's supported GPUs (docs.pytorch.org notes/get_start_xpu:
 * Arc A/B, Meteor Lake-H, Arrow Lake-H, Lunar Lake, Panther Lake; Data Center
 * Max since 2.4), Intel compute-runtime release notes (Battlemage from 24.48;
 * Gen8-Gen11 end with the 24.35 "legacy1" series), the kernel's i915/xe
 * device tables (Alchemist on i915 from 6.2, Meteor Lake from 6.7, Lunar Lake
 * on xe from 6.11, Battlemage on xe from 6.12), NVIDIA's CUDA 13.0 notes
 * (no code for compute capability below 7.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doctor/doctor_int.h"
#include "runtimes/runtime.h"

static const doc_family families[] = {
	{ "Battlemage", "xe", 612, "xe", true, 31907, "24.48.31907", DOC_ONEDNN26_NO_XE2 },
	{ "Xe3-LPG", "xe", 0, "xe", true, 0, NULL, DOC_ONEDNN26_NO_XE2 | DOC_SHARED_MEMORY },
	{ "Xe2-LPG", "xe", 611, "xe", true, 0, NULL, DOC_ONEDNN26_NO_XE2 | DOC_SHARED_MEMORY },
	{ "Alchemist", "i915 xe", 602, "i915", true, 0, NULL, DOC_FP64_EMULATED },
	{ "Xe-LPG", "i915 xe", 607, "i915", true, 0, NULL, DOC_FP64_EMULATED | DOC_SHARED_MEMORY },
	{ "Ponte Vecchio", "i915 xe", 0, NULL, true, 0, NULL, 0 },
	{ "DG1", "i915", 0, "i915", false, 0, NULL, DOC_FP64_EMULATED },
	{ "Xe-LP", "i915 xe", 0, NULL, false, 0, NULL, DOC_FP64_EMULATED | DOC_SHARED_MEMORY },
	{ "Gen11", "i915", 0, NULL, false, 0, NULL, DOC_SHARED_MEMORY | DOC_LEGACY_RUNTIME },
	{ "Gen9", "i915", 0, NULL, false, 0, NULL, DOC_SHARED_MEMORY | DOC_LEGACY_RUNTIME },
};

/* compute-runtime 24.35.30872: the last release for Gen8-Gen11 */
#define LEGACY_LAST_BUILD 30872u

const doc_family *doc_family_of(const xpu_device *d)
{
	if (d->vendor != XPU_VENDOR_INTEL || d->family.status.state != XPU_OK)
		return NULL;
	for (size_t i = 0; i < XPU_ARRAY_LEN(families); i++)
		if (strstr(d->family.value, families[i].match))
			return &families[i];
	return NULL;
}

/* The build of Intel's compute-runtime (its Level Zero GPU driver's file
 * name ends in it: libze_intel_gpu.so.1.3.24595 is 22.43.24595); 0 unknown. */
static unsigned neo_build(char *file, size_t len)
{
	if (!doc_lib_file(xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->driver, file, len))
		return 0;
	const char *dot = strrchr(file, '.');
	unsigned long b = dot ? strtoul(dot + 1, NULL, 10) : 0;
	return b > 1000 && b < 1000000 ? (unsigned)b : 0;
}

/* Appends "; text" to a bounded buffer. */
static void note(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);
	if (used + 3 < len)
		snprintf(buf + used, len - used, "%s%s", !used ? "" : buf[used - 1] == ':' ? " " : "; ", text);
}

typedef struct intel_compat {
	char evidence[320];
	char fix[400];
	xpu_verdict verdict;
} intel_compat;

static void worse(intel_compat *ic, xpu_verdict v, const char *fix)
{
	if (ic->verdict == XPU_VERDICT_PASS || (v == XPU_VERDICT_FAIL && ic->verdict == XPU_VERDICT_WARN))
		ic->verdict = v;
	note(ic->fix, sizeof(ic->fix), fix);
}

static void runtime_compat(const doc_ctx *c, const doc_family *f, intel_compat *ic)
{
	char file[512], text[160];
	unsigned build = neo_build(file, sizeof(file));
	if (!build) {
		if (f->min_neo_build || (f->flags & DOC_LEGACY_RUNTIME)) {
			snprintf(text, sizeof(text), "compute-runtime version unknown (no %s)",
				 xpu_runtime_desc_of(XPU_RT_LEVEL_ZERO)->driver);
			note(ic->evidence, sizeof(ic->evidence), text);
		}
		return;
	}
	if (f->min_neo_build && build < f->min_neo_build) {
		snprintf(text, sizeof(text), "compute-runtime build %u is older than %s, the first for it", build,
			 f->min_neo);
		note(ic->evidence, sizeof(ic->evidence), text);
		worse(ic, XPU_VERDICT_FAIL,
		      c->pkg == DOC_PKG_NIX ? "use pkgs.intel-compute-runtime from a current nixpkgs in "
					      "hardware.graphics.extraPackages" :
					      "install compute-runtime >= 24.48 (Intel's packages from "
					      "github.com/intel/compute-runtime/releases, or a newer distribution)");
	} else if ((f->flags & DOC_LEGACY_RUNTIME) && build > LEGACY_LAST_BUILD) {
		snprintf(text, sizeof(text), "compute-runtime build %u no longer drives Gen8-Gen11", build);
		note(ic->evidence, sizeof(ic->evidence), text);
		worse(ic, XPU_VERDICT_WARN,
		      c->pkg == DOC_PKG_NIX ? "use pkgs.intel-compute-runtime-legacy1 in hardware.graphics.extraPackages" :
					      "install compute-runtime 24.35 (the legacy1 series), the last for this GPU");
	} else {
		snprintf(text, sizeof(text), "compute-runtime build %u", build);
		note(ic->evidence, sizeof(ic->evidence), text);
	}
}

static void shared_memory_compat(const doc_ctx *c, intel_compat *ic)
{
	const xpu_device *cpu = NULL;
	for (size_t i = 0; i < xpu_device_count(c->sys); i++)
		if (xpu_device_at(c->sys, i)->vendor == XPU_VENDOR_CPU)
			cpu = xpu_device_at(c->sys, i);
	char text[160];
	if (!cpu || cpu->memory_total_bytes.status.state != XPU_OK) {
		note(ic->evidence, sizeof(ic->evidence), "iGPU: its memory is shared system RAM");
		return;
	}
	double gib = (double)cpu->memory_total_bytes.value / (1024.0 * 1024 * 1024);
	snprintf(text, sizeof(text), "iGPU: its memory is shared system RAM (%.1f GiB in all)", gib);
	note(ic->evidence, sizeof(ic->evidence), text);
	if (gib < 15.5)
		worse(ic, XPU_VERDICT_WARN,
		      "with under 16 GiB of shared RAM pick small quantised models (3B-4B at 4 bits)");
}

static void intel_compat_check(doc_ctx *c, const xpu_device *d)
{
	xpu_check *k = doc_add(c, "compat", "family support", "compat.%s", doc_dev_label(d));
	const doc_family *f = doc_family_of(d);
	if (!f) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no compatibility data for %s (%s)", doc_dev_name(d),
			    d->family.status.state == XPU_OK ? d->family.value : "family unknown");
		return;
	}
	intel_compat ic = { .verdict = XPU_VERDICT_PASS };
	snprintf(ic.evidence, sizeof(ic.evidence), "%s:", d->family.value);
	if (f->torch_xpu) {
		note(ic.evidence, sizeof(ic.evidence), "torch.xpu supports it");
	} else {
		note(ic.evidence, sizeof(ic.evidence), "not in torch.xpu's supported GPUs");
		worse(&ic, XPU_VERDICT_WARN,
		      "for LLMs use Ollama/llama.cpp with Vulkan on this GPU; PyTorch apps run on the CPU");
	}
	if (f->flags & DOC_ONEDNN26_NO_XE2)
		note(ic.evidence, sizeof(ic.evidence), "Xe2: oneDNN 2.6 (old IPEX, ipex-llm) has no kernels for it");
	if (f->flags & DOC_FP64_EMULATED) {
		note(ic.evidence, sizeof(ic.evidence), "no FP64 hardware");
		note(ic.fix, sizeof(ic.fix),
		     "apps that need FP64: set OverrideDefaultFP64Settings=1 IGC_EnableDPEmulation=1");
	}
	runtime_compat(c, f, &ic);
	if (f->flags & DOC_SHARED_MEMORY)
		shared_memory_compat(c, &ic);
	doc_verdict(k, ic.verdict, "%s", ic.evidence);
	if (ic.verdict != XPU_VERDICT_PASS)
		doc_fix(k, "%s", ic.fix);
}

/* CUDA 13 builds no code for compute capability below 7.5. */
static void nvidia_compat_check(doc_ctx *c, const xpu_device *d)
{
	xpu_check *k = doc_add(c, "compat", "family support", "compat.%s", doc_dev_label(d));
	if (d->compute_capability.status.state != XPU_OK) {
		doc_verdict(k, XPU_VERDICT_SKIP, "compute capability of %s unknown (CUDA did not answer)",
			    doc_dev_name(d));
		return;
	}
	int major = 0, minor = 0;
	if (sscanf(d->compute_capability.value, "%d.%d", &major, &minor) != 2) {
		doc_verdict(k, XPU_VERDICT_SKIP, "compute capability '%s' unreadable", d->compute_capability.value);
		return;
	}
	if (major * 10 + minor < 75) {
		doc_verdict(k, XPU_VERDICT_WARN, "%s has compute capability %d.%d: CUDA 13 builds no code for it",
			    doc_dev_name(d), major, minor);
		doc_fix(k, "use CUDA 12 builds of your apps (torch: --index-url https://download.pytorch.org/whl/cu126)");
		return;
	}
	doc_verdict(k, XPU_VERDICT_PASS, "%s has compute capability %d.%d: CUDA 12 and 13 builds support it",
		    doc_dev_name(d), major, minor);
}

void doc_compat_checks(doc_ctx *c)
{
	for (size_t i = 0; i < xpu_device_count(c->sys); i++) {
		const xpu_device *d = xpu_device_at(c->sys, i);
		if (d->vendor == XPU_VENDOR_INTEL && doc_is_gpu(d))
			intel_compat_check(c, d);
		else if (d->vendor == XPU_VENDOR_NVIDIA)
			nvidia_compat_check(c, d);
	}
}
