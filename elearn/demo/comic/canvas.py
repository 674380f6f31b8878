"""The drawing surface of one panel: shapes drawn at SS times the size and reduced (ImageDraw does not
anti-alias), screen tones, the greys of the page and the superellipse that balloons are made of.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

from PIL import Image, ImageDraw

from elearn.demo.comic.text import text_mask

SS = 2  # supersampling factor for shapes
INK, WHITE, LIGHT, PALE, MID, DARK = 20, 255, 232, 212, 150, 70

SUPERELLIPSE = 2.6  # superellipse exponent: rounder than a box, fuller than an ellipse


class Canvas:
    """A panel drawn at SS times its size; coordinates are given in final pixels."""

    def __init__(self, w: int, h: int, u: float) -> None:
        self.w, self.h, self.u = w, h, u
        self.image = Image.new("L", (w * SS, h * SS), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.lw = 2.2 * u

    def _px(self, width: float | None) -> int:
        return max(1, round((self.lw if width is None else width) * SS))

    @staticmethod
    def _box(box: Sequence[float]) -> list[float]:
        x0, y0, x1, y1 = (v * SS for v in box)
        return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]

    @staticmethod
    def _points(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * SS, y * SS) for x, y in points]

    def ellipse(self, box: Sequence[float], fill: int | None = WHITE, outline: int | None = INK,
                width: float | None = None) -> None:
        px = self._px(width) if outline is not None else 0
        self.draw.ellipse(self._box(box), fill=fill, outline=outline, width=px)

    def circle(self, x: float, y: float, r: float, fill: int | None = WHITE, outline: int | None = INK,
               width: float | None = None) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill, outline, width)

    def rect(self, box: Sequence[float], fill: int | None = WHITE, outline: int | None = INK,
             width: float | None = None, radius: float = 0) -> None:
        px = self._px(width) if outline is not None else 0
        if radius:
            self.draw.rounded_rectangle(self._box(box), radius=radius * SS, fill=fill, outline=outline, width=px)
        else:
            self.draw.rectangle(self._box(box), fill=fill, outline=outline, width=px)

    def polygon(self, points: Iterable[tuple[float, float]], fill: int | None = WHITE, outline: int | None = INK,
                width: float | None = None) -> None:
        self.draw.polygon(self._points(points), fill=fill, outline=outline,
                          width=self._px(width) if outline is not None else 0)

    def line(self, points: Iterable[tuple[float, float]], width: float | None = None, fill: int = INK) -> None:
        self.draw.line(self._points(points), fill=fill, width=self._px(width), joint="curve")

    def arc(self, box: Sequence[float], start: float, end: float, width: float | None = None,
            fill: int = INK) -> None:
        self.draw.arc(self._box(box), start, end, fill=fill, width=self._px(width))

    def text(self, x: float, y: float, text: str, size: float, fill: int = INK) -> None:
        """Horizontal text centred on (x, y), for labels drawn into the picture."""
        mask = text_mask(text, max(3.0, round(size * SS * 2) / 2))
        self.image.paste(fill, (round(x * SS - mask.width / 2), round(y * SS - mask.height / 2)), mask)

    def tone(self, box: Sequence[float], pitch: float = 7.0, dot: float = 0.34) -> None:
        """Screentone dots over `box`."""
        x0, y0, x1, y1 = (round(v) for v in self._box(box))
        if x1 <= x0 or y1 <= y0:
            return
        mask = _tone_mask(round(pitch * self.u * SS), dot, x1, y1).crop((x0, y0, x1, y1))
        self.image.paste(INK, (x0, y0, x1, y1), mask)

    def finish(self) -> Image.Image:
        return self.image.reduce(SS)


def _tone_mask(pitch: int, dot: float, width: int, height: int) -> Image.Image:
    """A dot screen at least `width` x `height`: one tile repeated along a row, then the row repeated down,
    which is far faster than drawing every dot. Sizes are rounded up so that panels share masks."""
    return _tone_sheet(max(4, pitch), dot, -(-width // 512) * 512, -(-height // 512) * 512)


@lru_cache(maxsize=8)
def _tone_sheet(pitch: int, dot: float, width: int, height: int) -> Image.Image:
    tile = Image.new("L", (pitch, pitch), 0)
    r, c = pitch * dot / 2, pitch / 2
    draw = ImageDraw.Draw(tile)
    # Half-offset rows, like printed halftone.
    for cx, cy in ((0, 0), (pitch, 0), (0, pitch), (pitch, pitch), (c, c)):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    row = Image.new("L", (width, pitch), 0)
    for x in range(0, width, pitch):
        row.paste(tile, (x, 0))
    sheet = Image.new("L", (width, height), 0)
    for y in range(0, height, pitch):
        sheet.paste(row, (0, y))
    return sheet


def superellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 64) -> list[tuple[float, float]]:
    points = []
    for step in range(steps):
        t = 2 * math.pi * step / steps
        c, s = math.cos(t), math.sin(t)
        points.append((cx + rx * math.copysign(abs(c) ** (2 / SUPERELLIPSE), c),
                       cy + ry * math.copysign(abs(s) ** (2 / SUPERELLIPSE), s)))
    return points
