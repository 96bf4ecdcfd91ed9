/* The plan of `xpu run`: the profile's section for the chosen backend,
 * applied to the environment and the arguments, with placeholders filled
 * from the chosen device; and the program found on PATH as execvp would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "model/value.h"
#include "run/profile.h"

typedef struct strv {
	char **v;
	size_t n, cap;
} strv;

static int strv_push(strv *s, char *str)
{
	if (!str)
		return -1;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			free(str);
			return -1;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

static void strv_free(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The entry of s for variable name, or s->n. */
static size_t env_find(const strv *s, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < s->n; i++)
		if (strncmp(s->v[i], name, len) == 0 && s->v[i][len] == '=')
			return i;
	return s->n;
}

static void env_remove(strv *s, const char *name)
{
	size_t i = env_find(s, name);
	if (i == s->n)
		return;
	free(s->v[i]);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i) * sizeof(*s->v)); /* moves the NULL too */
	s->n--;
}

static const char *env_get(const strv *s, const char *name)
{
	size_t i = env_find(s, name);
	return i == s->n ? NULL : s->v[i] + strlen(name) + 1;
}

typedef struct expand_ctx {
	const xpu_profile *p;
	const xpu_decision *d;
	char *err;
	size_t errlen;
} expand_ctx;

static int no_value(const expand_ctx *c, const char *ph, const char *why)
{
	snprintf(c->err, c->errlen, "%s [%s]: {%s} has no value for device %u (%s): %s; choose "
		 "another device or backend, or fix the profile", c->p->file,
		 xpu_backend_name(c->d->backend), ph, c->d->device->index, c->d->device->name.value, why);
	return -1;
}

static int runtime_index(const expand_ctx *c, const char *ph, xpu_backend_kind b, char *out,
			 size_t len)
{
	const xpu_backend *be = &c->d->device->backends[b];
	if (be->runtime_index < 0) {
		char why[160];
		return no_value(c, ph, be->usable ? "the runtime gave no index"
				: xpu_status_describe(&be->status, why, sizeof(why)));
	}
	snprintf(out, len, "%d", be->runtime_index);
	return 0;
}

/* The value of placeholder ph (without braces) in out. */
static int placeholder(const expand_ctx *c, const char *ph, char *out, size_t len)
{
	const xpu_device *dev = c->d->device;
	char why[160];
	if (strcmp(ph, "index") == 0) {
		snprintf(out, len, "%u", dev->index);
	} else if (strcmp(ph, "uuid") == 0) {
		if (!xpu_is_ok(&dev->uuid.status))
			return no_value(c, ph, xpu_status_describe(&dev->uuid.status, why, sizeof(why)));
		snprintf(out, len, "%s", dev->uuid.value);
	} else if (strcmp(ph, "pci") == 0) {
		if (!dev->pci_address[0])
			return no_value(c, ph, "not a PCI device");
		snprintf(out, len, "%s", dev->pci_address);
	} else if (strcmp(ph, "name") == 0) {
		snprintf(out, len, "%s", dev->name.value);
	} else if (strcmp(ph, "backend") == 0) {
		snprintf(out, len, "%s", xpu_backend_name(c->d->backend));
	} else if (strcmp(ph, "runtime_index") == 0) {
		return runtime_index(c, ph, c->d->backend, out, len);
	} else {
		for (int b = 0; b < XPU_BACKEND_COUNT; b++) {
			const char *bn = xpu_backend_name((xpu_backend_kind)b);
			size_t n = strlen(bn);
			if (strncmp(ph, bn, n) == 0 && strcmp(ph + n, ".index") == 0)
				return runtime_index(c, ph, (xpu_backend_kind)b, out, len);
		}
		return no_value(c, ph, "unknown placeholder");
	}
	return 0;
}

/* value with its placeholders filled in, malloc'd. */
static char *expand(const expand_ctx *c, const char *value)
{
	size_t cap = strlen(value) + 256, n = 0;
	char *out = malloc(cap);
	if (!out) {
		snprintf(c->err, c->errlen, "out of memory");
		return NULL;
	}
	for (const char *p = value; *p; p++) {
		char piece[XPU_TEXT_LEN + 64] = { p[0], '\0' };
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
		} else if (p[0] == '{') {
			const char *end = strchr(p, '}');
			char ph[64];
			snprintf(ph, sizeof(ph), "%.*s", end ? (int)(end - p - 1) : 0, p + 1);
			if (!end || placeholder(c, ph, piece, sizeof(piece))) {
				free(out);
				return NULL;
			}
			p = end;
		}
		size_t len = strlen(piece);
		if (n + len + 1 > cap) {
			cap = (n + len + 1) * 2;
			char *bigger = realloc(out, cap);
			if (!bigger) {
				free(out);
				snprintf(c->err, c->errlen, "out of memory");
				return NULL;
			}
			out = bigger;
		}
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return out;
}

