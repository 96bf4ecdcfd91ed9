/* What a GGUF model file (llama.cpp, Ollama) says of the model, read from
 * its header alone: the architecture's shape and every tensor's GGML type,
 * hence the bytes one generated token reads.  The format: ggml's
 * docs/gguf.md (version 2 and 3; little-endian). */
#ifndef XPU_CORE_GGUF_H
#define XPU_CORE_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct xpu_gguf_model {
	uint32_t version;
	char arch[32];          /* general.architecture: "llama" */
	char name[96];          /* general.name, "" when absent */
	uint64_t n_tensors;
	uint64_t n_layers;      /* {arch}.block_count; 0 when absent */
	uint64_t n_embd, n_head, n_head_kv, head_dim_k, head_dim_v, n_ctx_train;
	uint64_t params;        /* elements of every tensor */
	uint64_t tensor_bytes;  /* bytes of every tensor, by its type's block size */
	/* What one generated token reads of the weights: every tensor but the
	 * token embedding (a lookup of one row), which is read in full only
	 * when the output layer shares it (no output.weight). */
	uint64_t weight_bytes_per_token;
	uint64_t params_per_token; /* the same tensors' elements: 2 x this FLOP/token */
	bool tied_embedding;
	uint64_t data_offset;   /* where the tensor data starts */
	uint64_t data_end;      /* data_offset + the end of the last tensor */
	const char *first_type; /* the weights' type: the largest tensor's but the embedding ("q4_0") */
} xpu_gguf_model;

typedef enum xpu_gguf_rc {
	XPU_GGUF_OK = 0,
	XPU_GGUF_NOT_GGUF,  /* no "GGUF" magic */
	XPU_GGUF_TRUNCATED, /* the header (or the data it announces) ends early */
	XPU_GGUF_BAD,       /* a field is out of range (why says which) */
	XPU_GGUF_UNREADABLE,
} xpu_gguf_rc;

/* Parses a header in buf (len bytes; file_size: the whole file's size, to
 * check the data's end).  XPU_GGUF_TRUNCATED when buf ends inside the
 * header, with *need set to a length that would do (0 when buf is the
 * whole file).  why says what and where. */
xpu_gguf_rc xpu_gguf_parse(const uint8_t *buf, size_t len, uint64_t file_size, xpu_gguf_model *m,
			   size_t *need, char *why, size_t whylen);
/* The same from a file: reads as much of it as the header takes. */
xpu_gguf_rc xpu_gguf_read(const char *path, xpu_gguf_model *m, char *why, size_t whylen);

/* KV cache bytes one token of context holds (K and V, f16: llama.cpp's
 * default cache type), 0 when the shape is unknown. */
uint64_t xpu_gguf_kv_bytes_per_ctx_token(const xpu_gguf_model *m);

#endif
