"""The page layout: panels in rows from the top, the first of a row at the right, sized by what they hold."""

from __future__ import annotations

import random
from dataclasses import dataclass

from elearn.demo.comic.balloons import Fit, fit_balloons
from elearn.demo.comic.characters import FIGURE_SPACING
from elearn.demo.comic.scene import cast_in
from elearn.demo.magazine_script import Line, Panel

_LAYOUTS: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((1,),),
    2: ((1, 1), (2,)),
    3: ((1, 2), (2, 1), (1, 1, 1)),
    4: ((2, 2), (1, 2, 1), (2, 1, 1), (1, 1, 2)),
}
_SPREAD_LAYOUTS: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((1,),),
    2: ((2,), (1, 1)),
    3: ((1, 2), (2, 1), (3,)),
    4: ((1, 3), (3, 1), (2, 2), (1, 1, 2)),
}


@dataclass
class PanelPlan:
    panel: Panel
    lines: list[tuple[Line, str]]  # each line with the text as drawn
    cells: float
    zone: float  # how far down the panel balloons may reach, as a fraction of its height
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    fit: Fit | None = None


def lay_out(plans: list[PanelPlan], frame: tuple[int, int, int, int], u: float, spread: bool,
            rng: random.Random) -> None:
    """Pick the panel arrangement: first the one whose smallest balloon font is largest, then the ones
    leaving the most room under the balloons for the characters; among near-equals, any (for variety)."""
    gutter_x, gutter_y = round(12 * u), round(22 * u)
    options = (_SPREAD_LAYOUTS if spread else _LAYOUTS)[len(plans)]
    scored = []
    for rows in options:
        for weighted in (False, True):
            boxes = _boxes(plans, rows, frame, gutter_x, gutter_y, weighted)
            fits = [fit_balloons(plan.lines, box[2] - box[0], box[3] - box[1], u, plan.zone)
                    for plan, box in zip(plans, boxes, strict=True)]
            room = min(_room(plan, fit, box) for plan, fit, box in zip(plans, fits, boxes, strict=True))
            scored.append((min(fit.size for fit in fits), room, boxes, fits))
    best_size = max(score[0] for score in scored)
    best_room = max(score[1] for score in scored if score[0] == best_size)
    good = [score for score in scored if score[0] == best_size and score[1] >= best_room - 0.06]
    _, _, boxes, fits = good[rng.randrange(len(good))]
    for plan, box, fit in zip(plans, boxes, fits, strict=True):
        plan.box, plan.fit = box, fit


def _room(plan: PanelPlan, fit: Fit, box: tuple[int, int, int, int]) -> float:
    """The share of the panel's height left under its tallest balloon; a whiteboard also wants width."""
    w, h = box[2] - box[0], box[3] - box[1]
    room = 1 - max((b.h for b in fit.balloons), default=0.0) / h
    if plan.zone < 0.72 and w < 1.2 * h:
        room -= 0.3
    # Several characters in a narrow panel come out tiny: count that as little room too.
    cast = len(cast_in(plan.panel))
    if cast:
        room = min(room, 3.5 * min(0.2, w / h / (cast * FIGURE_SPACING + 0.4)))
    return room


def _boxes(plans: list[PanelPlan], rows: tuple[int, ...], frame: tuple[int, int, int, int], gutter_x: int,
           gutter_y: int, weighted: bool) -> list[tuple[int, int, int, int]]:
    """Panel rectangles for `rows` (panels per row, top to bottom): rows of equal height, or (weighted)
    taller for rows with more text; within a row, wider panels for more text."""
    left, top, right, bottom = frame
    groups, start = [], 0
    for count in rows:
        groups.append(plans[start : start + count])
        start += count
    demand = [max(p.cells for p in group) * len(group) ** 0.5 + 40 for group in groups]
    weights = [(d / max(demand)) ** 0.6 if weighted else 1.0 for d in demand]
    height = bottom - top - gutter_y * (len(rows) - 1)
    boxes, y = [], float(top)
    for index, group in enumerate(groups):
        row_h = height * weights[index] / sum(weights)
        y0, y1 = round(y), (bottom if index == len(groups) - 1 else round(y + row_h))
        width = right - left - gutter_x * (len(group) - 1)
        shares = [0.6 + 0.4 * (p.cells + 20) / (sum(q.cells + 20 for q in group) / len(group)) for p in group]
        x = float(right)
        # Right to left: the first panel of a row is read first.
        for position, share in enumerate(shares):
            panel_w = width * share / sum(shares)
            x1, x0 = round(x), (left if position == len(group) - 1 else round(x - panel_w))
            boxes.append((x0, y0, x1, y1))
            x -= panel_w + gutter_x
        y += row_h + gutter_y
    return boxes
