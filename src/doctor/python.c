/* Framework checks: python3 with torch, run as a subprocess with a time
 * limit (an import that hangs or crashes is a verdict, not a hang): torch's
 * version, torch.cuda and torch.xpu with their device counts, and IPEX. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doctor/doctor_int.h"

#define MARK "XPU-DOCTOR "

/* Prints one marked JSON line; every failure inside is reported, not raised. */
static const char probe_script[] =
	"import json, sys\n"
	"r = {'python': sys.version.split()[0], 'executable': sys.executable}\n"
	"def err(e): return '%s: %s' % (type(e).__name__, str(e).splitlines()[0] if str(e) else '')\n"
	"try:\n"
	"    import torch\n"
	"    r['torch'] = str(torch.__version__)\n"
	"    r['cuda_built'] = getattr(torch.version, 'cuda', None)\n"
	"    try:\n"
	"        r['cuda_available'] = bool(torch.cuda.is_available())\n"
	"        r['cuda_count'] = int(torch.cuda.device_count()) if r['cuda_available'] else 0\n"
	"        if r['cuda_count']: r['cuda_name'] = torch.cuda.get_device_name(0)\n"
	"    except Exception as e: r['cuda_error'] = err(e)\n"
	"    x = getattr(torch, 'xpu', None)\n"
	"    r['xpu_module'] = x is not None\n"
	"    if x is not None:\n"
	"        try:\n"
	"            r['xpu_built'] = bool(getattr(x, '_is_compiled', lambda: True)())\n"
	"            r['xpu_available'] = bool(x.is_available())\n"
	"            r['xpu_count'] = int(x.device_count()) if r['xpu_available'] else 0\n"
	"            if r['xpu_count']: r['xpu_name'] = x.get_device_name(0)\n"
	"        except Exception as e: r['xpu_error'] = err(e)\n"
	"except Exception as e: r['torch_error'] = err(e)\n"
	"try:\n"
	"    import importlib.util\n"
	"    if importlib.util.find_spec('intel_extension_for_pytorch') is not None:\n"
	"        try:\n"
	"            import intel_extension_for_pytorch as ipex\n"
	"            r['ipex'] = str(getattr(ipex, '__version__', '?'))\n"
	"        except Exception as e:\n"
	"            r['ipex_error'] = err(e)\n"
	"            try:\n"
	"                import importlib.metadata as md\n"
	"                r['ipex'] = md.version('intel_extension_for_pytorch')\n"
	"            except Exception: pass\n"
	"except Exception as e: r['ipex_error'] = err(e)\n"
	"print('" MARK "' + json.dumps(r), flush=True)\n";

/* The interpreter to check, and how it was chosen. */
static const char *interpreter(const doc_ctx *c, const char **where)
{
	if (c->opt->python && *c->opt->python) {
		*where = "asked for";
		return c->opt->python;
	}
	const char *env = getenv("XPU_PYTHON");
	*where = env && *env ? "XPU_PYTHON" : "PATH";
	return env && *env ? env : "python3";
}

