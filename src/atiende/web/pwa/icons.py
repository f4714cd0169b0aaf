"""Draw the app icons (PNG) with the standard library only; run to regenerate them.

``python -m atiende.web.pwa.icons`` writes ``static/web/pwa/icon-*.png``: a white speech bubble
on the brand blue, a rounded square for ``any`` and a full-bleed square whose drawing stays
inside the central safe circle for ``maskable``.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BLUE = (11, 87, 208)
WHITE = (255, 255, 255)
SAMPLES = 4  # per axis: anti-aliasing by supersampling
OUT = Path(__file__).resolve().parent.parent / "static" / "web" / "pwa"


def _in_round_rect(
    x: float, y: float, box: tuple[float, float, float, float], radius: float
) -> bool:
    left, top, right, bottom = box
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def _in_triangle(x: float, y: float, a: tuple[float, float], b: tuple[float, float],
                 c: tuple[float, float]) -> bool:  # fmt: skip
    def side(p: tuple[float, float], q: tuple[float, float]) -> float:
        return (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])

    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))


def _bubble(x: float, y: float) -> bool:
    """The white speech bubble with three dots cut out, in a unit square."""
    dots = any((x - dx) ** 2 + (y - 0.465) ** 2 <= 0.045**2 for dx in (0.36, 0.5, 0.64))
    body = _in_round_rect(x, y, (0.2, 0.25, 0.8, 0.68), 0.1)
    tail = _in_triangle(x, y, (0.3, 0.6), (0.46, 0.6), (0.27, 0.8))
    return (body or tail) and not dots


def _pixel(x: float, y: float, *, maskable: bool) -> tuple[int, int, int, int]:
    if maskable:
        # Scale the drawing into the safe zone (a circle of 80% diameter).
        u, v = 0.5 + (x - 0.5) / 0.75, 0.5 + (y - 0.5) / 0.75
        return (*WHITE, 255) if _bubble(u, v) else (*BLUE, 255)
    if not _in_round_rect(x, y, (0.0, 0.0, 1.0, 1.0), 0.22):
        return (0, 0, 0, 0)
    return (*WHITE, 255) if _bubble(x, y) else (*BLUE, 255)


def draw(size: int, *, maskable: bool) -> bytes:
    """The icon as PNG bytes (RGBA)."""
    rows = bytearray()
    step = 1 / (size * SAMPLES)
    for py in range(size):
        rows.append(0)  # filter: none
        for px in range(size):
            total = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = px / size + (sx + 0.5) * step
                    y = py / size + (sy + 0.5) * step
                    r, g, b, a = _pixel(x, y, maskable=maskable)
                    total[0] += r * a
                    total[1] += g * a
                    total[2] += b * a
                    total[3] += a
            alpha = total[3]
            if alpha:
                rows += bytes([total[0] // alpha, total[1] // alpha, total[2] // alpha])
            else:
                rows += b"\0\0\0"
            rows.append(alpha // (SAMPLES * SAMPLES))
    return _png(size, bytes(rows))


def _png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(draw(size, maskable=False))
        (OUT / f"icon-maskable-{size}.png").write_bytes(draw(size, maskable=True))


if __name__ == "__main__":
    main()
