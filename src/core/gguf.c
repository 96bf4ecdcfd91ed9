/* The GGUF header reader (core/gguf.h).  Every read is bounds-checked; a
 * header that ends early says where, so that a truncated download is told
 * apart from a file that is not GGUF at all. */
#include "core/gguf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

/* ggml's types: bytes per block and elements per block, from ggml.c's
 * type_traits (llama.cpp of node-llama-cpp 3.21.1); 0: no such type. */
static const struct ggml_type {
	const char *name;
	uint16_t block_bytes, block_elems;
} ggml_types[] = {
	[0] = { "f32", 4, 1 },       [1] = { "f16", 2, 1 },        [2] = { "q4_0", 18, 32 },
	[3] = { "q4_1", 20, 32 },    [6] = { "q5_0", 22, 32 },     [7] = { "q5_1", 24, 32 },
	[8] = { "q8_0", 34, 32 },    [9] = { "q8_1", 36, 32 },     [10] = { "q2_K", 84, 256 },
	[11] = { "q3_K", 110, 256 }, [12] = { "q4_K", 144, 256 },  [13] = { "q5_K", 176, 256 },
	[14] = { "q6_K", 210, 256 }, [15] = { "q8_K", 292, 256 },  [16] = { "iq2_xxs", 66, 256 },
	[17] = { "iq2_xs", 74, 256 }, [18] = { "iq3_xxs", 98, 256 }, [19] = { "iq1_s", 50, 256 },
	[20] = { "iq4_nl", 18, 32 }, [21] = { "iq3_s", 110, 256 }, [22] = { "iq2_s", 82, 256 },
	[23] = { "iq4_xs", 136, 256 }, [24] = { "i8", 1, 1 },      [25] = { "i16", 2, 1 },
	[26] = { "i32", 4, 1 },      [27] = { "i64", 8, 1 },       [28] = { "f64", 8, 1 },
	[29] = { "iq1_m", 56, 256 }, [30] = { "bf16", 2, 1 },      [34] = { "tq1_0", 54, 256 },
	[35] = { "tq2_0", 66, 256 }, [39] = { "mxfp4", 17, 32 },   [40] = { "nvfp4", 36, 64 },
	[41] = { "q1_0", 18, 128 },  [42] = { "q2_0", 18, 64 },
};

enum { GGUF_STRING = 8, GGUF_ARRAY = 9, GGUF_MAX_DIMS = 4 };

/* Sizes of the scalar value types (0..12), 0 for string and array. */
static const uint8_t scalar_size[13] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

typedef struct reader {
	const uint8_t *buf;
	size_t len, pos;
	bool short_read; /* ran past len */
	char *why;
	size_t whylen;
	bool bad;
} reader;

static bool take(reader *r, void *out, size_t n)
{
	if (r->short_read || r->bad || n > r->len - r->pos) {
		r->short_read = !r->bad;
		return false;
	}
	if (out)
		memcpy(out, r->buf + r->pos, n);
	r->pos += n;
	return true;
}

static uint64_t u64(reader *r)
{
	uint64_t v = 0;
	take(r, &v, 8);
	return v;
}

static uint32_t u32(reader *r)
{
	uint32_t v = 0;
	take(r, &v, 4);
	return v;
}

static void bad(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(reader *r, const char *fmt, ...)
{
	if (r->bad || r->short_read)
		return;
	r->bad = true;
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->why, r->whylen, "%s (at byte %zu)", msg, r->pos);
}

/* A string: its bytes in place (not terminated), n its length. */
static const char *str(reader *r, uint64_t *n)
{
	*n = u64(r);
	if (*n > (1u << 30))
		bad(r, "a string's length %llu is out of range", (unsigned long long)*n);
	const char *s = (const char *)r->buf + r->pos;
	return take(r, NULL, (size_t)*n) ? s : NULL;
}

