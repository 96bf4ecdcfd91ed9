/* The figure registry (src/bench/figures.h) against what people read: each
 * row well formed, --only checked against it, and doc/xpu-bench.1 naming
 * exactly its figures.  The page check is run on planted faults too, so
 * that a checker that finds nothing cannot pass for a page that is right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xpu/bench.h"

#define MAX_TAGS 64

/* A row as help and the man page show it: "gemm.bf16.N". */
static void pattern_of(const xpu_bench_figure_info *fig, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", fig->name, fig->shape ? "." : "", fig->shape ? fig->shape : "");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* The words of a ".B"/".BI" line joined: ".BI gemv.bf16.m M .n N" ->
 * "gemv.bf16.mM.nN"; false for another kind of line. */
static bool bold_tag(const char *line, char *out, size_t len)
{
	const char *p;
	if (strncmp(line, ".B ", 3) == 0)
		p = line + 3;
	else if (strncmp(line, ".BI ", 4) == 0)
		p = line + 4;
	else
		return false;
	size_t n = 0;
	for (; *p && *p != '\n' && n + 1 < len; p++)
		if (*p != ' ' && *p != '"')
			out[n++] = *p;
	out[n] = '\0';
	return true;
}

/* The tags of the FIGURES section (the line after each .TP). */
static size_t figure_tags(const char *page, char tags[][64])
{
	size_t n = 0;
	bool in = false, after_tp = false;
	for (const char *line = page; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		if (strncmp(line, ".SH ", 4) == 0)
			in = strncmp(line, ".SH FIGURES", 11) == 0;
		else if (in && after_tp && n < MAX_TAGS && bold_tag(line, tags[n], 64))
			n++;
		after_tp = strncmp(line, ".TP", 3) == 0;
	}
	return n;
}

/* Whether word's part before the first dot is the first part of a row's
 * name: the page means a figure. */
static bool names_a_figure(const char *word)
{
	size_t root = strcspn(word, ".");
	for (size_t i = 0; i < xpu_bench_figure_count(); i++) {
		const char *name = xpu_bench_figure_at(i)->name;
		if (word[root] == '.' && strncmp(name, word, root) == 0 && name[root] == '.')
			return true;
	}
	return false;
}

/* Every figure-like word of the page ("gemm.bf16.8192", "gemv.fp8.*")
 * must be one --only accepts; a pattern letter or '*' stands for a size. */
static int unknown_mentions(const char *page, char *why, size_t len)
{
	int bad = 0;
	const char *p = page;
	while (*p) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789.*MNK");
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), p);
		for (size_t w = strlen(word); w && word[w - 1] == '.'; w--)
			word[w - 1] = '\0'; /* a sentence's full stop */
		char bad_tok[64];
		if (n && names_a_figure(word) && !xpu_bench_only_valid(word, bad_tok, sizeof(bad_tok))) {
			snprintf(why, len, "the page names %s, which no figure of the table has", word);
			bad++;
		}
		p += n ? n : 1;
	}
	return bad;
}

/* 0 when the page and the table name the same figures, else how many
 * differences, the last in why. */
static int man_problems(const char *page, char *why, size_t len)
{
	char tags[MAX_TAGS][64], pattern[64];
	size_t n = figure_tags(page, tags);
	int bad = 0;
	for (size_t i = 0; i < xpu_bench_figure_count(); i++) {
		pattern_of(xpu_bench_figure_at(i), pattern, sizeof(pattern));
		bool found = false;
		for (size_t t = 0; t < n && !found; t++)
			found = strcmp(tags[t], pattern) == 0;
		if (!found) {
			snprintf(why, len, "figure %s is not in FIGURES", pattern);
			bad++;
		}
	}
	for (size_t t = 0; t < n; t++) {
		bool found = false;
		for (size_t i = 0; i < xpu_bench_figure_count() && !found; i++) {
			pattern_of(xpu_bench_figure_at(i), pattern, sizeof(pattern));
			found = strcmp(tags[t], pattern) == 0;
		}
		if (!found) {
			snprintf(why, len, "FIGURES lists %s, which the table lacks", tags[t]);
			bad++;
		}
	}
	return bad + unknown_mentions(page, why, len);
}

