"""Props the scene's words call for (documents, envelopes, phones, a server rack ...), placed where the
characters leave room.
"""

from __future__ import annotations

import math

from elearn.demo.comic.canvas import DARK, INK, LIGHT, MID, PALE, WHITE, Canvas
from elearn.demo.comic.characters import Figure
from elearn.demo.comic.scene import has_any


def document(c: Canvas, x: float, y: float, s: float, label: str = "", dark_band: bool = False,
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


def arrow(c: Canvas, a: tuple[float, float], b: tuple[float, float], width: float) -> None:
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    head = width * 3.2
    neck = (b[0] - math.cos(angle) * head, b[1] - math.sin(angle) * head)
    c.line([a, neck], width=width)
    side = (math.sin(angle) * head * 0.6, -math.cos(angle) * head * 0.6)
    c.polygon([b, (neck[0] + side[0], neck[1] + side[1]), (neck[0] - side[0], neck[1] - side[1])], fill=INK,
              outline=None)


def disk(c: Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.45, y - s * 0.32, x + s * 0.45, y + s * 0.32), fill=LIGHT, width=c.lw * 1.2, radius=s * 0.08)
    c.circle(x + s * 0.28, y + s * 0.16, s * 0.05, fill=INK, outline=None)
    c.line([(x - s * 0.32, y - s * 0.15), (x + s * 0.1, y - s * 0.15)], width=c.lw * 0.8, fill=MID)


def _envelope(c: Canvas, x: float, y: float, s: float) -> None:
    x0, y0, x1, y1 = x - s / 2, y - s * 0.33, x + s / 2, y + s * 0.33
    c.rect((x0, y0, x1, y1), fill=WHITE, width=c.lw * 1.2)
    c.line([(x0, y0), (x, y + s * 0.05), (x1, y0)], width=c.lw * 1.2)


def papers(c: Canvas, x: float, y: float, s: float, count: int = 4) -> None:
    for k in range(count):
        dx, dy = (k - count / 2) * s * 0.04, -k * s * 0.05
        c.polygon([(x - s / 2 + dx, y + dy), (x + s / 2 + dx, y + dy - s * 0.04), (x + s / 2 + dx, y + s * 0.08 + dy),
                   (x - s / 2 + dx, y + s * 0.12 + dy)], fill=WHITE, width=c.lw * 0.9)
    document(c, x, y - s * 0.45, s * 0.7)


def _phone(c: Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.26, y - s * 0.5, x + s * 0.26, y + s * 0.5), fill=DARK, width=c.lw, radius=s * 0.08)
    c.rect((x - s * 0.2, y - s * 0.4, x + s * 0.2, y + s * 0.36), fill=WHITE, outline=None)
    for j in range(3):
        c.line([(x - s * 0.14, y - s * (0.25 - 0.18 * j)), (x + s * 0.12, y - s * (0.25 - 0.18 * j))],
               width=c.lw * 0.6, fill=MID)


def _star_badge(c: Canvas, x: float, y: float, s: float) -> None:
    points = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = s / 2 if k % 2 == 0 else s * 0.24
        points.append((x + rr * math.cos(a), y + rr * math.sin(a)))
    c.circle(x, y, s * 0.6, fill=LIGHT, width=c.lw * 1.2)
    c.polygon(points, fill=WHITE, width=c.lw)
    c.text(x, y + s * 0.02, "認定", s * 0.2)


def _little_robot(c: Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.35, y - s * 0.1, x + s * 0.35, y + s * 0.45), fill=LIGHT, width=c.lw, radius=s * 0.06)
    c.rect((x - s * 0.3, y - s * 0.5, x + s * 0.3, y - s * 0.12), fill=WHITE, width=c.lw, radius=s * 0.08)
    for side in (-1, 1):
        c.circle(x + side * s * 0.13, y - s * 0.32, s * 0.06, fill=INK, outline=None)
    c.line([(x, y - s * 0.5), (x, y - s * 0.62)], width=c.lw)
    c.circle(x, y - s * 0.66, s * 0.05, fill=INK, outline=None)
    c.text(x, y + s * 0.18, "RPA", s * 0.16)


