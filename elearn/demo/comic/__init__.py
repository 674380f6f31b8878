"""Simple manga pages drawn with Pillow, for the demo magazine in `elearn.demo.magazine_script`.

A page is laid out right to left like a Japanese comic: panels in rows from the top, the first panel of a
row at the right; balloons hold vertical text (tategaki) in columns that also run right to left.

Shapes are drawn at twice the size and reduced, because ImageDraw does not anti-alias; glyphs are also
rendered large and reduced (see `_text_mask`). Everything is a pure function of the input (random choices
use a generator seeded by issue and page), so a page always encodes to the same bytes.

Only the IPAex Mincho font shipped with the app is used, never a system font, so pages look the same on
every machine.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from elearn.demo.magazine_script import DemoPage, Line, Panel, fill

FONT_PATH = Path(__file__).resolve().parents[3] / "static" / "fonts" / "ipaex" / "ipaexm.ttf"

PAGE_RATIO = 1.414  # A- and B-series paper, as printed magazines
SS = 2  # supersampling factor for shapes
INK, WHITE, LIGHT, PALE, MID, DARK = 20, 255, 232, 212, 150, 70

_BALLOON_FONT = 21  # px on a 1000 px wide page
_SMALLEST_FONT = 5  # px; only a page far too narrow or a panel far too full ever gets near it
_CHARACTERS = ("guide", "guest", "guest2")
_SPACING = 2.4  # between characters' centres, in head radii: shoulders may overlap a little

# --- text -----------------------------------------------------------------------------------------

_RUBY_MARKED = re.compile(r"｜([^｜《》]+)《[^《》]*》")
_RUBY_KANJI = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+)《[^《》]*》")


def strip_ruby(text: str) -> str:
    """Aozora-style ruby dropped to its base text: ｜漢字《かんじ》 and 漢字《かんじ》 become 漢字."""
    return _RUBY_KANJI.sub(r"\1", _RUBY_MARKED.sub(r"\1", text))


# Glyphs that lie on their side in vertical writing: long vowel marks, dashes, brackets, arrows.
_ROTATED = set("ー－―‐〜～…‥（）「」『』【】〔〕［］｛｝〈〉《》＜＞＝：；｜＿→←")
# Comma and full stop sit in the top right of their cell in vertical text, not the bottom left.
_TOP_RIGHT = set("、。，．")
_SMALL_KANA = set("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
_NO_COLUMN_START = set("、。，．）」』】〕］｝〉》ー…‥！？・：；") | _SMALL_KANA
_NO_COLUMN_END = set("（「『【〔［｛〈《")
# Full-width letters and digits become ASCII so one rule decides how a run of them is set.
_TO_ASCII = {code: code - 0xFEE0 for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_LATIN_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._+/-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class _Token:
    kind: str  # "char" upright, "rot" a Latin run set sideways, "tcy" digits set across (tate-chu-yoko), "space"
    text: str
    cells: float  # height in character cells


def _full_width(char: str) -> str:
    code = ord(char)
    return chr(code + 0xFEE0) if 0x21 <= code <= 0x7E else char


@lru_cache(maxsize=1024)
def _tokens(text: str) -> tuple[_Token, ...]:
    """The text of a balloon cut into what fills the cells of a vertical column."""
    text = text.translate(_TO_ASCII)
    tokens: list[_Token] = []
    position = 0
    for match in _LATIN_RUN.finditer(text):
        tokens.extend(_plain_tokens(text[position : match.start()]))
        tokens.extend(_latin_tokens(match.group()))
        position = match.end()
    tokens.extend(_plain_tokens(text[position:]))
    return tuple(tokens)


def _plain_tokens(text: str) -> Iterable[_Token]:
    for char in text:
        if char in " \u3000":
            yield _Token("space", char, 0.5)
        elif char not in "\n\r\t":
            yield _Token("char", _full_width(char), 1.0)


def _latin_tokens(run: str) -> list[_Token]:
    # Manga set two-digit numbers across one cell, short acronyms upright letter by letter, and longer
    # words on their side, where they read naturally with the head tilted.
    if run.isdigit() and len(run) <= 2:
        return [_Token("tcy", run, 1.0)]
    if (run.isdigit() and len(run) <= 4) or (run.isalpha() and run.isupper() and len(run) <= 4):
        return [_Token("char", _full_width(char), 1.0) for char in run]
    return [_Token("rot", run, _latin_length(run) + 0.3)]


@lru_cache(maxsize=256)
def _latin_length(run: str) -> float:
    """Length of a sideways run in ems."""
    return _font(100).getlength(run) / 100


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # The basic layout engine: identical output whether or not libraqm is installed.
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)


def _kind_of(char: str) -> str:
    code = ord(char)
    if 0x3041 <= code <= 0x309F:
        return "hira"
    if 0x30A0 <= code <= 0x30FF or char == "ー":
        return "kata"
    if 0x3400 <= code <= 0x9FFF or char in "々〆":
        return "kanji"
    return "other"


def _break_quality(before: _Token, after: _Token) -> int:
    """How natural a column break between two tokens is: 3 after punctuation, 2 where a word seems to
    start after kana, 1 between kana, 0 inside a word."""
    if before.kind == "space" or after.kind == "space" or before.text in "、。！？」』）…":
        return 3
    if before.kind != "char" or after.kind != "char":
        return 2
    a, b = _kind_of(before.text), _kind_of(after.text)
    if a == "hira" and b in ("kanji", "kata", "other"):
        return 2
    if a == "hira" and b == "hira":
        return 1
    return 0


_BREAK_COST = {3: 0.0, 2: 1.0, 1: 6.0, 0: 12.0}


@dataclass(frozen=True)
class _Breaks:
    ends: tuple[float, ...]  # cells used up to each position
    cost: tuple[float, ...]  # cost of a column break before each token
    may_start: tuple[bool, ...]  # whether a column may start with each token
    may_end: tuple[bool, ...]  # whether a column may end with each token
    hangs: tuple[bool, ...]  # whether each token may hang below a full column


@lru_cache(maxsize=1024)
def _breaks(text: str) -> _Breaks:
    tokens = _tokens(text)
    ends = [0.0]
    for token in tokens:
        ends.append(ends[-1] + token.cells)
    closing = [t.kind == "char" and t.text in _NO_COLUMN_START for t in tokens]
    return _Breaks(
        ends=tuple(ends),
        cost=(0.0, *(_BREAK_COST[_break_quality(a, b)] for a, b in zip(tokens, tokens[1:], strict=False))),
        may_start=tuple(not c for c in closing),
        may_end=tuple(not (t.kind == "char" and t.text in _NO_COLUMN_END) for t in tokens),
        hangs=tuple(closing),
    )


@lru_cache(maxsize=8192)
def _wrap(text: str, limit: float) -> tuple[tuple[_Token, ...], ...]:
    """Columns of at most `limit` cells. Chosen together by a small dynamic programme, like TeX's line
    breaking: a break inside a word costs more than one after punctuation or between kana and kanji,
    uneven columns cost more than even ones, and closing marks may hang below a full column."""
    tokens = _tokens(text)
    info = _breaks(text)
    ends, cost, may_start, may_end, hangs = info.ends, info.cost, info.may_start, info.may_end, info.hangs
    count = len(tokens)
    best = [math.inf] * (count + 1)
    back = [0] * (count + 1)
    best[0] = 0.0
    for j in range(1, count + 1):
        hang = tokens[j - 1].cells if hangs[j - 1] else 0.0
        ending_ok = j == count or may_end[j - 1]
        for i in range(j - 1, -1, -1):
            core = ends[j] - ends[i] - (hang if j - i > 1 else 0.0)
            if core > limit + 1e-6 and j - i > 1:
                break
            if best[i] == math.inf or not ending_ok or (i > 0 and not may_start[i]):
                continue
            slack = limit - core
            total = best[i] + 3.0 + cost[i] + (0.3 * slack * slack if slack > 0 else 0.0)
            if total < best[j]:
                best[j], back[j] = total, i
    columns = []
    j = count
    while j > 0:
        i = back[j]
        column = tokens[i:j]
        start, stop = 0, len(column)
        while start < stop and column[start].kind == "space":
            start += 1
        while stop > start and column[stop - 1].kind == "space":
            stop -= 1
        if stop > start:
            columns.append(column[start:stop])
        j = i
    return tuple(reversed(columns))


def _column_cells(column: Sequence[_Token]) -> float:
    return sum(token.cells for token in column)


# --- balloons ------------------------------------------------------------------------------------

_CELL = 1.02  # vertical pitch of characters, in font sizes
_COLUMN = 1.38  # horizontal pitch of columns, generous so that vertical lines stay apart
_SUPER = 2.6  # superellipse exponent: rounder than a box, fuller than an ellipse


@dataclass
class _Balloon:
    line: Line
    columns: tuple[tuple[_Token, ...], ...]
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


def _shape(line: Line, text: str, size: int, limit: float) -> _Balloon:
    columns = _wrap(text, limit)
    lengths = [_column_cells(column) * _CELL * size for column in columns]
    text_w = (len(columns) - 1) * _COLUMN * size + size
    text_h = max(lengths)
    if line.speaker == "narration":
        pad = 0.6 * size
        return _Balloon(line, columns, size, True, text_w / 2 + pad, text_h / 2 + pad, text_w)
    # Columns are centred vertically, as in manga, so the shape only has to clear each column's own ends.
    base_x, base_y = text_w / 2 + 0.35 * size, text_h / 2 + 0.35 * size
    scale = 1.0
    for index, length in enumerate(lengths):
        x = abs(text_w / 2 - size / 2 - index * _COLUMN * size) + 0.45 * size
        y = length / 2 - 0.04 * size
        scale = max(scale, ((x / base_x) ** _SUPER + (y / base_y) ** _SUPER) ** (1 / _SUPER))
    pad = 0.3 * size
    return _Balloon(line, columns, size, False, base_x * scale + pad, base_y * scale + pad, text_w)


def _preferred_limit(cells: float, aspect: float) -> float:
    """The column length to try first: short lines in one column, longer ones in a few even columns;
    shorter columns in wide panels, so the balloons leave room for the characters below."""
    wide = aspect > 1.5
    if cells <= (7 if wide else 9):
        return max(cells, 1.0)
    return min(10.0, max(5.0, round(math.sqrt(cells * (1.3 if wide else 1.8)))))


@dataclass
class _Fit:
    size: int
    balloons: list[_Balloon]


def _fit(lines: Sequence[tuple[Line, str]], w: float, h: float, u: float, zone: float = 0.72) -> _Fit:
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
            tokens = _tokens(text)
            longest = max([t.cells for t in tokens] + [1.0])
            top = max(longest, math.floor(_column_cells(tokens)))
            while top > longest and _shape(line, text, size, top).h > zone_h:
                top -= 1
            limits.append((min(_preferred_limit(_column_cells(tokens), w / h), top), top))
        for extra in range(0, 16):
            balloons = [
                _shape(line, text, size, min(preferred + extra, top))
                for (line, text), (preferred, top) in zip(lines, limits, strict=True)
            ]
            if any(b.h > zone_h for b in balloons):
                break
            if sum(b.w for b in balloons) + gap * (len(balloons) - 1) <= zone_w:
                return _Fit(size, balloons)
            if all(preferred + extra >= top for preferred, top in limits):
                break
    return _Fit(_SMALLEST_FONT, [_shape(line, text, _SMALLEST_FONT, 12) for line, text in lines])


# --- page layout ---------------------------------------------------------------------------------

_LAYOUTS: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((1,),),
    2: ((1, 1), (2,)),
    3: ((1, 2), (2, 1), (1, 1, 1)),
    4: ((2, 2), (1, 2, 1), (2, 1, 1), (1, 1, 2)),
}
_SPREAD_LAYOUTS: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((1,),),
    2: ((2,), (1, 1)),
    3: ((1, 2), (2, 1), (3,)),
    4: ((1, 3), (3, 1), (2, 2), (1, 1, 2)),
}


@dataclass
class _PanelPlan:
    panel: Panel
    lines: list[tuple[Line, str]]  # each line with the text as drawn
    cells: float
    zone: float  # how far down the panel balloons may reach, as a fraction of its height
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    fit: _Fit | None = None


def _layout(plans: list[_PanelPlan], frame: tuple[int, int, int, int], u: float, spread: bool,
            rng: random.Random) -> None:
    """Pick the panel arrangement: first the one whose smallest balloon font is largest, then the ones
    leaving the most room under the balloons for the characters; among near-equals, any (for variety)."""
    gutter_x, gutter_y = round(12 * u), round(22 * u)
    options = (_SPREAD_LAYOUTS if spread else _LAYOUTS)[len(plans)]
    scored = []
    for rows in options:
        for weighted in (False, True):
            boxes = _boxes(plans, rows, frame, gutter_x, gutter_y, weighted)
            fits = [_fit(plan.lines, box[2] - box[0], box[3] - box[1], u, plan.zone)
                    for plan, box in zip(plans, boxes, strict=True)]
            room = min(_room(plan, fit, box) for plan, fit, box in zip(plans, fits, boxes, strict=True))
            scored.append((min(fit.size for fit in fits), room, boxes, fits))
    best_size = max(score[0] for score in scored)
    best_room = max(score[1] for score in scored if score[0] == best_size)
    good = [score for score in scored if score[0] == best_size and score[1] >= best_room - 0.06]
    _, _, boxes, fits = good[rng.randrange(len(good))]
    for plan, box, fit in zip(plans, boxes, fits, strict=True):
        plan.box, plan.fit = box, fit


def _room(plan: _PanelPlan, fit: _Fit, box: tuple[int, int, int, int]) -> float:
    """The share of the panel's height left under its tallest balloon; a whiteboard also wants width."""
    w, h = box[2] - box[0], box[3] - box[1]
    room = 1 - max((b.h for b in fit.balloons), default=0.0) / h
    if plan.zone < 0.72 and w < 1.2 * h:
        room -= 0.3
    # Several characters in a narrow panel come out tiny: count that as little room too.
    cast = len(_cast_in(plan.panel))
    if cast:
        room = min(room, 3.5 * min(0.2, w / h / (cast * _SPACING + 0.4)))
    return room


