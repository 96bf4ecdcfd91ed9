/* libxpu's run capability: the policy on fixture machines, profiles read
 * from files, the plan built from them, the PATH lookup. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpu/run.h"

#ifndef SOURCE_DIR
#error SOURCE_DIR must name the source tree
#endif

#define MIXED SOURCE_DIR "/tests/fixtures/igpu-plus-nvidia"
#define NV_UUID "GPU-5e8d9c41-2b4a-4c6f-9a0e-0d1c2b3a4f5e"

static xpu_system *replay(const char *root, const char *assume)
{
	xpu_options opt = { .sysroot = root, .probe_runtimes = -1 };
	xpu_system *sys = NULL;
	char err[256] = "";
	assert_int_equal(xpu_discover(&opt, &sys, err, sizeof(err)), XPU_E_OK);
	if (assume)
		assert_int_equal(xpu_assume_usable(sys, assume, err, sizeof(err)), 0);
	return sys;
}

static xpu_system *mixed(void)
{
	return replay(MIXED, "0:level_zero=0,0:vulkan=1,1:cuda=0,1:vulkan=0");
}

static int decide(xpu_system *sys, const xpu_request *req, xpu_decision *d)
{
	char err[256];
	return xpu_decide(sys, req, d, err, sizeof(err));
}

static void test_order_prefers_cuda(void **state)
{
	xpu_system *sys = mixed();
	xpu_decision d;
	assert_int_equal(decide(sys, NULL, &d), XPU_DECIDE_OK);
	assert_int_equal(d.backend, XPU_BACKEND_CUDA);
	assert_string_equal(d.device->uuid.value, NV_UUID);
	xpu_system_free(sys);
}

static void test_profile_without_cuda_takes_level_zero(void **state)
{
	xpu_system *sys = mixed();
	xpu_decision d;
	xpu_request req = { .supported = (1u << XPU_BACKEND_LEVEL_ZERO) | (1u << XPU_BACKEND_CPU),
			    .app = "x" };
	assert_int_equal(decide(sys, &req, &d), XPU_DECIDE_OK);
	assert_int_equal(d.backend, XPU_BACKEND_LEVEL_ZERO);
	assert_int_equal(d.device->index, 0);
	/* the CUDA GPU was a candidate, rejected for the profile */
	assert_true(d.n_rejected >= 1);
	assert_int_equal(d.rejected[0].backend, XPU_BACKEND_CUDA);
	assert_string_equal(d.rejected[0].reason, "profile x has no [cuda] section");
	xpu_system_free(sys);
}

static void test_vulkan_prefers_discrete(void **state)
{
	xpu_system *sys = mixed();
	xpu_decision d;
	xpu_request req = { .backend = "vulkan" };
	assert_int_equal(decide(sys, &req, &d), XPU_DECIDE_OK);
	assert_int_equal(d.device->kind, XPU_KIND_DISCRETE);
	assert_int_equal(d.device->backends[XPU_BACKEND_VULKAN].runtime_index, 0);
	xpu_system_free(sys);
}

static void test_forced_unusable_and_fallback(void **state)
{
	xpu_system *sys = replay(SOURCE_DIR "/tests/fixtures/i915-igpu", NULL);
	xpu_decision d;
	char err[256];
	xpu_request req = { .backend = "xpu" };
	assert_int_equal(xpu_decide(sys, &req, &d, err, sizeof(err)), XPU_DECIDE_UNUSABLE);
	assert_non_null(strstr(err, "forced backend level_zero is not usable on device 0"));
	req.fallback = true;
	assert_int_equal(xpu_decide(sys, &req, &d, err, sizeof(err)), XPU_DECIDE_OK);
	assert_true(d.fell_back);
	assert_int_equal(d.backend, XPU_BACKEND_CPU);
	xpu_system_free(sys);
}

