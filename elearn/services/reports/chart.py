"""The KPI chart as SVG made on the server: bars for the cumulative actual, a line for the target.
Readable without JavaScript, printable, and embeddable as is in the PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_COLOUR, TARGET_COLOUR, GRID_COLOUR, TEXT_COLOUR = "#0b5cad", "#c2410c", "#d9dee5", "#1f2a37"


@dataclass(frozen=True)
class Frame:
    """The drawing's size in SVG units and its font size. A phone shows the compact frame at about its
    own width, so its 14-unit labels stay about 13 px; the wide frame shrunk to a phone's width would
    make them 5 px."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font_size: int


WIDE = Frame(720, 320, 56, 16, 36, 40, 12)
COMPACT = Frame(360, 300, 44, 10, 50, 36, 14)

MARKER_RADIUS = 4.5
_CLEARANCE = MARKER_RADIUS + 1.25 + 2  # radius, half the stroke, and a little air


def label_position(bar_top: float, bar_bottom: float, marker_y: float | None,
                   label_height: int = WIDE.font_size) -> tuple[float, bool]:
    """Baseline of a bar's value label, and whether it sits inside the bar (white text): inside the top
    of the bar, else just above it, else inside its foot, else above the target marker; the first
    place where the target marker does not cover it. A place inside needs a bar tall enough to hold it.
    The label's baseline sits at its bottom, its top `label_height` (the font size) above."""
    tall = bar_bottom - bar_top > label_height + 10
    candidates = [(bar_top + label_height + 3, True)] if tall else []
    candidates.append((bar_top - 5, False))
    if tall:
        candidates.append((bar_bottom - 6, True))
    if marker_y is None:
        return candidates[0]
    for baseline, inside in candidates:
        if baseline < marker_y - _CLEARANCE or baseline - label_height > marker_y + _CLEARANCE:
            return baseline, inside
    return marker_y - _CLEARANCE - 1, False


def _axis_label(point: Point, slot: float, font_size: int) -> str:
    """The full label if it fits its slot, else the short one (the description keeps the full one)."""
    return point.short if point.short and text_width(point.label, font_size) > slot - 4 else point.label


@dataclass(frozen=True)
class Point:
    label: str  # 令和7年度 / FY2025 (R7)
    actual: int | None  # None: a year still to come
    target: int | None
    short: str = ""  # R7: the axis label when `label` is wider than its slot (many years, a phone's frame)


def nice_ceiling(value: int) -> int:
    """The axis maximum: 1, 2, 2.5 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 10
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return 10 * magnitude


def text_width(text: str, font_size: int) -> float:
    """About how wide `text` is drawn: full-width characters take the font size, others about half."""
    return sum(font_size * (1.0 if ord(char) > 0x2E80 else 0.6) for char in text)


def kpi_chart(points: Sequence[Point], title: str, actual_label: str, target_label: str, frame: Frame = WIDE,
              name: str = "kpi-chart") -> Markup:
    """`name` prefixes the ids of the title and description, so two charts can share a page."""
    font = frame.font_size
    top = nice_ceiling(max([p.actual or 0 for p in points] + [p.target or 0 for p in points]))
    plot_width, plot_height = frame.width - frame.left - frame.right, frame.height - frame.top - frame.bottom
    slot = plot_width / max(1, len(points))

    def y(value: int) -> float:
        return frame.top + plot_height * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" font-family="Noto Sans JP, sans-serif" font-size="{font}">',
        f'<title id="{name}-title">{escape(title)}</title>',
        f'<desc id="{name}-desc">' + escape("; ".join(
            f"{p.label}: {actual_label} {'-' if p.actual is None else p.actual}, "
            f"{target_label} {'-' if p.target is None else p.target}" for p in points)) + "</desc>",
    ]
    for tick in range(5):  # grid and axis labels at 0, 1/4 ... the top
        value = top * tick / 4
        parts.append(f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y(value):.1f}" '
                     f'y2="{y(value):.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y(value) + font / 3:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
                     f'{value:,.0f}</text>')
    bar_width = slot * 0.55
    labels = []  # drawn after the target line and markers, so nothing is painted over them
    for index, point in enumerate(points):
        centre = frame.left + slot * (index + 0.5)
        if point.actual is not None:
            parts.append(f'<rect x="{centre - bar_width / 2:.1f}" y="{y(point.actual):.1f}" width="{bar_width:.1f}" '
                         f'height="{y(0) - y(point.actual):.1f}" fill="{BAR_COLOUR}"/>')
            label_y, inside = label_position(y(point.actual), y(0),
                                             None if point.target is None else y(point.target), font)
            colour, halo = ("#fff", BAR_COLOUR) if inside else (TEXT_COLOUR, "#fff")
            # A halo under the text keeps a target line that crosses it from hiding it (drawn as a
            # second text: WeasyPrint ignores paint-order).
            text = f'<text x="{centre:.1f}" y="{label_y:.1f}" text-anchor="middle" font-weight="bold"'
            labels.append(f'{text} fill="{halo}" stroke="{halo}" stroke-width="3" stroke-linejoin="round">'
                          f'{point.actual:,}</text>{text} fill="{colour}">{point.actual:,}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{frame.height - frame.bottom + font + 6}" text-anchor="middle" '
                     f'fill="{TEXT_COLOUR}">{escape(_axis_label(point, slot, font))}</text>')
    targets = [(frame.left + slot * (i + 0.5), p.target) for i, p in enumerate(points) if p.target is not None]
    if len(targets) > 1:
        path = " ".join(f"{x:.1f},{y(value):.1f}" for x, value in targets)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
                     f'stroke-dasharray="6 4"/>')
    for x, value in targets:
        parts.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="{MARKER_RADIUS}" fill="#fff" '
                     f'stroke="{TARGET_COLOUR}" stroke-width="2.5"/>')
    parts += labels
    # The legend: the target's sample follows the actual's label, or goes below it when the row is too narrow.
    sample_x = frame.left + 20 + text_width(actual_label, font) + 16
    sample_y = 16
    if sample_x + 32 + text_width(target_label, font) > frame.width:
        sample_x, sample_y = frame.left - 6, 16 + font + 8
    parts.append(
        f'<rect x="{frame.left}" y="{16 - font / 2:.1f}" width="14" height="{font}" fill="{BAR_COLOUR}"/>'
        f'<text x="{frame.left + 20}" y="{16 + font / 3:.1f}" fill="{TEXT_COLOUR}">{escape(actual_label)}</text>'
        f'<line x1="{sample_x:.1f}" x2="{sample_x + 26:.1f}" y1="{sample_y}" y2="{sample_y}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="2.5" stroke-dasharray="6 4"/>'
        f'<circle cx="{sample_x + 13:.1f}" cy="{sample_y}" r="4" fill="#fff" stroke="{TARGET_COLOUR}" '
        f'stroke-width="2"/>'
        f'<text x="{sample_x + 32:.1f}" y="{sample_y + font / 3:.1f}" fill="{TEXT_COLOUR}">'
        f'{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