def _boxes(plans: list[_PanelPlan], rows: tuple[int, ...], frame: tuple[int, int, int, int], gutter_x: int,
           gutter_y: int, weighted: bool) -> list[tuple[int, int, int, int]]:
    """Panel rectangles for `rows` (panels per row, top to bottom): rows of equal height, or (weighted)
    taller for rows with more text; within a row, wider panels for more text."""
    left, top, right, bottom = frame
    groups, start = [], 0
    for count in rows:
        groups.append(plans[start : start + count])
        start += count
    demand = [max(p.cells for p in group) * len(group) ** 0.5 + 40 for group in groups]
    weights = [(d / max(demand)) ** 0.6 if weighted else 1.0 for d in demand]
    height = bottom - top - gutter_y * (len(rows) - 1)
    boxes, y = [], float(top)
    for index, group in enumerate(groups):
        row_h = height * weights[index] / sum(weights)
        y0, y1 = round(y), (bottom if index == len(groups) - 1 else round(y + row_h))
        width = right - left - gutter_x * (len(group) - 1)
        shares = [0.6 + 0.4 * (p.cells + 20) / (sum(q.cells + 20 for q in group) / len(group)) for p in group]
        x = float(right)
        # Right to left: the first panel of a row is read first.
        for position, share in enumerate(shares):
            panel_w = width * share / sum(shares)
            x1, x0 = round(x), (left if position == len(group) - 1 else round(x - panel_w))
            boxes.append((x0, y0, x1, y1))
            x -= panel_w + gutter_x
        y += row_h + gutter_y
    return boxes


# --- drawing helpers -------------------------------------------------------------------------------


class _Canvas:
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
        mask = _text_mask(text, max(3.0, round(size * SS * 2) / 2))
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


def _superellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 64) -> list[tuple[float, float]]:
    points = []
    for step in range(steps):
        t = 2 * math.pi * step / steps
        c, s = math.cos(t), math.sin(t)
        points.append((cx + rx * math.copysign(abs(c) ** (2 / _SUPER), c),
                       cy + ry * math.copysign(abs(s) ** (2 / _SUPER), s)))
    return points


# --- characters ----------------------------------------------------------------------------------


@dataclass
class _Figure:
    key: str  # cast key
    x: float
    y: float  # centre of the head
    r: float  # head radius
    mood: str = "normal"  # "normal", "happy", "surprised", "worried", "puzzled"
    pose: str = "rest"  # "rest", "point", "wave", "hold"


def _draw_figure(c: _Canvas, f: _Figure) -> None:
    if f.key == "guide":
        _draw_digimaru(c, f)
    else:
        _draw_person(c, f)
    _draw_marks(c, f)


def _draw_digimaru(c: _Canvas, f: _Figure) -> None:
    x, y, r = f.x, f.y, f.r
    lw = c.lw * 1.3
    # Legs, body and arms first, so the big head overlaps them.
    for side in (-1, 1):
        c.rect((x + side * 0.2 * r - 0.17 * r, y + 2.1 * r, x + side * 0.2 * r + 0.17 * r, y + 2.8 * r), fill=LIGHT,
               width=lw)
        c.ellipse((x + side * 0.28 * r - 0.28 * r, y + 2.7 * r, x + side * 0.28 * r + 0.28 * r, y + 3.0 * r),
                  fill=DARK, width=lw)
    c.rect((x - 0.72 * r, y + 0.72 * r, x + 0.72 * r, y + 2.3 * r), fill=LIGHT, width=lw, radius=0.35 * r)
    c.circle(x, y + 1.35 * r, 0.24 * r, fill=WHITE, width=lw * 0.8)
    c.polygon([(x - 0.1 * r, y + 1.18 * r), (x + 0.08 * r, y + 1.18 * r), (x - 0.02 * r, y + 1.33 * r),
               (x + 0.1 * r, y + 1.33 * r), (x - 0.1 * r, y + 1.55 * r), (x - 0.03 * r, y + 1.38 * r),
               (x - 0.14 * r, y + 1.38 * r)], fill=INK, outline=None)
    right_hand = (x + 1.25 * r, y + 0.35 * r) if f.pose in ("point", "wave", "hold") else (x + 1.05 * r, y + 1.7 * r)
    c.line([(x + 0.65 * r, y + 1.2 * r), right_hand], width=0.2 * r, fill=INK)
    c.line([(x + 0.65 * r, y + 1.2 * r), right_hand], width=0.2 * r - 2 * lw, fill=LIGHT)
    c.circle(*right_hand, 0.17 * r, fill=WHITE, width=lw)
    if f.pose == "wave":
        for k in range(3):
            a = math.radians(-150 + 40 * k)
            c.line([(right_hand[0] + math.cos(a) * 0.3 * r, right_hand[1] + math.sin(a) * 0.3 * r),
                    (right_hand[0] + math.cos(a) * 0.48 * r, right_hand[1] + math.sin(a) * 0.48 * r)], width=lw)
    c.line([(x - 0.65 * r, y + 1.2 * r), (x - 1.05 * r, y + 1.75 * r)], width=0.2 * r, fill=INK)
    c.line([(x - 0.65 * r, y + 1.2 * r), (x - 1.05 * r, y + 1.75 * r)], width=0.2 * r - 2 * lw, fill=LIGHT)
    c.circle(x - 1.05 * r, y + 1.75 * r, 0.17 * r, fill=WHITE, width=lw)
    # Antenna with a signal ball: the mascot's mark.
    c.line([(x, y - 0.95 * r), (x + 0.1 * r, y - 1.5 * r)], width=lw * 1.2)
    c.circle(x + 0.1 * r, y - 1.62 * r, 0.16 * r, fill=INK, width=lw)
    c.circle(x + 0.05 * r, y - 1.67 * r, 0.05 * r, fill=WHITE, outline=None)
    if f.mood in ("happy", "surprised"):
        for side in (-1, 1):
            c.arc((x + 0.1 * r - 0.42 * r, y - 2.04 * r, x + 0.1 * r + 0.42 * r, y - 1.2 * r),
                  -40 if side > 0 else 140, 40 if side > 0 else 220, width=lw * 0.8)
    # Ear pods, head, visor face.
    for side in (-1, 1):
        c.rect((x + side * 1.02 * r, y - 0.32 * r, x + side * 1.22 * r, y + 0.3 * r), fill=DARK, width=lw,
               radius=0.08 * r)
    c.ellipse((x - 1.08 * r, y - r, x + 1.08 * r, y + 0.95 * r), fill=WHITE, width=lw * 1.2)
    c.rect((x - 0.78 * r, y - 0.52 * r, x + 0.78 * r, y + 0.6 * r), fill=DARK, width=lw, radius=0.34 * r)
    ex, ey = 0.34 * r, 0.0
    if f.mood == "happy":
        for side in (-1, 1):
            c.arc((x + side * ex - 0.16 * r, y + ey - 0.12 * r, x + side * ex + 0.16 * r, y + ey + 0.2 * r),
                  200, 340, width=0.07 * r, fill=WHITE)
    elif f.mood == "surprised":
        for side in (-1, 1):
            c.circle(x + side * ex, y + ey, 0.17 * r, fill=WHITE, outline=None)
            c.circle(x + side * ex, y + ey, 0.06 * r, fill=DARK, outline=None)
    elif f.mood == "worried":
        for side in (-1, 1):
            c.line([(x + side * (ex - 0.14 * r), y + ey - 0.08 * r), (x + side * (ex + 0.14 * r), y + ey + 0.02 * r)],
                   width=0.07 * r, fill=WHITE)
    else:
        for side in (-1, 1):
            c.ellipse((x + side * ex - 0.1 * r, y + ey - 0.17 * r, x + side * ex + 0.1 * r, y + ey + 0.15 * r),
                      fill=WHITE, outline=None)
    if f.mood == "surprised":
        c.ellipse((x - 0.09 * r, y + 0.28 * r, x + 0.09 * r, y + 0.46 * r), fill=WHITE, outline=None)
    elif f.mood == "worried":
        c.line([(x - 0.15 * r, y + 0.38 * r), (x, y + 0.32 * r), (x + 0.15 * r, y + 0.38 * r)], width=0.05 * r,
               fill=WHITE)
    else:
        c.arc((x - 0.2 * r, y + 0.12 * r, x + 0.2 * r, y + 0.42 * r), 20, 160, width=0.06 * r, fill=WHITE)
    c.circle(x - 0.62 * r, y - 0.6 * r, 0.07 * r, fill=PALE, outline=None)


