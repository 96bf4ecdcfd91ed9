/* Private to src/doctor: the context every check group shares, and the
 * helpers that add a check and write its verdict and fix. */
#ifndef XPU_DOCTOR_INT_H
#define XPU_DOCTOR_INT_H

#include <stdbool.h>

#include "sys/sys.h"
#include "xpu/doctor.h"
#include "xpu/xpu.h"

typedef enum doc_pkg_tool {
	DOC_PKG_OTHER = 0,
	DOC_PKG_APT, /* Debian, Ubuntu and their derivatives */
	DOC_PKG_NIX, /* NixOS: fixes are configuration options */
} doc_pkg_tool;

/* What the framework probe found, for the checks that follow it. */
typedef struct doc_torch {
	bool ran;          /* the interpreter answered with a report */
	bool imported;     /* import torch worked */
	char version[48];
	bool cuda_built, cuda_available;
	long cuda_count;
	bool xpu_available;
} doc_torch;

/* An interpreter found on this machine, and whether it has torch
 * (pythons.c). */
typedef struct doc_python {
	char path[256];    /* as found: "/usr/bin/python3", "$VIRTUAL_ENV/bin/python" */
	char real[256];    /* its real file: the same file found twice is listed once */
	char where[48];    /* "PATH", "XPU_PYTHON", "venv $VIRTUAL_ENV", "conda $CONDA_PREFIX" */
	bool checked;      /* the one the framework checks ran */
	bool answered;
	char torch[48];    /* torch's version; "" none */
	char why[96];      /* why it did not answer */
} doc_python;
typedef struct doc_pythons {
	size_t n;
	doc_python p[12];
} doc_pythons;

typedef struct doc_ctx {
	const xpu_system *sys;
	const xpu_doctor_options *opt;
	xsys fs;             /* rooted at the system's sysroot */
	doc_pkg_tool pkg;
	bool has_gpu;        /* any vendor's, SoC GPUs included */
	bool has_intel_gpu, has_nvidia_gpu, has_amd_gpu;
	bool has_discrete_gpu;
	bool any_gpu_usable; /* some GPU has a usable backend */
	doc_torch torch;
	doc_pythons pythons;
	xpu_doctor_report *report;
	bool nomem;
} doc_ctx;

/* Appends a check, SKIP with no evidence until a verdict is given; NULL
 * (and c->nomem) when memory runs out.  id is formatted. */
xpu_check *doc_add(doc_ctx *c, const char *group, const char *title, const char *idfmt, ...)
	__attribute__((format(printf, 4, 5)));
