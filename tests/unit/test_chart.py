"""The KPI chart: each bar's value label stays clear of the target marker drawn on the same bar."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn.services.reports.chart import COMPACT, WIDE, Frame, Point, kpi_chart, text_width

MARKER_RADIUS, STROKE = 4.5, 2.5


def _labels_and_markers(svg: str) -> tuple[dict[float, list[float]], dict[float, float]]:
    labels: dict[float, list[float]] = {}
    for x, y in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*font-weight="bold"', svg):
        labels.setdefault(float(x), []).append(float(y))
    markers = {float(x): float(y) for x, y in  # the legend's sample marker is smaller
               re.findall(rf'<circle cx="([\d.]+)" cy="([\d.]+)" r="{MARKER_RADIUS}"', svg)}
    return labels, markers


def _clear(baseline: float, marker_y: float, label_height: int) -> bool:
    """The label's box (its baseline and the font size above it) misses the marker and its stroke."""
    reach = MARKER_RADIUS + STROKE / 2
    return baseline < marker_y - reach or baseline - label_height > marker_y + reach


def _assert_labels_clear(points: list[Point], frame: Frame = WIDE) -> None:
    svg = str(kpi_chart(points, "title", "実績", "目標", frame))
    labels, markers = _labels_and_markers(svg)
    assert len(labels) == sum(p.actual is not None for p in points)
    for x, baselines in labels.items():
        if x in markers:
            assert all(_clear(baseline, markers[x], frame.font_size) for baseline in baselines), (
                x, baselines, markers[x])
    # Labels come after the target line and markers, so nothing is painted over them.
    if markers and labels:
        assert svg.rindex(f'r="{MARKER_RADIUS}"') < svg.index('font-weight="bold"')


@pytest.mark.parametrize("frame", [WIDE, COMPACT])
def test_a_target_just_below_or_above_the_top_of_a_bar_leaves_its_label_readable(frame):
    _assert_labels_clear([Point("R4", 105, 100), Point("R5", 230, 240), Point("R6", 12, 20), Point("R7", 300, 290),
                          Point("R8", None, 400)], frame)


@pytest.mark.parametrize("frame", [WIDE, COMPACT])
def test_a_target_equal_to_the_actual_leaves_its_label_readable(frame):
    _assert_labels_clear([Point("R4", 50, 50), Point("R5", 100, 100), Point("R6", 1, 1), Point("R7", 0, 0)], frame)


@given(st.lists(st.tuples(st.integers(0, 5000), st.one_of(st.none(), st.integers(0, 5000))), min_size=1,
                max_size=8), st.sampled_from([WIDE, COMPACT]))
def test_no_target_marker_covers_a_bar_label(values, frame):
    _assert_labels_clear([Point(f"R{i + 1}", actual, target) for i, (actual, target) in enumerate(values)], frame)


@pytest.mark.parametrize("labels", [("実績（累計）", "KPI目標"), ("Actual (cumulative)", "KPI target")])
def test_the_phone_chart_keeps_its_legend_inside_the_drawing(labels):
    svg = str(kpi_chart([Point("R4", 10, 20)], "title", *labels, COMPACT))
    for x, text in re.findall(r'<text x="([\d.]+)" y="[\d.]+" fill="#1f2a37">([^<]+)</text>', svg):
        assert float(x) + text_width(text, COMPACT.font_size) <= COMPACT.width, text


def test_two_charts_on_one_page_have_their_own_ids():
    wide = str(kpi_chart([Point("R4", 10, 20)], "t", "a", "b"))
    phone = str(kpi_chart([Point("R4", 10, 20)], "t", "a", "b", COMPACT, "kpi-chart-phone"))
    assert 'id="kpi-chart-title"' in wide and 'id="kpi-chart-phone-title"' in phone
    assert 'font-size="14"' in phone and 'viewBox="0 0 360 300"' in phone


def test_an_axis_label_too_wide_for_its_slot_falls_back_to_the_short_one_and_the_description_keeps_it():
    years = [Point(f"FY{2022 + i} (R{4 + i})", 10 * i, 10 * i, f"R{4 + i}") for i in range(6)]
    wide, compact = str(kpi_chart(years, "t", "a", "b", WIDE)), str(kpi_chart(years, "t", "a", "b", COMPACT))
    assert ">FY2026 (R8)</text>" in wide and ">R8</text>" not in wide
    assert ">R8</text>" in compact and ">FY2026 (R8)</text>" not in compact
    assert "FY2026 (R8): a 40, b 40" in compact  # what a screen reader hears
