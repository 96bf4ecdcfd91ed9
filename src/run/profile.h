/* The inside of an app profile, shared by profile.c (reading) and plan.c
 * (applying). */
#ifndef XPU_RUN_PROFILE_H
#define XPU_RUN_PROFILE_H

#include "xpu/run.h"

#define XPU_PROFILE_LINE 1024

typedef enum xpu_entry_kind {
	XPU_ENTRY_SET,   /* env.NAME = VALUE */
	XPU_ENTRY_UNSET, /* unset = NAME ... */
	XPU_ENTRY_ARG,   /* arg = VALUE */
} xpu_entry_kind;

typedef struct xpu_profile_entry {
	xpu_entry_kind kind;
	char *name;
	char *value;
} xpu_profile_entry;

typedef struct xpu_profile_section {
	bool present;
	char require[256];            /* require = NAME ...: xpu doctor: must be set as here */
	char require_integrated[256]; /* the same, on an integrated GPU only */
	xpu_profile_entry *items; /* in file order */
	size_t n, cap;
} xpu_profile_section;

struct xpu_profile {
	char name[64];
	char file[XPU_PATH_LEN + 80];
	char description[256];
	char commands[512];
	char command[512];
	char url[256];     /* where the app's server answers by default (xpu doctor) */
	char url_env[64];  /* the variable that moves it ([scheme://]host[:port]) */
	xpu_profile_section backends[XPU_BACKEND_COUNT];
};

bool xpu_placeholder_known(const char *name, size_t len);

#endif