static char *man_page(void)
{
	char *page = slurp(SOURCE_DIR "/doc/xpu-bench.1");
	assert_non_null(page);
	return page;
}

static void test_man_page_names_the_table(void **state)
{
	(void)state;
	char *page = man_page();
	char why[160] = "";
	int problems = man_problems(page, why, sizeof(why));
	if (problems)
		fail_msg("doc/xpu-bench.1 and src/bench/figures.h differ (%d): %s", problems, why);
	free(page);
}

/* Text spliced into the page before its ENVIRONMENT section. */
static char *planted(const char *page, const char *add)
{
	const char *at = strstr(page, ".SH ENVIRONMENT");
	assert_non_null(at);
	char *out = malloc(strlen(page) + strlen(add) + 1);
	sprintf(out, "%.*s%s%s", (int)(at - page), page, add, at);
	return out;
}

static void test_man_check_catches_faults(void **state)
{
	(void)state;
	char *page = man_page(), why[160] = "";
	/* a figure the table lacks, in FIGURES */
	char *extra = planted(page, ".TP\n.BI gemm.int4. N\nTOPS.\n");
	assert_int_equal(man_problems(extra, why, sizeof(why)), 2);
	assert_non_null(strstr(why, "gemm.int4"));
	/* ... or only in the prose */
	char *prose = planted(page, "See also\n.BR d2d.peer .\n");
	assert_int_equal(man_problems(prose, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "d2d.peer"));
	/* a figure of the table missing from FIGURES */
	char *gone = strdup(page);
	char *tag = strstr(gone, ".TP\n.B launch.latency\n");
	assert_non_null(tag);
	memcpy(tag, ".PP\n", 4);
	assert_int_equal(man_problems(gone, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "launch.latency is not in FIGURES"));
	free(extra);
	free(prose);
	free(gone);
	free(page);
}

static void test_rows_are_well_formed(void **state)
{
	(void)state;
	size_t n = xpu_bench_figure_count();
	assert_true(n > 0);
	assert_null(xpu_bench_figure_at(n));
	for (size_t i = 0; i < n; i++) {
		const xpu_bench_figure_info *f = xpu_bench_figure_at(i);
		assert_non_null(f->name);
		assert_non_null(f->unit);
		assert_non_null(f->backends);
		assert_true(f->backends[0] != '\0');
		/* a latency has no peak; a rate has one */
		assert_int_equal(strcmp(f->unit, "us") == 0, f->peak_kind == XPU_PEAK_NONE);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(f->name, xpu_bench_figure_at(j)->name);
		/* each row is a valid --only token */
		char bad[64];
		assert_true(xpu_bench_only_valid(f->name, bad, sizeof(bad)));
	}
}

static void test_only_follows_the_table(void **state)
{
	(void)state;
	char bad[64];
	/* a stem ("gemm.bf16") and a dot prefix ("gemm", "h2d") */
	assert_true(xpu_bench_only_valid("gemm.bf16,gemm,h2d,gemv", bad, sizeof(bad)));
	/* a figure without a shape takes no suffix; one with a shape needs one */
	assert_false(xpu_bench_only_valid("stream.triad.1", bad, sizeof(bad)));
	assert_string_equal(bad, "stream.triad.1");
	assert_false(xpu_bench_only_valid("gemm.bf16.", bad, sizeof(bad)));
	assert_false(xpu_bench_only_valid("stream.", bad, sizeof(bad)));
	assert_false(xpu_bench_only_valid("gemm.int4.8192", bad, sizeof(bad)));
	assert_false(xpu_bench_only_valid("stream,,gemm", bad, sizeof(bad)));
	assert_string_equal(bad, "");
	/* every figure the table has, at a shape the runners use */
	for (size_t i = 0; i < xpu_bench_figure_count(); i++) {
		const xpu_bench_figure_info *f = xpu_bench_figure_at(i);
		char name[64];
		snprintf(name, sizeof(name), "%s%s", f->name, f->shape ? ".8192" : "");
		assert_true(xpu_bench_only_valid(name, bad, sizeof(bad)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_well_formed),
		cmocka_unit_test(test_only_follows_the_table),
		cmocka_unit_test(test_man_page_names_the_table),
		cmocka_unit_test(test_man_check_catches_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
