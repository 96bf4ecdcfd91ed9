/* App profiles: what an app needs for each backend, as data (INI).
 *
 *   [profile]
 *   description = ComfyUI
 *   commands = comfyui          ; basenames (globs) that select this profile
 *   command = comfyui           ; what the launchers start
 *   [cuda]                      ; one section per backend the app supports
 *   env.CUDA_VISIBLE_DEVICES = {uuid}
 *   unset = ZE_AFFINITY_MASK HIP_VISIBLE_DEVICES
 *   arg = --cpu                 ; one argument, appended; repeatable
 *   require = NAME ...          ; xpu doctor: a service must have these as set
 *                               ; here (unset is wrong: the app's default fails)
 *   require_integrated = NAME   ; the same, only on an integrated GPU
 *
 * [profile] may also give url (the app server's default address) and
 * url_env (the variable that moves it), for `xpu doctor --app`.
 *
 * A profile NAME is NAME.ini in the first of the profile dirs that has it
 * (user, then /etc, then the shipped ones): a whole file overrides. */
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "run/ini.h"
#include "run/profile.h"
#include "run/run_int.h"

static const char *const placeholders[] = {
	"index", "uuid", "pci", "name", "backend", "runtime_index",
	"cuda.index", "level_zero.index", "rocm.index", "vulkan.index", "opencl.index",
};

bool xpu_placeholder_known(const char *name, size_t len)
{
	for (size_t i = 0; i < XPU_ARRAY_LEN(placeholders); i++)
		if (strlen(placeholders[i]) == len && strncmp(placeholders[i], name, len) == 0)
			return true;
	return false;
}

/* NULL when every {placeholder} in value is known and braces pair up. */
static const char *bad_placeholder(const char *value, char *buf, size_t len)
{
	for (const char *p = value; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '}') {
			snprintf(buf, len, "a '}' without its '{' in '%s' (write }} for a brace)", value);
			return buf;
		}
		if (*p != '{')
			continue;
		const char *end = strchr(p, '}');
		if (!end) {
			snprintf(buf, len, "unterminated placeholder in '%s'", value);
			return buf;
		}
		if (!xpu_placeholder_known(p + 1, (size_t)(end - p - 1))) {
			snprintf(buf, len, "unknown placeholder {%.*s} (known: {index} {uuid} {pci} "
				 "{name} {backend} {runtime_index} {cuda.index} {level_zero.index} "
				 "{rocm.index} {vulkan.index} {opencl.index})", (int)(end - p - 1), p + 1);
			return buf;
		}
		p = end;
	}
	return NULL;
}

static int add_entry(xpu_profile_section *s, xpu_entry_kind kind, const char *name,
		     const char *value)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		xpu_profile_entry *e = realloc(s->items, cap * sizeof(*e));
		if (!e)
			return -1;
		s->items = e;
		s->cap = cap;
	}
	xpu_profile_entry *e = &s->items[s->n];
	e->kind = kind;
	e->name = strdup(name ? name : "");
	e->value = strdup(value ? value : "");
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return -1;
	}
	s->n++;
	return 0;
}

static int profile_key(xpu_ini_ctx *ctx, xpu_profile *p, const char *key, const char *value)
{
	char *dst;
	size_t len;
	if (strcmp(key, "description") == 0)
		dst = p->description, len = sizeof(p->description);
	else if (strcmp(key, "commands") == 0)
		dst = p->commands, len = sizeof(p->commands);
	else if (strcmp(key, "command") == 0)
		dst = p->command, len = sizeof(p->command);
	else if (strcmp(key, "url") == 0)
		dst = p->url, len = sizeof(p->url);
	else if (strcmp(key, "url_env") == 0)
		dst = p->url_env, len = sizeof(p->url_env);
	else
		return xpu_ini_problem(ctx, "unknown key '%s' in [profile] (keys: description, "
				       "commands, command, url, url_env)", key);
	if (strcmp(key, "url") == 0 && strncmp(value, "http://", 7) && strncmp(value, "https://", 8))
		return xpu_ini_problem(ctx, "url: '%s' is no http:// or https:// address", value);
	if (strcmp(key, "url_env") == 0 && !xpu_env_name_ok(value))
		return xpu_ini_problem(ctx, "url_env: '%s' is no environment variable name", value);
	xpu_strlcpy(dst, value, len);
	return 1;
}

static int unset_names(xpu_ini_ctx *ctx, xpu_profile_section *s, const char *value)
{
	char copy[XPU_PROFILE_LINE];
	xpu_strlcpy(copy, value, sizeof(copy));
	char *save = NULL;
	for (char *n = strtok_r(copy, " \t", &save); n; n = strtok_r(NULL, " \t", &save)) {
		if (!xpu_env_name_ok(n))
			return xpu_ini_problem(ctx, "unset: '%s' is no environment variable name", n);
		if (add_entry(s, XPU_ENTRY_UNSET, n, NULL))
			return xpu_ini_problem(ctx, "out of memory");
	}
	return 1;
}

