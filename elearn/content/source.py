"""YAML with line numbers, and Markdown files with front matter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

LINE_KEY = "__line__"
KEY_LINES = "__key_lines__"


class _LineLoader(yaml.SafeLoader):
    """Every mapping remembers the line it starts on and the line of each key, so errors can name them."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def, override]
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        mapping[KEY_LINES] = {key.value: key.start_mark.line + 1 for key, _value in node.value}
        return mapping


@dataclass(frozen=True)
class SourceError(Exception):
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def shown_from(self, root: Path) -> str:
        """The error with its path relative to the content root, as editors expect."""
        path = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return f"{path}:{self.line}: {self.message}"


def load_yaml(text: str, path: Path, first_line: int = 1) -> object:
    padded = "\n" * (first_line - 1) + text  # blank lines in front keep every mark equal to the line in the file
    try:
        return yaml.load(padded, Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.reader.ReaderError as error:  # a raw control character: it has a position, not a mark
        line = padded.count("\n", 0, error.position) + 1
        character = error.character if isinstance(error.character, str) else chr(error.character)
        raise SourceError(path, line, f"YAML: control character U+{ord(character):04X} is not allowed") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else first_line
        problem = getattr(error, "problem", None) or str(error)
        raise SourceError(path, line, f"YAML: {problem}") from error


def split_front_matter(path: Path) -> tuple[dict, str, int]:
    """(front matter, body, line where the body starts) of a Markdown file that begins with ---."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(path, 1, "not UTF-8 text") from error
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError(path, 1, "must start with a front matter block between --- lines")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            front = load_yaml("".join(lines[1:index]), path, first_line=2)
            if not isinstance(front, dict):
                raise SourceError(path, 2, "front matter must be a mapping of keys to values")
            return front, "".join(lines[index + 1 :]), index + 2
    raise SourceError(path, 1, "front matter is not closed by a --- line")


def strip_lines(value: object) -> object:
    """The same data without line markers (for comparisons and storage)."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in (LINE_KEY, KEY_LINES)}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
