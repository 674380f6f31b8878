"""The whole content tree: every bank, then every course; all problems reported together."""

from __future__ import annotations

from pathlib import Path

from elearn.content.banks import load_bank
from elearn.content.courses import load_course
from elearn.content.glossary import load_glossary
from elearn.content.model import ContentTree
from elearn.content.source import SourceError
from elearn.storage import FileStore

DEFAULT_ASSET_BASE = "/learn/assets/{slug}/"


class ContentInvalid(Exception):
    def __init__(self, errors: list[SourceError]) -> None:
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = errors


def load_content(root: Path, asset_base: str = DEFAULT_ASSET_BASE, thorough_media: bool = False,
                 library: FileStore | None = None) -> ContentTree:
    """Load courses/ and quizzes/ under root; raise ContentInvalid listing every problem.

    `thorough_media` reads every video to its end (see `media.probe_video`): for sync and checks, not start-up.
    `library` is the media library's store, where lessons' `video: {library: <slug>}` and
    `scorm: {package: <slug>}` are found.
    """
    errors: list[SourceError] = []
    banks = {}
    for path in sorted((root / "quizzes").glob("*.yaml")):
        bank = load_bank(path, errors)
        if bank is not None:
            banks[bank.slug] = bank
    courses = []
    courses_root = root / "courses"
    for folder in sorted(p for p in courses_root.iterdir() if p.is_dir()) if courses_root.is_dir() else []:
        course = load_course(folder, banks, errors, asset_base, thorough_media, library)
        if course is not None:
            courses.append(course)
    glossary = load_glossary(root / "glossary.yaml", errors)
    if errors:
        raise ContentInvalid(sorted(errors, key=lambda e: (str(e.path), e.line)))
    return ContentTree(courses=tuple(courses), banks=banks, glossary=glossary)