/* The marked JSON line of the probe's output, parsed; NULL when absent. */
static json_t *probe_report(const doc_proc *p)
{
	if (!p->out)
		return NULL;
	const char *line = strstr(p->out, MARK);
	if (!line)
		return NULL;
	return json_loads(line + strlen(MARK), JSON_DISABLE_EOF_CHECK, NULL);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* --- python itself --- */

static void python_failed(doc_ctx *c, xpu_check *k, const char *py, const doc_proc *p, double limit)
{
	switch (p->end) {
	case DOC_PROC_NOT_FOUND:
		doc_verdict(k, XPU_VERDICT_WARN, "%s not found%s: PyTorch apps (ComfyUI) cannot run", py,
			    strchr(py, '/') ? "" : " in PATH");
		doc_fix_install(c, k, "environment.systemPackages = [ pkgs.python3 ]; (or point XPU_PYTHON at the "
				"app's interpreter)", "python3 (or point XPU_PYTHON at the app's venv bin/python)", NULL);
		return;
	case DOC_PROC_TIMED_OUT:
		doc_verdict(k, XPU_VERDICT_FAIL, "%s -c 'import torch' did not finish within %.0f s (killed)", py, limit);
		doc_fix(k, "run %s -X importtime -c 'import torch' to see where it stops (a driver init, a network "
			"file system); if it is only slow, raise --python-timeout", py);
		return;
	case DOC_PROC_SIGNALED:
		doc_verdict(k, XPU_VERDICT_FAIL, "%s was killed by signal %d (%s) importing torch", py, p->term_signal,
			    strsignal(p->term_signal));
		doc_fix(k, "run %s -X faulthandler -c 'import torch' to see where it crashes; reinstall torch for this "
			"Python and driver", py);
		return;
	case DOC_PROC_SPAWN_FAILED:
		doc_verdict(k, XPU_VERDICT_FAIL, "cannot start %s: %s", py, strerror(p->spawn_errno));
		doc_fix(k, "make %s executable, or point XPU_PYTHON at a working interpreter", py);
		return;
	case DOC_PROC_EXITED:
		doc_verdict(k, XPU_VERDICT_FAIL, "%s exited with status %d and no report%s%s", py, p->exit_code,
			    p->err_tail[0] ? ": " : "", p->err_tail);
		doc_fix(k, "run %s -c 'import torch' by hand to see the error; point XPU_PYTHON at the app's "
			"interpreter if this is not it", py);
		return;
	}
}

/* --- torch --- */

/* The PyTorch wheel index for this machine's CUDA driver. */
static const char *cuda_wheel_index(const doc_ctx *c)
{
	const xpu_runtime_info *info = xpu_runtime_at(c->sys, XPU_RT_CUDA);
	int major = 0, minor = 0;
	if (!info || info->status.state != XPU_OK || sscanf(info->version, "CUDA %d.%d", &major, &minor) != 2)
		return "cu128";
	int v = major * 10 + minor;
	return v >= 130 ? "cu130" : v >= 128 ? "cu128" : v >= 126 ? "cu126" : "cu118";
}

static void torch_check(doc_ctx *c, const json_t *r)
{
	xpu_check *k = doc_add(c, "frameworks", "torch", "frameworks.torch");
	const char *e = jstr(r, "torch_error");
	if (*e) {
		bool missing = xpu_starts_with(e, "ModuleNotFoundError");
		const char *index = c->has_nvidia_gpu ? cuda_wheel_index(c) : c->has_intel_gpu ? "xpu" : "cpu";
		doc_verdict(k, missing ? XPU_VERDICT_WARN : XPU_VERDICT_FAIL, "%s %s: %s", jstr(r, "executable"),
			    missing ? "has no torch" : "cannot import torch", e);
		const doc_python *other = doc_python_with_torch(c);
		if (other)
			doc_fix(k, "%s has torch %s (frameworks.pythons): if the app uses it, XPU_PYTHON=%s xpu "
				"doctor; else, in the app's environment: pip install torch --index-url "
				"https://download.pytorch.org/whl/%s", other->path, other->torch, other->path, index);
		else
			doc_fix(k, "in the app's environment: pip install torch --index-url "
				"https://download.pytorch.org/whl/%s", index);
		return;
	}
	c->torch.imported = true;
	xpu_strlcpy(c->torch.version, jstr(r, "torch"), sizeof(c->torch.version));
	const char *cuda = jstr(r, "cuda_built");
	doc_verdict(k, XPU_VERDICT_PASS, "torch %s (%s build) for Python %s at %s", c->torch.version,
		    *cuda ? "CUDA" : json_is_true(json_object_get(r, "xpu_built")) ? "XPU" : "no CUDA",
		    jstr(r, "python"), jstr(r, "executable"));
}

static void torch_cuda_check(doc_ctx *c, const json_t *r)
{
	xpu_check *k = doc_add(c, "frameworks", "torch.cuda", "frameworks.torch_cuda");
	const char *cuda = jstr(r, "cuda_built");
	long count = (long)json_integer_value(json_object_get(r, "cuda_count"));
	c->torch.cuda_built = *cuda;
	c->torch.cuda_available = json_is_true(json_object_get(r, "cuda_available"));
	c->torch.cuda_count = count;
	if (!c->has_nvidia_gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no NVIDIA GPU (torch %s: torch.cuda %s)", c->torch.version,
			    c->torch.cuda_available ? "available" : "not available");
		return;
	}
	if (c->torch.cuda_available && count > 0) {
		doc_verdict(k, XPU_VERDICT_PASS, "torch %s (CUDA %s) sees %ld device%s: %s", c->torch.version, cuda,
			    count, count == 1 ? "" : "s", jstr(r, "cuda_name"));
		return;
	}
	if (!*cuda) {
		doc_verdict(k, XPU_VERDICT_FAIL, "torch %s is built without CUDA", c->torch.version);
		doc_fix(k, "pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/%s",
			cuda_wheel_index(c));
		return;
	}
	const char *e = jstr(r, "cuda_error");
	doc_verdict(k, XPU_VERDICT_FAIL, "torch %s is built for CUDA %s but torch.cuda.is_available() is false%s%s",
		    c->torch.version, cuda, *e ? ": " : "", e);
	doc_fix(k, "see runtime.cuda; a driver older than the wheel's CUDA also fails: install the wheel for this "
		"driver (pip install torch --index-url https://download.pytorch.org/whl/%s)", cuda_wheel_index(c));
}

