"""One panel: its cast placed around the balloons, then background, characters, props and balloons drawn."""

from __future__ import annotations

import random

from PIL import Image

from elearn.demo.comic.backgrounds import (
    board_box,
    building,
    desk,
    desk_monitor,
    flow_diagram,
    focus_lines,
    office_wall,
    whiteboard,
)
from elearn.demo.comic.balloons import Balloon, draw_balloon_shape, draw_balloon_text, place_balloons
from elearn.demo.comic.canvas import Canvas
from elearn.demo.comic.characters import FIGURE_SPACING, Figure, draw_figure
from elearn.demo.comic.layout import PanelPlan
from elearn.demo.comic.props import free_span, place_props, sticky_note
from elearn.demo.comic.scene import (
    DIAGRAM_WORDS,
    cast_in,
    clauses_by_character,
    has_any,
    mood_from_lines,
    scene_mood,
    scene_pose,
    screen_kind,
    wants_board,
)
from elearn.demo.magazine_script import Panel


def render_panel(page: Image.Image, plan: PanelPlan, u: float, rng: random.Random) -> None:
    """Background, characters, props and balloon shapes drawn at SS times the size into the panel's own
    canvas (which also clips them to the frame), then the balloon text straight onto the page."""
    x0, y0, x1, y1 = plan.box
    w, h = x1 - x0, y1 - y0
    assert plan.fit is not None
    scene = plan.panel.scene
    c = Canvas(w, h, u)
    balloons = plan.fit.balloons
    place_balloons(balloons, w, h, u, plan.zone, rng)
    balloon_bottom = max((b.y + b.ry for b in balloons), default=0.0)

    pc = has_any(scene, "パソコン", "画面")
    diagram = has_any(scene, *DIAGRAM_WORDS)
    board = wants_board(scene)
    outdoor = has_any(scene, "庁舎")
    # Room kept free of characters for what the scene is about: a whiteboard, a diagram, a screen.
    cast = cast_in(plan.panel)
    reserve = w * (0.6 if diagram else 0.5) if board else (min(w * 0.3, h * 0.5) if pc and len(cast) < 3 else 0.0)
    figures = _place_figures(plan.panel, cast, balloons, w, h, balloon_bottom, u, reserve, pc)
    r = max((f.r for f in figures), default=min(w, h) * 0.15)

    if outdoor:
        building(c, rng)
    elif has_any(scene, "集中線", "慌て", "驚"):
        fx, fy = (figures[0].x, figures[0].y) if figures else (w / 2, h / 2)
        focus_lines(c, fx, fy, rng)
    else:
        if has_any(scene, "笑顔", "わくわく", "ガッツポーズ", "喜") or (not pc and not board and rng.random() < 0.35):
            c.tone((0, 0, w, h), pitch=7, dot=0.3)
        if not board:
            office_wall(c, rng, has_any(scene, "窓", "朝"), balloons, figures)
    if board:
        box = board_box(figures, balloons, w, h, u)
        if diagram:
            flow_diagram(c, box, after="【変更後】" in scene)
        else:
            whiteboard(c, box, scene, rng)

    desk_top = max(h * 0.86, max((f.y + 1.3 * f.r for f in figures), default=h * 0.8))
    monitor = None
    if pc:
        mw = min(w * 0.34, h * 0.45, r * 2.5)
        mx, room = free_span(figures, w, mw)
        monitor = (mx, mw, room >= mw)
        if not monitor[2]:
            # No room beside the characters: the screen stands behind them.
            desk_monitor(c, mx, desk_top, mw, screen_kind(scene), rng)
    for figure in figures:
        draw_figure(c, figure)
    if pc and monitor is not None:
        desk(c, desk_top)
        mx, mw, in_front = monitor
        if in_front:
            desk_monitor(c, mx, desk_top + h * 0.012, mw, screen_kind(scene), rng)
        if has_any(scene, "付箋") and in_front:
            sticky_note(c, mx + mw * 0.36, desk_top - mw * 0.74, mw * 0.2)
    if not board:
        place_props(c, scene, figures, w, h, balloon_bottom)

    for balloon in balloons:
        draw_balloon_shape(c, balloon, figures, u)
    page.paste(c.finish(), (x0, y0))
    for balloon in balloons:
        draw_balloon_text(page, balloon, x0, y0)


def _place_figures(panel: Panel, cast: list[str], balloons: list[Balloon], w: float, h: float,
                   balloon_bottom: float, u: float, reserve: float, at_desk: bool) -> list[Figure]:
    if not cast:
        return []
    n = len(cast)
    r = min(max((h - balloon_bottom) / 2.7, h * 0.12), h * 0.2, (w - reserve) / (n * FIGURE_SPACING + 0.4), 80 * u)
    if has_any(panel.scene, "庁舎"):
        r = min(r, h * 0.12)
    # Heads just below the balloons where the panel is tall, but never so high that the body ends inside it.
    y = min(h - 1.55 * r, max(h - 2.8 * r, balloon_bottom + 1.35 * r))
    if at_desk:
        y = min(y, h - 2.0 * r)

    # Speakers stand under their first balloon, so whoever speaks first is on the right.
    def first_x(key: str) -> float | None:
        return next((b.x for b in balloons if b.line.speaker == key), None)

    wanted: dict[str, float] = {}
    for key in cast:
        x = first_x(key)
        wanted[key] = x if x is not None else min(wanted.values(), default=w * 0.6) - FIGURE_SPACING * r
    order = sorted(cast, key=lambda key: -wanted[key])
    low, high = 1.4 * r, w - 1.4 * r
    if reserve:
        if wanted[order[0]] > w / 2:
            low = max(low, reserve)
        else:
            high = min(high, w - reserve)
    about = clauses_by_character(panel.scene)
    poses = {key: scene_pose(about[key]) for key in cast}
    # Whoever holds something up must keep that hand inside the frame: the mascot's right, a person's left.
    if poses[order[0]] in ("hold", "wave") and order[0] == "guide":
        high = min(high, w - 1.9 * r)
    if poses[order[-1]] in ("hold", "wave", "point") and order[-1] != "guide":
        low = max(low, 1.9 * r)
    xs = _spread_out([wanted[key] for key in order], low, high, FIGURE_SPACING * r)
    figures = []
    for key, x in zip(order, xs, strict=True):
        texts = [line.text for line in panel.lines if line.speaker == key]
        mood = scene_mood(about[key]) or mood_from_lines(texts)
        if key == "guide" and mood == "puzzled":
            mood = "normal"  # the guide asks questions to teach, not because it is lost
        figures.append(Figure(key, x, y, r, mood, poses[key]))
    return figures


def _spread_out(xs: list[float], low: float, high: float, gap: float) -> list[float]:
    """Positions from right to left, moved as little as possible to keep `gap` apart within [low, high]."""
    if high < low:
        low = high = (low + high) / 2
    gap = min(gap, (high - low) / max(1, len(xs) - 1)) if len(xs) > 1 else gap
    out = [min(max(x, low), high) for x in xs]
    for i in range(1, len(out)):
        out[i] = min(out[i], out[i - 1] - gap)
    if out[-1] < low:
        shift = low - out[-1]
        out = [x + shift for x in out]
        for i in range(len(out) - 2, -1, -1):
            out[i] = max(out[i], out[i + 1] + gap)
    return [min(max(x, low), high) for x in out]
