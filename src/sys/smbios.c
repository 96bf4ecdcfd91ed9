/* SMBIOS type 17 ("Memory Device") and the DRAM bandwidth it implies.
 * Offsets are DMTF DSP0134 3.7's, section 7.18, table 75; each field is read
 * only when the structure's length (which grew with the spec's versions:
 * 0x15 in 2.1, 0x1B in 2.3, 0x22 in 2.7, 0x28 in 2.8, 0x54 in 3.2, 0x5C in
 * 3.3) reaches past it. */
#include "sys/smbios.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

enum {
	T17_DATA_WIDTH = 0x0A,  /* WORD, bits; 0xFFFF unknown */
	T17_SIZE = 0x0C,        /* WORD; 0 empty, 0xFFFF unknown, 0x7FFF: extended size */
	T17_LOCATOR = 0x10,     /* STRING */
	T17_BANK = 0x11,        /* STRING */
	T17_TYPE = 0x12,        /* BYTE */
	T17_SPEED = 0x15,       /* WORD, MT/s; 0 unknown, 0xFFFF: extended speed (2.3) */
	T17_EXT_SIZE = 0x1C,    /* DWORD, MiB, bits 30:0 (2.7) */
	T17_CONF_SPEED = 0x20,  /* WORD, MT/s; 0 unknown, 0xFFFF: extended (2.7) */
	T17_TECHNOLOGY = 0x28,  /* BYTE (3.2): 0x03 DRAM, 0x07 Intel Optane persistent memory */
	T17_EXT_SPEED = 0x54,   /* DWORD, MT/s (3.3) */
	T17_EXT_CONF_SPEED = 0x58,
	TYPE_MEMORY_DEVICE = 17,
	TYPE_END = 127,
	MEM_TYPE_LOGICAL_NV = 0x1F,
	TECH_OPTANE = 0x07,
};

/* Little-endian fields of a formatted area of length n; def where the
 * structure is too short to have the field. */
static unsigned field8(const uint8_t *s, size_t n, size_t at, unsigned def)
{
	return at + 1 <= n ? s[at] : def;
}

static unsigned field16(const uint8_t *s, size_t n, size_t at, unsigned def)
{
	return at + 2 <= n ? (unsigned)s[at] | (unsigned)s[at + 1] << 8 : def;
}

static uint32_t field32(const uint8_t *s, size_t n, size_t at, uint32_t def)
{
	return at + 4 <= n ? (uint32_t)s[at] | (uint32_t)s[at + 1] << 8 |
				     (uint32_t)s[at + 2] << 16 | (uint32_t)s[at + 3] << 24 :
			     def;
}

/* String number k (1-based; 0: none) of a string area of n bytes: NUL-ended
 * strings, the area itself ended by a second NUL. */
static void string_at(const uint8_t *area, size_t n, unsigned k, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0, at = 1; k && i < n && area[i]; at++) {
		size_t end = i;
		while (end < n && area[end])
			end++;
		if (at == k) {
			size_t m = end - i < len - 1 ? end - i : len - 1;
			memcpy(out, area + i, m);
			out[m] = '\0';
			/* trailing blanks, as part numbers and locators often carry */
			while (m && isspace((unsigned char)out[m - 1]))
				out[--m] = '\0';
			return;
		}
		i = end + 1;
	}
}

/* Size in MiB, 0 when unknown; *populated false for "No Module Installed". */
static uint64_t dimm_size(const uint8_t *s, size_t n, bool *populated)
{
	unsigned w = field16(s, n, T17_SIZE, 0);
	*populated = w != 0;
	if (w == 0 || w == 0xFFFF)
		return 0;
	if (w == 0x7FFF)
		return field32(s, n, T17_EXT_SIZE, 0) & 0x7FFFFFFFu;
	/* bit 15: the granularity is KiB, not MiB */
	return w & 0x8000 ? (w & 0x7FFFu) / 1024 : w;
}

/* A speed WORD, or its DWORD extension when the WORD is 0xFFFF. */
static unsigned speed(const uint8_t *s, size_t n, size_t at, size_t ext)
{
	unsigned v = field16(s, n, at, 0);
	return v == 0xFFFF ? field32(s, n, ext, 0) : v;
}