def _draw_person(c: _Canvas, f: _Figure) -> None:
    x, y, r = f.x, f.y, f.r
    lw = c.lw * 1.2
    second = f.key == "guest2"
    hair = MID if second else INK
    # Shoulders, shirt and the staff ID card on its lanyard.
    c.rect((x - 1.4 * r, y + 0.82 * r, x + 1.4 * r, y + 5.0 * r), fill=PALE if second else WHITE, width=lw,
           radius=0.85 * r)
    for side in (-1, 1):
        c.line([(x + side * 0.98 * r, y + 1.75 * r), (x + side * 1.08 * r, y + 5.0 * r)], width=lw * 0.8)
    if second:
        c.polygon([(x - 0.42 * r, y + 0.85 * r), (x + 0.42 * r, y + 0.85 * r), (x, y + 1.55 * r)], fill=WHITE,
                  width=lw)
    else:
        c.polygon([(x - 0.45 * r, y + 0.82 * r), (x, y + 1.12 * r), (x + 0.45 * r, y + 0.82 * r),
                   (x + 0.3 * r, y + 1.25 * r), (x, y + 1.1 * r), (x - 0.3 * r, y + 1.25 * r)], fill=WHITE, width=lw)
        c.polygon([(x - 0.1 * r, y + 1.12 * r), (x + 0.1 * r, y + 1.12 * r), (x + 0.16 * r, y + 2.3 * r),
                   (x, y + 2.5 * r), (x - 0.16 * r, y + 2.3 * r)], fill=DARK, width=lw * 0.8)
    c.line([(x - 0.38 * r, y + 0.9 * r), (x + 0.55 * r, y + 1.75 * r)], width=lw * 0.9)
    c.line([(x + 0.42 * r, y + 0.88 * r), (x + 0.6 * r, y + 1.75 * r)], width=lw * 0.9)
    c.rect((x + 0.36 * r, y + 1.72 * r, x + 0.86 * r, y + 2.3 * r), fill=WHITE, width=lw * 0.8)
    c.rect((x + 0.45 * r, y + 1.82 * r, x + 0.6 * r, y + 2.0 * r), fill=MID, outline=None)
    c.line([(x + 0.45 * r, y + 2.12 * r), (x + 0.77 * r, y + 2.12 * r)], width=lw * 0.6)
    if f.pose in ("point", "wave", "hold"):
        hand = (x - 1.3 * r, y + 0.55 * r)
        c.line([(x - 1.0 * r, y + 1.55 * r), hand], width=0.34 * r, fill=INK)
        c.line([(x - 1.0 * r, y + 1.55 * r), hand], width=0.34 * r - 2 * lw, fill=PALE if second else WHITE)
        c.circle(*hand, 0.2 * r, fill=WHITE, width=lw)
    if second:
        c.ellipse((x - 1.08 * r, y - 1.08 * r, x + 1.08 * r, y + 0.9 * r), fill=hair, width=lw)
    c.rect((x - 0.24 * r, y + 0.55 * r, x + 0.24 * r, y + 0.95 * r), fill=WHITE, width=lw)
    if not second:
        for side in (-1, 1):
            c.ellipse((x + side * 0.78 * r, y - 0.1 * r, x + side * 1.02 * r, y + 0.32 * r), fill=WHITE, width=lw)
    c.ellipse((x - 0.88 * r, y - 0.98 * r, x + 0.88 * r, y + 0.92 * r), fill=WHITE, width=lw)
    if second:
        # A bob with straight fringe and a side parting.
        top = [(x + 1.0 * r * math.cos(a), y - 0.08 * r + 1.02 * r * math.sin(a))
               for a in (math.radians(d) for d in range(185, 356, 10))]
        c.polygon([*top, (x + 0.9 * r, y + 0.1 * r), (x + 0.62 * r, y - 0.32 * r), (x - 0.1 * r, y - 0.42 * r),
                   (x - 0.25 * r, y - 0.72 * r), (x - 0.45 * r, y - 0.36 * r), (x - 0.9 * r, y - 0.2 * r)],
                  fill=hair, width=lw)
        c.rect((x + 0.35 * r, y - 0.72 * r, x + 0.62 * r, y - 0.6 * r), fill=WHITE, width=lw * 0.7)
    else:
        top = [(x + 0.98 * r * math.cos(a), y - 0.12 * r + 1.0 * r * math.sin(a))
               for a in (math.radians(d) for d in range(180, 361, 10))]
        spikes = []
        for k in range(7):
            t = k / 6
            spikes.append((x + 0.98 * r - 1.96 * r * t, y - 0.12 * r if k in (0, 6) else y - 0.42 * r))
            if k < 6:
                spikes.append((x + 0.98 * r - 1.96 * r * (t + 1 / 12), y - 0.22 * r))
        c.polygon([*top, *spikes], fill=hair, width=lw)
        c.arc((x - 0.5 * r, y - 0.95 * r, x + 0.3 * r, y - 0.55 * r), 200, 260, width=lw, fill=WHITE)
    _draw_face(c, f)


def _draw_face(c: _Canvas, f: _Figure) -> None:
    x, y, r = f.x, f.y, f.r
    lw = c.lw
    ex, ey = 0.34 * r, 0.08 * r
    brow = {"worried": (0.1, -0.08), "surprised": (-0.06, -0.06), "puzzled": (0.0, 0.08)}.get(f.mood, (0.0, 0.0))
    for side in (-1, 1):
        inner, outer = brow if side < 0 else (brow[1], brow[0])
        c.line([(x + side * (ex - 0.14 * r), y - 0.24 * r + inner * r), (x + side * (ex + 0.14 * r),
                                                                         y - 0.24 * r + outer * r)], width=lw)
        if f.mood == "happy":
            c.arc((x + side * ex - 0.13 * r, y + ey - 0.1 * r, x + side * ex + 0.13 * r, y + ey + 0.16 * r), 200, 340,
                  width=lw * 1.4)
        elif f.mood == "surprised":
            c.circle(x + side * ex, y + ey, 0.13 * r, fill=WHITE, width=lw)
            c.circle(x + side * ex, y + ey, 0.04 * r, fill=INK, outline=None)
        else:
            c.ellipse((x + side * ex - 0.085 * r, y + ey - 0.15 * r, x + side * ex + 0.085 * r, y + ey + 0.15 * r),
                      fill=INK, outline=None)
            c.circle(x + side * ex + 0.03 * r, y + ey - 0.06 * r, 0.035 * r, fill=WHITE, outline=None)
    my = y + 0.52 * r
    if f.mood == "happy":
        c.polygon([(x - 0.2 * r, my - 0.05 * r), (x + 0.2 * r, my - 0.05 * r), (x + 0.12 * r, my + 0.1 * r),
                   (x, my + 0.14 * r), (x - 0.12 * r, my + 0.1 * r)], fill=DARK, width=lw * 0.8)
        for side in (-1, 1):
            for k in range(3):
                bx = x + side * (0.52 * r) + k * 0.07 * r
                c.line([(bx, y + 0.3 * r), (bx - 0.05 * r, y + 0.4 * r)], width=lw * 0.7)
    elif f.mood == "surprised":
        c.ellipse((x - 0.08 * r, my - 0.08 * r, x + 0.08 * r, my + 0.12 * r), fill=DARK, width=lw * 0.8)
    elif f.mood == "worried":
        c.line([(x - 0.14 * r, my + 0.04 * r), (x - 0.05 * r, my - 0.02 * r), (x + 0.05 * r, my + 0.04 * r),
                (x + 0.14 * r, my - 0.02 * r)], width=lw)
    elif f.mood == "puzzled":
        c.line([(x - 0.12 * r, my), (x + 0.1 * r, my - 0.04 * r)], width=lw)
    else:
        c.arc((x - 0.16 * r, my - 0.14 * r, x + 0.16 * r, my + 0.06 * r), 25, 155, width=lw)