def _mug(c: Canvas, x: float, y: float, s: float) -> None:
    c.arc((x + s * 0.15, y - s * 0.2, x + s * 0.45, y + s * 0.15), 270, 90, width=c.lw * 1.2)
    c.rect((x - s * 0.3, y - s * 0.3, x + s * 0.3, y + s * 0.3), fill=WHITE, width=c.lw * 1.2, radius=s * 0.05)
    for dx in (-0.1, 0.1):
        c.line([(x + dx * s, y - s * 0.4), (x + dx * s + s * 0.05, y - s * 0.5), (x + dx * s, y - s * 0.6),
                (x + dx * s + s * 0.05, y - s * 0.7)], width=c.lw * 0.8, fill=MID)


def _receiver(c: Canvas, f: Figure) -> None:
    """A telephone receiver held to the character's ear (on the left of the face, where the hand is)."""
    x, y, r = f.x - 1.0 * f.r, f.y + 0.15 * f.r, f.r
    c.line([(x + 0.1 * r, y - 0.55 * r), (x - 0.12 * r, y - 0.3 * r), (x - 0.12 * r, y + 0.35 * r),
            (x + 0.12 * r, y + 0.6 * r)], width=0.24 * r, fill=INK)
    c.ellipse((x + 0.02 * r, y - 0.72 * r, x + 0.3 * r, y - 0.38 * r), fill=DARK, width=c.lw)
    c.ellipse((x + 0.04 * r, y + 0.44 * r, x + 0.32 * r, y + 0.78 * r), fill=DARK, width=c.lw)
    c.circle(x - 0.3 * r, y + 0.55 * r, 0.2 * r, fill=WHITE, width=c.lw)


def sticky_note(c: Canvas, x: float, y: float, s: float) -> None:
    c.polygon([(x, y), (x + s, y + s * 0.05), (x + s * 0.95, y + s), (x - s * 0.05, y + s * 0.95)], fill=PALE,
              width=c.lw * 0.8)
    for j in range(2):
        c.line([(x + s * 0.15, y + s * (0.35 + 0.25 * j)), (x + s * 0.75, y + s * (0.38 + 0.25 * j))],
               width=c.lw * 0.8)


def _usb(c: Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.16, y - s * 0.3, x + s * 0.16, y + s * 0.45), fill=DARK, width=c.lw, radius=s * 0.05)
    c.rect((x - s * 0.11, y - s * 0.5, x + s * 0.11, y - s * 0.3), fill=LIGHT, width=c.lw)


def _at_sign(c: Canvas, x: float, y: float, s: float) -> None:
    c.circle(x, y, s * 0.5, fill=WHITE, width=c.lw * 1.4)
    c.text(x, y, "@", s * 0.7)


def free_span(figures: list[Figure], w: float, needed: float) -> tuple[float, float]:
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


