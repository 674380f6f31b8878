"""Simple manga pages drawn with Pillow, for the demo magazine in `elearn.demo.magazine_script`.

A page is laid out right to left like a Japanese comic: panels in rows from the top, the first panel of a
row at the right; balloons hold vertical text (tategaki) in columns that also run right to left.

Shapes are drawn at twice the size and reduced, because ImageDraw does not anti-alias; glyphs are also
rendered large and reduced (see `text.text_mask`). Everything is a pure function of the input (random choices
use a generator seeded by issue and page), so a page always encodes to the same bytes.

Only the IPAex Mincho font shipped with the app is used, never a system font, so pages look the same on
every machine.

The modules, from the bottom up: `text` (ruby, tokens, wrapping, glyphs), `canvas` (drawing surface and
greys), `characters` (the cast), `scene` (what a panel's words ask for), `balloons`, `props`, `backgrounds`,
`layout` (panels on the page), `panels` (one panel drawn) and `page` (`draw_page`, the one entry point).
"""

from elearn.demo.comic.page import draw_page

__all__ = ["draw_page"]
