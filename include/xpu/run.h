/* libxpu, `xpu run`: the backend policy (which device and backend an app
 * gets), the configuration it reads, the app profiles (what each app needs
 * for each backend) and the plan that `xpu run` executes.  The library
 * knows nothing of the command line: the caller parses options and
 * executes the plan. */
#ifndef XPU_RUN_H
#define XPU_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "xpu/xpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- backend policy ---- */

/* Backends an app can be started on, in the default order. */
#define XPU_POLICY_BACKENDS 5

/* The i-th backend of the default order (i < XPU_POLICY_BACKENDS): cuda,
 * level_zero, rocm, vulkan, cpu. */
xpu_backend_kind xpu_policy_backend(size_t i);

/* "cuda" -> XPU_BACKEND_CUDA; also "xpu"/"intel"/"sycl"/"oneapi" for
 * level_zero.  False for names the policy does not know (opencl included). */
bool xpu_backend_parse(const char *name, xpu_backend_kind *out);

typedef struct xpu_request {
	const char *backend;  /* NULL, "" or "auto": the policy order */
	const char *device;   /* NULL or "": any; else index, PCI address, UUID, "cpu" or name part */
	bool fallback;        /* a forced backend that is not usable falls back to the order */
	unsigned supported;   /* bits (1u << backend) the app's profile has; 0: all */
	const char *app;      /* for messages: the profile name, or NULL */
} xpu_request;

typedef struct xpu_rejected {
	const xpu_device *device;
	xpu_backend_kind backend;
	char reason[200];
} xpu_rejected;

#define XPU_MAX_REJECTED (XPU_MAX_DEVICES * XPU_POLICY_BACKENDS)

typedef struct xpu_decision {
	const xpu_device *device;  /* NULL when no candidate was left */
	xpu_backend_kind backend;
	bool forced;               /* the backend came from the request */
	bool fell_back;            /* forced, not usable, and the order took over */
	char why[240];
	size_t n_rejected;
	xpu_rejected rejected[XPU_MAX_REJECTED];
} xpu_decision;

enum {
	XPU_DECIDE_OK = 0,
	XPU_DECIDE_BAD_REQUEST, /* unknown backend name, device that matches nothing or several */
	XPU_DECIDE_UNUSABLE,    /* nothing the request allows is usable (see err) */
};

/* Chooses the device and backend: among usable backends in the order
 * cuda > level_zero > rocm > vulkan on a GPU (discrete before integrated,
 * then more memory), else cpu on the CPU.  err gets one line on failure. */
int xpu_decide(const xpu_system *sys, const xpu_request *req, xpu_decision *out, char *err,
	       size_t errlen);

/* Declares backends usable on a replayed machine (a --sysroot whose
 * runtimes were not probed), for tests and what-if runs:
 * "DEVICE:BACKEND[=RUNTIME_INDEX],..." with DEVICE the `xpu list` index,
 * e.g. "0:level_zero=0,0:vulkan=0,1:cuda=0".  Refused on a probed system. */
int xpu_assume_usable(xpu_system *sys, const char *spec, char *err, size_t errlen);

/* ---- configuration ---- */

typedef enum xpu_source {
	XPU_SRC_DEFAULT = 0,
	XPU_SRC_SYSTEM,       /* /etc/xpu/config */
	XPU_SRC_USER,         /* $XDG_CONFIG_HOME/xpu/config */
	XPU_SRC_ENV,          /* XPU_BACKEND, XPU_DEVICE, XPU_FALLBACK */
	XPU_SRC_COMMAND_LINE,
} xpu_source;

const char *xpu_source_name(xpu_source s); /* "default", "system config", ... */

#define XPU_CONFIG_MAX 32
#define XPU_CONFIG_VALUE_LEN 512
#define XPU_PATH_LEN 1024

typedef struct xpu_setting {
	char key[64];    /* "run.backend", "apps.comfyui" */
	char value[XPU_CONFIG_VALUE_LEN];
	xpu_source source;
	char origin[XPU_PATH_LEN]; /* the file, the variable or the option */
} xpu_setting;

/* Where configuration and profiles live.  Filled from the environment by
 * xpu_paths_init: XPU_SYSCONFDIR (default /etc), XDG_CONFIG_HOME (default
 * $HOME/.config), XPU_PROFILES_DIR (default: the installed share dir, or
 * the source tree's profiles/ for an uninstalled build). */
typedef struct xpu_paths {
	char system_config[XPU_PATH_LEN];  /* /etc/xpu/config */
	char user_config[XPU_PATH_LEN];    /* empty when neither XDG_CONFIG_HOME nor HOME is set */
	char profile_dirs[3][XPU_PATH_LEN]; /* highest precedence first: user, system, shipped */
	size_t n_profile_dirs;
	char shipped_profiles_origin[64];  /* "XPU_PROFILES_DIR", "installed", "source tree" */
} xpu_paths;

