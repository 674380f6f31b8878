"""The KPI chart as SVG made on the server: bars for the cumulative actual, a line for the target.
Readable without JavaScript, printable, and embeddable as is in the PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 40
BAR_COLOUR, TARGET_COLOUR, GRID_COLOUR, TEXT_COLOUR = "#0b5cad", "#c2410c", "#d9dee5", "#1f2a37"


@dataclass(frozen=True)
class Point:
    label: str  # R7
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
    for index, point in enumerate(points):
        centre = LEFT + slot * (index + 0.5)
        if point.actual is not None:
            parts.append(f'<rect x="{centre - bar_width / 2:.1f}" y="{y(point.actual):.1f}" width="{bar_width:.1f}" '
                         f'height="{y(0) - y(point.actual):.1f}" fill="{BAR_COLOUR}"/>')
            # Inside the top of the bar, where the target marker never sits; above a bar too short to hold it.
            inside = y(0) - y(point.actual) > 22
            label_y, label_colour = (y(point.actual) + 15, "#fff") if inside else (y(point.actual) - 5, TEXT_COLOUR)
            parts.append(f'<text x="{centre:.1f}" y="{label_y:.1f}" text-anchor="middle" '
                         f'fill="{label_colour}" font-weight="bold">{point.actual:,}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'fill="{TEXT_COLOUR}">{escape(point.label)}</text>')
    targets = [(LEFT + slot * (i + 0.5), p.target) for i, p in enumerate(points) if p.target is not None]
    if len(targets) > 1:
        path = " ".join(f"{x:.1f},{y(value):.1f}" for x, value in targets)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
                     f'stroke-dasharray="6 4"/>')
    for x, value in targets:
        parts.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="4.5" fill="#fff" stroke="{TARGET_COLOUR}" '
                     f'stroke-width="2.5"/>')
    parts.append(  # legend
        f'<rect x="{LEFT}" y="10" width="14" height="12" fill="{BAR_COLOUR}"/>'
        f'<text x="{LEFT + 20}" y="20" fill="{TEXT_COLOUR}">{escape(actual_label)}</text>'
        f'<line x1="{LEFT + 140}" x2="{LEFT + 166}" y1="16" y2="16" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
        f'stroke-dasharray="6 4"/><circle cx="{LEFT + 153}" cy="16" r="4" fill="#fff" stroke="{TARGET_COLOUR}" '
        f'stroke-width="2"/><text x="{LEFT + 172}" y="20" fill="{TEXT_COLOUR}">{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
