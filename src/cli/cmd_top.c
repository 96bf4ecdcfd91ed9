/* xpu top: a live view of the accelerators (ncursesw), and `--once` for
 * scripts and non-terminals.  The lines are composed as plain text once and
 * either printed or drawn, so both views say the same. */
#include <curses.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/telemetry_opts.h"
#include "xpu/telemetry.h"

enum { HISTORY = 32, LINE = 512 };

typedef enum sort_key { SORT_MEMORY, SORT_BUSY, SORT_PID } sort_key;

typedef struct history {
	char id[40];
	double util[HISTORY]; /* < 0: unknown */
	unsigned n;
} history;

typedef struct view {
	history hist[XPU_MAX_DEVICES];
	sort_key sort;
	double interval;
} view;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xpu top [--interval DURATION] [--once [--json]]\n"
		"\n"
		"A live view of each GPU (utilisation, memory, power, temperature, clock,\n"
		"throttling, with a short utilisation history) and of the processes using\n"
		"them.  Keys: q quit, m sort by memory, u sort by engine use, p sort by pid.\n"
		"\n"
		"Options:\n"
		"  --interval DURATION  time between samples: 500ms, 1s, 2m (default 1s)\n"
		"  --once               take two samples DURATION apart (rates need two),\n"
		"                       print them as text and exit; for scripts\n"
		"  --json               with --once: JSON with a schema_version\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 done; 1 could not sample, or no terminal without --once;\n"
		"2 bad command line.  See xpu-top(1).\n");
}

/* --- composing text --- */

static const char *reason_short(const xpu_status *st, char *buf, size_t len)
{
	snprintf(buf, len, "n/a (%s)", xpu_reason_text(st->reason));
	return buf;
}

static void bar(char *out, size_t len, double percent, int width)
{
	int fill = (int)(percent / 100.0 * width + 0.5);
	fill = fill < 0 ? 0 : fill > width ? width : fill;
	if (len < (size_t)width + 3)
		return;
	out[0] = '[';
	for (int i = 0; i < width; i++)
		out[1 + i] = i < fill ? '|' : ' ';
	out[1 + width] = ']';
	out[2 + width] = '\0';
}

static void sparkline(char *out, size_t len, const history *h)
{
	static const char levels[] = " .:-=+*#%@";
	size_t k = 0;
	for (unsigned i = 0; i < h->n && k + 1 < len; i++) {
		double u = h->util[i];
		out[k++] = u < 0 ? '?' : levels[(int)(u / 100.0 * 9 + 0.5)];
	}
	out[k] = '\0';
}

static void util_text(char *out, size_t len, const xpu_real *u, int width)
{
	char b[64], why[96];
	if (!cli_ok(&u->status)) {
		snprintf(out, len, "GPU %s", reason_short(&u->status, why, sizeof(why)));
		return;
	}
	bar(b, sizeof(b), u->value, width);
	snprintf(out, len, "GPU %s %3.0f%%", b, u->value);
}

static void memory_text(char *out, size_t len, const xpu_device_sample *ds, int width)
{
	const xpu_device *d = &ds->dev;
	char b[64], used[32], total[32], why[96];
	if (cli_ok(&d->memory_used_bytes.status) && cli_ok(&d->memory_total_bytes.status) &&
	    d->memory_total_bytes.value) {
		bar(b, sizeof(b), 100.0 * (double)d->memory_used_bytes.value / (double)d->memory_total_bytes.value,
		    width);
		snprintf(out, len, "MEM %s %s/%s", b, fmt_bytes(d->memory_used_bytes.value, used, sizeof(used)),
			 fmt_bytes(d->memory_total_bytes.value, total, sizeof(total)));
	} else if (cli_ok(&ds->clients_vram_bytes.status) && ds->clients_vram_bytes.value) {
		snprintf(out, len, "MEM clients %s (device: %s)",
			 fmt_bytes(ds->clients_vram_bytes.value, used, sizeof(used)),
			 reason_short(&d->memory_used_bytes.status, why, sizeof(why)));
	} else if (cli_ok(&ds->clients_system_bytes.status) && d->kind == XPU_KIND_INTEGRATED) {
		snprintf(out, len, "MEM shared, clients hold %s",
			 fmt_bytes(ds->clients_system_bytes.value, used, sizeof(used)));
	} else {
		snprintf(out, len, "MEM %s", reason_short(&d->memory_used_bytes.status, why, sizeof(why)));
	}
}

