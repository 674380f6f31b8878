"""HTML and Markdown -> the plain text a question bank holds, read the way a browser would show them.

Banks hold plain text shown with its line breaks and spaces kept, so the conversion keeps what a reader sees:
paragraphs and `<br>` become line breaks, list items get a 「・」 or their number, `<pre>` keeps its lines and
indentation, and everywhere else runs of white space collapse as in HTML (a line break between two Japanese
characters vanishes, as CSS Text prescribes, instead of becoming a space).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from html.parser import HTMLParser

import markdown
import nh3

from elearn.content.markdown import EXTENSIONS

_LINE_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table", "ul", "ol", "dl", "dt",
              "dd", "hr", "figure", "figcaption", "caption"}
# What survives cleaning: only tags that shape the text; the rest leave their words (script and style leave nothing).
_KEPT_TAGS = _LINE_TAGS | {"br", "pre", "li", "td", "th"}
_SPACES = re.compile(r"[ \t\n\r\f]+")
_WIDE = {"F", "W", "H"}


def html_to_text(html: str) -> str:
    """The text of an HTML fragment with its visible line structure."""
    parser = _TextParser()
    parser.feed(nh3.clean(html, tags=_KEPT_TAGS, attributes={"ol": {"start"}}))
    parser.close()
    return parser.text()


def markdown_to_text(text: str) -> str:
    """The text of Markdown as rendered (emphasis marks gone, lists numbered or bulleted, code blocks kept)."""
    return html_to_text(markdown_to_html(text))


def markdown_to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, output_format="html")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.pending = ""  # inline text not yet collapsed
        self.pre_depth = 0
        self.pre_text = ""
        self.lists: list[int | None] = []  # the next number of each open <ol>, None for <ul>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.pre_depth:
            if tag == "br":
                self.pre_text += "\n"
            self.pre_depth += tag == "pre"
            return
        if tag == "br":
            self._flush()
            self.lines.append("")
        elif tag == "pre":
            self._new_line()
            self.pre_depth, self.pre_text = 1, ""
        elif tag == "li":
            self._new_line()
            number = self.lists[-1] if self.lists else None
            if number is not None:
                self.lists[-1] = number + 1
            self.lines[-1] = "・" if number is None else f"{number}. "
        elif tag in ("ul", "ol"):
            self._new_line()
            start = dict(attrs).get("start") or "1"
            self.lists.append(None if tag == "ul" else int(start) if start.isascii() and start.isdigit() else 1)
        elif tag in _LINE_TAGS:
            self._new_line()
        elif tag in ("td", "th"):
            self.pending += " "

    def handle_endtag(self, tag: str) -> None:
        if self.pre_depth:
            self.pre_depth -= tag == "pre"
            if not self.pre_depth:
                self._add_pre(self.pre_text)
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _LINE_TAGS or tag in ("li", "ul", "ol"):
            self._new_line()
        elif tag in ("td", "th"):
            self.pending += " "

    def handle_data(self, data: str) -> None:
        if self.pre_depth:
            self.pre_text += data
        else:
            self.pending += data

    def text(self) -> str:
        if self.pre_depth:  # an unclosed <pre> still shows its text
            self._add_pre(self.pre_text)
        self._flush()
        lines = [line.rstrip().replace("\xa0", " ") for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")

    def _flush(self) -> None:
        text = _collapse(self.pending)
        self.pending = ""
        if not self.lines[-1] or self.lines[-1].endswith((" ", "・")):
            text = text.lstrip(" ")
        self.lines[-1] += text

    def _new_line(self) -> None:
        self._flush()
        if self.lines[-1].strip():
            self.lines.append("")

    def _add_pre(self, text: str) -> None:
        # HTML drops one line break right after <pre>; the common indentation is the box's margin, not the code's.
        text = textwrap.dedent(text.removeprefix("\r\n").removeprefix("\n").rstrip())
        self._new_line()
        self.lines[-1:] = text.split("\n")
        self.lines.append("")


def _collapse(text: str) -> str:
    def space(match: re.Match[str]) -> str:
        before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        if "\n" in match[0] and before and after and _is_wide(before) and _is_wide(after):
            return ""
        return " "

    return _SPACES.sub(space, text)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in _WIDE
