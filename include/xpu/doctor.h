/* libxpu doctor: why an app is not on the GPU, and the exact fix.
 *
 * Checks run in groups (kernel, access, runtimes, frameworks, apps,
 * compatibility).  Each gives one verdict with one line of evidence and, for
 * WARN and FAIL, the fix for this system (a NixOS option on NixOS, the
 * distribution's command elsewhere).  The library prints nothing. */
#ifndef XPU_DOCTOR_H
#define XPU_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "xpu/xpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a field of `xpu doctor --json` changes meaning or goes away. */
#define XPU_DOCTOR_SCHEMA_VERSION 1

typedef enum xpu_verdict {
	XPU_VERDICT_PASS = 0,
	XPU_VERDICT_WARN,
	XPU_VERDICT_FAIL,
	XPU_VERDICT_SKIP, /* does not apply here, or an earlier failure hides it */
} xpu_verdict;

typedef struct xpu_check {
	char id[64];        /* stable: "runtime.cuda", "kernel.driver.0000:03:00.0" */
	const char *group;  /* "kernel", "access", "runtimes", "frameworks", "apps", "compat" */
	char title[64];     /* for people: "CUDA driver API" */
	xpu_verdict verdict;
	char evidence[512]; /* what was seen */
	char fix[400];      /* WARN and FAIL: what to do; empty otherwise */
} xpu_check;

typedef struct xpu_doctor_options {
	/* NULL: no app checks.  Else an app that has a profile of `xpu run`
	 * (xpu_doctor_app_known): its server and service are checked as the
	 * profile describes them, and its own API where doctor knows it. */
	const char *app;
	const char *url;          /* the app's server; NULL: its profile's (url_env, else url) */
	double http_timeout_s;    /* whole request, connection included; <= 0: 3 s */
	double python_timeout_s;  /* the torch probe subprocess; <= 0: 30 s */
	/* The interpreter for the framework checks; NULL: $XPU_PYTHON, else
	 * python3 from PATH. */
	const char *python;
} xpu_doctor_options;

typedef struct xpu_doctor_report xpu_doctor_report;

/* Runs every check on a discovered system.  Returns XPU_E_OK or XPU_E_NOMEM
 * (err says so); everything found wrong is a verdict, never an error. */
int xpu_doctor_run(const xpu_system *sys, const xpu_doctor_options *opt,
		   xpu_doctor_report **out, char *err, size_t errlen);
void xpu_doctor_free(xpu_doctor_report *r);

size_t xpu_doctor_count(const xpu_doctor_report *r);
const xpu_check *xpu_doctor_at(const xpu_doctor_report *r, size_t i);
/* How many checks gave verdict v. */
size_t xpu_doctor_tally(const xpu_doctor_report *r, xpu_verdict v);
/* Whether fixes are written as NixOS options (/etc/NIXOS exists). */
bool xpu_doctor_is_nixos(const xpu_doctor_report *r);
/* 0 every check passed or was skipped, 1 warnings only, 2 any failure. */
int xpu_doctor_exit_status(const xpu_doctor_report *r);

const char *xpu_verdict_name(xpu_verdict v); /* "PASS" */
/* The apps --app accepts: the app profiles in effect (the shipped
 * profiles/NAME.ini, /etc/xpu/profiles.d, the user's profiles.d,
 * XPU_PROFILES_DIR), as one line sorted by name: "comfyui, invokeai, ...".
 * Returns how many ("" and 0 when no profile folder has any). */
size_t xpu_doctor_apps(char *list, size_t len);
/* Whether name is one of them. */
bool xpu_doctor_app_known(const char *name);

/* JSON of the report (jansson string, caller frees with free()). */
char *xpu_doctor_json(const xpu_doctor_report *r, bool pretty);

#ifdef __cplusplus
}
#endif
#endif