static void test_device_specs(void **state)
{
	xpu_system *sys = mixed();
	const char *ok[] = { "1", "0000:01:00.0", "1:00.0", NV_UUID, "rtx 4090" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		xpu_decision d;
		xpu_request req = { .device = ok[i] };
		assert_int_equal(decide(sys, &req, &d), XPU_DECIDE_OK);
		assert_int_equal(d.device->index, 1);
	}
	xpu_decision d;
	xpu_request bad = { .device = "9" }, cpu = { .device = "cpu" };
	assert_int_equal(decide(sys, &bad, &d), XPU_DECIDE_BAD_REQUEST);
	assert_int_equal(decide(sys, &cpu, &d), XPU_DECIDE_OK);
	assert_int_equal(d.backend, XPU_BACKEND_CPU);
	xpu_system_free(sys);
}

static void test_default_choice_keeps_its_words(void **state)
{
	xpu_system *sys = replay(SOURCE_DIR "/tests/fixtures/no-drm", NULL);
	xpu_choice ch;
	xpu_default_choice(sys, &ch);
	assert_int_equal(ch.backend, XPU_BACKEND_CPU);
	assert_string_equal(ch.why, "no GPU has a usable cuda, level_zero, rocm or vulkan backend");
	xpu_system_free(sys);
}

