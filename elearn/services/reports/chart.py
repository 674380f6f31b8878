"""The KPI chart as SVG made on the server: bars for the cumulative actual, a line for the target.
Readable without JavaScript, printable, and embeddable as is in the PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 40
BAR_COLOUR, TARGET_COLOUR, GRID_COLOUR, TEXT_COLOUR = "#0b5cad", "#c2410c", "#d9dee5", "#1f2a37"


MARKER_RADIUS = 4.5
LABEL_HEIGHT = 12  # the font size: a label's baseline sits at its bottom, its top 12 above
_CLEARANCE = MARKER_RADIUS + 1.25 + 2  # radius, half the stroke, and a little air


def label_position(bar_top: float, bar_bottom: float, marker_y: float | None) -> tuple[float, bool]:
    """Baseline of a bar's value label, and whether it sits inside the bar (white text): inside the top
    of the bar, else just above it, else inside its foot, else above the target marker; the first
    place where the target marker does not cover it. A place inside needs a bar tall enough to hold it."""
    tall = bar_bottom - bar_top > LABEL_HEIGHT + 10
    candidates = [(bar_top + LABEL_HEIGHT + 3, True)] if tall else []
    candidates.append((bar_top - 5, False))
    if tall:
        candidates.append((bar_bottom - 6, True))
    if marker_y is None:
        return candidates[0]
    for baseline, inside in candidates:
        if baseline < marker_y - _CLEARANCE or baseline - LABEL_HEIGHT > marker_y + _CLEARANCE:
            return baseline, inside
    return marker_y - _CLEARANCE - 1, False


@dataclass(frozen=True)
class Point:
    label: str  # 令和7年度 / FY2025 (R7)
    actual: int | None  # None: a year still to come
    target: int | None


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


def kpi_chart(points: Sequence[Point], title: str, actual_label: str, target_label: str) -> Markup:
    top = nice_ceiling(max([p.actual or 0 for p in points] + [p.target or 0 for p in points]))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(1, len(points))

    def y(value: int) -> float:
        return TOP + plot_height * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="kpi-chart-title kpi-chart-desc" font-family="Noto Sans JP, sans-serif" font-size="12">',
        f'<title id="kpi-chart-title">{escape(title)}</title>',
        '<desc id="kpi-chart-desc">' + escape("; ".join(
            f"{p.label}: {actual_label} {'-' if p.actual is None else p.actual}, "
            f"{target_label} {'-' if p.target is None else p.target}" for p in points)) + "</desc>",
    ]
    for tick in range(5):  # grid and axis labels at 0, 1/4 ... the top
        value = top * tick / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="{GRID_COLOUR}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
                     f'{value:,.0f}</text>')
    bar_width = slot * 0.55
    labels = []  # drawn after the target line and markers, so nothing is painted over them
    for index, point in enumerate(points):
        centre = LEFT + slot * (index + 0.5)
        if point.actual is not None:
            parts.append(f'<rect x="{centre - bar_width / 2:.1f}" y="{y(point.actual):.1f}" width="{bar_width:.1f}" '
                         f'height="{y(0) - y(point.actual):.1f}" fill="{BAR_COLOUR}"/>')
            label_y, inside = label_position(y(point.actual), y(0),
                                             None if point.target is None else y(point.target))
            colour, halo = ("#fff", BAR_COLOUR) if inside else (TEXT_COLOUR, "#fff")
            # A halo under the text keeps a target line that crosses it from hiding it (drawn as a
            # second text: WeasyPrint ignores paint-order).
            text = f'<text x="{centre:.1f}" y="{label_y:.1f}" text-anchor="middle" font-weight="bold"'
            labels.append(f'{text} fill="{halo}" stroke="{halo}" stroke-width="3" stroke-linejoin="round">'
                          f'{point.actual:,}</text>{text} fill="{colour}">{point.actual:,}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'fill="{TEXT_COLOUR}">{escape(point.label)}</text>')
    targets = [(LEFT + slot * (i + 0.5), p.target) for i, p in enumerate(points) if p.target is not None]
    if len(targets) > 1:
        path = " ".join(f"{x:.1f},{y(value):.1f}" for x, value in targets)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
                     f'stroke-dasharray="6 4"/>')
    for x, value in targets:
        parts.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="{MARKER_RADIUS}" fill="#fff" '
                     f'stroke="{TARGET_COLOUR}" stroke-width="2.5"/>')
    parts += labels
    parts.append(  # legend
        f'<rect x="{LEFT}" y="10" width="14" height="12" fill="{BAR_COLOUR}"/>'
        f'<text x="{LEFT + 20}" y="20" fill="{TEXT_COLOUR}">{escape(actual_label)}</text>'
        f'<line x1="{LEFT + 140}" x2="{LEFT + 166}" y1="16" y2="16" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
        f'stroke-dasharray="6 4"/><circle cx="{LEFT + 153}" cy="16" r="4" fill="#fff" stroke="{TARGET_COLOUR}" '
        f'stroke-width="2"/><text x="{LEFT + 172}" y="20" fill="{TEXT_COLOUR}">{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