def _draw_marks(c: _Canvas, f: _Figure) -> None:
    """Manga symbols beside the head for the mood."""
    x, y, r = f.x, f.y, f.r
    if f.mood == "surprised":
        for k, a in enumerate((-70, -45, -20)):
            t = math.radians(a)
            c.line([(x + 1.2 * r * math.cos(t), y - 0.2 * r + 1.2 * r * math.sin(t)),
                    (x + (1.5 + 0.05 * k) * r * math.cos(t), y - 0.2 * r + (1.5 + 0.05 * k) * r * math.sin(t))],
                   width=c.lw * 1.2)
    elif f.mood == "worried":
        sx, sy = x - 1.05 * r, y - 0.55 * r
        c.polygon([(sx, sy - 0.22 * r), (sx + 0.11 * r, sy + 0.02 * r), (sx, sy + 0.12 * r),
                   (sx - 0.11 * r, sy + 0.02 * r)], fill=WHITE, width=c.lw)
    elif f.mood == "puzzled":
        c.text(x + 1.15 * r, y - 0.85 * r, "?", 0.55 * r)
    elif f.mood == "happy" and f.key != "guide":
        for dx, dy, s in ((1.15, -0.75, 0.14), (1.35, -0.45, 0.09)):
            _sparkle(c, x + dx * r, y + dy * r, s * r)


def _sparkle(c: _Canvas, x: float, y: float, s: float) -> None:
    c.polygon([(x, y - s), (x + 0.25 * s, y - 0.25 * s), (x + s, y), (x + 0.25 * s, y + 0.25 * s), (x, y + s),
               (x - 0.25 * s, y + 0.25 * s), (x - s, y), (x - 0.25 * s, y - 0.25 * s)], fill=INK, outline=None)


# --- backgrounds and props -----------------------------------------------------------------------


def _has(text: str, *words: str) -> bool:
    return any(word in text for word in words)


def _focus_lines(c: _Canvas, cx: float, cy: float, rng: random.Random) -> None:
    """Radial speed lines converging on (cx, cy), the manga way of saying "this matters"."""
    w, h = c.w, c.h
    reach = math.hypot(w, h)
    for _ in range(110):
        a = rng.uniform(0, 2 * math.pi)
        inner = rng.uniform(0.42, 0.62)
        tip = (cx + math.cos(a) * w * inner * 0.6, cy + math.sin(a) * h * inner * 0.6)
        spread = rng.uniform(0.003, 0.011)
        c.polygon([tip, (cx + math.cos(a - spread) * reach, cy + math.sin(a - spread) * reach),
                   (cx + math.cos(a + spread) * reach, cy + math.sin(a + spread) * reach)], fill=INK, outline=None)


def _window(c: _Canvas, box: tuple[float, float, float, float], rng: random.Random) -> None:
    x0, y0, x1, y1 = box
    c.rect(box, fill=WHITE, width=c.lw * 1.4)
    c.line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], width=c.lw * 1.2)
    c.line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], width=c.lw * 0.8)
    for k in range(2):
        sx = x0 + (x1 - x0) * (0.15 + 0.5 * k)
        c.line([(sx, y0 + (y1 - y0) * 0.35), (sx + (x1 - x0) * 0.14, y0 + (y1 - y0) * 0.12)], width=c.lw * 0.6)
    cx = x0 + (x1 - x0) * rng.uniform(0.3, 0.7)
    cy = y0 + (y1 - y0) * 0.72
    for dx, rr in ((-0.07, 0.05), (0.0, 0.07), (0.08, 0.05)):
        c.circle(cx + dx * (x1 - x0) * 1.6, cy, rr * (x1 - x0), fill=WHITE, outline=MID, width=c.lw * 0.7)


def _shelf(c: _Canvas, x0: float, y0: float, w: float, h: float, rng: random.Random) -> None:
    c.rect((x0, y0, x0 + w, y0 + h), fill=WHITE, width=c.lw)
    x = x0 + 0.04 * w
    while x < x0 + w * 0.92:
        bw = w * rng.uniform(0.08, 0.13)
        shade = rng.choice((WHITE, PALE, MID))
        c.rect((x, y0 + h * rng.uniform(0.12, 0.25), x + bw, y0 + h - c.lw), fill=shade, width=c.lw * 0.8)
        x += bw + w * 0.01


def _clock(c: _Canvas, x: float, y: float, r: float) -> None:
    c.circle(x, y, r, fill=WHITE, width=c.lw * 1.2)
    c.line([(x, y), (x, y - 0.7 * r)], width=c.lw)
    c.line([(x, y), (x + 0.5 * r, y + 0.1 * r)], width=c.lw)


def _building(c: _Canvas, rng: random.Random) -> None:
    w, h = c.w, c.h
    ground = h * 0.86
    c.tone((0, 0, w, h * 0.5), pitch=6, dot=0.28)
    bx0, bx1, by0 = w * 0.08, w * 0.92, h * 0.22
    c.rect((bx0, by0, bx1, ground), fill=WHITE, width=c.lw * 1.4)
    c.rect((bx0 - w * 0.02, by0 - h * 0.03, bx1 + w * 0.02, by0), fill=PALE, width=c.lw * 1.2)
    cols, rows = 9, 5
    for i in range(cols):
        for j in range(rows):
            wx = bx0 + (bx1 - bx0) * (i + 0.2) / cols
            wy = by0 + (ground - by0) * (j + 0.2) / (rows + 1)
            c.rect((wx, wy, wx + (bx1 - bx0) * 0.6 / cols, wy + (ground - by0) * 0.5 / (rows + 1)),
                   fill=rng.choice((PALE, MID, PALE)), width=c.lw * 0.6)
    door = (w * 0.44, ground - (ground - by0) * 0.2, w * 0.56, ground)
    c.rect(door, fill=DARK, width=c.lw)
    c.line([(w * 0.9, by0 - h * 0.03), (w * 0.9, by0 - h * 0.18)], width=c.lw)
    c.polygon([(w * 0.9, by0 - h * 0.18), (w * 0.96, by0 - h * 0.15), (w * 0.9, by0 - h * 0.12)], fill=WHITE)
    c.line([(0, ground), (w, ground)], width=c.lw * 1.4)
    for tx in (w * 0.05, w * 0.95):
        for dx, dy, rr in ((0, 0, 0.07), (-0.04, 0.03, 0.05), (0.04, 0.03, 0.05)):
            c.circle(tx + dx * w, ground - h * 0.1 + dy * h, rr * w, fill=WHITE, width=c.lw)


def _desk(c: _Canvas, top: float) -> None:
    c.polygon([(-5, top), (c.w + 5, top), (c.w + 5, top + c.h * 0.035), (-5, top + c.h * 0.035)], fill=PALE,
              width=c.lw * 1.3)
    c.rect((-5, top + c.h * 0.035, c.w + 5, c.h + 5), fill=WHITE, width=c.lw * 1.3)


def _monitor(c: _Canvas, x: float, base: float, w: float, screen: str, rng: random.Random) -> None:
    h = w * 0.68
    y0 = base - h - w * 0.16
    c.polygon([(x - w * 0.12, base), (x + w * 0.12, base), (x + w * 0.05, y0 + h), (x - w * 0.05, y0 + h)],
              fill=MID, width=c.lw)
    c.rect((x - w / 2, y0, x + w / 2, y0 + h), fill=DARK, width=c.lw * 1.2, radius=w * 0.03)
    sx0, sy0, sx1, sy1 = x - w * 0.44, y0 + w * 0.05, x + w * 0.44, y0 + h - w * 0.06
    c.rect((sx0, sy0, sx1, sy1), fill=WHITE, outline=None)
    _screen(c, (sx0, sy0, sx1, sy1), screen, rng)


def _screen(c: _Canvas, box: tuple[float, float, float, float], kind: str, rng: random.Random) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    thin = c.lw * 0.6
    c.rect((x0, y0, x1, y0 + h * 0.1), fill=PALE, outline=None)
    if kind == "sheet":
        for i in range(1, 6):
            c.line([(x0 + w * i / 6, y0 + h * 0.18), (x0 + w * i / 6, y1 - h * 0.05)], width=thin, fill=MID)
        for j in range(6):
            yy = y0 + h * (0.18 + 0.13 * j)
            c.line([(x0 + w * 0.03, yy), (x1 - w * 0.03, yy)], width=thin, fill=MID)
        c.rect((x0 + w * 0.03, y0 + h * 0.18, x1 - w * 0.03, y0 + h * 0.31), fill=PALE, outline=MID, width=thin)
    elif kind == "pdf":
        for i in range(3):
            px = x0 + w * (0.1 + 0.3 * i)
            c.rect((px, y0 + h * 0.22, px + w * 0.22, y1 - h * 0.1), fill=WHITE, width=thin)
            c.rect((px, y0 + h * 0.22, px + w * 0.22, y0 + h * 0.36), fill=DARK, outline=None)
            c.text(px + w * 0.11, y0 + h * 0.29, "PDF", h * 0.1, fill=WHITE)
    elif kind == "chat":
        for j in range(3):
            right = j % 2 == 1
            bx0 = x0 + w * (0.4 if right else 0.06)
            by = y0 + h * (0.2 + 0.25 * j)
            c.rect((bx0, by, bx0 + w * 0.52, by + h * 0.16), fill=LIGHT if right else WHITE, width=thin,
                   radius=h * 0.05)
            c.line([(bx0 + w * 0.05, by + h * 0.08), (bx0 + w * 0.4, by + h * 0.08)], width=thin, fill=MID)
    elif kind == "mail":
        c.rect((x0 + w * 0.05, y0 + h * 0.2, x0 + w * 0.3, y1 - h * 0.06), fill=LIGHT, outline=None)
        for j in range(5):
            yy = y0 + h * (0.26 + 0.13 * j)
            c.line([(x0 + w * 0.36, yy), (x1 - w * (0.08 + 0.1 * (j % 3)), yy)], width=thin, fill=MID)
        c.rect((x0 + w * 0.36, y0 + h * 0.18, x0 + w * 0.7, y0 + h * 0.3), fill=WHITE, outline=INK, width=thin)
    elif kind == "ai":
        c.rect((x0 + w * 0.08, y0 + h * 0.2, x1 - w * 0.08, y0 + h * 0.42), fill=LIGHT, width=thin, radius=h * 0.05)
        c.rect((x0 + w * 0.08, y0 + h * 0.5, x1 - w * 0.08, y1 - h * 0.08), fill=WHITE, width=thin, radius=h * 0.05)
        _sparkle(c, x0 + w * 0.18, y0 + h * 0.66, h * 0.09)
        for j in range(2):
            c.line([(x0 + w * 0.32, y0 + h * (0.62 + 0.12 * j)), (x1 - w * 0.16, y0 + h * (0.62 + 0.12 * j))],
                   width=thin, fill=MID)
    elif kind == "alert":
        c.rect((x0 + w * 0.15, y0 + h * 0.25, x1 - w * 0.15, y1 - h * 0.15), fill=WHITE, width=thin * 1.5)
        c.polygon([(x0 + w * 0.3, y0 + h * 0.72), (x0 + w * 0.38, y0 + h * 0.4), (x0 + w * 0.46, y0 + h * 0.72)],
                  fill=INK, outline=None)
        c.text(x0 + w * 0.38, y0 + h * 0.62, "!", h * 0.2, fill=WHITE)
        c.line([(x0 + w * 0.52, y0 + h * 0.5), (x1 - w * 0.22, y0 + h * 0.5)], width=thin, fill=MID)
    elif kind == "files":
        for i in range(4):
            for j in range(2):
                fx, fy = x0 + w * (0.08 + 0.23 * i), y0 + h * (0.22 + 0.38 * j)
                c.rect((fx, fy, fx + w * 0.12, fy + h * 0.22), fill=WHITE, width=thin)
                c.line([(fx - w * 0.02, fy + h * 0.3), (fx + w * 0.15, fy + h * 0.3)], width=thin, fill=MID)
    else:
        for j in range(4):
            yy = y0 + h * (0.25 + 0.17 * j)
            c.line([(x0 + w * 0.08, yy), (x0 + w * rng.uniform(0.5, 0.9), yy)], width=thin, fill=MID)