static void real_or_na(char *out, size_t len, const char *label, const xpu_real *v, const char *unit)
{
	if (cli_ok(&v->status))
		snprintf(out, len, "%s %.0f%s", label, v->value, unit);
	else
		snprintf(out, len, "%s n/a", label);
}

static void sensors_text(char *out, size_t len, const xpu_device_sample *ds)
{
	const xpu_device *d = &ds->dev;
	char t[32], p[48], c[48], f[32], th[XPU_TEXT_LEN + 8];
	real_or_na(t, sizeof(t), "TEMP", &d->temperature_c, "C");
	if (cli_ok(&d->power_draw_w.status) && cli_ok(&d->power_cap_w.status))
		snprintf(p, sizeof(p), "POW %.0f/%.0fW", d->power_draw_w.value, d->power_cap_w.value);
	else
		real_or_na(p, sizeof(p), "POW", &d->power_draw_w, "W");
	if (cli_ok(&d->clock_actual_mhz.status) && cli_ok(&d->clock_max_mhz.status))
		snprintf(c, sizeof(c), "CLK %" PRIu64 "/%" PRIu64 "MHz", d->clock_actual_mhz.value,
			 d->clock_max_mhz.value);
	else if (cli_ok(&d->clock_actual_mhz.status))
		snprintf(c, sizeof(c), "CLK %" PRIu64 "MHz", d->clock_actual_mhz.value);
	else
		snprintf(c, sizeof(c), "CLK n/a");
	if (d->n_fans && cli_ok(&d->fans[0].reading.status))
		snprintf(f, sizeof(f), "FAN %.0frpm", d->fans[0].reading.value);
	else
		real_or_na(f, sizeof(f), "FAN", &ds->fan_percent, "%");
	if (cli_ok(&ds->throttle_reasons.status))
		snprintf(th, sizeof(th), "THR %s", ds->throttle_reasons.value[0] ? ds->throttle_reasons.value : "none");
	else
		snprintf(th, sizeof(th), "THR n/a");
	snprintf(out, len, "%s  %s  %s  %s  %s", t, p, c, f, th);
}

