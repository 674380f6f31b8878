"""A whole page: the layout, every panel in its frame, the page number and, on page 1, the issue label."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from elearn.demo.comic.canvas import INK, MID, WHITE
from elearn.demo.comic.layout import PanelPlan, lay_out
from elearn.demo.comic.panels import render_panel
from elearn.demo.comic.scene import wants_board
from elearn.demo.comic.text import column_cells, strip_ruby, text_mask, tokens_of
from elearn.demo.magazine_script import DemoPage, fill

PAGE_RATIO = 1.414  # A- and B-series paper, as printed magazines


def draw_page(page: DemoPage, guests: dict[str, str], *, issue_number: int, page_number: int,
              width: int = 1000) -> bytes:
    """A PNG of the page: height = round(width * 1.414) (a spread is 2*width wide, same height)."""
    u = width / 1000
    page_w = width * 2 if page.spread else width
    page_h = round(width * PAGE_RATIO)
    rng = random.Random(f"digital-magazine/{issue_number}/{page_number}")
    image = Image.new("L", (page_w, page_h), WHITE)

    plans = []
    for panel in page.panels:
        lines = [(line, strip_ruby(fill(line.text, guests))) for line in panel.lines]
        lines = [(line, text) for line, text in lines if tokens_of(text)]
        # A whiteboard or diagram needs the lower half of its panel.
        zone = 0.55 if wants_board(panel.scene) else 0.72
        plans.append(PanelPlan(panel, lines, sum(column_cells(tokens_of(text)) for _, text in lines), zone))

    side, top, bottom = round(48 * u), round(66 * u), round(72 * u)
    frame = (side, top, page_w - side, page_h - bottom)
    lay_out(plans, frame, u, page.spread, rng)
    border = max(2, round(3 * u))
    draw = ImageDraw.Draw(image)
    for plan in plans:
        render_panel(image, plan, u, rng)
        x0, y0, x1, y1 = plan.box
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=INK, width=border)

    number = text_mask(str(page_number), 16 * u)
    image.paste(INK, (round(page_w / 2 - number.width / 2), round(page_h - bottom / 2 - number.height / 2)), number)
    if page_number == 1:
        label = text_mask(f"デジタルマガジン No.{issue_number}", 20 * u)
        x1 = page_w - side
        x0 = x1 - label.width - 20 * u
        draw.rectangle((x0, top / 2 - 16 * u, x1, top / 2 + 16 * u), fill=INK)
        image.paste(WHITE, (round((x0 + x1) / 2 - label.width / 2), round(top / 2 - label.height / 2)), label)
        draw.line((side, top / 2 + 16 * u, x0 - 8 * u, top / 2 + 16 * u), fill=INK, width=max(1, round(2 * u)))
    if page.spread:
        # The fold: a faint mark in the margins so the two halves read as facing pages.
        for y in (0, page_h - round(24 * u)):
            draw.line((width, y, width, y + round(24 * u)), fill=MID, width=1)

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
