"""Panel backgrounds: the office wall, desks and monitors with their screens, whiteboards and before/after
diagrams, the prefectural building, speed lines.
"""

from __future__ import annotations

import math
import random

from elearn.demo.comic.balloons import Balloon
from elearn.demo.comic.canvas import DARK, INK, LIGHT, MID, PALE, WHITE, Canvas
from elearn.demo.comic.characters import Figure, sparkle
from elearn.demo.comic.props import arrow, disk, document, papers
from elearn.demo.comic.scene import has_any


def focus_lines(c: Canvas, cx: float, cy: float, rng: random.Random) -> None:
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


def _window(c: Canvas, box: tuple[float, float, float, float], rng: random.Random) -> None:
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


def _shelf(c: Canvas, x0: float, y0: float, w: float, h: float, rng: random.Random) -> None:
    c.rect((x0, y0, x0 + w, y0 + h), fill=WHITE, width=c.lw)
    x = x0 + 0.04 * w
    while x < x0 + w * 0.92:
        bw = w * rng.uniform(0.08, 0.13)
        shade = rng.choice((WHITE, PALE, MID))
        c.rect((x, y0 + h * rng.uniform(0.12, 0.25), x + bw, y0 + h - c.lw), fill=shade, width=c.lw * 0.8)
        x += bw + w * 0.01


def _clock(c: Canvas, x: float, y: float, r: float) -> None:
    c.circle(x, y, r, fill=WHITE, width=c.lw * 1.2)
    c.line([(x, y), (x, y - 0.7 * r)], width=c.lw)
    c.line([(x, y), (x + 0.5 * r, y + 0.1 * r)], width=c.lw)


def building(c: Canvas, rng: random.Random) -> None:
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


def desk(c: Canvas, top: float) -> None:
    c.polygon([(-5, top), (c.w + 5, top), (c.w + 5, top + c.h * 0.035), (-5, top + c.h * 0.035)], fill=PALE,
              width=c.lw * 1.3)
    c.rect((-5, top + c.h * 0.035, c.w + 5, c.h + 5), fill=WHITE, width=c.lw * 1.3)


def desk_monitor(c: Canvas, x: float, base: float, w: float, screen: str, rng: random.Random) -> None:
    h = w * 0.68
    y0 = base - h - w * 0.16
    c.polygon([(x - w * 0.12, base), (x + w * 0.12, base), (x + w * 0.05, y0 + h), (x - w * 0.05, y0 + h)],
              fill=MID, width=c.lw)
    c.rect((x - w / 2, y0, x + w / 2, y0 + h), fill=DARK, width=c.lw * 1.2, radius=w * 0.03)
    sx0, sy0, sx1, sy1 = x - w * 0.44, y0 + w * 0.05, x + w * 0.44, y0 + h - w * 0.06
    c.rect((sx0, sy0, sx1, sy1), fill=WHITE, outline=None)
    _screen(c, (sx0, sy0, sx1, sy1), screen, rng)


def _screen(c: Canvas, box: tuple[float, float, float, float], kind: str, rng: random.Random) -> None:
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
        sparkle(c, x0 + w * 0.18, y0 + h * 0.66, h * 0.09)
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


