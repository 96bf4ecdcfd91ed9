/* The SMBIOS type 17 parser (src/sys/smbios.c) on real tables and on tables
 * written from DSP0134's layouts: every NAME.DMI of tests/bench/smbios has a
 * NAME.expect (the populated DIMMs, then the peak, "unknown WHY" or "error
 * WHY"), which bench.sh also holds dmidecode to; and the channel rules. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sys/smbios.h"

#define FIXTURE_DIR SOURCE_DIR "/tests/bench/smbios"

static uint8_t *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *buf = malloc(1 << 20);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* "dimm LOC|BANK|MIB|WIDTH|SPEED" against the next populated device. */
static void expect_dimm(const xpu_smbios_memory *m, size_t *next, char *spec, const char *name)
{
	while (*next < m->n_devices && !m->dev[*next].populated)
		(*next)++;
	assert_true(*next < m->n_devices);
	const xpu_dimm *d = &m->dev[(*next)++];
	char *f[5];
	for (int i = 0; i < 5; i++)
		f[i] = strsep(&spec, "|");
	assert_non_null(f[4]);
	printf("  %s: %s / %s: %llu MiB, %u bit, %u MT/s\n", name, d->locator, d->bank,
	       (unsigned long long)d->size_mib, d->data_width, d->speed_mts);
	assert_string_equal(d->locator, f[0]);
	assert_string_equal(d->bank, f[1]);
	assert_int_equal(d->size_mib, strtoull(f[2], NULL, 10));
	assert_int_equal(d->data_width, strtoul(f[3], NULL, 10));
	assert_int_equal(d->speed_mts, strtoul(f[4], NULL, 10));
}

static void check_fixture(const char *name)
{
	char path[512], line[512], err[160];
	size_t n;
	snprintf(path, sizeof(path), "%s/%s.DMI", FIXTURE_DIR, name);
	uint8_t *table = read_all(path, &n);
	xpu_smbios_memory *m = malloc(sizeof(*m));
	assert_non_null(m);
	bool parsed = xpu_smbios_memory_parse(table, n, m, err, sizeof(err));
	xpu_dram_peak peak;
	bool known = parsed && xpu_smbios_dram_peak(m, &peak);
	snprintf(path, sizeof(path), "%s/%s.expect", FIXTURE_DIR, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f); /* every fixture has its expectation */
	size_t next = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "dimm ", 5) == 0) {
			assert_true(parsed);
			expect_dimm(m, &next, line + 5, name);
		} else if (strncmp(line, "peak ", 5) == 0) {
			double gb = 0;
			unsigned channels = 0;
			assert_int_equal(sscanf(line + 5, "%lf %u", &gb, &channels), 2);
			printf("  %s: %.3f GB/s: %s\n", name, peak.gb_s, peak.how);
			assert_true(known);
			assert_true(fabs(peak.gb_s - gb) < 1e-6 * gb);
			assert_int_equal(peak.channels, channels);
		} else if (strncmp(line, "unknown ", 8) == 0) {
			assert_true(parsed && !known);
			printf("  %s: unknown: %s\n", name, peak.how);
			assert_non_null(strstr(peak.how, line + 8));
		} else if (strncmp(line, "error ", 6) == 0) {
			printf("  %s: error: %s\n", name, err);
			assert_false(parsed);
			assert_string_equal(err, line + 6);
		}
	}
	fclose(f);
	/* no populated device left that the expectation does not name */
	while (next < m->n_devices)
		assert_false(m->dev[next++].populated && parsed);
	free(m);
	free(table);
}

static void test_fixtures(void **state)
{
	(void)state;
	DIR *d = opendir(FIXTURE_DIR);
	assert_non_null(d);
	struct dirent *e;
	size_t seen = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".DMI") != 0)
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), e->d_name);
		check_fixture(name);
		seen++;
	}
	closedir(d);
	/* three real tables and the synthetic ones */
	assert_true(seen >= 12);
}

static void channel_is(const char *loc, const char *bank, const char *want)
{
	xpu_dimm d;
	memset(&d, 0, sizeof(d));
	snprintf(d.locator, sizeof(d.locator), "%s", loc);
	snprintf(d.bank, sizeof(d.bank), "%s", bank);
	char key[48];
	bool named = xpu_dimm_channel(&d, key, sizeof(key));
	if (!want) {
		assert_false(named);
		return;
	}
	assert_true(named);
	assert_string_equal(key, want);
}

static void test_channel_names(void **state)
{
	(void)state;
	channel_is("DIMM 0", "P0 CHANNEL A", "P0 A");
	channel_is("ChannelB-DIMM1", "BANK 2", "B");
	channel_is("Controller1-ChannelC-DIMM0", "BANK 0", "CONTROLLER1-C");
	channel_is("CPU1_DIMM_C2", "NODE 1", "CPU1_C");
	channel_is("P2-DIMMD1", "", "P2-D");
	/* no channel named: each such DIMM is its own channel */
	channel_is("DIMM 0", "BANK 0", NULL);
	channel_is("DIMM0", "BANK 2", NULL);
	channel_is("A1", "", NULL);
	channel_is("", "", NULL);
	/* a word that is no channel letter */
	channel_is("CHANNEL", "", NULL);
	channel_is("DIMM_", "", NULL);
}

static void test_empty_and_short_tables(void **state)
{
	(void)state;
	char err[160];
	xpu_smbios_memory *m = malloc(sizeof(*m));
	assert_non_null(m);
	assert_true(xpu_smbios_memory_parse((const uint8_t *)"", 0, m, err, sizeof(err)));
	assert_int_equal(m->n_devices, 0);
	xpu_dram_peak p;
	assert_false(xpu_smbios_dram_peak(m, &p));
	assert_non_null(strstr(p.how, "no populated DRAM device among the 0"));
	/* the end-of-table structure alone */
	static const uint8_t end[] = { 127, 4, 0xff, 0xfe, 0, 0 };
	assert_true(xpu_smbios_memory_parse(end, sizeof(end), m, err, sizeof(err)));
	assert_int_equal(m->n_structures, 1);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_channel_names),
		cmocka_unit_test(test_empty_and_short_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