static bool key_is(const char *key, uint64_t n, const char *arch, const char *suffix)
{
	char want[96];
	snprintf(want, sizeof(want), "%s%s", arch, suffix);
	return strlen(want) == n && memcmp(key, want, n) == 0;
}

/* Skips a value of type t (an array's elements included). */
static void skip_value(reader *r, uint32_t t, int depth)
{
	uint64_t n;
	if (t < XPU_ARRAY_LEN(scalar_size) && scalar_size[t]) {
		take(r, NULL, scalar_size[t]);
	} else if (t == GGUF_STRING) {
		str(r, &n);
	} else if (t == GGUF_ARRAY && depth == 0) {
		uint32_t et = u32(r);
		uint64_t count = u64(r);
		if (et < XPU_ARRAY_LEN(scalar_size) && scalar_size[et]) {
			if (count > r->len) /* also when it would overflow */
				r->short_read = !r->bad;
			else
				take(r, NULL, (size_t)(count * scalar_size[et]));
			return;
		}
		for (uint64_t i = 0; i < count && !r->bad && !r->short_read; i++)
			skip_value(r, et, depth + 1);
	} else {
		bad(r, "a value's type %u is not a GGUF type", t);
	}
}

/* An integer value of any integer type, as uint64; false for others. */
static bool int_value(reader *r, uint32_t t, uint64_t *v)
{
	static const uint8_t int_types[] = { 0, 1, 2, 3, 4, 5, 10, 11 };
	for (size_t i = 0; i < sizeof(int_types); i++)
		if (t == int_types[i]) {
			*v = 0;
			take(r, v, scalar_size[t]);
			return true;
		}
	return false;
}

static void copy_string(reader *r, uint32_t t, char *out, size_t outlen)
{
	uint64_t n;
	const char *s = t == GGUF_STRING ? str(r, &n) : NULL;
	if (s)
		xpu_strlcpy_n(out, outlen, s, (size_t)n);
	else
		skip_value(r, t, 0);
}

/* Where the metadata value of key goes, by the key's name. */
static uint64_t *shape_slot(xpu_gguf_model *m, const char *key, uint64_t n)
{
	static const struct {
		const char *suffix;
		size_t offset;
	} slots[] = {
		{ ".block_count", offsetof(xpu_gguf_model, n_layers) },
		{ ".embedding_length", offsetof(xpu_gguf_model, n_embd) },
		{ ".attention.head_count", offsetof(xpu_gguf_model, n_head) },
		{ ".attention.head_count_kv", offsetof(xpu_gguf_model, n_head_kv) },
		{ ".attention.key_length", offsetof(xpu_gguf_model, head_dim_k) },
		{ ".attention.value_length", offsetof(xpu_gguf_model, head_dim_v) },
		{ ".context_length", offsetof(xpu_gguf_model, n_ctx_train) },
	};
	if (!m->arch[0])
		return NULL;
	for (size_t i = 0; i < XPU_ARRAY_LEN(slots); i++)
		if (key_is(key, n, m->arch, slots[i].suffix))
			return (uint64_t *)((char *)m + slots[i].offset);
	return NULL;
}

static void read_kv(reader *r, xpu_gguf_model *m, uint64_t *alignment)
{
	uint64_t n;
	const char *key = str(r, &n);
	uint32_t t = u32(r);
	if (!key)
		return;
	uint64_t *slot = shape_slot(m, key, n), v;
	if (key_is(key, n, "general", ".architecture"))
		copy_string(r, t, m->arch, sizeof(m->arch));
	else if (key_is(key, n, "general", ".name"))
		copy_string(r, t, m->name, sizeof(m->name));
	else if (key_is(key, n, "general", ".alignment") && int_value(r, t, &v))
		*alignment = v;
	else if (!(slot && int_value(r, t, slot)))
		skip_value(r, t, 0);
}