def place_props(c: Canvas, scene: str, figures: list[Figure], w: float, h: float, balloon_bottom: float) -> None:
    r = max((f.r for f in figures), default=min(w, h) * 0.15)
    holder = next((f for f in figures if f.pose == "hold"), None)
    pointer = next((f for f in figures if f.pose == "point"), None)

    def spot(size: float) -> tuple[float, float]:
        """Where a prop goes: in the hand of whoever holds it up, else in the widest free stretch, else
        beside the raised hand of whoever is explaining."""
        if holder is not None:
            hand_x = holder.x + (1.25 if holder.key == "guide" else -1.3) * holder.r
            return hand_x, holder.y + 0.1 * holder.r - size * 0.2
        x, room = free_span(figures, w, size * 1.2)
        if room < size * 1.2 and pointer is not None:
            side = 1 if pointer.key == "guide" else -1
            return pointer.x + side * 1.3 * pointer.r + side * size * 0.5, pointer.y - 0.1 * pointer.r
        return x, max(balloon_bottom + size * 0.7, h * 0.62)

    size = r * 1.1
    if has_any(scene, "ステッカー"):
        x, y = spot(size)
        _star_badge(c, x, y, size)
    elif has_any(scene, "封筒"):
        x, y = spot(size)
        _envelope(c, x, y, size * 1.1)
    elif has_any(scene, "チラシ", "手順書"):
        x, y = spot(size)
        document(c, x, y, size * 1.2, label="お知らせ" if "チラシ" in scene else "手順書", dark_band=True)
    elif has_any(scene, "申込書", "申請書", "書類", "紙に"):
        x, y = spot(size)
        papers(c, x, y, size * 1.1, count=6 if "山" in scene else 4)
    elif has_any(scene, "ロボット"):
        x, y = spot(size)
        _little_robot(c, x, y, size * 1.1)
    elif has_any(scene, "外付け", "媒体"):
        x, y = spot(size)
        disk(c, x, y, size)
    elif has_any(scene, "USB"):
        x, y = spot(size)
        _usb(c, x, y, size)
    elif has_any(scene, "スマホ"):
        x, y = spot(size)
        _phone(c, x, y, size)
    elif has_any(scene, "電話") and holder is not None and holder.key != "guide":
        _receiver(c, holder)
    elif has_any(scene, "@"):
        x, y = spot(size)
        _at_sign(c, x, y, size)
    elif holder is not None and not has_any(scene, "パソコン", "画面"):
        # Holding something the scene does not name: papers are what office staff carry.
        x, y = spot(size)
        document(c, x, y, size)
    if has_any(scene, "サーバー"):
        x, _ = free_span(figures, w, r * 2.0)
        _server(c, x, h, r * 1.6, min(h * 0.75, r * 4.5))
    if has_any(scene, "コーヒー") and figures:
        f = figures[0]
        _mug(c, f.x - 1.25 * f.r, f.y + 1.35 * f.r, f.r * 0.55)
    if has_any(scene, "プリンター") and figures:
        x, _ = free_span(figures, w, r * 2.4)
        _printer(c, x, h - r * 0.9, r * 2.2)
    if has_any(scene, "いいね"):
        x, _ = free_span(figures, w, r)
        _thumbs(c, x, max(balloon_bottom + r * 0.7, h * 0.55), r)


def _server(c: Canvas, x: float, floor: float, w: float, h: float) -> None:
    """A server rack standing on the floor, with its row of blinking units."""
    top = floor - h
    c.rect((x - w / 2, top, x + w / 2, floor + 5), fill=DARK, width=c.lw * 1.2, radius=w * 0.04)
    units = 7
    for k in range(units):
        y = top + h * (0.06 + 0.12 * k)
        c.rect((x - w * 0.4, y, x + w * 0.4, y + h * 0.08), fill=LIGHT, width=c.lw * 0.7)
        c.circle(x + w * 0.3, y + h * 0.04, h * 0.012, fill=INK, outline=None)
        c.line([(x - w * 0.32, y + h * 0.04), (x + w * 0.1, y + h * 0.04)], width=c.lw * 0.6, fill=MID)


def _printer(c: Canvas, x: float, y: float, s: float) -> None:
    c.rect((x - s * 0.5, y - s * 0.25, x + s * 0.5, y + s * 0.3), fill=LIGHT, width=c.lw * 1.2, radius=s * 0.05)
    c.rect((x - s * 0.35, y - s * 0.45, x + s * 0.35, y - s * 0.25), fill=WHITE, width=c.lw)
    c.rect((x - s * 0.4, y + s * 0.05, x + s * 0.4, y + s * 0.12), fill=DARK, outline=None)


def _thumbs(c: Canvas, x: float, y: float, s: float) -> None:
    c.circle(x, y, s * 0.55, fill=LIGHT, width=c.lw * 1.2)
    c.rect((x - s * 0.28, y - s * 0.05, x - s * 0.12, y + s * 0.3), fill=WHITE, width=c.lw)
    c.polygon([(x - s * 0.1, y - s * 0.05), (x, y - s * 0.35), (x + s * 0.1, y - s * 0.3), (x + s * 0.05, y - s * 0.08),
               (x + s * 0.3, y - s * 0.08), (x + s * 0.28, y + s * 0.3), (x - s * 0.1, y + s * 0.3)], fill=WHITE,
              width=c.lw)
