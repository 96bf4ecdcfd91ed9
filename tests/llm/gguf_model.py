#!/usr/bin/env python3
"""Writes a Llama-shaped GGUF model with random weights and a real tokenizer.

    gguf_model.py VOCAB.gguf OUT.gguf [--shape tiny|llama3-8b] [--type q4_0|q8_0|f16|f32]

The tokenizer (every tokenizer.* key) is copied from a vocab-only GGUF of
llama.cpp's source tree (models/ggml-vocab-llama-bpe.gguf): with a real
vocabulary, random weights generate valid UTF-8 text (a made-up byte
vocabulary made llama-server answer HTTP 500).  The 2-D weights are of the
given type, the norms f32 and 1.0.  Random values are drawn once into a
16 MiB block and repeated, so that an 8B-shaped model (4.3 GB in q4_0,
16 GB in f16) writes at disk speed; what the values are does not change how
many bytes a token reads.

The format: ggml's docs/gguf.md (version 3, little-endian, 32-byte
alignment).  Only the Python standard library is used.
"""
import argparse
import array
import os
import struct
import sys

SHAPES = {
    # a model that decodes fast on one CPU core; n_embd a multiple of 32
    "tiny": dict(n_layer=2, n_embd=64, n_head=4, n_head_kv=2, n_ff=128, n_ctx=4096),
    # Meta Llama 3 8B (its config.json), the vocab file's own shape
    "llama3-8b": dict(n_layer=32, n_embd=4096, n_head=32, n_head_kv=8, n_ff=14336, n_ctx=8192),
}
# GGML type: (id, bytes per block, elements per block), ggml.c type_traits
TYPES = {"f32": (0, 4, 1), "f16": (1, 2, 1), "q4_0": (2, 18, 32), "q8_0": (8, 34, 32)}
FILE_TYPE = {"f32": 0, "f16": 1, "q4_0": 2, "q8_0": 7}  # llama_ftype
ALIGN = 32
CHUNK = 16 << 20


def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, payload):
    return gguf_str(key) + struct.pack("<I", vtype) + payload


def kv_u32(key, v):
    return kv(key, 4, struct.pack("<I", v))


def kv_f32(key, v):
    return kv(key, 6, struct.pack("<f", v))


def kv_string(key, v):
    return kv(key, 8, gguf_str(v))


class Reader:
    """Just enough of a GGUF reader to copy the tokenizer's keys raw."""

    SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def __init__(self, data):
        self.d, self.p = data, 0

    def take(self, n):
        if self.p + n > len(self.d):
            raise ValueError("vocab file ends early at byte %d" % self.p)
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def string(self):
        return self.take(self.u64()).decode("utf-8", "replace")

    def skip(self, t):
        if t in self.SCALAR:
            self.take(self.SCALAR[t])
        elif t == 8:
            self.take(self.u64())
        elif t == 9:
            et, n = self.u32(), self.u64()
            if et in self.SCALAR:
                self.take(self.SCALAR[et] * n)
            else:
                for _ in range(n):
                    self.skip(et)
        else:
            raise ValueError("unknown GGUF value type %d" % t)


