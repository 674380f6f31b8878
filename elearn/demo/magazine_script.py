"""The demo data's weekly magazine: eleven short manga issues, whose scripts are the YAML files in
`magazine_issues/` beside this module (01.yaml is issue 1), read here into frozen dataclasses.

Nothing here knows about Flask, the database or drawing: `elearn.demo.comic` turns a `DemoPage` into an
image and the demo loader stores the result. Text is Japanese and written for the demo; the topics follow
the project's source documents (Yamagata Prefecture's weekly manga "digital magazine" for its staff, and
the municipal training cases): a few pages, about three minutes, out every Wednesday, real staff in it.

Speakers are cast keys, not names, because the guests are real staff picked by the demo loader:
"guide" is the mascot デジまる, "guest" and "guest2" are filled in from the caller's `guests` mapping, and
"narration" has no name. Texts may hold the placeholders {guest} and {guest2} and, rarely, Aozora-style
ruby (｜漢字《かんじ》), which transcripts keep and the drawing strips.

A script file reads:

    title: …
    summary: …
    tags: [タグ, …]
    related_courses: [course-slug, …]
    pages:
      - description: one sentence of alt text
        spread: true            # optional: drawn twice as wide, as two facing pages
        panels:                 # 1 to 4, in reading order
          - scene: what the panel shows, in a few words
            lines:
              - guide: せりふ
              - narration: ト書き
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Line:
    speaker: str  # "guide", "guest", "guest2" or "narration"
    text: str


@dataclass(frozen=True)
class Panel:
    scene: str  # what the panel shows, in a few words; also read by the drawing to pick props
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class DemoPage:
    panels: tuple[Panel, ...]  # 1 to 4, in reading order (the first one is drawn at the top right)
    description: str  # one sentence of alt text
    spread: bool = False  # drawn twice as wide, as two facing pages


@dataclass(frozen=True)
class DemoIssue:
    title: str
    summary: str
    tags: tuple[str, ...]
    related_courses: tuple[str, ...]
    pages: tuple[DemoPage, ...]


CAST = {"guide": "デジまる", "narration": ""}
# Used only when the caller leaves a guest out, so a page can still be read and drawn.
FALLBACK_GUESTS = {"guest": "職員さん", "guest2": "同僚さん"}

_PLACEHOLDER = re.compile(r"\{(guest2?)\}")


def fill(text: str, guests: dict[str, str]) -> str:
    """`text` with {guest} and {guest2} replaced by the guests' display names."""
    return _PLACEHOLDER.sub(lambda match: speaker_name(match.group(1), guests), text)


def speaker_name(speaker: str, guests: dict[str, str]) -> str:
    """The name shown for a cast key: "" for narration."""
    if speaker in CAST:
        return CAST[speaker]
    return guests.get(speaker) or FALLBACK_GUESTS.get(speaker, speaker)


def transcript(page: DemoPage, guests: dict[str, str]) -> str:
    """The page's dialogue as text, one line per balloon, "名前：せりふ" (narration lines without a name), panels
    separated by a blank line, placeholders filled in, ruby notation kept."""
    panels = []
    for panel in page.panels:
        lines = []
        for line in panel.lines:
            name = speaker_name(line.speaker, guests)
            text = fill(line.text, guests)
            lines.append(f"{name}：{text}" if name else text)
        panels.append("\n".join(lines))
    return "\n\n".join(panels)


def description(page: DemoPage, guests: dict[str, str]) -> str:
    """Alt text for the page image: the page's sentence, then what each panel shows in reading order."""
    scenes = "".join(f"{number}コマ目：{fill(panel.scene, guests)}。" for number, panel in enumerate(page.panels, 1))
    return f"{fill(page.description, guests)} {scenes}"


# --- reading the scripts ----------------------------------------------------------------------------

SCRIPTS = "magazine_issues"  # the folder beside this module: 01.yaml, 02.yaml, ... one issue each
SPEAKERS = ("guide", "guest", "guest2", "narration")
MAX_PANELS = 4  # the page layouts know one to four panels

_ISSUE_KEYS = frozenset({"title", "summary", "tags", "related_courses", "pages"})
_PAGE_KEYS = frozenset({"description", "panels"})  # and, optionally, spread
_PANEL_KEYS = frozenset({"scene"})  # and, optionally, lines (a panel may be silent)


class ScriptError(ValueError):
    """A malformed issue script; the message names the file and the issue, page, panel and line."""


