/* Launcher names: invoked as comfyui-ipex, comfyui-cuda, comfyui-xpu or
 * ollama-ipex (symlinks to xpu that the build installs), the program acts as
 * the matching `xpu run`.  The names come from the seed projects; "ipex"
 * means "auto" here, as the policy picks CUDA, Intel XPU or the CPU.  Every
 * argument goes to the app, except --force-intel-xpu (the seeds' spelling of
 * --backend level_zero), which no app of these takes. */
#include <string.h>

#include "cli/cmd_run.h"

static const struct launcher {
	const char *name;
	const char *app;
	const char *backend; /* NULL: auto */
} launchers[] = {
	{ "comfyui-ipex", "comfyui", NULL },
	{ "comfyui-cuda", "comfyui", "cuda" },
	{ "comfyui-xpu", "comfyui", "level_zero" },
	{ "ollama-ipex", "ollama", NULL },
};

static const struct launcher *launcher_named(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	const char *base = slash ? slash + 1 : argv0;
	for (size_t i = 0; i < sizeof(launchers) / sizeof(launchers[0]); i++)
		if (strcmp(base, launchers[i].name) == 0)
			return &launchers[i];
	return NULL;
}

bool cli_launcher_dispatch(xpu_cli *cli, int argc, char **argv, int *status)
{
	const struct launcher *l = argc > 0 ? launcher_named(argv[0]) : NULL;
	if (!l)
		return false;
	run_opts o = { .app = l->app, .backend = l->backend, .backend_origin = l->name,
		       .fallback = -1, .app_command = true };
	cli->prog = l->name;
	/* the app's command first, then the user's arguments without ours */
	char **args = argv + 1;
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force-intel-xpu") == 0) {
			o.backend = "level_zero";
			o.backend_origin = "--force-intel-xpu";
			continue;
		}
		args[n++] = argv[i];
	}
	args[n] = NULL;
	*status = cli_run_app(cli, &o, n, args);
	return true;
}
