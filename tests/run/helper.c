/* A stand-in app for the `xpu run` tests, started under the names of real
 * apps (comfyui, ollama, ...) through symlinks.  It writes what it received
 * to $HELPER_OUT: "pid N", then "arg X" per argument, then "env NAME=VALUE"
 * per variable; then exits with $HELPER_EXIT, or raises signal
 * $HELPER_SIGNAL, so that the tests can compare the status with a direct run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	const char *out = getenv("HELPER_OUT");
	if (out) {
		FILE *f = fopen(out, "w");
		if (!f)
			return 99;
		fprintf(f, "pid %ld\n", (long)getpid());
		for (int i = 0; i < argc; i++)
			fprintf(f, "arg %s\n", argv[i]);
		for (char **e = environ; *e; e++)
			fprintf(f, "env %s\n", *e);
		fclose(f);
	}
	const char *sig = getenv("HELPER_SIGNAL");
	if (sig) {
		signal(atoi(sig), SIG_DFL);
		raise(atoi(sig));
	}
	const char *code = getenv("HELPER_EXIT");
	return code ? atoi(code) : 0;
}
