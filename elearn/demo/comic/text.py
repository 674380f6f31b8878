"""Japanese text for vertical balloons: ruby stripped, tokens, line breaks that respect kinsoku rules, and
glyph images, all in the IPAex Mincho font shipped with the app (never a system font).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path(__file__).resolve().parents[3] / "static" / "fonts" / "ipaex" / "ipaexm.ttf"

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
class Token:
    kind: str  # "char" upright, "rot" a Latin run set sideways, "tcy" digits set across (tate-chu-yoko), "space"
    text: str
    cells: float  # height in character cells


def _full_width(char: str) -> str:
    code = ord(char)
    return chr(code + 0xFEE0) if 0x21 <= code <= 0x7E else char


@lru_cache(maxsize=1024)
def tokens_of(text: str) -> tuple[Token, ...]:
    """The text of a balloon cut into what fills the cells of a vertical column."""
    text = text.translate(_TO_ASCII)
    tokens: list[Token] = []
    position = 0
    for match in _LATIN_RUN.finditer(text):
        tokens.extend(_plain_tokens(text[position : match.start()]))
        tokens.extend(_latin_tokens(match.group()))
        position = match.end()
    tokens.extend(_plain_tokens(text[position:]))
    return tuple(tokens)


def _plain_tokens(text: str) -> Iterable[Token]:
    for char in text:
        if char in " \u3000":
            yield Token("space", char, 0.5)
        elif char not in "\n\r\t":
            yield Token("char", _full_width(char), 1.0)


def _latin_tokens(run: str) -> list[Token]:
    # Manga set two-digit numbers across one cell, short acronyms upright letter by letter, and longer
    # words on their side, where they read naturally with the head tilted.
    if run.isdigit() and len(run) <= 2:
        return [Token("tcy", run, 1.0)]
    if (run.isdigit() and len(run) <= 4) or (run.isalpha() and run.isupper() and len(run) <= 4):
        return [Token("char", _full_width(char), 1.0) for char in run]
    return [Token("rot", run, _latin_length(run) + 0.3)]


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


def _break_quality(before: Token, after: Token) -> int:
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
    tokens = tokens_of(text)
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
def wrap(text: str, limit: float) -> tuple[tuple[Token, ...], ...]:
    """Columns of at most `limit` cells. Chosen together by a small dynamic programme, like TeX's line
    breaking: a break inside a word costs more than one after punctuation or between kana and kanji,
    uneven columns cost more than even ones, and closing marks may hang below a full column."""
    tokens = tokens_of(text)
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


def column_cells(column: Sequence[Token]) -> float:
    return sum(token.cells for token in column)


def nudge(token: Token, size: int) -> tuple[float, float]:
    if token.kind != "char":
        return 0.0, 0.0
    if token.text in _TOP_RIGHT:
        return 0.56 * size, -0.56 * size
    if token.text in _SMALL_KANA:
        return 0.08 * size, -0.07 * size
    return 0.0, 0.0


@lru_cache(maxsize=4096)
def glyph(kind: str, text: str, size: int) -> Image.Image:
    """A vertical-text token as a mask centred on its cell: upright, turned a quarter clockwise, or set
    across (digits)."""
    if kind == "tcy":
        return text_mask(text, size * (0.92 if len(text) > 1 else 1.0))
    mask = text_mask(text, size, square=kind == "char")
    if kind == "rot" or text in _ROTATED:
        return mask.transpose(Image.Transpose.ROTATE_270)
    return mask


@lru_cache(maxsize=1024)
def text_mask(text: str, size: float, square: bool = False) -> Image.Image:
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
