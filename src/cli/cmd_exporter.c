/* xpu exporter: Prometheus metrics over HTTP (libmicrohttpd).
 *
 * The main thread samples every --interval, renders the text once and
 * builds one MHD response around it; a scrape queues that response (MHD
 * counts its users and frees it after the last), so it neither touches the
 * hardware nor copies or allocates, and the lock is held for a pointer.  Requests are bounded:
 * GET/HEAD only, 8 KiB of request at most, each whole request (and its
 * answer) within REQUEST_TIME_S of the connection's opening or its previous
 * answer (http_guard.h: the idle timeout alone restarts with every byte, so
 * a header line every 5 s held a connection for ever), and PER_CLIENT_LIMIT
 * connections per client address, so that one client's 2,000 connections
 * cannot starve another's scrapes; the total limit leaves room for
 * hundreds of idle clients (epoll, one polling thread per core). */
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/dl.h"
#include "base/util.h"
#include "cli/cli.h"
#include "cli/http_guard.h"
#include "cli/telemetry_opts.h"
#include "xpu/telemetry.h"

/* libmicrohttpd is dlopen'd by this command alone, not linked: with GnuTLS it
 * adds 1.4 ms to the start of every xpu command (CI machine). */
static struct mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc, void *apc_cls,
					   MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
							     enum MHD_ResponseMemoryMode mode);
	struct MHD_Response *(*create_response_from_buffer_with_free_callback)(
		size_t size, void *buffer, MHD_ContentReaderFreeCallback crfc);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
					       const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status,
					  struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
	const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *c,
							       enum MHD_ConnectionInfoType type, ...);
} mhd;

static bool mhd_load(const xpu_cli *cli)
{
	void *lib = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		cli_error(cli, "libmicrohttpd.so.12 is not installed (install libmicrohttpd12): %s",
			  dlerror());
		return false;
	}
	if (!xpu_dl_fn(lib, &mhd.start_daemon, "MHD_start_daemon", NULL) ||
	    !xpu_dl_fn(lib, &mhd.stop_daemon, "MHD_stop_daemon", NULL) ||
	    !xpu_dl_fn(lib, &mhd.create_response_from_buffer, "MHD_create_response_from_buffer",
			NULL) ||
	    !xpu_dl_fn(lib, &mhd.create_response_from_buffer_with_free_callback,
			"MHD_create_response_from_buffer_with_free_callback", NULL) ||
	    !xpu_dl_fn(lib, &mhd.add_response_header, "MHD_add_response_header", NULL) ||
	    !xpu_dl_fn(lib, &mhd.queue_response, "MHD_queue_response", NULL) ||
	    !xpu_dl_fn(lib, &mhd.destroy_response, "MHD_destroy_response", NULL) ||
	    !xpu_dl_fn(lib, &mhd.get_connection_info, "MHD_get_connection_info", NULL)) {
		cli_error(cli, "libmicrohttpd.so.12 lacks an MHD_* entry point xpu needs");
		return false;
	}
	return true;
}

#define DEFAULT_LISTEN "127.0.0.1:9835"
enum {
	REQUEST_MAX = 8192,      /* bytes of request line, headers and body */
	CONNECTION_LIMIT = 1024, /* idle clients beyond this wait in the backlog */
	/* per client address: a Prometheus, an agent, a load test (wrk -c64) */
	PER_CLIENT_LIMIT = 128,
	/* a request and its answer, from the connection's opening or its last
	 * answer; a scrape takes milliseconds (Prometheus gives up after 10 s) */
	REQUEST_TIME_S = 10,
	IDLE_TIMEOUT_S = 10,
	BACKLOG = 256,
	HTTP_THREADS_MAX = 8, /* one per core; scrapes are cheap, more buys nothing */
};

