"""The cast as drawn: デジまる, the robot mascot, and the staff guests, each with a mood and a pose."""

from __future__ import annotations

import math
from dataclasses import dataclass

from elearn.demo.comic.canvas import DARK, INK, LIGHT, MID, PALE, WHITE, Canvas

FIGURE_SPACING = 2.4  # between characters' centres, in head radii: shoulders may overlap a little


@dataclass
class Figure:
    key: str  # cast key
    x: float
    y: float  # centre of the head
    r: float  # head radius
    mood: str = "normal"  # "normal", "happy", "surprised", "worried", "puzzled"
    pose: str = "rest"  # "rest", "point", "wave", "hold"


def draw_figure(c: Canvas, f: Figure) -> None:
    if f.key == "guide":
        _draw_digimaru(c, f)
    else:
        _draw_person(c, f)
    _draw_marks(c, f)


def _draw_digimaru(c: Canvas, f: Figure) -> None:
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


def _draw_person(c: Canvas, f: Figure) -> None:
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


def _draw_face(c: Canvas, f: Figure) -> None:
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


def _draw_marks(c: Canvas, f: Figure) -> None:
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
            sparkle(c, x + dx * r, y + dy * r, s * r)


def sparkle(c: Canvas, x: float, y: float, s: float) -> None:
    c.polygon([(x, y - s), (x + 0.25 * s, y - 0.25 * s), (x + s, y), (x + 0.25 * s, y + 0.25 * s), (x, y + s),
               (x - 0.25 * s, y + 0.25 * s), (x - s, y), (x - 0.25 * s, y - 0.25 * s)], fill=INK, outline=None)
