/* The Pythons of this machine, and which has torch: the one the framework
 * checks ran (XPU_PYTHON, --python, else python3 in PATH) may not be the one
 * the app uses (pyenv's shim first in PATH, the system's with Debian's
 * python3-torch, a venv, conda).  Each other interpreter found is asked, in a
 * subprocess with a short limit, whether torch is installed and which
 * version (importlib's metadata: torch is not imported, which takes
 * seconds), so that doctor can say which one it checked and which others
 * have torch. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "doctor/doctor_int.h"

#define MARK "XPU-PYTHONS "
#define PROBE_LIMIT_S 5.0

static const char torch_version_script[] =
	"import json, sys\n"
	"r = {'python': sys.version.split()[0]}\n"
	"try:\n"
	"    import importlib.metadata as md\n"
	"    r['torch'] = md.version('torch')\n"
	"except Exception:\n"
	"    r['torch'] = None\n"
	"print('" MARK "' + json.dumps(r), flush=True)\n";

/* Adds path (found as where) unless it is not executable or the same file
 * as one already listed. */
static void add(doc_pythons *ps, const char *path, const char *where, bool checked)
{
	char real[PATH_MAX];
	if (ps->n >= XPU_ARRAY_LEN(ps->p) || access(path, X_OK) != 0 || !realpath(path, real))
		return;
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].real, real) == 0)
			return;
	doc_python *p = &ps->p[ps->n++];
	memset(p, 0, sizeof(*p));
	xpu_strlcpy(p->path, path, sizeof(p->path));
	xpu_strlcpy(p->real, real, sizeof(p->real));
	xpu_strlcpy(p->where, where, sizeof(p->where));
	p->checked = checked;
}

/* Every NAME in PATH, in PATH's order. */
static void add_from_path(doc_pythons *ps, const char *name)
{
	const char *env = getenv("PATH");
	for (const char *d = env; d && *d;) {
		size_t n = strcspn(d, ":");
		char path[PATH_MAX];
		if (n && snprintf(path, sizeof(path), "%.*s/%s", (int)n, d, name) < (int)sizeof(path))
			add(ps, path, "PATH", false);
		d += n + (d[n] == ':');
	}
}

/* A variable's folder plus a file in it: $VIRTUAL_ENV/bin/python. */
static void add_from_env(doc_pythons *ps, const char *var, const char *file, const char *where)
{
	const char *dir = getenv(var);
	char path[PATH_MAX];
	if (dir && *dir && snprintf(path, sizeof(path), "%s/%s", dir, file) < (int)sizeof(path))
		add(ps, path, where, false);
}

/* The interpreter checked, as a path: a bare name through PATH. */
static void add_checked(doc_pythons *ps, const char *py, const char *where)
{
	if (strchr(py, '/')) {
		add(ps, py, where, true);
		return;
	}
	size_t before = ps->n;
	add_from_path(ps, py);
	for (size_t i = before; i < ps->n; i++)
		ps->p[i].checked = i == before; /* the first in PATH is what runs */
	ps->n = ps->n > before ? before + 1 : before;
}

/* torch's version in p's site-packages, or why p did not say. */
static void ask(doc_python *p)
{
	const char *const argv[] = { p->path, "-c", torch_version_script, NULL };
	doc_proc proc;
	doc_proc_run(argv, PROBE_LIMIT_S, &proc);
	const char *line = proc.out ? strstr(proc.out, MARK) : NULL;
	json_t *r = line ? json_loads(line + strlen(MARK), JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (r) {
		p->answered = true;
		const char *v = json_string_value(json_object_get(r, "torch"));
		xpu_strlcpy(p->torch, v ? v : "", sizeof(p->torch));
		json_decref(r);
	} else {
		snprintf(p->why, sizeof(p->why), "%s", proc.end == DOC_PROC_TIMED_OUT ? "no answer" :
			 proc.err_tail[0] ? proc.err_tail : "no answer");
	}
	doc_proc_free(&proc);
}

void doc_python_survey(doc_ctx *c, const char *checked, const char *where)
{
	doc_pythons *ps = &c->pythons;
	memset(ps, 0, sizeof(*ps));
	add_checked(ps, checked, where);
	add_from_path(ps, "python3");
	add(ps, "/usr/bin/python3", "/usr/bin/python3", false);
	add_from_env(ps, "VIRTUAL_ENV", "bin/python", "venv $VIRTUAL_ENV");
	add_from_env(ps, "CONDA_PREFIX", "bin/python", "conda $CONDA_PREFIX");
	const char *base = getenv("CONDA_PYTHON_EXE");
	if (base && *base)
		add(ps, base, "conda's base", false);
	for (size_t i = 0; i < ps->n; i++) {
		doc_python *p = &ps->p[i];
		if (!p->checked) {
			ask(p);
		} else if (c->torch.ran) {
			/* the framework probe imported (or tried) torch in it */
			xpu_strlcpy(p->torch, c->torch.imported ? c->torch.version : "", sizeof(p->torch));
			p->answered = true;
		} else {
			xpu_strlcpy(p->why, "see frameworks.python", sizeof(p->why));
		}
	}
}

const doc_python *doc_python_with_torch(const doc_ctx *c)
{
	for (size_t i = 0; i < c->pythons.n; i++)
		if (!c->pythons.p[i].checked && c->pythons.p[i].torch[0])
			return &c->pythons.p[i];
	return NULL;
}

/* "/usr/bin/python3 (PATH: torch 2.1.2)" for the list. */
static size_t describe(const doc_python *p, char *out, size_t len)
{
	int n = snprintf(out, len, "%s (%s: %s%s%s)", p->path, p->where,
			 p->torch[0] ? "torch " : p->answered ? "no torch" : "did not answer: ",
			 p->torch[0] ? p->torch : "", p->answered ? "" : p->why);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void doc_python_check(doc_ctx *c)
{
	xpu_check *k = doc_add(c, "frameworks", "Pythons", "frameworks.pythons");
	const doc_pythons *ps = &c->pythons;
	char list[512] = "", checked[256] = "the interpreter asked for: not found";
	size_t used = 0;
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->p[i].checked) {
			describe(&ps->p[i], checked, sizeof(checked));
			continue;
		}
		if (used)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "; ");
		used += describe(&ps->p[i], list + used, sizeof(list) - used);
		if (used >= sizeof(list) - 1)
			break;
	}
	const doc_python *other = doc_python_with_torch(c);
	const char *also = used ? "; also found: " : "; no other Python found";
	if (c->torch.imported)
		doc_verdict(k, XPU_VERDICT_PASS, "checked %s%s%s", checked, also, list);
	else if (other) {
		doc_verdict(k, XPU_VERDICT_WARN, "checked %s%s%s", checked, also, list);
		doc_fix(k, "%s has torch %s: run the app with it (and XPU_PYTHON=%s xpu doctor), or install "
			"torch for the interpreter the app uses", other->path, other->torch, other->path);
	} else
		doc_verdict(k, XPU_VERDICT_SKIP, "no Python here has torch: checked %s%s%s", checked, also,
			    list);
}