def _whiteboard(c: _Canvas, box: tuple[float, float, float, float], scene: str, rng: random.Random) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    c.rect(box, fill=WHITE, width=c.lw * 1.5)
    c.line([(x0 + w * 0.05, y1 + h * 0.04), (x1 - w * 0.05, y1 + h * 0.04)], width=c.lw * 1.5)
    if _has(scene, "グラフ"):
        for i, v in enumerate((0.3, 0.45, 0.4, 0.6, 0.8)):
            bx = x0 + w * (0.12 + 0.16 * i)
            c.rect((bx, y1 - h * 0.1 - h * 0.75 * v, bx + w * 0.1, y1 - h * 0.1), fill=MID, width=c.lw * 0.8)
        return
    if _has(scene, "表"):
        for i in range(4):
            for j in range(4):
                c.rect((x0 + w * (0.1 + 0.2 * i), y0 + h * (0.12 + 0.19 * j), x0 + w * (0.3 + 0.2 * i),
                        y0 + h * (0.31 + 0.19 * j)), fill=PALE if j == 0 else WHITE, width=c.lw * 0.7)
        if _has(scene, "問題", "印"):
            c.circle(x0 + w * 0.4, y0 + h * 0.5, h * 0.16, fill=None, width=c.lw * 1.2)
        return
    if _has(scene, "図", "チャネル", "フォルダ"):
        c.rect((x0 + w * 0.08, y0 + h * 0.3, x0 + w * 0.35, y0 + h * 0.7), fill=PALE, width=c.lw)
        c.rect((x0 + w * 0.62, y0 + h * 0.15, x0 + w * 0.9, y0 + h * 0.4), fill=WHITE, width=c.lw)
        c.rect((x0 + w * 0.62, y0 + h * 0.58, x0 + w * 0.9, y0 + h * 0.83), fill=WHITE, width=c.lw)
        for ty in (0.28, 0.7):
            c.line([(x0 + w * 0.37, y0 + h * 0.5), (x0 + w * 0.6, y0 + h * ty)], width=c.lw)
        return
    rows = 3 if _has(scene, "三", "チェック", "条件") else 4
    for j in range(rows):
        yy = y0 + h * (0.2 + 0.62 * j / max(1, rows - 1))
        if _has(scene, "チェック", "条件", "項目"):
            c.line([(x0 + w * 0.08, yy), (x0 + w * 0.11, yy + h * 0.05), (x0 + w * 0.17, yy - h * 0.06)],
                   width=c.lw * 1.2)
        else:
            c.circle(x0 + w * 0.11, yy, h * 0.025, fill=INK, outline=None)
        c.line([(x0 + w * 0.22, yy), (x0 + w * rng.uniform(0.6, 0.9), yy)], width=c.lw * 0.9, fill=DARK)


def _document(c: _Canvas, x: float, y: float, s: float, label: str = "", dark_band: bool = False,
              grid: bool = False) -> None:
    """A document icon with a folded corner, centred on (x, y), `s` tall."""
    w = s * 0.75
    x0, y0, x1, y1 = x - w / 2, y - s / 2, x + w / 2, y + s / 2
    fold = s * 0.2
    c.polygon([(x0, y0), (x1 - fold, y0), (x1, y0 + fold), (x1, y1), (x0, y1)], fill=WHITE, width=c.lw)
    c.polygon([(x1 - fold, y0), (x1 - fold, y0 + fold), (x1, y0 + fold)], fill=PALE, width=c.lw * 0.8)
    if grid:
        for j in range(4):
            c.line([(x0 + w * 0.12, y0 + s * (0.35 + 0.14 * j)), (x1 - w * 0.12, y0 + s * (0.35 + 0.14 * j))],
                   width=c.lw * 0.6, fill=MID)
        c.line([(x, y0 + s * 0.3), (x, y1 - s * 0.1)], width=c.lw * 0.6, fill=MID)
    else:
        for j in range(4):
            c.line([(x0 + w * 0.15, y0 + s * (0.38 + 0.13 * j)), (x1 - w * 0.2, y0 + s * (0.38 + 0.13 * j))],
                   width=c.lw * 0.6, fill=MID)
    if label:
        band = (x0 - w * 0.08, y0 + s * 0.14, x0 + w * 0.72, y0 + s * 0.32)
        c.rect(band, fill=INK if dark_band else WHITE, width=c.lw * 0.8)
        c.text((band[0] + band[2]) / 2, (band[1] + band[3]) / 2, label, s * 0.13, fill=WHITE if dark_band else INK)


def _arrow(c: _Canvas, a: tuple[float, float], b: tuple[float, float], width: float) -> None:
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    head = width * 3.2
    neck = (b[0] - math.cos(angle) * head, b[1] - math.sin(angle) * head)
    c.line([a, neck], width=width)
    side = (math.sin(angle) * head * 0.6, -math.cos(angle) * head * 0.6)
    c.polygon([b, (neck[0] + side[0], neck[1] + side[1]), (neck[0] - side[0], neck[1] - side[1])], fill=INK,
              outline=None)


def _disk(c: _Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.45, y - s * 0.32, x + s * 0.45, y + s * 0.32), fill=LIGHT, width=c.lw * 1.2, radius=s * 0.08)
    c.circle(x + s * 0.28, y + s * 0.16, s * 0.05, fill=INK, outline=None)
    c.line([(x - s * 0.32, y - s * 0.15), (x + s * 0.1, y - s * 0.15)], width=c.lw * 0.8, fill=MID)


def _envelope(c: _Canvas, x: float, y: float, s: float) -> None:
    x0, y0, x1, y1 = x - s / 2, y - s * 0.33, x + s / 2, y + s * 0.33
    c.rect((x0, y0, x1, y1), fill=WHITE, width=c.lw * 1.2)
    c.line([(x0, y0), (x, y + s * 0.05), (x1, y0)], width=c.lw * 1.2)


def _papers(c: _Canvas, x: float, y: float, s: float, count: int = 4) -> None:
    for k in range(count):
        dx, dy = (k - count / 2) * s * 0.04, -k * s * 0.05
        c.polygon([(x - s / 2 + dx, y + dy), (x + s / 2 + dx, y + dy - s * 0.04), (x + s / 2 + dx, y + s * 0.08 + dy),
                   (x - s / 2 + dx, y + s * 0.12 + dy)], fill=WHITE, width=c.lw * 0.9)
    _document(c, x, y - s * 0.45, s * 0.7)


def _phone(c: _Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.26, y - s * 0.5, x + s * 0.26, y + s * 0.5), fill=DARK, width=c.lw, radius=s * 0.08)
    c.rect((x - s * 0.2, y - s * 0.4, x + s * 0.2, y + s * 0.36), fill=WHITE, outline=None)
    for j in range(3):
        c.line([(x - s * 0.14, y - s * (0.25 - 0.18 * j)), (x + s * 0.12, y - s * (0.25 - 0.18 * j))],
               width=c.lw * 0.6, fill=MID)


def _star_badge(c: _Canvas, x: float, y: float, s: float) -> None:
    points = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = s / 2 if k % 2 == 0 else s * 0.24
        points.append((x + rr * math.cos(a), y + rr * math.sin(a)))
    c.circle(x, y, s * 0.6, fill=LIGHT, width=c.lw * 1.2)
    c.polygon(points, fill=WHITE, width=c.lw)
    c.text(x, y + s * 0.02, "認定", s * 0.2)


def _little_robot(c: _Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.35, y - s * 0.1, x + s * 0.35, y + s * 0.45), fill=LIGHT, width=c.lw, radius=s * 0.06)
    c.rect((x - s * 0.3, y - s * 0.5, x + s * 0.3, y - s * 0.12), fill=WHITE, width=c.lw, radius=s * 0.08)
    for side in (-1, 1):
        c.circle(x + side * s * 0.13, y - s * 0.32, s * 0.06, fill=INK, outline=None)
    c.line([(x, y - s * 0.5), (x, y - s * 0.62)], width=c.lw)
    c.circle(x, y - s * 0.66, s * 0.05, fill=INK, outline=None)
    c.text(x, y + s * 0.18, "RPA", s * 0.16)


