#!/usr/bin/env python3
"""Draws the app icons (public/icons/*.png) with the standard library only.

The mark: two figures, a taller mentor and a smaller mentee, on the app's blue.
Run it after changing the design; the PNGs are committed.
"""
import struct
import zlib
from pathlib import Path

BLUE = (40, 82, 122)
WHITE = (255, 255, 255)
GOLD = (242, 184, 75)


def inside_round_rect(x, y, size, radius):
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def pixel(x, y, size, maskable):
    s = size
    fx, fy = x / s, y / s
    if not maskable and not inside_round_rect(x, y, s, s * 0.18):
        return (0, 0, 0, 0)
    scale = 0.8 if maskable else 1.0  # keep the mark inside the maskable safe zone
    u = 0.5 + (fx - 0.5) / scale
    v = 0.5 + (fy - 0.5) / scale
    figures = [((0.40, 0.33), 0.11, (0.40, 0.80), 0.20, WHITE), ((0.66, 0.47), 0.08, (0.66, 0.84), 0.14, GOLD)]
    for (hx, hy), hr, (bx, by), br, colour in figures:
        if (u - hx) ** 2 + (v - hy) ** 2 <= hr ** 2:
            return colour + (255,)
        if (u - bx) ** 2 + (v - by) ** 2 <= br ** 2 and v <= by:
            return colour + (255,)
    return BLUE + (255,)


def png(size, maskable):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row.extend(pixel(x + 0.5, y + 0.5, size, maskable))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


out = Path(__file__).resolve().parent.parent / "public" / "icons"
out.mkdir(parents=True, exist_ok=True)
(out / "icon-192.png").write_bytes(png(192, False))
(out / "icon-512.png").write_bytes(png(512, False))
(out / "icon-maskable-512.png").write_bytes(png(512, True))