typedef struct exporter {
	pthread_mutex_t lock;
	struct MHD_Response *metrics; /* the last sample's text, ready to queue */
	time_t sampled_at; /* CLOCK_MONOTONIC seconds of the last good sample */
	double interval_s;
	http_guard *guard; /* REQUEST_TIME_S per request */
} exporter;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xpu exporter [--listen ADDR:PORT] [--interval DURATION] [--processes]\n"
		"\n"
		"Serves Prometheus metrics of every accelerator over HTTP:\n"
		"  /metrics   the last sample, in the Prometheus text format\n"
		"  /healthz   200 while samples are fresh, 503 when sampling stalled\n"
		"  /          a short page linking to both\n"
		"\n"
		"Options:\n"
		"  --listen ADDR:PORT   where to listen (default " DEFAULT_LISTEN "; [::1]:PORT for\n"
		"                       IPv6; 0.0.0.0:PORT exposes it to the network; port 0\n"
		"                       picks a free one, printed on stderr; at most 65535)\n"
		"  --interval DURATION  time between samples: 500ms, 1s, 2m (default 1s)\n"
		"  --processes          also export per-process series (pid, command)\n"
		"  -h, --help           this help\n"
		"\n"
		"Each client address may hold 128 connections; each request must arrive,\n"
		"and be answered, within 10 s of its connection's opening or previous answer.\n"
		"\n"
		"Intel memory use and device-wide engine busy need CAP_PERFMON\n"
		"(setcap cap_perfmon=ep \"$(command -v xpu)\"); without it they are\n"
		"reported in xpu_metric_unavailable{reason=\"needs_cap_perfmon\"}.\n"
		"\n"
		"Exit status: 0 stopped by SIGINT/SIGTERM; 1 could not listen or sample;\n"
		"2 bad command line.  See xpu-exporter(1).\n");
}

