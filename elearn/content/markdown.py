"""Markdown to sanitised HTML. Python-Markdown passes raw HTML through, so nh3 cleans every result."""

from __future__ import annotations

import re

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "admonition", "footnotes", "sane_lists", "def_list"]

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "code": {"class"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "ol": {"start"},
}
_IMAGE_SOURCE = re.compile(r'(<img\b[^>]*\bsrc=")(?![a-z]+:|/)([^"]+)(")')


def render(text: str, asset_base: str = "") -> str:
    """Markdown -> safe HTML; relative image paths are prefixed with asset_base."""
    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    if asset_base:
        html = _IMAGE_SOURCE.sub(lambda m: f"{m.group(1)}{asset_base}{m.group(2)}{m.group(3)}", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def image_paths(text: str) -> list[tuple[int, str]]:
    """Relative image paths used by a Markdown text, with their line numbers (1-based)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"!\[[^\]]*\]\(([^)\s]+)", line):
            target = match.group(1)
            if not re.match(r"^[a-z]+:|^/", target):
                found.append((number, target))
    return found
