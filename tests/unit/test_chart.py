"""The KPI chart: each bar's value label stays clear of the target marker drawn on the same bar."""

import re

from hypothesis import given
from hypothesis import strategies as st

from elearn.services.reports.chart import Point, kpi_chart

LABEL_HEIGHT = 12  # the chart's font size
MARKER_RADIUS, STROKE = 4.5, 2.5


def _labels_and_markers(svg: str) -> tuple[dict[float, list[float]], dict[float, float]]:
    labels: dict[float, list[float]] = {}
    for x, y in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*font-weight="bold"', svg):
        labels.setdefault(float(x), []).append(float(y))
    markers = {float(x): float(y) for x, y in  # the legend's sample marker is smaller
               re.findall(rf'<circle cx="([\d.]+)" cy="([\d.]+)" r="{MARKER_RADIUS}"', svg)}
    return labels, markers


def _clear(baseline: float, marker_y: float) -> bool:
    """The label's box (its baseline and the font size above it) misses the marker and its stroke."""
    reach = MARKER_RADIUS + STROKE / 2
    return baseline < marker_y - reach or baseline - LABEL_HEIGHT > marker_y + reach


def _assert_labels_clear(points: list[Point]) -> None:
    svg = str(kpi_chart(points, "title", "実績", "目標"))
    labels, markers = _labels_and_markers(svg)
    assert len(labels) == sum(p.actual is not None for p in points)
    for x, baselines in labels.items():
        if x in markers:
            assert all(_clear(baseline, markers[x]) for baseline in baselines), (x, baselines, markers[x])
    # Labels come after the target line and markers, so nothing is painted over them.
    if markers and labels:
        assert svg.rindex(f'r="{MARKER_RADIUS}"') < svg.index('font-weight="bold"')


def test_a_target_just_below_or_above_the_top_of_a_bar_leaves_its_label_readable():
    _assert_labels_clear([Point("R4", 105, 100), Point("R5", 230, 240), Point("R6", 12, 20), Point("R7", 300, 290),
                          Point("R8", None, 400)])


def test_a_target_equal_to_the_actual_leaves_its_label_readable():
    _assert_labels_clear([Point("R4", 50, 50), Point("R5", 100, 100), Point("R6", 1, 1), Point("R7", 0, 0)])


@given(st.lists(st.tuples(st.integers(0, 5000), st.one_of(st.none(), st.integers(0, 5000))), min_size=1,
                max_size=8))
def test_no_target_marker_covers_a_bar_label(values):
    _assert_labels_clear([Point(f"R{i + 1}", actual, target) for i, (actual, target) in enumerate(values)])