static void engines_text(char *out, size_t len, const xpu_engine_use *e, unsigned n)
{
	size_t k = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < n && k < len; i++) {
		int w = cli_ok(&e[i].busy_percent.status)
				? snprintf(out + k, len - k, "%s%s %.0f%%", k ? " " : "", e[i].name,
					   e[i].busy_percent.value)
				: snprintf(out + k, len - k, "%s%s n/a", k ? " " : "", e[i].name);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

static history *history_of(view *v, const xpu_device *d)
{
	for (size_t i = 0; i < XPU_MAX_DEVICES; i++)
		if (strcmp(v->hist[i].id, d->id) == 0)
			return &v->hist[i];
	for (size_t i = 0; i < XPU_MAX_DEVICES; i++)
		if (!v->hist[i].id[0]) {
			snprintf(v->hist[i].id, sizeof(v->hist[i].id), "%s", d->id);
			return &v->hist[i];
		}
	return NULL;
}

static void remember(view *v, const xpu_sample *x)
{
	for (size_t i = 0; i < x->n_devices; i++) {
		const xpu_device_sample *ds = &x->devices[i];
		history *h = history_of(v, &ds->dev);
		if (!h)
			continue;
		double u = cli_ok(&ds->util_percent.status) ? ds->util_percent.value : -1;
		if (h->n == HISTORY)
			memmove(h->util, h->util + 1, sizeof(h->util[0]) * (HISTORY - 1));
		else
			h->n++;
		h->util[h->n - 1] = u;
	}
}

/* Four lines per device; bar width fits the screen width. */
/* "  NVLINK 12.3/12.3 GB/s  PCIE 0.1/0.0 GB/s" (sent/received), where the
 * device has the counters; n/a until two samples. */
static void links_text(char *out, size_t len, const xpu_device_sample *ds)
{
	size_t used = 0;
	out[0] = '\0';
	for (int k = 0; k < XPU_TRAFFIC_COUNT; k += 2) {
		const xpu_real *tx = &ds->traffic[k].bytes_per_s, *rx = &ds->traffic[k + 1].bytes_per_s;
		if (tx->status.state == XPU_UNSUPPORTED)
			continue;
		char name[8];
		snprintf(name, sizeof(name), "%s", xpu_traffic_link((xpu_traffic_kind)k));
		for (char *p = name; *p; p++)
			*p = (char)(*p - 'a' + 'A');
		int n = cli_ok(&tx->status) && cli_ok(&rx->status) ?
				snprintf(out + used, len - used, "  %s %.1f/%.1f GB/s", name,
					 tx->value / 1e9, rx->value / 1e9) :
				snprintf(out + used, len - used, "  %s n/a", name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

static int device_lines(view *v, const xpu_device_sample *ds, char lines[4][LINE], int cols)
{
	const xpu_device *d = &ds->dev;
	char a[LINE], b[LINE], spark[HISTORY + 1] = "";
	int w = cols >= 100 ? 30 : cols >= 80 ? 20 : 10;
	snprintf(lines[0], LINE, "%u %s  %s  %s  %u proc", d->index,
		 cli_ok(&d->name.status) ? d->name.value : "(unnamed)",
		 cli_ok(&d->driver.status) ? d->driver.value : "-", d->pci_address, ds->n_processes);
	history *h = history_of(v, d);
	if (h)
		sparkline(spark, sizeof(spark), h);
	util_text(a, sizeof(a), &ds->util_percent, w);
	snprintf(lines[1], LINE, "  %s  %s", a, spark);
	memory_text(b, sizeof(b), ds, w);
	links_text(a, sizeof(a), ds);
	snprintf(lines[2], LINE, "  %s%s", b, a);
	sensors_text(a, sizeof(a), ds);
	snprintf(lines[3], LINE, "  %s", a);
	return 4;
}

static sort_key sort_by;

static uint64_t proc_mem(const xpu_process_sample *p)
{
	return (cli_ok(&p->vram_bytes.status) ? p->vram_bytes.value : 0) +
	       (cli_ok(&p->system_bytes.status) ? p->system_bytes.value : 0);
}

static int compare_procs(const void *a, const void *b)
{
	const xpu_process_sample *p = *(const xpu_process_sample *const *)a;
	const xpu_process_sample *q = *(const xpu_process_sample *const *)b;
	if (sort_by == SORT_MEMORY && proc_mem(p) != proc_mem(q))
		return proc_mem(p) > proc_mem(q) ? -1 : 1;
	if (sort_by == SORT_BUSY) {
		double bp = cli_ok(&p->busy_percent.status) ? p->busy_percent.value : -1;
		double bq = cli_ok(&q->busy_percent.status) ? q->busy_percent.value : -1;
		if (bp != bq)
			return bp > bq ? -1 : 1;
	}
	return p->pid - q->pid;
}

static const xpu_process_sample **sorted_processes(const xpu_sample *x, sort_key key)
{
	const xpu_process_sample **order = calloc(x->n_processes + 1, sizeof(*order));
	if (!order)
		return NULL;
	for (size_t i = 0; i < x->n_processes; i++)
		order[i] = &x->processes[i];
	sort_by = key;
	qsort(order, x->n_processes, sizeof(*order), compare_procs);
	return order;
}

static void mem_cell(char *out, size_t len, const xpu_uint *v)
{
	if (cli_ok(&v->status))
		fmt_bytes(v->value, out, len);
	else
		snprintf(out, len, "-");
}

static const char process_header[] = "    PID DEV COMMAND          VRAM       SYSMEM      BUSY  ENGINES";

static void process_line(char *out, size_t len, const xpu_process_sample *p)
{
	char vram[24], sys[24], busy[16], eng[256];
	mem_cell(vram, sizeof(vram), &p->vram_bytes);
	mem_cell(sys, sizeof(sys), &p->system_bytes);
	if (cli_ok(&p->busy_percent.status))
		snprintf(busy, sizeof(busy), "%3.0f%%", p->busy_percent.value);
	else
		snprintf(busy, sizeof(busy), "n/a");
	engines_text(eng, sizeof(eng), p->engines, p->n_engines);
	snprintf(out, len, "%7d %3u %-15.15s %10s %10s %9s  %s", p->pid, p->device, p->command, vram, sys,
		 busy, eng);
}

static bool is_gpu(const xpu_device_sample *ds)
{
	return ds->dev.vendor != XPU_VENDOR_CPU;
}

static void processes_note(char *out, size_t len, const xpu_sample *x)
{
	out[0] = '\0';
	if (!cli_ok(&x->processes_status))
		snprintf(out, len, "(%s)", x->processes_status.detail);
}

/* --- once --- */

static void print_once(view *v, const xpu_sample *x)
{
	char lines[4][LINE], line[LINE];
	size_t gpus = 0;
	for (size_t i = 0; i < x->n_devices; i++) {
		if (!is_gpu(&x->devices[i]))
			continue;
		gpus++;
		int n = device_lines(v, &x->devices[i], lines, 80);
		for (int k = 0; k < n; k++)
			puts(lines[k]);
	}
	if (!gpus)
		puts("no GPU found (xpu list shows every device, the CPU included)");
	puts("");
	puts(process_header);
	const xpu_process_sample **order = sorted_processes(x, v->sort);
	for (size_t i = 0; order && i < x->n_processes; i++) {
		process_line(line, sizeof(line), order[i]);
		puts(line);
	}
	free(order);
	processes_note(line, sizeof(line), x);
	if (line[0])
		puts(line);
}

static int sample_twice(const xpu_cli *cli, xpu_sampler *s, double interval)
{
	char err[512];
	for (int i = 0; i < 2; i++) {
		if (i) {
			struct timespec ts = { .tv_sec = (time_t)interval,
					       .tv_nsec = (long)((interval - (double)(time_t)interval) * 1e9) };
			nanosleep(&ts, NULL);
		}
		if (xpu_sampler_refresh(s, err, sizeof(err)) != XPU_E_OK) {
			cli_error(cli, "sampling failed: %s", err);
			return XPU_EXIT_FAILURE;
		}
	}
	return XPU_EXIT_OK;
}

static int run_once(const xpu_cli *cli, xpu_sampler *s, view *v, bool json)
{
	int rc = sample_twice(cli, s, v->interval);
	if (rc != XPU_EXIT_OK)
		return rc;
	const xpu_sample *x = xpu_sampler_last(s);
	if (json) {
		char *j = xpu_sample_json(x, true);
		if (!j) {
			cli_error(cli, "out of memory");
			return XPU_EXIT_FAILURE;
		}
		puts(j);
		free(j);
		return XPU_EXIT_OK;
	}
	remember(v, x);
	print_once(v, x);
	return XPU_EXIT_OK;
}

/* --- curses --- */

static int put_line(int row, const char *s, int attr)
{
	if (row >= LINES)
		return row;
	attron(attr);
	mvaddnstr(row, 0, s, COLS);
	attroff(attr);
	return row + 1;
}

static const char *sort_name(sort_key k)
{
	return k == SORT_MEMORY ? "memory" : k == SORT_BUSY ? "engine use" : "pid";
}

static void draw(view *v, const xpu_sample *x)
{
	erase();
	char line[LINE], lines[4][LINE];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char clock[16];
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	snprintf(line, sizeof(line), "xpu top  %s  every %.1fs  sorted by %s   q quit  m/u/p sort", clock,
		 v->interval, sort_name(v->sort));
	int row = put_line(0, line, A_REVERSE);
	size_t gpus = 0;
	for (size_t i = 0; i < x->n_devices; i++) {
		if (!is_gpu(&x->devices[i]))
			continue;
		gpus++;
		int n = device_lines(v, &x->devices[i], lines, COLS);
		row = put_line(row, lines[0], A_BOLD);
		for (int k = 1; k < n; k++)
			row = put_line(row, lines[k], A_NORMAL);
	}
	if (!gpus)
		row = put_line(row, "no GPU found (xpu list shows every device, the CPU included)", A_NORMAL);
	row = put_line(row + (row < LINES - 1), process_header, A_REVERSE);
	const xpu_process_sample **order = sorted_processes(x, v->sort);
	for (size_t i = 0; order && i < x->n_processes && row < LINES - 1; i++) {
		process_line(line, sizeof(line), order[i]);
		row = put_line(row, line, A_NORMAL);
	}
	free(order);
	processes_note(line, sizeof(line), x);
	if (line[0])
		put_line(LINES - 1, line, A_DIM);
	refresh();
}

/* Waits up to the interval for a key; true when the user quit. */
static bool handle_keys(view *v, const xpu_sample *x)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double left = v->interval - ((double)(now.tv_sec - start.tv_sec) +
					     (double)(now.tv_nsec - start.tv_nsec) / 1e9);
		if (left <= 0)
			return false;
		timeout((int)(left * 1000) + 1);
		int ch = getch();
		switch (ch) {
		case 'q': case 'Q': return true;
		case 'm': case 'M': v->sort = SORT_MEMORY; break;
		case 'u': case 'U': v->sort = SORT_BUSY; break;
		case 'p': case 'P': v->sort = SORT_PID; break;
		case ERR: return false;
		default: break; /* KEY_RESIZE and others: redraw */
		}
		draw(v, x);
	}
}

static int run_live(const xpu_cli *cli, xpu_sampler *s, view *v)
{
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		cli_error(cli, "top: no terminal; use 'xpu top --once' (or --once --json) in scripts");
		return XPU_EXIT_FAILURE;
	}
	setlocale(LC_ALL, "");
	SCREEN *screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		cli_error(cli, "top: cannot use terminal type '%s'; set TERM (e.g. TERM=xterm) or use --once",
			  getenv("TERM") ? getenv("TERM") : "");
		return XPU_EXIT_FAILURE;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	int rc = XPU_EXIT_OK;
	char err[512];
	for (;;) {
		if (xpu_sampler_refresh(s, err, sizeof(err)) != XPU_E_OK) {
			endwin();
			cli_error(cli, "sampling failed: %s", err);
			rc = XPU_EXIT_FAILURE;
			break;
		}
		const xpu_sample *x = xpu_sampler_last(s);
		remember(v, x);
		draw(v, x);
		if (handle_keys(v, x)) {
			endwin();
			break;
		}
	}
	delscreen(screen);
	return rc;
}

enum { OPT_INTERVAL = 256, OPT_ONCE, OPT_JSON };

int cmd_top(xpu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	view *v = calloc(1, sizeof(*v));
	if (!v) {
		cli_error(cli, "out of memory");
		return XPU_EXIT_FAILURE;
	}
	v->interval = 1.0;
	bool once = false, json = cli->json;
	int c, rc = XPU_EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (!cli_parse_interval(optarg, &v->interval)) {
				cli_error(cli, "--interval '%s': give a duration from 100ms to 1h, "
					  "e.g. 500ms, 1s, 2m", optarg);
				goto out;
			}
			break;
		case OPT_ONCE: once = true; break;
		case OPT_JSON: json = true; break;
		case 'h': usage(stdout); rc = XPU_EXIT_OK; goto out;
		default: fprintf(stderr, "Try 'xpu top --help'.\n"); goto out;
		}
	}
	if (optind < argc) {
		cli_error(cli, "top: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (json && !once) {
		cli_error(cli, "top: --json needs --once (the live view is for people)");
		goto out;
	}
	xpu_sampler *s = cli_sampler(cli);
	if (!s) {
		rc = XPU_EXIT_FAILURE;
		goto out;
	}
	rc = once ? run_once(cli, s, v, json) : run_live(cli, s, v);
	xpu_sampler_free(s);
out:
	free(v);
	return rc;
}