/* One tensor's description: adds its elements and bytes. */
static void read_tensor(reader *r, xpu_gguf_model *m, bool *has_output, uint64_t *token_embd,
			uint64_t *token_embd_elems, uint64_t *data_end, uint64_t *largest)
{
	uint64_t n;
	const char *name = str(r, &n);
	uint32_t dims = u32(r);
	if (dims == 0 || dims > GGUF_MAX_DIMS)
		bad(r, "a tensor has %u dimensions (1 to 4)", dims);
	uint64_t elems = 1;
	for (uint32_t d = 0; d < dims && !r->bad && !r->short_read; d++) {
		uint64_t ne = u64(r);
		if (ne == 0 || ne > (1ull << 40) || elems > (1ull << 50) / ne)
			bad(r, "a tensor's dimension %llu is out of range", (unsigned long long)ne);
		else
			elems *= ne;
	}
	uint32_t type = u32(r);
	uint64_t offset = u64(r);
	if (offset > (1ull << 56))
		bad(r, "a tensor's offset %llu is out of range", (unsigned long long)offset);
	if (r->bad || r->short_read || !name)
		return;
	const struct ggml_type *gt = type < XPU_ARRAY_LEN(ggml_types) ? &ggml_types[type] : NULL;
	if (!gt || !gt->block_bytes) {
		bad(r, "a tensor's type %u is not a GGML type this xpu knows", type);
		return;
	}
	if (elems % gt->block_elems) {
		bad(r, "a tensor's %llu elements are not whole blocks of its type", (unsigned long long)elems);
		return;
	}
	uint64_t bytes = elems / gt->block_elems * gt->block_bytes;
	m->params += elems;
	m->tensor_bytes += bytes;
	if (offset + bytes > *data_end)
		*data_end = offset + bytes;
	bool is_embd = n == 17 && memcmp(name, "token_embd.weight", 17) == 0;
	*has_output |= n == 13 && memcmp(name, "output.weight", 13) == 0;
	if (is_embd) {
		*token_embd = bytes;
		*token_embd_elems = elems;
	} else {
		m->weight_bytes_per_token += bytes;
		m->params_per_token += elems;
	}
	if (!is_embd && elems > *largest) { /* the weights' type: the largest tensor's */
		*largest = elems;
		m->first_type = gt->name;
	}
}

static xpu_gguf_rc header_start(reader *r, xpu_gguf_model *m, uint64_t *n_kv)
{
	char magic[4];
	if (!take(r, magic, 4) || memcmp(magic, "GGUF", 4) != 0) {
		if (r->short_read && r->len < 4)
			return XPU_GGUF_TRUNCATED;
		snprintf(r->why, r->whylen, "no GGUF magic at its start: not a GGUF model file");
		return XPU_GGUF_NOT_GGUF;
	}
	m->version = u32(r);
	if (!r->short_read && (m->version < 2 || m->version > 3)) {
		snprintf(r->why, r->whylen, "GGUF version %u (this xpu reads versions 2 and 3)", m->version);
		return XPU_GGUF_BAD;
	}
	m->n_tensors = u64(r);
	*n_kv = u64(r);
	if (m->n_tensors > (1u << 24) || *n_kv > (1u << 24)) {
		snprintf(r->why, r->whylen, "%llu tensors and %llu metadata keys: out of range",
			 (unsigned long long)m->n_tensors, (unsigned long long)*n_kv);
		return XPU_GGUF_BAD;
	}
	return r->short_read ? XPU_GGUF_TRUNCATED : XPU_GGUF_OK;
}

static void finish_model(xpu_gguf_model *m, bool has_output, uint64_t token_embd, uint64_t token_embd_elems)
{
	m->tied_embedding = !has_output && token_embd;
	if (m->tied_embedding) { /* the output layer reads the embedding whole */
		m->weight_bytes_per_token += token_embd;
		m->params_per_token += token_embd_elems;
	}
	if (!m->head_dim_k && m->n_head)
		m->head_dim_k = m->n_embd / m->n_head;
	if (!m->head_dim_v)
		m->head_dim_v = m->head_dim_k;
	if (!m->n_head_kv)
		m->n_head_kv = m->n_head;
	if (!m->first_type)
		m->first_type = "";
}