def load_issues(folder: Traversable | Path | str | None = None) -> tuple[DemoIssue, ...]:
    """The issues scripted in `folder` (the shipped `magazine_issues/` by default), in number order."""
    if folder is None:
        folder = resources.files(__package__) / SCRIPTS
    elif isinstance(folder, str):
        folder = Path(folder)
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith((".yaml", ".yml")))
    if not names:
        raise ScriptError(f"{folder}: no issue scripts (01.yaml, 02.yaml, ...)")
    expected = [f"{number:02d}.yaml" for number in range(1, len(names) + 1)]
    if names != expected:
        wrong = next(name for name, want in zip(names, expected, strict=True) if name != want)
        raise ScriptError(f"{folder / wrong}: scripts are named by issue number, 01.yaml to "
                          f"{expected[-1]} with no gap; expected {expected[names.index(wrong)]}")
    return tuple(_read_issue(folder / name, number) for number, name in enumerate(names, start=1))


def _read_issue(file: Traversable | Path, number: int) -> DemoIssue:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScriptError(f"{file}: not valid YAML: {error}") from None
    except UnicodeDecodeError:
        raise ScriptError(f"{file}: not UTF-8 text") from None
    where = f"{file}: issue {number}"
    data = _mapping(data, _ISSUE_KEYS, where)
    pages = _sequence(data["pages"], f"{where}: pages")
    if not pages:
        raise ScriptError(f"{where}: pages: an issue has at least one page")
    return DemoIssue(
        title=_text(data["title"], f"{where}: title"),
        summary=_text(data["summary"], f"{where}: summary"),
        tags=tuple(_text(tag, f"{where}: tags") for tag in _sequence(data["tags"], f"{where}: tags")),
        related_courses=tuple(_text(slug, f"{where}: related_courses")
                              for slug in _sequence(data["related_courses"], f"{where}: related_courses")),
        pages=tuple(_read_page(page, f"{where}, page {index}") for index, page in enumerate(pages, start=1)),
    )


def _read_page(data: object, where: str) -> DemoPage:
    data = _mapping(data, _PAGE_KEYS, where, optional=frozenset({"spread"}))
    panels = _sequence(data["panels"], f"{where}: panels")
    if not 1 <= len(panels) <= MAX_PANELS:
        raise ScriptError(f"{where}: panels: a page has 1 to {MAX_PANELS} panels, not {len(panels)}")
    spread = data.get("spread", False)
    if not isinstance(spread, bool):
        raise ScriptError(f"{where}: spread: true or false, not {spread!r}")
    return DemoPage(
        panels=tuple(_read_panel(panel, f"{where}, panel {index}") for index, panel in enumerate(panels, start=1)),
        description=_text(data["description"], f"{where}: description"),
        spread=spread,
    )


def _read_panel(data: object, where: str) -> Panel:
    data = _mapping(data, _PANEL_KEYS, where, optional=frozenset({"lines"}))
    lines = _sequence(data.get("lines", []), f"{where}: lines")
    return Panel(
        scene=_text(data["scene"], f"{where}: scene"),
        lines=tuple(_read_line(line, f"{where}, line {index}") for index, line in enumerate(lines, start=1)),
    )


def _read_line(data: object, where: str) -> Line:
    if not isinstance(data, dict) or len(data) != 1:
        raise ScriptError(f"{where}: a line is one `speaker: text` pair, the speaker one of {', '.join(SPEAKERS)}")
    [(speaker, text)] = data.items()
    if speaker not in SPEAKERS:
        raise ScriptError(f"{where}: unknown speaker {speaker!r}; the speaker is one of {', '.join(SPEAKERS)}")
    return Line(speaker=speaker, text=_text(text, where))


def _mapping(data: object, required: frozenset[str], where: str, optional: frozenset[str] = frozenset()) -> dict:
    if not isinstance(data, dict):
        raise ScriptError(f"{where}: expected a mapping with {', '.join(sorted(required))}, "
                          f"found {type(data).__name__}")
    missing, unknown = required - data.keys(), data.keys() - required - optional
    if missing:
        raise ScriptError(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        raise ScriptError(f"{where}: unknown key {', '.join(sorted(map(str, unknown)))}")
    return data


def _sequence(data: object, where: str) -> list:
    if not isinstance(data, list):
        raise ScriptError(f"{where}: expected a list, found {type(data).__name__}")
    return data


def _text(data: object, where: str) -> str:
    """Non-empty text whose only braces are the {guest} and {guest2} placeholders."""
    if not isinstance(data, str):
        raise ScriptError(f"{where}: expected text, found {data!r} (quote it)")
    if not data.strip():
        raise ScriptError(f"{where}: empty text")
    if "{" in _PLACEHOLDER.sub("", data) or "}" in _PLACEHOLDER.sub("", data):
        raise ScriptError(f"{where}: unknown placeholder in {data!r}; only {{guest}} and {{guest2}} are filled in")
    return data