def _mug(c: _Canvas, x: float, y: float, s: float) -> None:
    c.arc((x + s * 0.15, y - s * 0.2, x + s * 0.45, y + s * 0.15), 270, 90, width=c.lw * 1.2)
    c.rect((x - s * 0.3, y - s * 0.3, x + s * 0.3, y + s * 0.3), fill=WHITE, width=c.lw * 1.2, radius=s * 0.05)
    for dx in (-0.1, 0.1):
        c.line([(x + dx * s, y - s * 0.4), (x + dx * s + s * 0.05, y - s * 0.5), (x + dx * s, y - s * 0.6),
                (x + dx * s + s * 0.05, y - s * 0.7)], width=c.lw * 0.8, fill=MID)


def _receiver(c: _Canvas, f: _Figure) -> None:
    """A telephone receiver held to the character's ear (on the left of the face, where the hand is)."""
    x, y, r = f.x - 1.0 * f.r, f.y + 0.15 * f.r, f.r
    c.line([(x + 0.1 * r, y - 0.55 * r), (x - 0.12 * r, y - 0.3 * r), (x - 0.12 * r, y + 0.35 * r),
            (x + 0.12 * r, y + 0.6 * r)], width=0.24 * r, fill=INK)
    c.ellipse((x + 0.02 * r, y - 0.72 * r, x + 0.3 * r, y - 0.38 * r), fill=DARK, width=c.lw)
    c.ellipse((x + 0.04 * r, y + 0.44 * r, x + 0.32 * r, y + 0.78 * r), fill=DARK, width=c.lw)
    c.circle(x - 0.3 * r, y + 0.55 * r, 0.2 * r, fill=WHITE, width=c.lw)


def _sticky_note(c: _Canvas, x: float, y: float, s: float) -> None:
    c.polygon([(x, y), (x + s, y + s * 0.05), (x + s * 0.95, y + s), (x - s * 0.05, y + s * 0.95)], fill=PALE,
              width=c.lw * 0.8)
    for j in range(2):
        c.line([(x + s * 0.15, y + s * (0.35 + 0.25 * j)), (x + s * 0.75, y + s * (0.38 + 0.25 * j))],
               width=c.lw * 0.8)


def _usb(c: _Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.16, y - s * 0.3, x + s * 0.16, y + s * 0.45), fill=DARK, width=c.lw, radius=s * 0.05)
    c.rect((x - s * 0.11, y - s * 0.5, x + s * 0.11, y - s * 0.3), fill=LIGHT, width=c.lw)


def _at_sign(c: _Canvas, x: float, y: float, s: float) -> None:
    c.circle(x, y, s * 0.5, fill=WHITE, width=c.lw * 1.4)
    c.text(x, y, "@", s * 0.7)


def _diagram(c: _Canvas, box: tuple[float, float, float, float], after: bool) -> None:
    """The before/after board of the Excel issue: one paper form copied into three workbooks, or one
    workbook with its backup on another medium."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    c.rect(box, fill=WHITE, width=c.lw * 1.5)
    s = min(h * 0.26, w * 0.14)
    label_size = max(s * 0.22, 12 * c.u)
    if not after and w > 2.2 * h:
        # A wide board: the three workbooks side by side, each with its name underneath.
        s = min(h * 0.45, w * 0.1)
        px, py = x0 + w * 0.86, y0 + h * 0.5
        _papers(c, px, py + s * 0.3, s * 1.1)
        c.text(px, py + s * 0.85, "紙の申請書", label_size)
        for k, name in enumerate(("申請内容", "件数集計", "指導記録")):
            dx, dy = x0 + w * (0.56 - 0.2 * k), y0 + h * 0.45
            _document(c, dx, dy, s, label="xlsx", grid=True)
            c.text(dx, dy + s * 0.68, name, label_size)
        # Copied along, one workbook to the next: the transcription the issue is about.
        starts = [px - s * 0.6] + [x0 + w * (0.56 - 0.2 * k) - s * 0.45 for k in range(2)]
        for k, start in enumerate(starts):
            _arrow(c, (start, y0 + h * 0.45), (x0 + w * (0.56 - 0.2 * k) + s * 0.45, y0 + h * 0.45), c.lw * 1.1)
        c.text(x0 + w * 0.36, y0 + h * 0.9, "別フォルダ＝バックアップ？", label_size)
    elif not after:
        px, py = x0 + w * 0.8, y0 + h * 0.52
        _papers(c, px, py + s * 0.3, s * 1.1)
        c.text(px, py + s * 0.85, "紙の申請書", label_size)
        for k, name in enumerate(("申請内容", "件数集計", "指導記録")):
            dx, dy = x0 + w * 0.42, y0 + h * (0.24 + 0.27 * k)
            _document(c, dx, dy, s, label="xlsx", grid=True)
            _arrow(c, (px - s * 0.65, py), (dx + s * 0.5, dy), c.lw * 1.1)
            c.text(x0 + w * 0.2, dy, name, label_size)
        c.text(x0 + w * 0.2, y0 + h * 0.93, "別フォルダ＝バックアップ？", label_size * 0.9)
    else:
        _document(c, x0 + w * 0.7, y0 + h * 0.5, s * 2.0, label="xlsx", grid=True)
        c.text(x0 + w * 0.7, y0 + h * 0.5 + s * 1.2, "一つのExcel", label_size)
        _arrow(c, (x0 + w * 0.56, y0 + h * 0.5), (x0 + w * 0.38, y0 + h * 0.5), c.lw * 1.4)
        _disk(c, x0 + w * 0.24, y0 + h * 0.5, s * 1.3)
        c.text(x0 + w * 0.24, y0 + h * 0.5 + s * 0.8, "別の媒体に保管", label_size)
    tag = "変更後" if after else "変更前"
    tw = label_size * 4.2
    c.rect((x0, y0, x0 + tw, y0 + label_size * 1.8), fill=INK, outline=None)
    c.text(x0 + tw / 2, y0 + label_size * 0.9, tag, label_size * 1.1, fill=WHITE)


# --- panels ----------------------------------------------------------------------------------------

# The content describes each panel in a few Japanese words (`Panel.scene`), and the drawing reads them:
# who is in the panel, their mood and pose, and which background and props fit ("パソコン" brings a desk
# and a monitor, "ホワイトボード" a board, "集中線" speed lines). The words are those the demo content uses;
# an unknown scene still gets an office background and the speakers.

_MOODS = (
    ("surprised", ("驚", "はっと", "固ま", "慌て")),
    ("worried", ("困", "ため息", "不安", "心配", "考え込", "あきれ")),
    ("puzzled", ("首をかしげ",)),
    ("happy", ("笑顔", "にっこり", "わくわく", "ガッツポーズ", "喜", "胸を張", "手を振", "得意げ")),
)


_SURPRISE = re.compile(r"(え|ええ|わ|あ)っ")  # an interjection opening the line, not the っ of あっても


def _mood_from_lines(texts: Sequence[str]) -> str:
    """The face for what the character says last in the panel: its last sentence's ending decides."""
    if not texts:
        return "normal"
    text = texts[-1]
    if _SURPRISE.match(text) or _has(text, "！？", "ストーップ", "待ったー"):
        return "surprised"
    ending = text.rstrip("」』）")
    if ending.endswith(("…。", "…", "…？")) or _has(text, "まずい", "うっかり"):
        return "worried"
    if ending.endswith("？"):
        return "puzzled"
    if ending.endswith("！"):
        return "happy"
    return "normal"


def _cast_in(panel: Panel) -> list[str]:
    present = []
    for line in panel.lines:
        if line.speaker in _CHARACTERS and line.speaker not in present:
            present.append(line.speaker)
    scene = panel.scene
    mentioned = {key: _mentions(scene, key) for key in _CHARACTERS}
    if _has(scene, "三人"):
        mentioned = dict.fromkeys(mentioned, True)
    for key in _CHARACTERS:
        if mentioned[key] and key not in present:
            present.append(key)
    return present


_NAMES = {"guide": "デジまる", "guest": "{guest}", "guest2": "{guest2}"}
_POSES = (
    ("wave", ("手を振",)),
    ("hold", ("掲げ", "見せ", "持つ", "持って", "手に取", "手を挙げ", "抱え", "手にする")),
    ("point", ("指さ", "指を立て", "指す", "説明", "示す", "描く", "書く", "答える", "印をつけ")),
)


def _clauses_by_character(scene: str) -> dict[str, str]:
    """The words of the scene that are about each character: in a clause like "デジまるが{guest}に声をかける"
    the one before "が" acts; in "笑顔の{guest}と{guest2}" everyone named does."""
    about: dict[str, str] = dict.fromkeys(_CHARACTERS, "")
    for clause in re.split(r"[、，]", scene):
        if "三人" in clause:
            subjects = list(_CHARACTERS)
        else:
            cut = clause.rfind("が")
            named = [key for key in _CHARACTERS if _mentions(clause, key)]
            before = [key for key in named if cut > 0 and _mentions(clause[:cut], key)]
            subjects = before or named
        for key in subjects:
            about[key] += clause
    return about


def _mentions(text: str, key: str) -> bool:
    # "{guest}" is also the start of "{guest2}".
    return _NAMES[key] in (text.replace("{guest2}", "") if key == "guest" else text)


def _scene_mood(words: str) -> str | None:
    for mood, keys in _MOODS:
        if _has(words, *keys):
            return mood
    return None


def _scene_pose(words: str) -> str:
    for pose, keys in _POSES:
        if _has(words, *keys):
            return pose
    return "rest"


# What a monitor shows, by the first matching words of the scene.
_SCREENS = (
    ("pdf", ("PDF",)),
    ("alert", ("エラー", "至急")),
    ("ai", ("AI",)),
    ("chat", ("Teams", "チャット", "メッセージ", "リアクション", "在席")),
    ("mail", ("メール", "差出人")),
    ("files", ("ファイル",)),
    ("sheet", ("Excel", "表", "一覧", "ピボット", "日付", "入力", "フォーム")),
)


def _screen_kind(scene: str) -> str:
    return next((kind for kind, words in _SCREENS if _has(scene, *words)), "text")


_DIAGRAM_WORDS = ("【変更前】", "【変更後】")