void doc_verdict(xpu_check *k, xpu_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void doc_fix(xpu_check *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A fix that installs something: the NixOS option on NixOS, else the apt
 * package on Debian/Ubuntu, else the apt name as a hint.  then: what to do
 * after installing, or NULL. */
void doc_fix_install(const doc_ctx *c, xpu_check *k, const char *nix_option, const char *apt_pkg,
		     const char *then);

/* A device's short label for ids: its PCI address, or "cpu". */
const char *doc_dev_label(const xpu_device *d);
/* The device's name, or "(unnamed)". */
const char *doc_dev_name(const xpu_device *d);
bool doc_is_gpu(const xpu_device *d);
/* A device node's path, also when discovery found it denied; false when the
 * node does not exist. */
bool doc_node_path(const xpu_text *node, char *path, size_t len);

/* pythons.c: the interpreters of PATH, /usr/bin/python3, the active venv and
 * conda, besides the one checked (where: how it was chosen), each asked
 * for torch's version; then the check that lists them. */
void doc_python_survey(doc_ctx *c, const char *checked, const char *where);
void doc_python_check(doc_ctx *c);
/* Another interpreter than the one checked that has torch, or NULL. */
const doc_python *doc_python_with_torch(const doc_ctx *c);

/* The check groups, in the order they run. */
void doc_kernel_checks(doc_ctx *c);
void doc_access_checks(doc_ctx *c);
void doc_runtime_checks(doc_ctx *c);
void doc_framework_checks(doc_ctx *c);
void doc_app_checks(doc_ctx *c);
void doc_compat_checks(doc_ctx *c);

/* xpu_doctor_run with only some groups (bits in that order): the fuzzer
 * takes the frameworks and apps alone, whose JSON it feeds. */
enum {
	DOC_FRAMEWORKS = 1u << 3,
	DOC_APPS = 1u << 4,
	DOC_ALL_GROUPS = 0x3f,
};
int doc_run_groups(const xpu_system *sys, const xpu_doctor_options *opt, unsigned groups,
		   xpu_doctor_report **out, char *err, size_t errlen);

#endif

/* compat.c: what each device family needs and supports (data). */
enum {
	DOC_ONEDNN26_NO_XE2 = 1u << 0, /* oneDNN 2.6 predates Xe2: no GPU kernels for it */
	DOC_FP64_EMULATED = 1u << 1,   /* no FP64 hardware: emulation must be enabled */
	DOC_SHARED_MEMORY = 1u << 2,   /* an iGPU: its memory is system RAM */
	DOC_LEGACY_RUNTIME = 1u << 3,  /* compute-runtime-legacy1 (24.35) is the last for it */
};
typedef struct doc_family {
	const char *match;      /* a substring of xpu_device.family */
	const char *drivers;    /* the kernel drivers that drive it, preferred first */
	int min_kernel;         /* major*100+minor since which its driver binds by default; 0 unknown */
	const char *probe_driver; /* on older kernels: <driver>.force_probe=<device id> */
	bool torch_xpu;         /* in torch.xpu's list of supported GPUs */
	unsigned min_neo_build; /* compute-runtime build (3rd field) it needs; 0 any */
	const char *min_neo;    /* that release, for people */
	unsigned flags;
} doc_family;
const doc_family *doc_family_of(const xpu_device *d);

/* libs.c: where a shared library really is, and its version suffix. */
/* The real file behind soname (already loaded, or in the usual folders);
 * false when not found. */
bool doc_lib_file(const char *soname, char *path, size_t len);
/* "libcuda.so.580.159.04" -> "580.159.04"; "" when the name has no suffix
 * beyond the soname's. */
void doc_lib_version(const char *path, const char *soname, char *out, size_t len);
/* The kernel release as major*100+minor (6.8 -> 608); 0 when unreadable. */
int doc_kernel_version(const doc_ctx *c, char *text, size_t len);

/* apps.c: what the checks of one app share. */
typedef struct xpu_profile xpu_profile;
typedef struct app_ctx {
	char base[256];
	double timeout;
	const xpu_profile *profile;
	const char *name; /* the profile's name: "ollama" */
} app_ctx;
/* The pid of a process whose comm is command, or 0. */
long doc_app_service_pid(const doc_ctx *c, const char *command);
/* The service's environment against the app's profile (apps.<app>.env). */
void doc_app_env_check(doc_ctx *c, const app_ctx *a);
/* app_llama.c: llama.cpp's llama-server (/health, /props, /slots, the
 * layers on the GPU). */
void doc_llama_server_checks(doc_ctx *c, const app_ctx *a);

/* proc.c: a child process with a hard time limit, never waited on unbounded. */
typedef enum doc_proc_end {
	DOC_PROC_EXITED = 0, /* exit_code says how */
	DOC_PROC_NOT_FOUND,  /* no such program (in PATH) */
	DOC_PROC_SPAWN_FAILED,
	DOC_PROC_SIGNALED,   /* term_signal killed it */
	DOC_PROC_TIMED_OUT,  /* killed (with its process group) at the limit */
} doc_proc_end;
typedef struct doc_proc {
	doc_proc_end end;
	int exit_code, term_signal, spawn_errno;
	char *out;             /* stdout, NUL-terminated (malloc'd, may be NULL) */
	size_t out_len;
	char err_tail[256];    /* the last line of stderr */
} doc_proc;
void doc_proc_run(const char *const argv[], double timeout_s, doc_proc *p);
void doc_proc_free(doc_proc *p);