void xpu_paths_init(xpu_paths *p);

typedef struct xpu_config {
	size_t count;
	xpu_setting settings[XPU_CONFIG_MAX];
} xpu_config;

/* Defaults, then /etc/xpu/config, the user's config, then XPU_BACKEND,
 * XPU_DEVICE and XPU_FALLBACK.  Missing files are fine; an unreadable or
 * malformed one is an error: "FILE:LINE: what is wrong" in err. */
int xpu_config_load(xpu_config *cfg, const xpu_paths *paths, char *err, size_t errlen);
/* A value from the command line (or anything of higher precedence). */
int xpu_config_set(xpu_config *cfg, const char *key, const char *value, xpu_source src,
		   const char *origin, char *err, size_t errlen);
const xpu_setting *xpu_config_get(const xpu_config *cfg, const char *key);
/* "yes/no/true/false/1/0/on/off"; false on anything else. */
bool xpu_config_bool(const char *value, bool *out);

/* ---- app profiles ---- */

typedef struct xpu_profile xpu_profile;

/* The profile NAME from the first profile dir that has NAME.ini. */
int xpu_profile_load(const xpu_paths *paths, const char *name, xpu_profile **out, char *err,
		     size_t errlen);
int xpu_profile_load_file(const char *file, const char *name, xpu_profile **out, char *err,
			  size_t errlen);
/* The profile whose `commands` list matches the basename of command (glob
 * patterns: python3.*); *out is NULL when none does. */
int xpu_profile_for_command(const xpu_paths *paths, const char *command, xpu_profile **out,
			    char *err, size_t errlen);
/* Calls visit for every profile (NAME.ini) that is in effect, the highest
 * precedence file of each name, by dir then name; visit returns < 0 to
 * fail, > 0 to stop. */
typedef int (*xpu_profile_visit)(const char *file, const char *name, void *user, char *err,
				 size_t errlen);
int xpu_profile_list(const xpu_paths *paths, xpu_profile_visit visit, void *user, char *err,
		     size_t errlen);
void xpu_profile_free(xpu_profile *p);
const char *xpu_profile_name(const xpu_profile *p);
const char *xpu_profile_file(const xpu_profile *p);
const char *xpu_profile_description(const xpu_profile *p);
const char *xpu_profile_command(const xpu_profile *p); /* the program launchers start */
unsigned xpu_profile_backends(const xpu_profile *p);   /* bits (1u << backend) */
/* For `xpu doctor --app`: the app server's default address ("" when the
 * profile gives none) and the variable that moves it ("" when none). */
const char *xpu_profile_url(const xpu_profile *p);
const char *xpu_profile_url_env(const xpu_profile *p);
/* The i-th variable section b sets, in file order, its value as written
 * (placeholders not filled in); false past the last. */
bool xpu_profile_env_at(const xpu_profile *p, xpu_backend_kind b, size_t i, const char **name,
			const char **value);
/* The i-th argument section b appends; NULL past the last. */
const char *xpu_profile_arg_at(const xpu_profile *p, xpu_backend_kind b, size_t i);
/* Whether section b lists name under `require` (or, with integrated, under
 * `require_integrated`): the app fails without it, whatever its default. */
bool xpu_profile_requires(const xpu_profile *p, xpu_backend_kind b, const char *name, bool integrated);

/* ---- the plan: what will be executed ---- */

typedef struct xpu_plan {
	char **argv;      /* NULL-terminated; argv[0] as given */
	char **envp;      /* the app's whole environment */
	char *program;    /* the resolved file (PATH lookup), NULL when not found */
	int program_errno; /* why program is NULL: ENOENT or EACCES */
	char **set;       /* "NAME=VALUE" the profile sets, in file order */
	char **unset;     /* names the profile removes */
	size_t n_set, n_unset;
} xpu_plan;

enum {
	XPU_PLAN_OK = 0,
	XPU_PLAN_BAD_PROFILE,  /* a placeholder has no value for this device */
	XPU_PLAN_NOMEM,
};

/* Applies the profile's section for the decision's backend (profile may be
 * NULL: nothing changes) to environ and argv.  Placeholders: {index},
 * {uuid}, {pci}, {name}, {backend}, {runtime_index}, {cuda.index},
 * {level_zero.index}, {rocm.index}, {vulkan.index}, {opencl.index}, and
 * {{ }} for literal braces. */
int xpu_plan_build(const xpu_profile *profile, const xpu_decision *d, char *const *environ_in,
		   char *const *argv, size_t argc, xpu_plan *out, char *err, size_t errlen);
void xpu_plan_free(xpu_plan *p);

/* PATH lookup as execvp does it (a name with '/' is taken as is); returns
 * a malloc'd path or NULL with errno ENOENT (not found) or EACCES (found,
 * not executable). */
char *xpu_find_program(const char *name, const char *path_var);

#ifdef __cplusplus
}
#endif
#endif
