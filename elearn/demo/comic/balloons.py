"""Speech balloons: the font size and column wrap that fit a panel's lines, where they sit, and their
shapes, tails and vertical text (tategaki, columns right to left).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from elearn.demo.comic.canvas import INK, SUPERELLIPSE, WHITE, Canvas, superellipse
from elearn.demo.comic.characters import Figure
from elearn.demo.comic.text import Token, column_cells, glyph, nudge, tokens_of, wrap
from elearn.demo.magazine_script import Line

_BALLOON_FONT = 21  # px on a 1000 px wide page
_SMALLEST_FONT = 5  # px; only a page far too narrow or a panel far too full ever gets near it

_CELL = 1.02  # vertical pitch of characters, in font sizes
_COLUMN = 1.38  # horizontal pitch of columns, generous so that vertical lines stay apart


@dataclass
class Balloon:
    line: Line
    columns: tuple[tuple[Token, ...], ...]
    size: int  # font size
    narration: bool
    rx: float  # half width / height of the shape (outline excluded)
    ry: float
    text_w: float
    x: float = 0.0  # centre, in panel coordinates
    y: float = 0.0

    @property
    def w(self) -> float:
        return 2 * self.rx

    @property
    def h(self) -> float:
        return 2 * self.ry


def _shape(line: Line, text: str, size: int, limit: float) -> Balloon:
    columns = wrap(text, limit)
    lengths = [column_cells(column) * _CELL * size for column in columns]
    text_w = (len(columns) - 1) * _COLUMN * size + size
    text_h = max(lengths)
    if line.speaker == "narration":
        pad = 0.6 * size
        return Balloon(line, columns, size, True, text_w / 2 + pad, text_h / 2 + pad, text_w)
    # Columns are centred vertically, as in manga, so the shape only has to clear each column's own ends.
    base_x, base_y = text_w / 2 + 0.35 * size, text_h / 2 + 0.35 * size
    scale = 1.0
    for index, length in enumerate(lengths):
        x = abs(text_w / 2 - size / 2 - index * _COLUMN * size) + 0.45 * size
        y = length / 2 - 0.04 * size
        scale = max(scale, ((x / base_x) ** SUPERELLIPSE + (y / base_y) ** SUPERELLIPSE) ** (1 / SUPERELLIPSE))
    pad = 0.3 * size
    return Balloon(line, columns, size, False, base_x * scale + pad, base_y * scale + pad, text_w)


def _preferred_limit(cells: float, aspect: float) -> float:
    """The column length to try first: short lines in one column, longer ones in a few even columns;
    shorter columns in wide panels, so the balloons leave room for the characters below."""
    wide = aspect > 1.5
    if cells <= (7 if wide else 9):
        return max(cells, 1.0)
    return min(10.0, max(5.0, round(math.sqrt(cells * (1.3 if wide else 1.8)))))


@dataclass
class Fit:
    size: int
    balloons: list[Balloon]


def fit_balloons(lines: Sequence[tuple[Line, str]], w: float, h: float, u: float, zone: float = 0.72) -> Fit:
    """The largest font at which all balloons sit side by side, right to left, in the top `zone` of the
    panel; the column length is raised from each line's preferred one until the row is narrow enough.
    Text never leaves its balloon: a balloon is always built around its text, so a crowded panel gets a
    smaller font (which the page layout then tries to avoid), never clipped text."""
    margin = 10 * u
    zone_w, zone_h = w - 2 * margin, h * zone - margin
    gap = 6 * u
    for size in range(round(_BALLOON_FONT * u), _SMALLEST_FONT - 1, -1):
        limits = []
        for line, text in lines:
            tokens = tokens_of(text)
            longest = max([t.cells for t in tokens] + [1.0])
            top = max(longest, math.floor(column_cells(tokens)))
            while top > longest and _shape(line, text, size, top).h > zone_h:
                top -= 1
            limits.append((min(_preferred_limit(column_cells(tokens), w / h), top), top))
        for extra in range(0, 16):
            balloons = [
                _shape(line, text, size, min(preferred + extra, top))
                for (line, text), (preferred, top) in zip(lines, limits, strict=True)
            ]
            if any(b.h > zone_h for b in balloons):
                break
            if sum(b.w for b in balloons) + gap * (len(balloons) - 1) <= zone_w:
                return Fit(size, balloons)
            if all(preferred + extra >= top for preferred, top in limits):
                break
    return Fit(_SMALLEST_FONT, [_shape(line, text, _SMALLEST_FONT, 12) for line, text in lines])


def place_balloons(balloons: list[Balloon], w: float, h: float, u: float, zone: float,
                    rng: random.Random) -> None:
    """Right to left along the top, each a little lower than the one before, as the eye reads."""
    margin = 10 * u
    total = sum(b.w for b in balloons)
    free = max(0.0, w - 2 * margin - total)
    gap = min(free / max(1, len(balloons)), 34 * u) if len(balloons) > 1 else 0.0
    lead = (free - gap * (len(balloons) - 1)) * rng.uniform(0.1, 0.45)
    zone_bottom = h * zone
    x = w - margin - lead
    step = 0.05 * h
    for index, balloon in enumerate(balloons):
        balloon.x = x - balloon.rx
        if balloon.narration and index == 0:
            # Narration hugs the panel's top right corner.
            balloon.x = w - balloon.rx - 2 * u
            balloon.y = balloon.ry + 2 * u
        else:
            top = margin + index * step
            top = min(top, max(margin, zone_bottom - balloon.h))
            balloon.y = top + balloon.ry
        x = balloon.x - balloon.rx - gap


def draw_balloon_shape(c: Canvas, b: Balloon, figures: list[Figure], u: float) -> None:
    lw = 2.0 * u
    if b.narration:
        box = (b.x - b.rx, b.y - b.ry, b.x + b.rx, b.y + b.ry)
        c.rect(box, fill=WHITE, width=lw)
        return
    speaker = next((f for f in figures if f.key == b.line.speaker), None)
    outline = superellipse(b.x, b.y, b.rx + lw, b.ry + lw)
    inner = superellipse(b.x, b.y, b.rx, b.ry)
    tail = None
    if speaker is not None:
        tx, ty = speaker.x, speaker.y - speaker.r * 1.2
        # Tails leave from the lower half and lean towards the speaker; a short one is enough to say who
        # speaks, and a long one would cross the other balloons.
        angle = math.atan2(max(ty - b.y, 1.0), tx - b.x)
        angle = min(max(angle, math.radians(35)), math.radians(145))
        ex, ey = max(inner, key=lambda p: (p[0] - b.x) * math.cos(angle) + (p[1] - b.y) * math.sin(angle))
        distance = math.hypot(tx - ex, ty - ey)
        length = min(max(distance * 0.6, 12 * u), 40 * u)
        tip = (ex + math.cos(angle) * length, ey + math.sin(angle) * length)
        half = max(min(b.rx, b.ry) * 0.3, 7 * u)
        normal = (-math.sin(angle), math.cos(angle))
        base_x, base_y = b.x + (ex - b.x) * 0.8, b.y + (ey - b.y) * 0.8
        tail = [(base_x + normal[0] * half, base_y + normal[1] * half), tip,
                (base_x - normal[0] * half, base_y - normal[1] * half)]
    c.polygon(outline, fill=INK, outline=None)
    if tail:
        # A stroke centred on the edges, so half of it stays outside once the white fill goes over.
        c.polygon(tail, fill=INK, outline=None)
        c.line([*tail, tail[0], tail[1]], width=lw * 2)
    c.polygon(inner, fill=WHITE, outline=None)
    if tail:
        c.polygon(tail, fill=WHITE, outline=None)


def draw_balloon_text(page: Image.Image, b: Balloon, ox: int, oy: int) -> None:
    size = b.size
    right = ox + b.x + b.text_w / 2 - size / 2
    for index, column in enumerate(b.columns):
        cx = right - index * _COLUMN * size
        length = column_cells(column) * _CELL * size
        y = oy + b.y - length / 2
        for token in column:
            height = token.cells * _CELL * size
            if token.kind != "space":
                dx, dy = nudge(token, size)
                mask = glyph(token.kind, token.text, size)
                page.paste(INK, (round(cx + dx - mask.width / 2), round(y + height / 2 + dy - mask.height / 2)), mask)
            y += height