static void test_assume_spec_errors(void **state)
{
	xpu_options opt = { .probe_runtimes = 0 };
	xpu_system *sys = NULL;
	char err[256];
	assert_int_equal(xpu_discover(&opt, &sys, err, sizeof(err)), XPU_E_OK);
	/* not probed: allowed; a live probe would refuse (see run.sh) */
	assert_int_equal(xpu_assume_usable(sys, "0:cpu", err, sizeof(err)), 0);
	assert_int_not_equal(xpu_assume_usable(sys, "0:tpu", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown backend 'tpu'"));
	/* the message lists every backend of the policy */
	for (size_t i = 0; i < XPU_POLICY_BACKENDS; i++)
		assert_non_null(strstr(err, xpu_backend_name(xpu_policy_backend(i))));
	assert_int_not_equal(xpu_assume_usable(sys, "zero:cuda", err, sizeof(err)), 0);
	xpu_system_free(sys);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/xpu-test-profile-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void expect_profile_error(const char *text, const char *want)
{
	char *file = write_tmp(text);
	xpu_profile *p = NULL;
	char err[512], expect[600];
	assert_int_not_equal(xpu_profile_load_file(file, "t", &p, err, sizeof(err)), 0);
	assert_null(p);
	snprintf(expect, sizeof(expect), "%s:%s", file, want);
	if (strncmp(err, expect, strlen(expect)) != 0)
		fail_msg("got '%s', want '%s...'", err, expect);
	unlink(file);
}

static void test_profile_errors_name_the_line(void **state)
{
	expect_profile_error("[profile]\ncommands = a\n\n[cuda]\nenv.X = {idx}\n",
			     "5: env.X: unknown placeholder {idx}");
	expect_profile_error("[cuda]\narg = {index\n", "2: arg: unterminated placeholder");
	expect_profile_error("[cuda]\narg = a}b\n", "2: arg: a '}' without its '{'");
	expect_profile_error("[cuda]\nunset = A B-C\n", "2: unset: 'B-C' is no environment");
	expect_profile_error("[profile]\nname = x\n", "2: unknown key 'name' in [profile]");
	expect_profile_error("[opencl]\narg = x\n", "2: unknown section [opencl]");
}

static void test_plan_applies_the_section(void **state)
{
	char *file = write_tmp("[cuda]\nunset = DROP\nenv.CUDA_VISIBLE_DEVICES = {uuid}\n"
			       "env.IDX = {cuda.index}/{index}/{pci}\narg = --gpu\n");
	xpu_profile *p = NULL;
	char err[512];
	assert_int_equal(xpu_profile_load_file(file, "t", &p, err, sizeof(err)), 0);
	unlink(file);
	assert_int_equal(xpu_profile_backends(p), 1u << XPU_BACKEND_CUDA);
	xpu_system *sys = mixed();
	xpu_decision d;
	assert_int_equal(decide(sys, NULL, &d), XPU_DECIDE_OK);
	char *env[] = { "CUDA_VISIBLE_DEVICES=0", "DROP=1", "KEEP=2", "PATH=/nonexistent", NULL };
	char *argv[] = { "app", "x" };
	xpu_plan plan;
	assert_int_equal(xpu_plan_build(p, &d, env, argv, 2, &plan, err, sizeof(err)), XPU_PLAN_OK);
	const char *want_env[] = { "KEEP=2", "PATH=/nonexistent", "CUDA_VISIBLE_DEVICES=" NV_UUID,
				   "IDX=0/1/0000:01:00.0", NULL };
	for (size_t i = 0; want_env[i] || plan.envp[i]; i++)
		assert_string_equal(plan.envp[i], want_env[i]);
	assert_string_equal(plan.argv[2], "--gpu");
	assert_null(plan.argv[3]);
	assert_int_equal(plan.n_set, 2);
	assert_int_equal(plan.n_unset, 1);
	assert_null(plan.program); /* "app" is on no PATH element */
	assert_int_equal(plan.program_errno, ENOENT);
	xpu_plan_free(&plan);
	xpu_profile_free(p);
	xpu_system_free(sys);
}

static void test_find_program(void **state)
{
	char *p = xpu_find_program("sh", "/nonexistent:/bin");
	assert_string_equal(p, "/bin/sh");
	free(p);
	errno = 0;
	assert_null(xpu_find_program("sh", "/nonexistent"));
	assert_int_equal(errno, ENOENT);
	char *plain = write_tmp("not a program\n"); /* mode 0600 */
	assert_null(xpu_find_program(plain, NULL));
	assert_int_equal(errno, EACCES);
	unlink(plain);
}

/* Each profile xpu_profile_list visits loads, and can run on the CPU. */
static int load_one(const char *file, const char *name, void *user, char *err, size_t errlen)
{
	xpu_profile *p = NULL;
	if (xpu_profile_load_file(file, name, &p, err, errlen))
		fail_msg("%s", err);
	assert_true(xpu_profile_backends(p) & (1u << XPU_BACKEND_CPU));
	xpu_profile_free(p);
	(*(size_t *)user)++;
	return 0;
}

/* How many NAME.ini files a folder holds. */
static size_t count_ini(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		n += e->d_name[0] != '.' && len > 4 && strcmp(e->d_name + len - 4, ".ini") == 0;
	}
	closedir(d);
	return n;
}

static void test_shipped_profiles_load(void **state)
{
	setenv("XPU_PROFILES_DIR", SOURCE_DIR "/profiles", 1);
	setenv("HOME", "/nonexistent", 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("XPU_SYSCONFDIR", "/nonexistent", 1);
	xpu_paths paths;
	xpu_paths_init(&paths);
	/* every NAME.ini in profiles/, whatever their number */
	size_t loaded = 0;
	char why[512];
	assert_int_equal(xpu_profile_list(&paths, load_one, &loaded, why, sizeof(why)), 0);
	assert_true(loaded > 0);
	assert_int_equal(loaded, count_ini(SOURCE_DIR "/profiles"));
	xpu_profile *p = NULL;
	char err[512];
	assert_int_equal(xpu_profile_for_command(&paths, "/usr/bin/python3.11", &p, err, sizeof(err)), 0);
	assert_non_null(p);
	assert_string_equal(xpu_profile_name(p), "pytorch");
	xpu_profile_free(p);
	assert_int_equal(xpu_profile_for_command(&paths, "true", &p, err, sizeof(err)), 0);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_prefers_cuda),
		cmocka_unit_test(test_profile_without_cuda_takes_level_zero),
		cmocka_unit_test(test_vulkan_prefers_discrete),
		cmocka_unit_test(test_forced_unusable_and_fallback),
		cmocka_unit_test(test_device_specs),
		cmocka_unit_test(test_default_choice_keeps_its_words),
		cmocka_unit_test(test_assume_spec_errors),
		cmocka_unit_test(test_profile_errors_name_the_line),
		cmocka_unit_test(test_plan_applies_the_section),
		cmocka_unit_test(test_find_program),
		cmocka_unit_test(test_shipped_profiles_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
