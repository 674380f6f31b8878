"""`elearn scorm import --course`: the lesson file (and, for a new course, its course.md) naming a package."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from elearn.content.scorm import Manifest

LESSON_FILE = re.compile(r"^(\d{2})-")


def add_lesson(course: Path, package: str, manifest: Manifest) -> list[Path]:
    """Write NN-<package>.md after the course's last lesson; a missing course gets a course.md with no quiz,
    not required of anyone (a training office sets tiers and deadlines when it adopts it)."""
    written = []
    if not (course / "course.md").is_file():
        course.mkdir(parents=True, exist_ok=True)
        front = {"slug": course.name, "title": manifest.title, "summary": f"{manifest.title}（SCORM教材）",
                 "version": 1, "tiers": [], "required_for_grades": [], "estimated_minutes": 30,
                 "recurrence_years": None}
        (course / "course.md").write_text(_front_matter(front) + f"{manifest.title}（SCORM {manifest.version}）\n",
                                          encoding="utf-8")
        written.append(course / "course.md")
    numbers = [int(match[1]) for path in course.glob("*.md") if (match := LESSON_FILE.match(path.name))]
    lesson = course / f"{max(numbers, default=0) + 1:02d}-{package}.md"
    lesson.write_text(_front_matter({"title": manifest.title, "minutes": 30, "scorm": {"package": package}}),
                      encoding="utf-8")
    written.append(lesson)
    return written


def _front_matter(values: dict) -> str:
    return "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False) + "---\n"
