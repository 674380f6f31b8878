"""`python -m elearn.content.check [ROOT]`: validate content without touching a database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from elearn.content.loader import ContentInvalid, load_content
from elearn.storage.local import LocalStore


def main(argv: list[str]) -> int:
    root = (Path(argv[0]) if argv else Path(__file__).resolve().parents[2]).resolve()
    # Without the app's settings: the media library on local disk, where `elearn serve` keeps it by default
    # (`elearn content sync --check` checks against the configured store).
    library = LocalStore(Path(os.environ.get("ELEARN_MEDIA_LIBRARY") or root / "instance" / "media-library"))
    try:
        tree = load_content(root, thorough_media=True, library=library)
    except ContentInvalid as invalid:
        for error in invalid.errors:
            print(error.shown_from(root))
        print(f"{len(invalid.errors)} error(s)", file=sys.stderr)
        return 1
    questions = sum(len(bank.questions) for bank in tree.banks.values())
    lessons = sum(len(course.lessons) for course in tree.courses)
    print(f"ok: {len(tree.courses)} course(s), {lessons} lesson(s), {len(tree.banks)} bank(s), "
          f"{questions} question(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