static void read_device(const uint8_t *s, size_t n, const uint8_t *strings, size_t sn,
			xpu_dimm *d)
{
	memset(d, 0, sizeof(*d));
	d->handle = (uint16_t)field16(s, n, 2, 0);
	string_at(strings, sn, field8(s, n, T17_LOCATOR, 0), d->locator, sizeof(d->locator));
	string_at(strings, sn, field8(s, n, T17_BANK, 0), d->bank, sizeof(d->bank));
	d->size_mib = dimm_size(s, n, &d->populated);
	unsigned w = field16(s, n, T17_DATA_WIDTH, 0xFFFF);
	d->data_width = w == 0xFFFF ? 0 : w;
	d->type = (uint8_t)field8(s, n, T17_TYPE, 0);
	d->dram = d->type != MEM_TYPE_LOGICAL_NV &&
		  field8(s, n, T17_TECHNOLOGY, 0) != TECH_OPTANE;
	d->speed_mts = speed(s, n, T17_CONF_SPEED, T17_EXT_CONF_SPEED);
	if (!d->speed_mts) {
		d->speed_mts = speed(s, n, T17_SPEED, T17_EXT_SPEED);
		d->speed_rated = d->speed_mts != 0;
	}
}

bool xpu_smbios_memory_parse(const uint8_t *t, size_t len, xpu_smbios_memory *out, char *err,
			     size_t errlen)
{
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	size_t off = 0;
	while (off + 4 <= len) {
		size_t flen = t[off + 1];
		if (flen < 4 || off + flen > len) {
			snprintf(err, errlen, "structure %zu at byte %zu has length %zu", out->n_structures,
				 off, flen);
			break;
		}
		/* the strings end at the first double NUL after the formatted area */
		size_t end = off + flen;
		while (end + 1 < len && (t[end] || t[end + 1]))
			end++;
		if (end + 1 >= len) {
			snprintf(err, errlen, "the strings of structure %zu (byte %zu) have no end",
				 out->n_structures, off);
			break;
		}
		out->n_structures++;
		if (t[off] == TYPE_MEMORY_DEVICE) {
			if (out->n_devices < XPU_SMBIOS_MAX_DEVICES)
				read_device(t + off, flen, t + off + flen, end + 2 - (off + flen),
					    &out->dev[out->n_devices++]);
			else
				out->truncated = true;
		}
		if (t[off] == TYPE_END)
			break;
		off = end + 2;
	}
	return !err[0] || out->n_devices > 0;
}

const char *xpu_smbios_type_name(uint8_t type, char *buf, size_t len)
{
	static const struct {
		uint8_t type;
		const char *name;
	} names[] = { /* DSP0134 7.18.2, Memory Device - Type */
		{ 0x12, "DDR" },    { 0x13, "DDR2" },   { 0x18, "DDR3" },   { 0x1A, "DDR4" },
		{ 0x1B, "LPDDR" },  { 0x1C, "LPDDR2" }, { 0x1D, "LPDDR3" }, { 0x1E, "LPDDR4" },
		{ 0x20, "HBM" },    { 0x21, "HBM2" },   { 0x22, "DDR5" },   { 0x23, "LPDDR5" },
		{ 0x24, "HBM3" },
	};
	for (size_t i = 0; i < XPU_ARRAY_LEN(names); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, len, "type 0x%02x", type);
	return buf;
}

