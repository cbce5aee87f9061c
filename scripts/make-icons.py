#!/usr/bin/env python3
"""Draws the PWA icons in public/icons from the Bullpen mark (the same shapes as favicon.svg).

Pure Python (zlib + struct), so it runs anywhere without an image library:
    python3 scripts/make-icons.py
"""
import struct
import zlib
from pathlib import Path

BRAND = (0x0B, 0x7A, 0x5A)
# The mark on a 32-unit grid: (x, y, w, h, opacity) of the three rising bars.
BARS = [(7, 17, 4, 8, 0.75), (14, 12, 4, 13, 0.9), (21, 7, 4, 18, 1.0)]
SS = 4  # supersampling per axis, for smooth edges


def inside_round_rect(px, py, x, y, w, h, r):
    if not (x <= px < x + w and y <= py < y + h):
        return False
    cx = min(max(px, x + r), x + w - r)
    cy = min(max(py, y + r), y + h - r)
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r


def draw(size, maskable):
    """RGBA rows. Regular: rounded square mark. Maskable: full bleed, mark in the safe zone."""
    scale = size / 32 * (0.7 if maskable else 1.0)
    offset = (size - 32 * scale) / 2
    corner = 0 if maskable else 8 * size / 32
    rows = []
    for j in range(size):
        row = bytearray([0])  # PNG filter: none
        for i in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sj in range(SS):
                for si in range(SS):
                    px, py = i + (si + 0.5) / SS, j + (sj + 0.5) / SS
                    if not inside_round_rect(px, py, 0, 0, size, size, corner):
                        continue
                    color = list(BRAND)
                    ux, uy = (px - offset) / scale, (py - offset) / scale
                    for (bx, by, bw, bh, alpha) in BARS:
                        if inside_round_rect(ux, uy, bx, by, bw, bh, 1.5):
                            color = [c + (255 - c) * alpha for c in color]
                    acc[0] += color[0]
                    acc[1] += color[1]
                    acc[2] += color[2]
                    acc[3] += 255
            n = SS * SS
            a = acc[3] / n
            if a == 0:
                row += bytes(4)
            else:
                row += bytes([round(acc[0] / acc[3] * 255), round(acc[1] / acc[3] * 255),
                              round(acc[2] / acc[3] * 255), round(a)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-maskable-512.png", 512, True)]:
        (out / name).write_bytes(png(size, draw(size, maskable)))
        print("wrote", out / name)


if __name__ == "__main__":
    main()