static void torch_xpu_check(doc_ctx *c, const json_t *r)
{
	xpu_check *k = doc_add(c, "frameworks", "torch.xpu", "frameworks.torch_xpu");
	bool module = json_is_true(json_object_get(r, "xpu_module"));
	bool built = json_is_true(json_object_get(r, "xpu_built"));
	long count = (long)json_integer_value(json_object_get(r, "xpu_count"));
	c->torch.xpu_available = json_is_true(json_object_get(r, "xpu_available"));
	const char *state = !module ? "has no torch.xpu" : !built ? "is built without XPU" :
				      c->torch.xpu_available ? "has torch.xpu available" : "sees no XPU device";
	if (!c->has_intel_gpu) {
		doc_verdict(k, XPU_VERDICT_SKIP, "no Intel GPU (torch %s %s)", c->torch.version, state);
		return;
	}
	if (c->torch.xpu_available && count > 0) {
		doc_verdict(k, XPU_VERDICT_PASS, "torch %s sees %ld XPU device%s: %s", c->torch.version, count,
			    count == 1 ? "" : "s", jstr(r, "xpu_name"));
		return;
	}
	const char *e = jstr(r, "xpu_error");
	doc_verdict(k, XPU_VERDICT_FAIL, "torch %s %s%s%s%s", c->torch.version, state,
		    module ? "" : " (torch.xpu arrived in 2.4; Arc and Core Ultra in 2.5)", *e ? ": " : "", e);
	if (module && built)
		doc_fix(k, "see runtime.level_zero: torch.xpu needs the Level Zero GPU driver to see the device");
	else if (c->pkg == DOC_PKG_NIX)
		doc_fix(k, "nixpkgs' torch has no XPU build: in a venv, pip install torch --index-url "
			"https://download.pytorch.org/whl/xpu");
	else
		doc_fix(k, "pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/xpu");
}

/* "2.8.10+xpu" and "2.8.0" share 2.8. */
static bool same_minor(const char *a, const char *b)
{
	int am = -1, an = -1, bm = -2, bn = -2;
	return sscanf(a, "%d.%d", &am, &an) == 2 && sscanf(b, "%d.%d", &bm, &bn) == 2 && am == bm && an == bn;
}