/* Our own listening socket, so that a failure names its cause. */
static int listen_on(const xpu_cli *cli, const char *spec, const struct sockaddr_storage *sa,
		     socklen_t len)
{
	int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, len) != 0 || listen(fd, BACKLOG) != 0) {
		cli_error(cli, "cannot listen on %s: %s; choose another address with --listen", spec,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void print_address(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[64], port[16];
	if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	bool v6 = sa.ss_family == AF_INET6;
	fprintf(stderr, "xpu exporter: serving http://%s%s%s:%s/metrics\n", v6 ? "[" : "", host,
		v6 ? "]" : "", port);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r =
		mhd.create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *body)
{
	return reply(c, status, "text/plain; charset=utf-8", body, strlen(body));
}

static time_t monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static enum MHD_Result serve_metrics(exporter *e, struct MHD_Connection *c)
{
	/* queueing takes MHD's own reference: the response outlives a swap */
	pthread_mutex_lock(&e->lock);
	enum MHD_Result ret = mhd.queue_response(c, MHD_HTTP_OK, e->metrics);
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static enum MHD_Result serve_health(exporter *e, struct MHD_Connection *c)
{
	pthread_mutex_lock(&e->lock);
	double age = (double)(monotonic_s() - e->sampled_at);
	pthread_mutex_unlock(&e->lock);
	/* three missed samples, and at least 10 s, before calling it stale */
	double limit = 3 * e->interval_s > 10 ? 3 * e->interval_s : 10;
	if (age > limit)
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "stale: sampling stalled\n");
	return text(c, MHD_HTTP_OK, "ok\n");
}

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>xpu exporter</title></head><body>\n"
	"<h1>xpu exporter</h1>\n<p><a href=\"/metrics\">/metrics</a> "
	"(Prometheus) &middot; <a href=\"/healthz\">/healthz</a></p>\n</body></html>\n";

/* Per-request state without an allocation: 1 + the bytes of body seen so
 * far, in the pointer MHD keeps for the request (NULL before the headers). */
static size_t body_seen(void *const *state)
{
	return (size_t)((uintptr_t)*state - 1);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	exporter *e = cls;
	(void)version;
	(void)upload;
	if (!*state) { /* headers only so far: decide after the body, if any */
		*state = (void *)(uintptr_t)1;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t seen = body_seen(state) + *upload_size;
		*state = (void *)(uintptr_t)(1 + (seen > REQUEST_MAX ? REQUEST_MAX + 1 : seen));
		*upload_size = 0;
		return MHD_YES;
	}
	if (body_seen(state) > REQUEST_MAX)
		return text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request too large (8 KiB at most)\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(e, c);
	if (strcmp(url, "/healthz") == 0)
		return serve_health(e, c);
	if (strcmp(url, "/") == 0)
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_page,
			     sizeof(index_page) - 1);
	return text(c, MHD_HTTP_NOT_FOUND, "not found; metrics are at /metrics\n");
}

/* The text as a response MHD frees (with the text) after its last use. */
static struct MHD_Response *metrics_response(char *t, size_t len)
{
	struct MHD_Response *r = mhd.create_response_from_buffer_with_free_callback(len, t, free);
	if (!r) {
		free(t);
		return NULL;
	}
	if (mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/plain; version=0.0.4; charset=utf-8") != MHD_YES) {
		mhd.destroy_response(r);
		return NULL;
	}
	return r;
}

/* Takes a sample and publishes its text.  Returns false on a sampling
 * error (reported once per change of message). */
static bool publish(const xpu_cli *cli, exporter *e, xpu_sampler *s, bool processes,
		    char *last_err, size_t errlen)
{
	char err[512];
	if (xpu_sampler_refresh(s, err, sizeof(err)) != XPU_E_OK) {
		if (strcmp(err, last_err) != 0)
			cli_error(cli, "sampling failed: %s; serving the last good sample", err);
		snprintf(last_err, errlen, "%s", err);
		return false;
	}
	last_err[0] = '\0';
	size_t len = 0;
	char *t = xpu_sample_prometheus(xpu_sampler_last(s), processes, &len);
	struct MHD_Response *r = t ? metrics_response(t, len) : NULL;
	if (!r)
		return false;
	pthread_mutex_lock(&e->lock);
	struct MHD_Response *old = e->metrics;
	e->metrics = r;
	e->sampled_at = monotonic_s();
	pthread_mutex_unlock(&e->lock);
	if (old)
		mhd.destroy_response(old); /* ours; scrapes still sending it hold theirs */
	return true;
}

/* Samples until SIGINT or SIGTERM (blocked in every thread, taken here),
 * and at least every second shuts the connections past REQUEST_TIME_S. */
static void sample_loop(const xpu_cli *cli, exporter *e, xpu_sampler *s, bool processes,
			const sigset_t *stop)
{
	char last_err[512] = "";
	double next_ms = xpu_now_ms() + e->interval_s * 1000.0;
	for (;;) {
		double left_ms = next_ms - xpu_now_ms();
		double nap_ms = left_ms < 0 ? 0 : left_ms > 1000 ? 1000 : left_ms;
		struct timespec wait = { .tv_sec = (time_t)(nap_ms / 1000),
					 .tv_nsec = (long)(nap_ms - 1000.0 * (double)(time_t)(nap_ms / 1000)) * 1000000L };
		int sig = sigtimedwait(stop, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			return;
		http_guard_reap(e->guard);
		if (xpu_now_ms() >= next_ms) {
			publish(cli, e, s, processes, last_err, sizeof(last_err));
			next_ms += e->interval_s * 1000.0;
			if (next_ms < xpu_now_ms()) /* a slow sample: no burst to catch up */
				next_ms = xpu_now_ms() + e->interval_s * 1000.0;
		}
	}
}

/* MHD's connection notices: each connection's clock in the guard. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	exporter *e = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info =
			mhd.get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = info ? http_guard_start(e->guard, info->connect_fd) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		http_guard_end(e->guard, *socket_context); /* MHD closes the socket after this */
		*socket_context = NULL;
	}
}