xpu_gguf_rc xpu_gguf_parse(const uint8_t *buf, size_t len, uint64_t file_size, xpu_gguf_model *m,
			   size_t *need, char *why, size_t whylen)
{
	memset(m, 0, sizeof(*m));
	reader r = { .buf = buf, .len = len, .why = why, .whylen = whylen };
	*need = 0;
	uint64_t n_kv = 0, alignment = 32, token_embd = 0, token_embd_elems = 0, data_end = 0, largest = 0;
	bool has_output = false;
	xpu_gguf_rc rc = header_start(&r, m, &n_kv);
	for (uint64_t i = 0; rc == XPU_GGUF_OK && i < n_kv && !r.bad && !r.short_read; i++)
		read_kv(&r, m, &alignment);
	for (uint64_t i = 0; rc == XPU_GGUF_OK && i < m->n_tensors && !r.bad && !r.short_read; i++)
		read_tensor(&r, m, &has_output, &token_embd, &token_embd_elems, &data_end, &largest);
	if (rc == XPU_GGUF_OK && r.bad)
		return XPU_GGUF_BAD;
	if (rc == XPU_GGUF_TRUNCATED || r.short_read) {
		*need = len < file_size ? (len ? len * 2 : 1 << 20) : 0;
		snprintf(why, whylen, "the header ends early, at byte %zu of %llu: a truncated file?", len,
			 (unsigned long long)file_size);
		return XPU_GGUF_TRUNCATED;
	}
	if (rc != XPU_GGUF_OK)
		return rc;
	if (alignment == 0 || alignment > (1u << 20) || (alignment & (alignment - 1))) {
		snprintf(why, whylen, "general.alignment %llu is not a power of two", (unsigned long long)alignment);
		return XPU_GGUF_BAD;
	}
	m->data_offset = (r.pos + alignment - 1) / alignment * alignment;
	m->data_end = m->data_offset + data_end;
	if (m->data_end > file_size) {
		snprintf(why, whylen, "the tensors end at byte %llu, the file at %llu: a truncated file",
			 (unsigned long long)m->data_end, (unsigned long long)file_size);
		return XPU_GGUF_TRUNCATED;
	}
	finish_model(m, has_output, token_embd, token_embd_elems);
	return XPU_GGUF_OK;
}

#define HEADER_MAX (256u << 20)

xpu_gguf_rc xpu_gguf_read(const char *path, xpu_gguf_model *m, char *why, size_t whylen)
{
	FILE *f = fopen(path, "rbe");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return XPU_GGUF_UNREADABLE;
	}
	uint64_t size = (uint64_t)st.st_size;
	size_t want = size < (4u << 20) ? (size_t)size : 4u << 20, have = 0, need = 0;
	uint8_t *buf = NULL;
	xpu_gguf_rc rc = XPU_GGUF_UNREADABLE;
	char what[200] = "out of memory";
	for (;;) {
		uint8_t *grown = realloc(buf, want ? want : 1);
		if (!grown)
			break;
		buf = grown;
		have += fread(buf + have, 1, want - have, f);
		rc = xpu_gguf_parse(buf, have, size, m, &need, what, sizeof(what));
		if (rc != XPU_GGUF_TRUNCATED || !need || have < want || want >= HEADER_MAX)
			break;
		want = need > HEADER_MAX ? HEADER_MAX : need;
		if (want > size)
			want = (size_t)size;
	}
	fclose(f);
	free(buf);
	if (rc != XPU_GGUF_OK)
		snprintf(why, whylen, "%s: %s", path, what);
	return rc;
}

uint64_t xpu_gguf_kv_bytes_per_ctx_token(const xpu_gguf_model *m)
{
	return 2 /* f16 */ * m->n_layers * m->n_head_kv * (m->head_dim_k + m->head_dim_v);
}