static void ipex_check(doc_ctx *c, const json_t *r)
{
	xpu_check *k = doc_add(c, "frameworks", "IPEX", "frameworks.ipex");
	const char *ipex = jstr(r, "ipex"), *e = jstr(r, "ipex_error");
	const char *torch = c->torch.version[0] ? c->torch.version : "(none)";
	if (!*ipex && !*e) {
		doc_verdict(k, XPU_VERDICT_SKIP, "intel_extension_for_pytorch not installed (not needed: torch.xpu "
			    "replaces it)");
		return;
	}
	if (*ipex && !same_minor(ipex, c->torch.version)) {
		doc_verdict(k, XPU_VERDICT_FAIL, "IPEX %s does not match torch %s (it needs the same major.minor)%s%s",
			    ipex, torch, *e ? ": " : "", e);
		doc_fix(k, "pip uninstall intel-extension-for-pytorch: IPEX is retired (no releases after 2.8); "
			"torch.xpu (torch >= 2.5 xpu wheels) replaces it");
		return;
	}
	if (*e) {
		doc_verdict(k, XPU_VERDICT_FAIL, "IPEX %s fails to import: %s", ipex, e);
		doc_fix(k, "pip uninstall intel-extension-for-pytorch and use torch.xpu: IPEX is retired");
		return;
	}
	doc_verdict(k, XPU_VERDICT_WARN, "IPEX %s matches torch %s, but IPEX is retired (no releases after 2.8)", ipex,
		    torch);
	doc_fix(k, "move to torch.xpu (torch >= 2.5 xpu wheels), then pip uninstall intel-extension-for-pytorch");
}

static void skip_rest(doc_ctx *c, const char *why)
{
	static const char *const ids[][2] = { { "frameworks.torch", "torch" },
					      { "frameworks.torch_cuda", "torch.cuda" },
					      { "frameworks.torch_xpu", "torch.xpu" },
					      { "frameworks.ipex", "IPEX" } };
	for (size_t i = 0; i < XPU_ARRAY_LEN(ids); i++)
		doc_verdict(doc_add(c, "frameworks", ids[i][1], "%s", ids[i][0]), XPU_VERDICT_SKIP, "%s", why);
}

void doc_framework_checks(doc_ctx *c)
{
	const char *where;
	const char *py = interpreter(c, &where);
	double limit = c->opt->python_timeout_s > 0 ? c->opt->python_timeout_s : 30.0;
	xpu_check *k = doc_add(c, "frameworks", "python", "frameworks.python");
	const char *const argv[] = { py, "-c", probe_script, NULL };
	doc_proc p;
	doc_proc_run(argv, limit, &p);
	/* a report printed before a crash at exit still counts */
	json_t *r = probe_report(&p);
	c->torch.ran = r != NULL;
	c->torch.imported = r && !*jstr(r, "torch_error");
	if (c->torch.imported)
		xpu_strlcpy(c->torch.version, jstr(r, "torch"), sizeof(c->torch.version));
	doc_python_survey(c, py, where);
	if (!r) {
		python_failed(c, k, py, &p, limit);
		doc_proc_free(&p);
		skip_rest(c, "python did not report (see frameworks.python)");
		doc_python_check(c);
		return;
	}
	doc_verdict(k, XPU_VERDICT_PASS, "Python %s at %s", jstr(r, "python"), jstr(r, "executable"));
	torch_check(c, r);
	if (c->torch.imported) {
		torch_cuda_check(c, r);
		torch_xpu_check(c, r);
		ipex_check(c, r);
	} else {
		doc_verdict(doc_add(c, "frameworks", "torch.cuda", "frameworks.torch_cuda"), XPU_VERDICT_SKIP, "no torch");
		doc_verdict(doc_add(c, "frameworks", "torch.xpu", "frameworks.torch_xpu"), XPU_VERDICT_SKIP, "no torch");
		ipex_check(c, r);
	}
	doc_python_check(c);
	json_decref(r);
	doc_proc_free(&p);
}