/* An answer was sent: the next request on the connection gets its time. */
static void on_completed(void *cls, struct MHD_Connection *c, void **request,
			 enum MHD_RequestTerminationCode code)
{
	exporter *e = cls;
	(void)request;
	(void)code;
	const union MHD_ConnectionInfo *info =
		mhd.get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info)
		http_guard_restart(e->guard, info->socket_context);
}

/* One HTTP thread per core (epoll each): on the 2-core CI machine 1 thread
 * served 40% fewer requests at a worse p99, 4 threads no better than 2. */
static unsigned http_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1u : n > HTTP_THREADS_MAX ? (unsigned)HTTP_THREADS_MAX : (unsigned)n;
}

static struct MHD_Daemon *start_http(exporter *e, int fd)
{
	return mhd.start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO, 0, NULL, NULL, handle,
		e, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_CLIENT_LIMIT,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, e,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, e,
		/* the request line and headers must fit: larger ones get 431 */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_MAX,
		MHD_OPTION_THREAD_POOL_SIZE, http_threads(), MHD_OPTION_END);
}

enum { OPT_LISTEN = 256, OPT_INTERVAL, OPT_PROCESSES };

int cmd_exporter(xpu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "processes", no_argument, NULL, OPT_PROCESSES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_spec = DEFAULT_LISTEN;
	double interval = 1.0;
	bool processes = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: listen_spec = optarg; break;
		case OPT_INTERVAL:
			if (!cli_parse_interval(optarg, &interval)) {
				cli_error(cli, "--interval '%s': give a duration from 100ms to 1h, "
					  "e.g. 500ms, 1s, 2m", optarg);
				return XPU_EXIT_USAGE;
			}
			break;
		case OPT_PROCESSES: processes = true; break;
		case 'h': usage(stdout); return XPU_EXIT_OK;
		default: fprintf(stderr, "Try 'xpu exporter --help'.\n"); return XPU_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(cli, "exporter: unexpected argument '%s'", argv[optind]);
		return XPU_EXIT_USAGE;
	}
	struct sockaddr_storage sa;
	socklen_t salen;
	if (!cli_parse_listen(listen_spec, &sa, &salen)) {
		cli_error(cli, "--listen '%s': give ADDR:PORT with a numeric address and a port "
			  "from 0 to 65535, e.g. 127.0.0.1:9835 or [::1]:9835", listen_spec);
		return XPU_EXIT_USAGE;
	}

	xpu_sampler *s = cli_sampler(cli);
	if (!s)
		return XPU_EXIT_FAILURE;
	exporter e = { .interval_s = interval,
		       .guard = http_guard_new(CONNECTION_LIMIT + HTTP_THREADS_MAX, REQUEST_TIME_S) };
	pthread_mutex_init(&e.lock, NULL);
	char last_err[512] = "";
	int status = XPU_EXIT_FAILURE;
	int fd = -1;
	struct MHD_Daemon *d = NULL;
	if (!e.guard || !mhd_load(cli) || !publish(cli, &e, s, processes, last_err, sizeof(last_err)))
		goto out;
	fd = listen_on(cli, listen_spec, &sa, salen);
	if (fd < 0)
		goto out;
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before MHD's thread starts: it inherits it */
	signal(SIGPIPE, SIG_IGN);
	d = start_http(&e, fd);
	if (!d) {
		cli_error(cli, "cannot start the HTTP server on %s: %s", listen_spec, strerror(errno));
		goto out;
	}
	print_address(fd);
	sample_loop(cli, &e, s, processes, &stop);
	status = XPU_EXIT_OK;
out:
	if (d)
		mhd.stop_daemon(d);
	if (fd >= 0)
		close(fd);
	xpu_sampler_free(s);
	if (e.metrics)
		mhd.destroy_response(e.metrics);
	http_guard_free(e.guard);
	pthread_mutex_destroy(&e.lock);
	return status;
}