/* s upper-cased into out. */
static void upper(const char *s, char *out, size_t len)
{
	size_t i = 0;
	for (; s[i] && i + 1 < len; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

/* The channel after word in u (upper case): what precedes word (a socket,
 * a controller) and the character after it, past blanks, dashes and
 * underscores: "P0 CHANNEL A" -> "P0 A", "CHANNELB-DIMM1" -> "B".  With
 * slot, the character must be a letter followed by a digit (the slot on
 * the channel): "P1-DIMMA2" -> "P1-A", but "DIMM 0" names no channel. */
static bool key_after(const char *u, const char *word, bool slot, char *key, size_t len)
{
	const char *c = strstr(u, word);
	if (!c)
		return false;
	const char *p = c + strlen(word);
	while (*p == ' ' || *p == '-' || *p == '_')
		p++;
	if (slot ? !isalpha((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) :
		   !isalnum((unsigned char)p[0]))
		return false;
	snprintf(key, len, "%.*s%c", (int)(c - u < 24 ? c - u : 24), u, p[0]);
	return true;
}

bool xpu_dimm_channel(const xpu_dimm *d, char *key, size_t len)
{
	char loc[sizeof(d->locator)], bank[sizeof(d->bank)], k[48];
	upper(d->locator, loc, sizeof(loc));
	upper(d->bank, bank, sizeof(bank));
	if (key_after(bank, "CHANNEL", false, k, sizeof(k)) ||
	    key_after(loc, "CHANNEL", false, k, sizeof(k)) || key_after(loc, "DIMM", true, k, sizeof(k))) {
		xpu_strlcpy(key, k, len);
		return true;
	}
	return false;
}

typedef struct channel {
	char key[48];
	unsigned width, speed; /* the widest DIMM, the slowest speed */
} channel;

/* Folds DIMM d into its channel (a new one when its locators name none). */
static void add_to_channel(channel *ch, size_t *n, const xpu_dimm *d, bool *named)
{
	char key[48];
	bool has = xpu_dimm_channel(d, key, sizeof(key));
	if (!has)
		snprintf(key, sizeof(key), "#%u", d->handle);
	*named = *named || has;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(ch[i].key, key) == 0) {
			ch[i].width = d->data_width > ch[i].width ? d->data_width : ch[i].width;
			ch[i].speed = d->speed_mts < ch[i].speed ? d->speed_mts : ch[i].speed;
			return;
		}
	channel *c = &ch[(*n)++];
	xpu_strlcpy(c->key, key, sizeof(c->key));
	c->width = d->data_width;
	c->speed = d->speed_mts;
}

/* The first populated DRAM device that lacks what the formula needs. */
static const xpu_dimm *incomplete(const xpu_smbios_memory *m)
{
	for (size_t i = 0; i < m->n_devices; i++) {
		const xpu_dimm *d = &m->dev[i];
		if (d->populated && d->dram && (!d->speed_mts || !d->data_width))
			return d;
	}
	return NULL;
}

bool xpu_smbios_dram_peak(const xpu_smbios_memory *m, xpu_dram_peak *out)
{
	memset(out, 0, sizeof(*out));
	const xpu_dimm *bad = incomplete(m);
	if (bad) {
		snprintf(out->how, sizeof(out->how), "the firmware gives no %s for memory device '%s' "
			 "(handle 0x%04x)", bad->speed_mts ? "data width" : "speed", bad->locator,
			 bad->handle);
		return false;
	}
	channel ch[XPU_SMBIOS_MAX_DEVICES];
	size_t n = 0;
	bool named = false;
	uint8_t type = 0;
	for (size_t i = 0; i < m->n_devices; i++) {
		const xpu_dimm *d = &m->dev[i];
		if (!d->populated || !d->dram)
			continue;
		if (out->dimms++ == 0) {
			out->speed_mts = d->speed_mts;
			out->width_bits = d->data_width;
			type = d->type;
		}
		out->mixed = out->mixed || d->speed_mts != out->speed_mts ||
			     d->data_width != out->width_bits || d->type != type;
		out->rated = out->rated || d->speed_rated;
		add_to_channel(ch, &n, d, &named);
	}
	if (!out->dimms) {
		snprintf(out->how, sizeof(out->how), "no populated DRAM device among the %zu memory "
			 "devices (SMBIOS type 17) the firmware lists", m->n_devices);
		return false;
	}
	double mb_s = 0;
	for (size_t i = 0; i < n; i++)
		mb_s += (double)ch[i].width / 8.0 * ch[i].speed;
	out->gb_s = mb_s / 1000.0;
	out->channels = (unsigned)n;
	char tn[16];
	snprintf(out->how, sizeof(out->how), "%u %s DIMM%s, %s%u MT/s%s x %u bit, %u channel%s (%s)",
		 out->dimms, xpu_smbios_type_name(type, tn, sizeof(tn)), out->dimms == 1 ? "" : "s",
		 out->mixed ? "mixed, slowest per channel; first " : "", out->speed_mts,
		 out->rated ? " (rated: no configured speed given)" : "", out->width_bits,
		 out->channels, out->channels == 1 ? "" : "s",
		 named ? "as the locators name them" : "one per DIMM: the locators name none");
	return true;
}