static char *join_env(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

static int apply_entry(const expand_ctx *c, const xpu_profile_entry *e, strv *env, strv *args,
		       strv *set, strv *unset)
{
	if (e->kind == XPU_ENTRY_UNSET) {
		env_remove(env, e->name);
		return strv_push(unset, strdup(e->name));
	}
	char *value = expand(c, e->value);
	if (!value)
		return -2;
	if (e->kind == XPU_ENTRY_ARG)
		return strv_push(args, value);
	env_remove(env, e->name);
	int rc = strv_push(env, join_env(e->name, value));
	if (rc == 0)
		rc = strv_push(set, join_env(e->name, value));
	free(value);
	return rc;
}

void xpu_plan_free(xpu_plan *p)
{
	strv parts[] = { { p->argv, 0, 0 }, { p->envp, 0, 0 }, { p->set, 0, 0 }, { p->unset, 0, 0 } };
	for (size_t i = 0; i < XPU_ARRAY_LEN(parts); i++) {
		for (char **s = parts[i].v; s && *s; s++)
			free(*s);
		free(parts[i].v);
	}
	free(p->program);
	memset(p, 0, sizeof(*p));
}

static int build(const xpu_profile *profile, const xpu_decision *d, char *const *environ_in,
		 char *const *argv, size_t argc, strv *env, strv *args, strv *set, strv *unset,
		 char *err, size_t errlen)
{
	for (char *const *e = environ_in; e && *e; e++)
		if (strv_push(env, strdup(*e)))
			return -1;
	for (size_t i = 0; i < argc; i++)
		if (strv_push(args, strdup(argv[i])))
			return -1;
	if (!profile || !d->device)
		return 0;
	const xpu_profile_section *sec = &profile->backends[d->backend];
	expand_ctx c = { profile, d, err, errlen };
	for (size_t i = 0; i < sec->n; i++) {
		int rc = apply_entry(&c, &sec->items[i], env, args, set, unset);
		if (rc)
			return rc;
	}
	return 0;
}

/* An empty list is still a NULL-terminated array. */
static bool terminated(strv *s)
{
	if (!s->v)
		s->v = calloc(1, sizeof(*s->v));
	return s->v != NULL;
}

int xpu_plan_build(const xpu_profile *profile, const xpu_decision *d, char *const *environ_in,
		   char *const *argv, size_t argc, xpu_plan *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	strv env = { 0 }, args = { 0 }, set = { 0 }, unset = { 0 };
	int rc = build(profile, d, environ_in, argv, argc, &env, &args, &set, &unset, err, errlen);
	if (rc == 0 && !(terminated(&env) && terminated(&args) && terminated(&set) &&
			 terminated(&unset)))
		rc = -1;
	if (rc) {
		if (rc == -1)
			snprintf(err, errlen, "out of memory");
		strv_free(&env);
		strv_free(&args);
		strv_free(&set);
		strv_free(&unset);
		return rc == -1 ? XPU_PLAN_NOMEM : XPU_PLAN_BAD_PROFILE;
	}
	out->argv = args.v;
	out->envp = env.v;
	out->set = set.v;
	out->unset = unset.v;
	out->n_set = set.n;
	out->n_unset = unset.n;
	if (argc > 0) {
		out->program = xpu_find_program(argv[0], env_get(&env, "PATH"));
		out->program_errno = out->program ? 0 : errno;
	}
	return XPU_PLAN_OK;
}

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *xpu_find_program(const char *name, const char *path_var)
{
	if (!name[0]) {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(name, '/')) {
		if (is_executable_file(name))
			return strdup(name);
		errno = access(name, F_OK) == 0 ? EACCES : ENOENT;
		return NULL;
	}
	/* execvp's default search path when PATH is unset */
	const char *path = path_var ? path_var : "/bin:/usr/bin";
	bool denied = false;
	size_t nlen = strlen(name);
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char *full = malloc(dlen + nlen + 3);
		if (!full)
			return NULL;
		/* an empty element is the current folder, as for execvp */
		snprintf(full, dlen + nlen + 3, "%.*s%s%s", (int)dlen, dlen ? p : ".", "/", name);
		if (is_executable_file(full))
			return full;
		denied = denied || access(full, F_OK) == 0;
		free(full);
		if (!*end)
			break;
		p = end;
	}
	errno = denied ? EACCES : ENOENT;
	return NULL;
}