/* require(_integrated) = NAME ...: names of variables this section sets. */
static int require_names(xpu_ini_ctx *ctx, xpu_profile_section *s, const char *key, const char *value)
{
	char *dst = strcmp(key, "require") == 0 ? s->require : s->require_integrated;
	size_t cap = sizeof(s->require);
	char copy[XPU_PROFILE_LINE];
	xpu_strlcpy(copy, value, sizeof(copy));
	char *save = NULL;
	for (char *n = strtok_r(copy, " \t", &save); n; n = strtok_r(NULL, " \t", &save)) {
		if (!xpu_env_name_ok(n))
			return xpu_ini_problem(ctx, "%s: '%s' is no environment variable name", key, n);
		size_t used = strlen(dst);
		if (used + strlen(n) + 2 > cap)
			return xpu_ini_problem(ctx, "%s: too many names", key);
		snprintf(dst + used, cap - used, "%s%s", used ? " " : "", n);
	}
	return 1;
}

static int backend_key(xpu_ini_ctx *ctx, xpu_profile_section *s, const char *key,
		       const char *value)
{
	char why[512];
	if (strncmp(key, "env.", 4) == 0) {
		if (!xpu_env_name_ok(key + 4))
			return xpu_ini_problem(ctx, "'%s' is no environment variable name", key + 4);
		if (bad_placeholder(value, why, sizeof(why)))
			return xpu_ini_problem(ctx, "%s: %s", key, why);
		return add_entry(s, XPU_ENTRY_SET, key + 4, value) ? xpu_ini_problem(ctx, "out of memory") : 1;
	}
	if (strcmp(key, "unset") == 0)
		return unset_names(ctx, s, value);
	if (strcmp(key, "require") == 0 || strcmp(key, "require_integrated") == 0)
		return require_names(ctx, s, key, value);
	if (strcmp(key, "arg") == 0) {
		if (bad_placeholder(value, why, sizeof(why)))
			return xpu_ini_problem(ctx, "arg: %s", why);
		return add_entry(s, XPU_ENTRY_ARG, NULL, value) ? xpu_ini_problem(ctx, "out of memory") : 1;
	}
	return xpu_ini_problem(ctx, "unknown key '%s' (keys: env.NAME, unset, arg, require, "
			       "require_integrated)", key);
}

static int on_profile(xpu_ini_ctx *ctx, const char *section, const char *key, const char *value)
{
	xpu_profile *p = ctx->user;
	if (strcmp(section, "profile") == 0)
		return profile_key(ctx, p, key, value);
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		if (b == XPU_BACKEND_OPENCL || strcmp(section, xpu_backend_name((xpu_backend_kind)b)))
			continue;
		p->backends[b].present = true;
		return backend_key(ctx, &p->backends[b], key, value);
	}
	char names[96];
	run_backend_names(names, sizeof(names));
	return xpu_ini_problem(ctx, "unknown section [%s] (sections: profile, %s)", section, names);
}

void xpu_profile_free(xpu_profile *p)
{
	if (!p)
		return;
	for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
		for (size_t i = 0; i < p->backends[b].n; i++) {
			free(p->backends[b].items[i].name);
			free(p->backends[b].items[i].value);
		}
		free(p->backends[b].items);
	}
	free(p);
}

