"""How much of a video a person has watched, from the stretches their player reports having played.

The player reports what it played (start and end positions in seconds), never what it skipped: a seek
starts a new stretch. The server keeps the union, so a stretch watched twice, or in two tabs, counts once.
A report may add at most what could have been played since the previous one at the fastest speed the
player offers, so a made-up report of the whole video does not complete it either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Stretch = tuple[float, float]

DEFAULT_WATCH_PERCENT = 90
FASTEST_RATE = 2.0  # the player's highest playback speed
REPORT_EVERY_SECONDS = 10  # how often the player reports while playing
# Allowance on top of the wall-clock time: the report interval of the first report, network delay.
SLACK_SECONDS = 15.0
MAX_STRETCHES_PER_REPORT = 200


@dataclass(frozen=True)
class Accepted:
    watched: tuple[Stretch, ...]  # the union so far, sorted, disjoint
    added_seconds: float
    refused_seconds: float  # reported but beyond what the time since the last report allows


def union(stretches: Iterable[Stretch]) -> tuple[Stretch, ...]:
    merged: list[list[float]] = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def seconds_in(stretches: Iterable[Stretch]) -> float:
    return sum(end - start for start, end in union(stretches))


def clean(reported: Sequence[Sequence[float]], duration: float) -> list[Stretch]:
    """Reported stretches inside [0, duration], each start before its end; anything else dropped."""
    cleaned = []
    for item in list(reported)[:MAX_STRETCHES_PER_REPORT]:
        if len(item) != 2:
            continue
        start, end = (max(0.0, min(float(item[0]), duration)), max(0.0, min(float(item[1]), duration)))
        if end > start:
            cleaned.append((start, end))
    return cleaned


def accept(watched: Sequence[Stretch], reported: Sequence[Stretch], seconds_since_last_report: float | None
           ) -> Accepted:
    """The union of what was watched and what is reported, adding no more than the time allows.

    `seconds_since_last_report` is None for a person's first report on this video. New seconds are
    taken in the order of the video, so a cut keeps the earliest part of a report.
    """
    elapsed = seconds_since_last_report if seconds_since_last_report is not None else REPORT_EVERY_SECONDS
    allowance = max(0.0, elapsed) * FASTEST_RATE + SLACK_SECONDS
    current = union(watched)
    new_parts = _not_covered(union(reported), current)
    taken: list[Stretch] = []
    budget = allowance
    for start, end in new_parts:
        if budget <= 0:
            break
        length = min(end - start, budget)
        taken.append((start, start + length))
        budget -= length
    added = sum(end - start for start, end in taken)
    offered = sum(end - start for start, end in new_parts)
    return Accepted(union([*current, *taken]), round(added, 3), round(offered - added, 3))


def _not_covered(stretches: Sequence[Stretch], covered: Sequence[Stretch]) -> list[Stretch]:
    """Parts of `stretches` outside `covered` (both sorted and disjoint)."""
    parts = []
    for start, end in stretches:
        cursor = start
        for covered_start, covered_end in covered:
            if covered_end <= cursor or covered_start >= end:
                continue
            if covered_start > cursor:
                parts.append((cursor, covered_start))
            cursor = max(cursor, covered_end)
        if cursor < end:
            parts.append((cursor, end))
    return parts


def share_watched(watched: Sequence[Stretch], duration: float) -> float:
    """0.0-1.0 of the video watched."""
    return min(1.0, seconds_in(watched) / duration) if duration > 0 else 0.0


def is_watched(watched: Sequence[Stretch], duration: float, percent: int = DEFAULT_WATCH_PERCENT) -> bool:
    # A tenth of a second short of the threshold still counts: players stop a frame before the end.
    return duration > 0 and seconds_in(watched) + 0.1 >= duration * percent / 100


def resume_at(position: float, duration: float) -> float:
    """Where the player starts: where the person stopped, or the beginning when they stopped at the end."""
    if position <= 0 or position >= duration - 3:
        return 0.0
    return position