def _wants_board(scene: str) -> bool:
    return _has(scene, "ホワイトボード", *_DIAGRAM_WORDS)


def _render_panel(page: Image.Image, plan: _PanelPlan, u: float, rng: random.Random) -> None:
    """Background, characters, props and balloon shapes drawn at SS times the size into the panel's own
    canvas (which also clips them to the frame), then the balloon text straight onto the page."""
    x0, y0, x1, y1 = plan.box
    w, h = x1 - x0, y1 - y0
    assert plan.fit is not None
    scene = plan.panel.scene
    c = _Canvas(w, h, u)
    balloons = plan.fit.balloons
    _place_balloons(balloons, w, h, u, plan.zone, rng)
    balloon_bottom = max((b.y + b.ry for b in balloons), default=0.0)

    pc = _has(scene, "パソコン", "画面")
    diagram = _has(scene, *_DIAGRAM_WORDS)
    board = _wants_board(scene)
    outdoor = _has(scene, "庁舎")
    # Room kept free of characters for what the scene is about: a whiteboard, a diagram, a screen.
    cast = _cast_in(plan.panel)
    reserve = w * (0.6 if diagram else 0.5) if board else (min(w * 0.3, h * 0.5) if pc and len(cast) < 3 else 0.0)
    figures = _place_figures(plan.panel, cast, balloons, w, h, balloon_bottom, u, reserve, pc)
    r = max((f.r for f in figures), default=min(w, h) * 0.15)

    if outdoor:
        _building(c, rng)
    elif _has(scene, "集中線", "慌て", "驚"):
        fx, fy = (figures[0].x, figures[0].y) if figures else (w / 2, h / 2)
        _focus_lines(c, fx, fy, rng)
    else:
        if _has(scene, "笑顔", "わくわく", "ガッツポーズ", "喜") or (not pc and not board and rng.random() < 0.35):
            c.tone((0, 0, w, h), pitch=7, dot=0.3)
        if not board:
            _office_wall(c, rng, _has(scene, "窓", "朝"), balloons, figures)
    if board:
        box = _board_box(figures, balloons, w, h, u)
        if diagram:
            _diagram(c, box, after="【変更後】" in scene)
        else:
            _whiteboard(c, box, scene, rng)

    desk_top = max(h * 0.86, max((f.y + 1.3 * f.r for f in figures), default=h * 0.8))
    monitor = None
    if pc:
        mw = min(w * 0.34, h * 0.45, r * 2.5)
        mx, room = _free_span(figures, w, mw)
        monitor = (mx, mw, room >= mw)
        if not monitor[2]:
            # No room beside the characters: the screen stands behind them.
            _monitor(c, mx, desk_top, mw, _screen_kind(scene), rng)
    for figure in figures:
        _draw_figure(c, figure)
    if pc and monitor is not None:
        _desk(c, desk_top)
        mx, mw, in_front = monitor
        if in_front:
            _monitor(c, mx, desk_top + h * 0.012, mw, _screen_kind(scene), rng)
        if _has(scene, "付箋") and in_front:
            _sticky_note(c, mx + mw * 0.36, desk_top - mw * 0.74, mw * 0.2)
    if not board:
        _props(c, scene, figures, w, h, balloon_bottom)

    for balloon in balloons:
        _draw_balloon_shape(c, balloon, figures, u)
    page.paste(c.finish(), (x0, y0))
    for balloon in balloons:
        _draw_balloon_text(page, balloon, x0, y0)


def _board_box(figures: list[_Figure], balloons: list[_Balloon], w: float, h: float,
               u: float) -> tuple[float, float, float, float]:
    """The whiteboard fills the side of the panel the characters leave free, below the balloons over it."""
    margin = 14 * u
    if figures and sum(f.x for f in figures) / len(figures) > w / 2:
        left, right = margin, min(f.x - 1.5 * f.r for f in figures) - margin
    elif figures:
        left, right = max(f.x + 1.5 * f.r for f in figures) + margin, w - margin
    else:
        left, right = margin, w - margin
    if right - left < w * 0.3:
        left, right = w * 0.08, w * 0.6
    above = [b.y + b.ry for b in balloons if b.x + b.rx > left and b.x - b.rx < right]
    top = max([h * 0.12, *(bottom + margin for bottom in above)])
    bottom = min(h * 0.9, top + (right - left) * 0.75)
    if bottom - top < h * 0.3:
        top = bottom - h * 0.3
    return left, top, right, bottom


def _office_wall(c: _Canvas, rng: random.Random, window: bool, balloons: list[_Balloon],
                 figures: list[_Figure]) -> None:
    """A window, a shelf or a clock on the wall, on the side of the panel where balloons leave it visible."""
    w, h = c.w, c.h
    floor = h * 0.68
    c.line([(0, floor), (w, floor)], width=c.lw * 0.8, fill=MID)
    choice = "window" if window else ("window", "shelf", "clock", "none")[rng.randrange(4)]
    if choice == "none":
        return
    item_w = w * (0.3 if choice != "clock" else 0.14)
    spots = []
    for x in (w * 0.05, w * 0.95 - item_w):
        over = [b.y + b.ry for b in balloons if b.x + b.rx > x and b.x - b.rx < x + item_w]
        top = max([h * 0.08, *(bottom + 46 * c.u for bottom in over)])  # clear of the balloon tails
        crowd = sum(1 for f in figures if x - f.r < f.x < x + item_w + f.r)
        spots.append((floor - top - crowd * h * 0.2, x, top))
    room, x, top = max(spots)
    if choice == "window" and room > h * 0.2:
        _window(c, (x, top, x + item_w, top + min(h * 0.42, item_w * 1.1, floor - top - h * 0.04)), rng)
    elif choice in ("window", "shelf") and room > h * 0.14:
        sh = min(h * 0.24, floor - top)
        _shelf(c, x, floor - sh, item_w, sh, rng)
    elif room > h * 0.1:
        radius = min(w, h) * 0.055
        _clock(c, x + item_w / 2, top + radius * 1.3, radius)


def _free_span(figures: list[_Figure], w: float, needed: float) -> tuple[float, float]:
    """The centre and width of the widest stretch of the panel no character takes; if none is as wide as
    `needed`, the emptier edge, where a prop can stand partly out of the frame as comics do."""
    taken = sorted((f.x - 1.45 * f.r, f.x + 1.45 * f.r) for f in figures)
    best, room = w / 2, -1.0
    start = 0.0
    for a, b in [*taken, (w, w)]:
        if a - start > room:
            room, best = a - start, (start + a) / 2
        start = max(start, b)
    if room >= needed:
        return best, room
    left = sum(1 for f in figures if f.x < w / 2)
    return (needed * 0.4 if left <= len(figures) - left else w - needed * 0.4), room


def _props(c: _Canvas, scene: str, figures: list[_Figure], w: float, h: float, balloon_bottom: float) -> None:
    r = max((f.r for f in figures), default=min(w, h) * 0.15)
    holder = next((f for f in figures if f.pose == "hold"), None)
    pointer = next((f for f in figures if f.pose == "point"), None)

    def spot(size: float) -> tuple[float, float]:
        """Where a prop goes: in the hand of whoever holds it up, else in the widest free stretch, else
        beside the raised hand of whoever is explaining."""
        if holder is not None:
            hand_x = holder.x + (1.25 if holder.key == "guide" else -1.3) * holder.r
            return hand_x, holder.y + 0.1 * holder.r - size * 0.2
        x, room = _free_span(figures, w, size * 1.2)
        if room < size * 1.2 and pointer is not None:
            side = 1 if pointer.key == "guide" else -1
            return pointer.x + side * 1.3 * pointer.r + side * size * 0.5, pointer.y - 0.1 * pointer.r
        return x, max(balloon_bottom + size * 0.7, h * 0.62)

    size = r * 1.1
    if _has(scene, "ステッカー"):
        x, y = spot(size)
        _star_badge(c, x, y, size)
    elif _has(scene, "封筒"):
        x, y = spot(size)
        _envelope(c, x, y, size * 1.1)
    elif _has(scene, "チラシ", "手順書"):
        x, y = spot(size)
        _document(c, x, y, size * 1.2, label="お知らせ" if "チラシ" in scene else "手順書", dark_band=True)
    elif _has(scene, "申込書", "申請書", "書類", "紙に"):
        x, y = spot(size)
        _papers(c, x, y, size * 1.1, count=6 if "山" in scene else 4)
    elif _has(scene, "ロボット"):
        x, y = spot(size)
        _little_robot(c, x, y, size * 1.1)
    elif _has(scene, "外付け", "媒体"):
        x, y = spot(size)
        _disk(c, x, y, size)
    elif _has(scene, "USB"):
        x, y = spot(size)
        _usb(c, x, y, size)
    elif _has(scene, "スマホ"):
        x, y = spot(size)
        _phone(c, x, y, size)
    elif _has(scene, "電話") and holder is not None and holder.key != "guide":
        _receiver(c, holder)
    elif _has(scene, "@"):
        x, y = spot(size)
        _at_sign(c, x, y, size)
    elif holder is not None and not _has(scene, "パソコン", "画面"):
        # Holding something the scene does not name: papers are what office staff carry.
        x, y = spot(size)
        _document(c, x, y, size)
    if _has(scene, "サーバー"):
        x, _ = _free_span(figures, w, r * 2.0)
        _server(c, x, h, r * 1.6, min(h * 0.75, r * 4.5))
    if _has(scene, "コーヒー") and figures:
        f = figures[0]
        _mug(c, f.x - 1.25 * f.r, f.y + 1.35 * f.r, f.r * 0.55)
    if _has(scene, "プリンター") and figures:
        x, _ = _free_span(figures, w, r * 2.4)
        _printer(c, x, h - r * 0.9, r * 2.2)
    if _has(scene, "いいね"):
        x, _ = _free_span(figures, w, r)
        _thumbs(c, x, max(balloon_bottom + r * 0.7, h * 0.55), r)