int xpu_profile_load_file(const char *file, const char *name, xpu_profile **out, char *err,
			  size_t errlen)
{
	*out = NULL;
	xpu_profile *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	xpu_strlcpy(p->name, name, sizeof(p->name));
	xpu_strlcpy(p->file, file, sizeof(p->file));
	int rc = xpu_ini_load(file, on_profile, p, err, errlen);
	if (rc == XPU_INI_MISSING)
		snprintf(err, errlen, "%s: no such profile file", file);
	if (rc != XPU_INI_OK) {
		xpu_profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int run_profile_parse(const char *name, const char *text, xpu_profile **out, char *err, size_t errlen)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	xpu_strlcpy((*out)->name, name, sizeof((*out)->name));
	if (xpu_ini_parse(name, text, on_profile, *out, err, errlen) != XPU_INI_OK) {
		xpu_profile_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static bool name_ok(const char *name)
{
	if (!name[0] || name[0] == '.')
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/')
			return false;
	return true;
}

int xpu_profile_load(const xpu_paths *paths, const char *name, xpu_profile **out, char *err,
		     size_t errlen)
{
	*out = NULL;
	if (!name_ok(name)) {
		snprintf(err, errlen, "'%s' is no profile name", name);
		return -1;
	}
	char file[XPU_PATH_LEN + 80];
	for (size_t i = 0; i < paths->n_profile_dirs; i++) {
		snprintf(file, sizeof(file), "%s/%s.ini", paths->profile_dirs[i], name);
		if (access(file, F_OK) == 0)
			return xpu_profile_load_file(file, name, out, err, errlen);
	}
	snprintf(err, errlen, "no profile '%s' in %s (see 'xpu config' for the profiles)", name,
		 paths->profile_dirs[paths->n_profile_dirs - 1]);
	return -1;
}

static bool commands_match(const xpu_profile *p, const char *base)
{
	char copy[sizeof(p->commands)];
	xpu_strlcpy(copy, p->commands, sizeof(copy));
	char *save = NULL;
	for (char *pat = strtok_r(copy, " \t", &save); pat; pat = strtok_r(NULL, " \t", &save))
		if (fnmatch(pat, base, 0) == 0)
			return true;
	return false;
}

static bool seen(char names[][64], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int xpu_profile_list(const xpu_paths *paths, xpu_profile_visit visit, void *user, char *err,
		     size_t errlen)
{
	char names[64][64];
	size_t n = 0;
	for (size_t d = 0; d < paths->n_profile_dirs; d++) {
		struct dirent **ents = NULL;
		int count = scandir(paths->profile_dirs[d], &ents, NULL, alphasort);
		int rc = 0;
		for (int i = 0; i < count; i++) {
			char name[64];
			size_t len = strlen(ents[i]->d_name);
			if (rc == 0 && len > 4 && len < sizeof(name) + 4 &&
			    strcmp(ents[i]->d_name + len - 4, ".ini") == 0 && ents[i]->d_name[0] != '.') {
				snprintf(name, sizeof(name), "%.*s", (int)(len - 4), ents[i]->d_name);
				if (!seen(names, n, name) && n < XPU_ARRAY_LEN(names)) {
					xpu_strlcpy(names[n++], name, sizeof(names[0]));
					char file[XPU_PATH_LEN + 80];
					snprintf(file, sizeof(file), "%s/%s", paths->profile_dirs[d],
						 ents[i]->d_name);
					rc = visit(file, name, user, err, errlen);
				}
			}
			free(ents[i]);
		}
		free(ents);
		if (rc)
			return rc < 0 ? -1 : 0; /* < 0 error, > 0 stop */
	}
	return 0;
}

typedef struct by_command {
	const char *base;
	xpu_profile *found;
} by_command;

static int match_visit(const char *file, const char *name, void *user, char *err, size_t errlen)
{
	by_command *bc = user;
	xpu_profile *p;
	if (xpu_profile_load_file(file, name, &p, err, errlen))
		return -1;
	if (commands_match(p, bc->base)) {
		bc->found = p;
		return 1;
	}
	xpu_profile_free(p);
	return 0;
}

int xpu_profile_for_command(const xpu_paths *paths, const char *command, xpu_profile **out,
			    char *err, size_t errlen)
{
	const char *slash = strrchr(command, '/');
	by_command bc = { slash ? slash + 1 : command, NULL };
	*out = NULL;
	if (xpu_profile_list(paths, match_visit, &bc, err, errlen))
		return -1;
	*out = bc.found;
	return 0;
}

const char *xpu_profile_name(const xpu_profile *p)
{
	return p->name;
}

const char *xpu_profile_file(const xpu_profile *p)
{
	return p->file;
}

const char *xpu_profile_description(const xpu_profile *p)
{
	return p->description;
}

const char *xpu_profile_command(const xpu_profile *p)
{
	return p->command[0] ? p->command : p->name;
}

unsigned xpu_profile_backends(const xpu_profile *p)
{
	unsigned mask = 0;
	for (int b = 0; b < XPU_BACKEND_COUNT; b++)
		if (p->backends[b].present)
			mask |= 1u << b;
	return mask;
}

const char *xpu_profile_url(const xpu_profile *p)
{
	return p->url;
}

const char *xpu_profile_url_env(const xpu_profile *p)
{
	return p->url_env;
}

/* The i-th entry of kind k in section b, or NULL. */
static const xpu_profile_entry *entry_at(const xpu_profile *p, xpu_backend_kind b, xpu_entry_kind k, size_t i)
{
	if ((int)b < 0 || b >= XPU_BACKEND_COUNT)
		return NULL;
	const xpu_profile_section *s = &p->backends[b];
	for (size_t j = 0; j < s->n; j++)
		if (s->items[j].kind == k && i-- == 0)
			return &s->items[j];
	return NULL;
}

bool xpu_profile_env_at(const xpu_profile *p, xpu_backend_kind b, size_t i, const char **name,
			const char **value)
{
	const xpu_profile_entry *e = entry_at(p, b, XPU_ENTRY_SET, i);
	if (!e)
		return false;
	*name = e->name;
	*value = e->value;
	return true;
}

const char *xpu_profile_arg_at(const xpu_profile *p, xpu_backend_kind b, size_t i)
{
	const xpu_profile_entry *e = entry_at(p, b, XPU_ENTRY_ARG, i);
	return e ? e->value : NULL;
}

bool xpu_profile_requires(const xpu_profile *p, xpu_backend_kind b, const char *name, bool integrated)
{
	if ((int)b < 0 || b >= XPU_BACKEND_COUNT)
		return false;
	const xpu_profile_section *s = &p->backends[b];
	return xpu_word_in(s->require, name) || (integrated && xpu_word_in(s->require_integrated, name));
}