def whiteboard(c: Canvas, box: tuple[float, float, float, float], scene: str, rng: random.Random) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    c.rect(box, fill=WHITE, width=c.lw * 1.5)
    c.line([(x0 + w * 0.05, y1 + h * 0.04), (x1 - w * 0.05, y1 + h * 0.04)], width=c.lw * 1.5)
    if has_any(scene, "グラフ"):
        for i, v in enumerate((0.3, 0.45, 0.4, 0.6, 0.8)):
            bx = x0 + w * (0.12 + 0.16 * i)
            c.rect((bx, y1 - h * 0.1 - h * 0.75 * v, bx + w * 0.1, y1 - h * 0.1), fill=MID, width=c.lw * 0.8)
        return
    if has_any(scene, "表"):
        for i in range(4):
            for j in range(4):
                c.rect((x0 + w * (0.1 + 0.2 * i), y0 + h * (0.12 + 0.19 * j), x0 + w * (0.3 + 0.2 * i),
                        y0 + h * (0.31 + 0.19 * j)), fill=PALE if j == 0 else WHITE, width=c.lw * 0.7)
        if has_any(scene, "問題", "印"):
            c.circle(x0 + w * 0.4, y0 + h * 0.5, h * 0.16, fill=None, width=c.lw * 1.2)
        return
    if has_any(scene, "図", "チャネル", "フォルダ"):
        c.rect((x0 + w * 0.08, y0 + h * 0.3, x0 + w * 0.35, y0 + h * 0.7), fill=PALE, width=c.lw)
        c.rect((x0 + w * 0.62, y0 + h * 0.15, x0 + w * 0.9, y0 + h * 0.4), fill=WHITE, width=c.lw)
        c.rect((x0 + w * 0.62, y0 + h * 0.58, x0 + w * 0.9, y0 + h * 0.83), fill=WHITE, width=c.lw)
        for ty in (0.28, 0.7):
            c.line([(x0 + w * 0.37, y0 + h * 0.5), (x0 + w * 0.6, y0 + h * ty)], width=c.lw)
        return
    rows = 3 if has_any(scene, "三", "チェック", "条件") else 4
    for j in range(rows):
        yy = y0 + h * (0.2 + 0.62 * j / max(1, rows - 1))
        if has_any(scene, "チェック", "条件", "項目"):
            c.line([(x0 + w * 0.08, yy), (x0 + w * 0.11, yy + h * 0.05), (x0 + w * 0.17, yy - h * 0.06)],
                   width=c.lw * 1.2)
        else:
            c.circle(x0 + w * 0.11, yy, h * 0.025, fill=INK, outline=None)
        c.line([(x0 + w * 0.22, yy), (x0 + w * rng.uniform(0.6, 0.9), yy)], width=c.lw * 0.9, fill=DARK)


def flow_diagram(c: Canvas, box: tuple[float, float, float, float], after: bool) -> None:
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
        papers(c, px, py + s * 0.3, s * 1.1)
        c.text(px, py + s * 0.85, "紙の申請書", label_size)
        for k, name in enumerate(("申請内容", "件数集計", "指導記録")):
            dx, dy = x0 + w * (0.56 - 0.2 * k), y0 + h * 0.45
            document(c, dx, dy, s, label="xlsx", grid=True)
            c.text(dx, dy + s * 0.68, name, label_size)
        # Copied along, one workbook to the next: the transcription the issue is about.
        starts = [px - s * 0.6] + [x0 + w * (0.56 - 0.2 * k) - s * 0.45 for k in range(2)]
        for k, start in enumerate(starts):
            arrow(c, (start, y0 + h * 0.45), (x0 + w * (0.56 - 0.2 * k) + s * 0.45, y0 + h * 0.45), c.lw * 1.1)
        c.text(x0 + w * 0.36, y0 + h * 0.9, "別フォルダ＝バックアップ？", label_size)
    elif not after:
        px, py = x0 + w * 0.8, y0 + h * 0.52
        papers(c, px, py + s * 0.3, s * 1.1)
        c.text(px, py + s * 0.85, "紙の申請書", label_size)
        for k, name in enumerate(("申請内容", "件数集計", "指導記録")):
            dx, dy = x0 + w * 0.42, y0 + h * (0.24 + 0.27 * k)
            document(c, dx, dy, s, label="xlsx", grid=True)
            arrow(c, (px - s * 0.65, py), (dx + s * 0.5, dy), c.lw * 1.1)
            c.text(x0 + w * 0.2, dy, name, label_size)
        c.text(x0 + w * 0.2, y0 + h * 0.93, "別フォルダ＝バックアップ？", label_size * 0.9)
    else:
        document(c, x0 + w * 0.7, y0 + h * 0.5, s * 2.0, label="xlsx", grid=True)
        c.text(x0 + w * 0.7, y0 + h * 0.5 + s * 1.2, "一つのExcel", label_size)
        arrow(c, (x0 + w * 0.56, y0 + h * 0.5), (x0 + w * 0.38, y0 + h * 0.5), c.lw * 1.4)
        disk(c, x0 + w * 0.24, y0 + h * 0.5, s * 1.3)
        c.text(x0 + w * 0.24, y0 + h * 0.5 + s * 0.8, "別の媒体に保管", label_size)
    tag = "変更後" if after else "変更前"
    tw = label_size * 4.2
    c.rect((x0, y0, x0 + tw, y0 + label_size * 1.8), fill=INK, outline=None)
    c.text(x0 + tw / 2, y0 + label_size * 0.9, tag, label_size * 1.1, fill=WHITE)


def board_box(figures: list[Figure], balloons: list[Balloon], w: float, h: float,
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


def office_wall(c: Canvas, rng: random.Random, window: bool, balloons: list[Balloon],
                 figures: list[Figure]) -> None:
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