def _server(c: _Canvas, x: float, floor: float, w: float, h: float) -> None:
    """A server rack standing on the floor, with its row of blinking units."""
    top = floor - h
    c.rect((x - w / 2, top, x + w / 2, floor + 5), fill=DARK, width=c.lw * 1.2, radius=w * 0.04)
    units = 7
    for k in range(units):
        y = top + h * (0.06 + 0.12 * k)
        c.rect((x - w * 0.4, y, x + w * 0.4, y + h * 0.08), fill=LIGHT, width=c.lw * 0.7)
        c.circle(x + w * 0.3, y + h * 0.04, h * 0.012, fill=INK, outline=None)
        c.line([(x - w * 0.32, y + h * 0.04), (x + w * 0.1, y + h * 0.04)], width=c.lw * 0.6, fill=MID)


def _printer(c: _Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.5, y - s * 0.25, x + s * 0.5, y + s * 0.3), fill=LIGHT, width=c.lw * 1.2, radius=s * 0.05)
    c.rect((x - s * 0.35, y - s * 0.45, x + s * 0.35, y - s * 0.25), fill=WHITE, width=c.lw)
    c.rect((x - s * 0.4, y + s * 0.05, x + s * 0.4, y + s * 0.12), fill=DARK, outline=None)


def _thumbs(c: _Canvas, x: float, y: float, s: float) -> None:
    c.circle(x, y, s * 0.55, fill=LIGHT, width=c.lw * 1.2)
    c.rect((x - s * 0.28, y - s * 0.05, x - s * 0.12, y + s * 0.3), fill=WHITE, width=c.lw)
    c.polygon([(x - s * 0.1, y - s * 0.05), (x, y - s * 0.35), (x + s * 0.1, y - s * 0.3), (x + s * 0.05, y - s * 0.08),
               (x + s * 0.3, y - s * 0.08), (x + s * 0.28, y + s * 0.3), (x - s * 0.1, y + s * 0.3)], fill=WHITE,
              width=c.lw)


def _place_balloons(balloons: list[_Balloon], w: float, h: float, u: float, zone: float,
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


def _place_figures(panel: Panel, cast: list[str], balloons: list[_Balloon], w: float, h: float,
                   balloon_bottom: float, u: float, reserve: float, at_desk: bool) -> list[_Figure]:
    if not cast:
        return []
    n = len(cast)
    r = min(max((h - balloon_bottom) / 2.7, h * 0.12), h * 0.2, (w - reserve) / (n * _SPACING + 0.4), 80 * u)
    if _has(panel.scene, "庁舎"):
        r = min(r, h * 0.12)
    # Heads just below the balloons where the panel is tall, but never so high that the body ends inside it.
    y = min(h - 1.55 * r, max(h - 2.8 * r, balloon_bottom + 1.35 * r))
    if at_desk:
        y = min(y, h - 2.0 * r)

    # Speakers stand under their first balloon, so whoever speaks first is on the right.
    def first_x(key: str) -> float | None:
        return next((b.x for b in balloons if b.line.speaker == key), None)

    wanted: dict[str, float] = {}
    for key in cast:
        x = first_x(key)
        wanted[key] = x if x is not None else min(wanted.values(), default=w * 0.6) - _SPACING * r
    order = sorted(cast, key=lambda key: -wanted[key])
    low, high = 1.4 * r, w - 1.4 * r
    if reserve:
        if wanted[order[0]] > w / 2:
            low = max(low, reserve)
        else:
            high = min(high, w - reserve)
    about = _clauses_by_character(panel.scene)
    poses = {key: _scene_pose(about[key]) for key in cast}
    # Whoever holds something up must keep that hand inside the frame: the mascot's right, a person's left.
    if poses[order[0]] in ("hold", "wave") and order[0] == "guide":
        high = min(high, w - 1.9 * r)
    if poses[order[-1]] in ("hold", "wave", "point") and order[-1] != "guide":
        low = max(low, 1.9 * r)
    xs = _spread_out([wanted[key] for key in order], low, high, _SPACING * r)
    figures = []
    for key, x in zip(order, xs, strict=True):
        texts = [line.text for line in panel.lines if line.speaker == key]
        mood = _scene_mood(about[key]) or _mood_from_lines(texts)
        if key == "guide" and mood == "puzzled":
            mood = "normal"  # the guide asks questions to teach, not because it is lost
        figures.append(_Figure(key, x, y, r, mood, poses[key]))
    return figures


def _spread_out(xs: list[float], low: float, high: float, gap: float) -> list[float]:
    """Positions from right to left, moved as little as possible to keep `gap` apart within [low, high]."""
    if high < low:
        low = high = (low + high) / 2
    gap = min(gap, (high - low) / max(1, len(xs) - 1)) if len(xs) > 1 else gap
    out = [min(max(x, low), high) for x in xs]
    for i in range(1, len(out)):
        out[i] = min(out[i], out[i - 1] - gap)
    if out[-1] < low:
        shift = low - out[-1]
        out = [x + shift for x in out]
        for i in range(len(out) - 2, -1, -1):
            out[i] = max(out[i], out[i + 1] + gap)
    return [min(max(x, low), high) for x in out]


def _draw_balloon_shape(c: _Canvas, b: _Balloon, figures: list[_Figure], u: float) -> None:
    lw = 2.0 * u
    if b.narration:
        box = (b.x - b.rx, b.y - b.ry, b.x + b.rx, b.y + b.ry)
        c.rect(box, fill=WHITE, width=lw)
        return
    speaker = next((f for f in figures if f.key == b.line.speaker), None)
    outline = _superellipse(b.x, b.y, b.rx + lw, b.ry + lw)
    inner = _superellipse(b.x, b.y, b.rx, b.ry)
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


def _draw_balloon_text(page: Image.Image, b: _Balloon, ox: int, oy: int) -> None:
    size = b.size
    right = ox + b.x + b.text_w / 2 - size / 2
    for index, column in enumerate(b.columns):
        cx = right - index * _COLUMN * size
        length = _column_cells(column) * _CELL * size
        y = oy + b.y - length / 2
        for token in column:
            height = token.cells * _CELL * size
            if token.kind != "space":
                dx, dy = _nudge(token, size)
                mask = _glyph(token.kind, token.text, size)
                page.paste(INK, (round(cx + dx - mask.width / 2), round(y + height / 2 + dy - mask.height / 2)), mask)
            y += height


def _nudge(token: _Token, size: int) -> tuple[float, float]:
    if token.kind != "char":
        return 0.0, 0.0
    if token.text in _TOP_RIGHT:
        return 0.56 * size, -0.56 * size
    if token.text in _SMALL_KANA:
        return 0.08 * size, -0.07 * size
    return 0.0, 0.0


@lru_cache(maxsize=4096)
def _glyph(kind: str, text: str, size: int) -> Image.Image:
    """A vertical-text token as a mask centred on its cell: upright, turned a quarter clockwise, or set
    across (digits)."""
    if kind == "tcy":
        return _text_mask(text, size * (0.92 if len(text) > 1 else 1.0))
    mask = _text_mask(text, size, square=kind == "char")
    if kind == "rot" or text in _ROTATED:
        return mask.transpose(Image.Transpose.ROTATE_270)
    return mask


@lru_cache(maxsize=1024)
def _text_mask(text: str, size: float, square: bool = False) -> Image.Image:
    """Horizontal text as a mask, centred. IPAex Mincho's hinting drops thin horizontal strokes below about
    32 px (日 comes out as H), so glyphs are rendered several times larger and reduced; a hair of stroke
    makes up for the thin Mincho lines at reading size."""
    scale = max(1, math.ceil(44 / size))
    font = _font(max(6, round(size * scale)))
    em = round(size * scale)
    width = max(em, math.ceil(font.getlength(text))) if not square else em
    pad = scale * 2
    mask = Image.new("L", (width + 2 * pad, em + 2 * pad), 0)
    ImageDraw.Draw(mask).text((mask.width / 2, mask.height / 2), text, font=font, fill=255, anchor="mm",
                              stroke_width=max(0, round(em / 60)), stroke_fill=255)
    return mask.reduce(scale) if scale > 1 else mask


# --- the page --------------------------------------------------------------------------------------


def draw_page(page: DemoPage, guests: dict[str, str], *, issue_number: int, page_number: int,
              width: int = 1000) -> bytes:
    """A PNG of the page: height = round(width * 1.414) (a spread is 2*width wide, same height)."""
    u = width / 1000
    page_w = width * 2 if page.spread else width
    page_h = round(width * PAGE_RATIO)
    rng = random.Random(f"digital-magazine/{issue_number}/{page_number}")
    image = Image.new("L", (page_w, page_h), WHITE)

    plans = []
    for panel in page.panels:
        lines = [(line, strip_ruby(fill(line.text, guests))) for line in panel.lines]
        lines = [(line, text) for line, text in lines if _tokens(text)]
        # A whiteboard or diagram needs the lower half of its panel.
        zone = 0.55 if _wants_board(panel.scene) else 0.72
        plans.append(_PanelPlan(panel, lines, sum(_column_cells(_tokens(text)) for _, text in lines), zone))

    side, top, bottom = round(48 * u), round(66 * u), round(72 * u)
    frame = (side, top, page_w - side, page_h - bottom)
    _layout(plans, frame, u, page.spread, rng)
    border = max(2, round(3 * u))
    draw = ImageDraw.Draw(image)
    for plan in plans:
        _render_panel(image, plan, u, rng)
        x0, y0, x1, y1 = plan.box
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=INK, width=border)

    number = _text_mask(str(page_number), 16 * u)
    image.paste(INK, (round(page_w / 2 - number.width / 2), round(page_h - bottom / 2 - number.height / 2)), number)
    if page_number == 1:
        label = _text_mask(f"デジタルマガジン No.{issue_number}", 20 * u)
        x1 = page_w - side
        x0 = x1 - label.width - 20 * u
        draw.rectangle((x0, top / 2 - 16 * u, x1, top / 2 + 16 * u), fill=INK)
        image.paste(WHITE, (round((x0 + x1) / 2 - label.width / 2), round(top / 2 - label.height / 2)), label)
        draw.line((side, top / 2 + 16 * u, x0 - 8 * u, top / 2 + 16 * u), fill=INK, width=max(1, round(2 * u)))
    if page.spread:
        # The fold: a faint mark in the margins so the two halves read as facing pages.
        for y in (0, page_h - round(24 * u)):
            draw.line((width, y, width, y + round(24 * u)), fill=MID, width=1)

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