def byte_decoder():
    """GPT-2's byte-level BPE alphabet: printable stand-in character -> byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def text_tokens(tokens, types):
    """Which tokens are whole UTF-8 text (type 1, normal): the others (byte
    pieces of a character, control tokens) get a zero output row, so that
    random logits never pick them: llama-server's output parser fails on
    invalid UTF-8 with HTTP 500, and no grammar is used to avoid it (a
    grammar made the sampler the bottleneck)."""
    dec = byte_decoder()
    ok = []
    for tok, typ in zip(tokens, types):
        try:
            good = typ == 1 and bytes(dec[ch] for ch in tok).decode("utf-8") != ""
        except (KeyError, UnicodeDecodeError):
            good = False
        ok.append(good)
    return ok


def tokenizer_kvs(path):
    """The raw tokenizer.* key/value records of a GGUF file, n_vocab, and
    which tokens are whole text."""
    r = Reader(open(path, "rb").read())
    if r.take(4) != b"GGUF":
        raise ValueError("%s is not a GGUF file" % path)
    r.u32()
    r.u64()
    n_kv = r.u64()
    out, tokens, types = [], [], []
    for _ in range(n_kv):
        start = r.p
        key = r.string()
        t = r.u32()
        at = r.p
        if key == "tokenizer.ggml.tokens" and r.u32() == 8:
            tokens = [r.string() for _ in range(r.u64())]
        elif key == "tokenizer.ggml.token_type" and r.u32() == 5:
            n = r.u64()
            types = list(struct.unpack("<%di" % n, r.take(4 * n)))
        r.p = at
        r.skip(t)
        if key.startswith("tokenizer."):
            out.append(r.d[start:r.p])
    if not tokens or len(types) != len(tokens):
        raise ValueError("%s has no tokenizer.ggml.tokens and token_type" % path)
    return out, len(tokens), text_tokens(tokens, types)


def f16_block(nbytes):
    """Random f16 values of magnitude 2^-7..2^-3 (no NaN, no Inf)."""
    a = array.array("H", os.urandom(nbytes))
    for i in range(len(a)):
        a[i] = (a[i] & 0x83FF) | ((8 + (a[i] >> 10 & 3)) << 10)
    return a.tobytes()


def random_chunk(tname):
    _, bsize, belems = TYPES[tname]
    if tname == "f32":
        return array.array("f", [((b % 64) - 32) / 1024.0 for b in os.urandom(CHUNK // 4)]).tobytes()
    if tname == "f16":
        return f16_block(CHUNK)
    nblocks = CHUNK // bsize
    raw = bytearray(os.urandom(nblocks * bsize))
    scale = struct.pack("<e", 0.002 if tname == "q8_0" else 0.02)
    for i in range(nblocks):  # the block's f16 scale first, then its quants
        raw[i * bsize:i * bsize + 2] = scale
    return bytes(raw)


def tensors(s, n_vocab, wtype):
    """(name, dims (ggml order: columns first), type) of a Llama model."""
    e, kvd = s["n_embd"], s["n_embd"] // s["n_head"] * s["n_head_kv"]
    out = [("token_embd.weight", (e, n_vocab), wtype)]
    for i in range(s["n_layer"]):
        p = "blk.%d." % i
        out += [(p + "attn_norm.weight", (e,), "f32"), (p + "attn_q.weight", (e, e), wtype),
                (p + "attn_k.weight", (e, kvd), wtype), (p + "attn_v.weight", (e, kvd), wtype),
                (p + "attn_output.weight", (e, e), wtype), (p + "ffn_norm.weight", (e,), "f32"),
                (p + "ffn_gate.weight", (e, s["n_ff"]), wtype), (p + "ffn_up.weight", (e, s["n_ff"]), wtype),
                (p + "ffn_down.weight", (s["n_ff"], e), wtype)]
    out += [("output_norm.weight", (e,), "f32"), ("output.weight", (e, n_vocab), wtype)]
    return out


def nbytes(dims, tname):
    n = 1
    for d in dims:
        n *= d
    _, bsize, belems = TYPES[tname]
    return n // belems * bsize


def header(s, shape, wtype, tok, n_vocab, ts):
    hd = s["n_embd"] // s["n_head"]
    kvs = [kv_string("general.architecture", "llama"), kv_string("general.name", "xpu-random-" + shape),
           kv_u32("general.file_type", FILE_TYPE[wtype]), kv_u32("general.alignment", ALIGN),
           kv_u32("llama.block_count", s["n_layer"]), kv_u32("llama.context_length", s["n_ctx"]),
           kv_u32("llama.embedding_length", s["n_embd"]), kv_u32("llama.feed_forward_length", s["n_ff"]),
           kv_u32("llama.attention.head_count", s["n_head"]),
           kv_u32("llama.attention.head_count_kv", s["n_head_kv"]),
           kv_f32("llama.rope.freq_base", 500000.0), kv_u32("llama.rope.dimension_count", hd),
           kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5), kv_u32("llama.vocab_size", n_vocab)] + tok
    infos, offset = [], 0
    for name, dims, tname in ts:
        infos.append(gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) +
                     struct.pack("<IQ", TYPES[tname][0], offset))
        offset += (nbytes(dims, tname) + ALIGN - 1) // ALIGN * ALIGN
    head = b"GGUF" + struct.pack("<IQQ", 3, len(ts), len(kvs)) + b"".join(kvs) + b"".join(infos)
    return head + b"\0" * ((-len(head)) % ALIGN)


def write_output(f, dims, tname, chunk, text):
    """The output layer row by row: a token that is no whole text gets zeros."""
    row = nbytes((dims[0],), tname)
    zero = b"\0" * row
    at = 0
    for good in text:
        if at + row > len(chunk):
            at = 0
        f.write(chunk[at:at + row] if good else zero)
        at += row


def write_tensor(f, dims, tname, chunks, salt):
    left, chunk, at = nbytes(dims, tname), chunks[tname], salt % 7 * 4096
    if tname == "f32" and len(dims) == 1:  # a norm: 1.0 everywhere
        f.write(array.array("f", [1.0] * dims[0]).tobytes())
    else:
        while left:
            bsize = TYPES[tname][1]
            start = at // bsize * bsize  # whole blocks: a block's scale stays first
            n = min(left, len(chunk) - start)
            f.write(chunk[start:start + n])
            left -= n
            at = 0
    f.write(b"\0" * ((-nbytes(dims, tname)) % ALIGN))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vocab")
    ap.add_argument("out")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    ap.add_argument("--type", choices=sorted(TYPES), default="q4_0")
    a = ap.parse_args()
    try:
        tok, n_vocab, text = tokenizer_kvs(a.vocab)
    except (OSError, ValueError) as e:
        sys.exit("gguf_model.py: %s" % e)
    s = SHAPES[a.shape]
    ts = tensors(s, n_vocab, a.type)
    chunks = {t: random_chunk(t) for t in {a.type, "f32"}}
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(header(s, a.shape, a.type, tok, n_vocab, ts))
        for i, (name, dims, tname) in enumerate(ts):
            if name == "output.weight":
                write_output(f, dims, tname, chunks[tname], text)
                f.write(b"\0" * ((-nbytes(dims, tname)) % ALIGN))
            else:
                write_tensor(f, dims, tname, chunks, i)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
