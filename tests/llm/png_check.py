#!/usr/bin/env python3
"""Whether a PNG screenshot shows a drawing: decodes it (8-bit RGB or RGBA,
non-interlaced, as Chromium writes them; standard library only) and asks for
at least 2% of pixels that are not the background colour, and at least 3
colours among them (axes, the curve, its points).

Usage: png_check.py FILE.png   (exit 0 when it shows something)"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("png_check.py: %s is not a PNG" % path)
    pos, idat, w, h, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit("png_check.py: unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pred = {0: 0, 1: a, 2: b, 3: (a + b) // 2,
                    4: a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c}[f]
            line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return [r[i:i + 3] for r in rows for i in range(0, stride, bpp)]


def main():
    px = pixels(sys.argv[1])
    counts = {}
    for p in px:
        counts[p] = counts.get(p, 0) + 1
    background = max(counts, key=counts.get)
    drawn = len(px) - counts[background]
    print("png_check.py: %d of %d pixels drawn, %d colours" % (drawn, len(px), len(counts)))
    sys.exit(0 if drawn >= 0.02 * len(px) and len(counts) >= 3 else 1)


if __name__ == "__main__":
    main()
