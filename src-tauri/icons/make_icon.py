#!/usr/bin/env python3
"""Writes icon.png: the UI's logo (a dark rounded square with a green "M", as in
ui/public/favicon.svg) as a 128x128 RGBA PNG, with only the standard library."""

import struct
import zlib

SIZE = 128
SCALE = SIZE / 32  # the logo's viewBox is 32x32
SAMPLES = 4  # per axis, for anti-aliased edges
DARK = (0x11, 0x18, 0x27)
GREEN = (0x34, 0xD3, 0x99)
# The "M" of the logo's path, as a polygon in viewBox units.
M = [(7, 23), (7, 9), (10.2, 9), (16, 17.4), (21.8, 9), (25, 9), (25, 23), (21.8, 23),
     (21.8, 14.4), (16, 22.6), (10.2, 14.4), (10.2, 23)]


def in_rounded_square(x, y, r=7.0):
    cx = min(max(x, r), 32 - r)
    cy = min(max(y, r), 32 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def in_polygon(x, y, poly):
    inside = False
    j = len(poly) - 1
    for i, (xi, yi) in enumerate(poly):
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def pixel(px, py):
    cover = green = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = (px + (sx + 0.5) / SAMPLES) / SCALE
            y = (py + (sy + 0.5) / SAMPLES) / SCALE
            if in_rounded_square(x, y):
                cover += 1
                green += in_polygon(x, y, M)
    if cover == 0:
        return (0, 0, 0, 0)
    t = green / cover
    rgb = tuple(round(d + (g - d) * t) for d, g in zip(DARK, GREEN))
    return rgb + (round(255 * cover / SAMPLES**2),)


def png(width, height, rows):
    raw = b"".join(b"\x00" + bytes(c for p in row for c in p) for row in rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    with open("icon.png", "wb") as f:
        f.write(png(SIZE, SIZE, rows))
