#include "sys/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

static const char *skip_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

static bool only_space(const char *s)
{
	return *skip_space(s) == '\0';
}

bool xpu_parse_u64(const char *s, uint64_t *out)
{
	s = skip_space(s);
	if (!isdigit((unsigned char)*s))
		return false; /* strtoull would accept "-1" and " +3" */
	int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s || (base == 16 && end == s + 2) || !only_space(end))
		return false;
	*out = v;
	return true;
}

bool xpu_parse_i64(const char *s, int64_t *out)
{
	s = skip_space(s);
	const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
	if (!isdigit((unsigned char)*digits))
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || !only_space(end))
		return false;
	*out = v;
	return true;
}

bool xpu_parse_double(const char *s, double *out)
{
	s = skip_space(s);
	if (!*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !only_space(end) || v != v)
		return false;
	*out = v;
	return true;
}

bool xpu_kv_get(const char *text, const char *key, char sep, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *line = text;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t llen = eol ? (size_t)(eol - line) : strlen(line);
		const char *p = skip_space(line);
		if ((size_t)(p - line) < llen && strncmp(p, key, klen) == 0) {
			const char *q = p + klen;
			while (q < line + llen && (*q == ' ' || *q == '\t'))
				q++;
			if (q < line + llen && *q == sep) {
				q++;
				while (q < line + llen && isspace((unsigned char)*q))
					q++;
				size_t vlen = (size_t)(line + llen - q);
				while (vlen > 0 && isspace((unsigned char)q[vlen - 1]))
					vlen--;
				if (len) {
					size_t c = vlen < len - 1 ? vlen : len - 1;
					memcpy(out, q, c);
					out[c] = '\0';
				}
				return true;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

static bool parse_hex16(const char *s, size_t n, uint16_t *out)
{
	if (n == 0 || n > 4)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (!isxdigit(c))
			return false;
		v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	*out = (uint16_t)v;
	return true;
}

bool xpu_parse_id_pair(const char *s, uint16_t *a, uint16_t *b)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return false;
	const char *rest = colon + 1;
	size_t n2 = strlen(rest);
	while (n2 > 0 && isspace((unsigned char)rest[n2 - 1]))
		n2--;
	return parse_hex16(s, (size_t)(colon - s), a) && parse_hex16(rest, n2, b);
}

bool xpu_pci_normalize(const char *in, char *out, size_t len)
{
	/* domain:bus:dev.fn with a domain of 4 or 8 hex digits, or bus:dev.fn */
	unsigned dom = 0, bus, dev, fn;
	char tail;
	const char *p = skip_space(in);
	int colons = 0;
	for (const char *q = p; *q; q++)
		colons += *q == ':';
	if (colons == 2) {
		if (sscanf(p, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4)
			return false;
	} else if (colons == 1) {
		if (sscanf(p, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			return false;
	} else {
		return false;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return false;
	return snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn) < (int)len;
}

bool xpu_parse_nvidia_information(const char *text, xpu_nv_information *out)
{
	char buf[32];
	memset(out, 0, sizeof(*out));
	out->device_minor = -1;
	bool any = false;
	any |= xpu_kv_get(text, "Model", ':', out->model, sizeof(out->model));
	any |= xpu_kv_get(text, "GPU UUID", ':', out->uuid, sizeof(out->uuid));
	any |= xpu_kv_get(text, "Video BIOS", ':', out->video_bios, sizeof(out->video_bios));
	if (xpu_kv_get(text, "Bus Location", ':', buf, sizeof(buf))) {
		char norm[24];
		if (xpu_pci_normalize(buf, norm, sizeof(norm))) {
			xpu_strlcpy(out->bus_location, norm, sizeof(out->bus_location));
			any = true;
		}
	}
	int64_t minor;
	if (xpu_kv_get(text, "Device Minor", ':', buf, sizeof(buf)) && xpu_parse_i64(buf, &minor) &&
	    minor >= 0 && minor < 4096)
		out->device_minor = (int)minor;
	return any && out->model[0];
}

bool xpu_parse_nvidia_version(const char *text, char *out, size_t len)
{
	const char *p = strstr(text, "Kernel Module");
	if (!p)
		return false;
	p = skip_space(p + strlen("Kernel Module"));
	/* the open kernel modules print "Kernel Module for x86_64  580.95.05" */
	if (strncmp(p, "for ", 4) == 0) {
		p = skip_space(p + 4);
		while (*p && !isspace((unsigned char)*p))
			p++;
		p = skip_space(p);
	}
	size_t n = 0;
	while (p[n] && (isdigit((unsigned char)p[n]) || p[n] == '.'))
		n++;
	if (n == 0 || !isdigit((unsigned char)p[0]) || n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

int xpu_parse_dpm_levels(const char *text, unsigned *mhz, int max, int *active)
{
	int count = 0;
	*active = -1;
	const char *line = text;
	while (line && *line && count < max) {
		const char *eol = strchr(line, '\n');
		char *end;
		errno = 0;
		/* strtol skips white space, newlines included: a level starts with a digit */
		long idx = isdigit((unsigned char)*line) ? strtol(line, &end, 10) : -1;
		if (idx >= 0 && *end == ':' && !errno && (!eol || end < eol)) {
			const char *p = skip_space(end + 1);
			unsigned long v = strtoul(p, &end, 10);
			if (end != p && (!eol || end < eol) && strncasecmp(end, "mhz", 3) == 0 && v < 100000) {
				mhz[count] = (unsigned)v;
				const char *stop = eol ? eol : end + strlen(end);
				if (memchr(end, '*', (size_t)(stop - end)))
					*active = count;
				count++;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return count;
}

bool xpu_parse_od_range(const char *text, const char *section, unsigned *min, unsigned *max)
{
	const char *p = strstr(text, section);
	if (!p)
		return false;
	p = strchr(p, '\n');
	unsigned levels[16];
	int n = 0;
	while (p && *p && n < 16) {
		p++;
		/* the section ends at the next "NAME:" header line */
		if (isalpha((unsigned char)*p))
			break;
		char *end;
		long idx = strtol(p, &end, 10);
		if (end == p || *end != ':' || idx < 0)
			break;
		const char *q = skip_space(end + 1);
		unsigned long v = strtoul(q, &end, 10);
		if (end == q || strncasecmp(end, "mhz", 3) != 0 || v >= 100000)
			break;
		levels[n++] = (unsigned)v;
		p = strchr(end, '\n');
	}
	if (n < 2)
		return false;
	*min = levels[0];
	*max = levels[n - 1];
	return true;
}

bool xpu_parse_size(const char *s, uint64_t *bytes)
{
	s = skip_space(s);
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return false;
	uint64_t mul = 1;
	switch (*end) {
	case 'K': mul = 1024ull; end++; break;
	case 'M': mul = 1024ull * 1024; end++; break;
	case 'G': mul = 1024ull * 1024 * 1024; end++; break;
	default: break;
	}
	if (!only_space(end) || v > UINT64_MAX / mul)
		return false;
	*bytes = v * mul;
	return true;
}

bool xpu_parse_cpulist_count(const char *s, unsigned *count)
{
	unsigned total = 0;
	s = skip_space(s);
	if (!*s)
		return false;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return false;
		unsigned long a = strtoul(s, &end, 10), b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				return false;
			b = strtoul(s, &end, 10);
			s = end;
		}
		if (b < a || b - a > 1u << 20 || a > 1u << 20)
			return false;
		total += (unsigned)(b - a + 1);
		if (*s == ',')
			s++;
		else if (only_space(s))
			break;
		else
			return false;
	}
	*count = total;
	return true;
}

/* A copy of the first processor block of /proc/cpuinfo (up to the first
 * blank line), or NULL. */
static char *first_block(const char *text)
{
	const char *end = strstr(text, "\n\n");
	size_t n = end ? (size_t)(end - text) + 1 : strlen(text);
	char *block = malloc(n + 1);
	if (block) {
		memcpy(block, text, n);
		block[n] = '\0';
	}
	return block;
}

bool xpu_parse_cpuinfo(const char *text, xpu_cpuinfo *out)
{
	memset(out, 0, sizeof(*out));
	char *block = first_block(text);
	if (!block)
		return false;
	bool ok = xpu_kv_get(block, "model name", ':', out->model, sizeof(out->model)) ||
		  xpu_kv_get(block, "Model", ':', out->model, sizeof(out->model)) ||
		  xpu_kv_get(block, "cpu model", ':', out->model, sizeof(out->model));
	bool flags = xpu_kv_get(block, "flags", ':', out->flags, sizeof(out->flags)) ||
		     xpu_kv_get(block, "Features", ':', out->flags, sizeof(out->flags));
	free(block);
	return ok || flags;
}

bool xpu_cpulist_from_mask(const unsigned long *words, size_t n, char *out, size_t len)
{
	const size_t bits = sizeof(unsigned long) * 8;
	size_t used = 0;
	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < n * bits;) {
		if (!(words[i / bits] >> (i % bits) & 1ul)) {
			i++;
			continue;
		}
		size_t j = i;
		while (j + 1 < n * bits && (words[(j + 1) / bits] >> ((j + 1) % bits) & 1ul))
			j++;
		int w = j > i ? snprintf(out + used, len - used, "%s%zu-%zu", used ? "," : "", i, j)
			      : snprintf(out + used, len - used, "%s%zu", used ? "," : "", i);
		if (w < 0 || (size_t)w >= len - used)
			return false;
		used += (size_t)w;
		i = j + 1;
	}
	return used > 0;
}

/* "0000:03:00.0": a PCI function's folder name. */
static bool is_pci_function(const char *c, size_t n)
{
	static const char shape[] = "hhhh:hh:hh.h";
	if (n != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'h' ? !isxdigit((unsigned char)c[i]) : c[i] != shape[i])
			return false;
	return true;
}

/* "pci0000:00" (or with a longer domain, "pci10000:00" on VMD): a host bridge. */
static bool is_host_bridge(const char *c, size_t n)
{
	if (n < 9 || n >= sizeof(((xpu_pci_place *)0)->root) || strncmp(c, "pci", 3) != 0)
		return false;
	const char *colon = memchr(c, ':', n);
	return colon && colon > c + 3 && (size_t)(c + n - colon) == 3;
}

bool xpu_parse_pci_place(const char *path, xpu_pci_place *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (!out->root[0]) {
			if (is_host_bridge(p, n))
				memcpy(out->root, p, n);
		} else if (is_pci_function(p, n)) {
			if (out->depth >= XPU_PCI_MAX_DEPTH)
				return false;
			memcpy(out->chain[out->depth++], p, n);
		} else {
			return false; /* below the device: not a PCI function's own path */
		}
		p += n;
	}
	return out->root[0] && out->depth > 0;
}

/* A number of the block: decimal, or hex with 0x (Arm's "CPU part"). */
static int block_int(const char *block, const char *key)
{
	char v[32];
	uint64_t n;
	return xpu_kv_get(block, key, ':', v, sizeof(v)) && xpu_parse_u64(v, &n) && n <= 0x7fffffff ?
		       (int)n :
		       -1;
}

bool xpu_parse_cpu_id(const char *text, xpu_cpu_id *out)
{
	memset(out, 0, sizeof(*out));
	char *block = first_block(text);
	if (!block)
		return false;
	xpu_kv_get(block, "vendor_id", ':', out->vendor, sizeof(out->vendor));
	xpu_kv_get(block, "model name", ':', out->model_name, sizeof(out->model_name));
	out->family = block_int(block, "cpu family");
	out->model = block_int(block, "model");
	out->implementer = block_int(block, "CPU implementer");
	out->part = block_int(block, "CPU part");
	char v[32];
	if (!xpu_kv_get(block, "cpu MHz", ':', v, sizeof(v)) || !xpu_parse_double(v, &out->mhz) ||
	    !(out->mhz > 0 && out->mhz < 1e5))
		out->mhz = 0;
	free(block);
	return out->vendor[0] || out->family >= 0 || out->implementer >= 0;
}

bool xpu_parse_proc_stat(const char *text, xpu_cpu_ticks *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(text, "cpu ", 4) != 0)
		return false;
	const char *p = text + 4;
	uint64_t v[8] = { 0 };
	int n = 0;
	while (n < 8) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			break;
		char *end;
		errno = 0;
		unsigned long long x = strtoull(p, &end, 10);
		if (errno)
			return false;
		v[n++] = x;
		p = end;
	}
	if (n < 4)
		return false;
	/* user nice system idle iowait irq softirq steal; guest time is
	 * already inside user and nice */
	for (int i = 0; i < n; i++) {
		if (out->total + v[i] < out->total)
			return false; /* no real counter is that large */
		out->total += v[i];
	}
	out->idle = v[3] + v[4];
	out->steal = v[7];
	return true;
}

bool xpu_parse_icd_library(const char *text, char *out, size_t len)
{
	while (*text == ' ' || *text == '\t' || *text == '\r')
		text++;
	size_t n = strcspn(text, "\n");
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
		n--;
	if (!n || n >= len)
		return false;
	memcpy(out, text, n);
	out[n] = '\0';
	return true;
}
