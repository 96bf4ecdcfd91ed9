/* xpu config: the effective configuration of `xpu run` and the launchers,
 * where each value came from, the files read, and the app profiles in
 * effect (each one loaded, so that a malformed one is reported here). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "xpu/run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xpu config [--json]\n"
		"\n"
		"Prints the settings of 'xpu run' and the launchers with their source\n"
		"(default, system config, user config, environment), the configuration\n"
		"files, the profile folders in precedence order, and every profile in effect.\n"
		"A malformed config or profile is reported as FILE:LINE and exits 1; so is\n"
		"one that others than its owner may write, or that belongs to someone\n"
		"other than root or you (the message gives the chmod or chown).\n"
		"\n"
		"Environment: XPU_BACKEND, XPU_DEVICE, XPU_FALLBACK, XDG_CONFIG_HOME,\n"
		"XPU_SYSCONFDIR (default /etc), XPU_PROFILES_DIR.  See xpu-config(1).\n");
}

typedef struct profiles {
	json_t *list; /* of {name, file, description, commands, backends[]} */
} profiles;

static int collect(const char *file, const char *name, void *user, char *err, size_t errlen)
{
	profiles *ps = user;
	xpu_profile *p;
	if (xpu_profile_load_file(file, name, &p, err, errlen))
		return -1;
	json_t *backends = json_array();
	unsigned mask = xpu_profile_backends(p);
	for (int b = 0; b < XPU_BACKEND_COUNT; b++)
		if (mask & (1u << b))
			json_array_append_new(backends, json_string(xpu_backend_name((xpu_backend_kind)b)));
	json_array_append_new(ps->list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", name, "file",
						  file, "description", xpu_profile_description(p),
						  "command", xpu_profile_command(p), "backends",
						  backends));
	xpu_profile_free(p);
	return 0;
}

static const char *presence(const char *path)
{
	if (!path[0])
		return "not set";
	return access(path, F_OK) == 0 ? "present" : "absent";
}

static json_t *files_json(const xpu_paths *paths)
{
	json_t *dirs = json_array();
	static const char *const kinds[] = { "user", "system", "shipped" };
	size_t first = 3 - paths->n_profile_dirs; /* no user dir without HOME */
	for (size_t i = 0; i < paths->n_profile_dirs; i++)
		json_array_append_new(dirs, json_pack("{s:s, s:s, s:s}", "kind", kinds[first + i],
						      "path", paths->profile_dirs[i], "state",
						      presence(paths->profile_dirs[i])));
	return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:o, s:s}", "system_config", "path",
			 paths->system_config, "state", presence(paths->system_config),
			 "user_config", "path", paths->user_config, "state",
			 presence(paths->user_config), "profile_dirs", dirs,
			 "shipped_profiles_from", paths->shipped_profiles_origin);
}

static void print_text(const xpu_config *cfg, json_t *files, json_t *list)
{
	printf("%-14s %-28s %s\n", "SETTING", "VALUE", "SOURCE");
	for (size_t i = 0; i < cfg->count; i++) {
		const xpu_setting *s = &cfg->settings[i];
		printf("%-14s %-28s %s (%s)\n", s->key, s->value[0] ? s->value : "(any)",
		       xpu_source_name(s->source), s->origin);
	}
	printf("\nfiles:\n");
	const char *names[] = { "system_config", "user_config" };
	for (size_t i = 0; i < 2; i++) {
		json_t *f = json_object_get(files, names[i]);
		printf("  %-14s %s (%s)\n", names[i], json_string_value(json_object_get(f, "path")),
		       json_string_value(json_object_get(f, "state")));
	}
	printf("profile folders, first wins (shipped ones from %s):\n",
	       json_string_value(json_object_get(files, "shipped_profiles_from")));
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(files, "profile_dirs"), i, d)
		printf("  %-14s %s (%s)\n", json_string_value(json_object_get(d, "kind")),
		       json_string_value(json_object_get(d, "path")),
		       json_string_value(json_object_get(d, "state")));
	printf("profiles:\n");
	json_t *p;
	json_array_foreach(list, i, p) {
		char backends[128] = "";
		size_t j;
		json_t *b;
		json_array_foreach(json_object_get(p, "backends"), j, b) {
			strncat(backends, j ? "," : "", sizeof(backends) - strlen(backends) - 1);
			strncat(backends, json_string_value(b), sizeof(backends) - strlen(backends) - 1);
		}
		printf("  %-14s %-34s %s\n", json_string_value(json_object_get(p, "name")), backends,
		       json_string_value(json_object_get(p, "file")));
	}
}

static json_t *settings_json(const xpu_config *cfg)
{
	json_t *a = json_array();
	for (size_t i = 0; i < cfg->count; i++) {
		const xpu_setting *s = &cfg->settings[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "key", s->key, "value",
						   s->value, "source", xpu_source_name(s->source),
						   "origin", s->origin));
	}
	return a;
}

int cmd_config(xpu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			cli->json = true;
		else if (c == 'h')
			return usage(stdout), XPU_EXIT_OK;
		else
			return fprintf(stderr, "Try 'xpu config --help'.\n"), XPU_EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error(cli, "config: unexpected argument '%s'", argv[optind]);
		return XPU_EXIT_USAGE;
	}
	xpu_paths paths;
	xpu_paths_init(&paths);
	xpu_config *cfg = calloc(1, sizeof(*cfg));
	char err[XPU_PATH_LEN + 512];
	profiles ps = { json_array() };
	int rc = !cfg || xpu_config_load(cfg, &paths, err, sizeof(err)) ||
		 xpu_profile_list(&paths, collect, &ps, err, sizeof(err));
	if (rc) {
		cli_error(cli, "%s", cfg ? err : "out of memory");
		free(cfg);
		json_decref(ps.list);
		return XPU_EXIT_FAILURE;
	}
	json_t *files = files_json(&paths);
	if (cli->json) {
		json_t *root = json_pack("{s:i, s:o, s:O, s:O}", "schema_version", XPU_SCHEMA_VERSION,
					 "settings", settings_json(cfg), "files", files, "profiles",
					 ps.list);
		char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(text ? text : "{}");
		free(text);
		json_decref(root);
	} else {
		print_text(cfg, files, ps.list);
	}
	json_decref(files);
	json_decref(ps.list);
	free(cfg);
	return XPU_EXIT_OK;
}
