"""How long a text lesson takes, measured from what it says rather than from what it claims.

Japanese prose is read at about 400-500 characters a minute; we count 450. Markup, links' addresses,
spaces and table rules are not read, so they are not counted. An exercise is an admonition whose title
names its minutes, e.g. `!!! tip "やってみよう（5分）"`: its minutes are added to the reading time.

`python -m elearn.content.reading_time [ROOT]` prints each text lesson's claimed and measured minutes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHARACTERS_PER_MINUTE = 450
# A lesson's `minutes` may differ from the measured time by at most this factor either way.
ALLOWED_FACTOR = 1.5

EXERCISE_TITLE = re.compile(r'^!!!\s+\w+\s+"[^"\n]*?[（(](\d+)\s*分[）)][^"\n]*"', re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[#*_`|>\-:\s]|^!!!\s+\w+", re.MULTILINE)


def body_of(source: str) -> str:
    return _FRONT_MATTER.sub("", source, count=1)


def reading_characters(body: str) -> int:
    text = _LINK.sub(r"\1", body)
    text = re.sub(r"^!!!\s+\w+", "", text, flags=re.MULTILINE)
    return len(_MARKUP.sub("", text))


def exercise_minutes(body: str) -> int:
    return sum(int(minutes) for minutes in EXERCISE_TITLE.findall(body))


def measured_minutes(body: str) -> float:
    return reading_characters(body) / CHARACTERS_PER_MINUTE + exercise_minutes(body)


def suggested_minutes(body: str) -> int:
    return max(1, round(measured_minutes(body)))


def within_allowance(claimed: int, measured: float) -> bool:
    return measured / ALLOWED_FACTOR <= claimed <= measured * ALLOWED_FACTOR


def main(argv: list[str]) -> int:
    from elearn.content.loader import load_content

    root = (Path(argv[0]) if argv else Path(__file__).resolve().parents[2]).resolve()
    tree = load_content(root)
    out_of_range = 0
    for course in tree.courses:
        total = 0
        for lesson in course.lessons:
            total += lesson.minutes
            if lesson.video or lesson.scorm:
                print(f"  {course.slug}/{lesson.slug}: {lesson.minutes} min (measured from the media)")
                continue
            body = body_of(lesson.path.read_text(encoding="utf-8"))
            measured = measured_minutes(body)
            flag = "" if within_allowance(lesson.minutes, measured) else "  <-- out of range"
            out_of_range += bool(flag)
            print(f"  {course.slug}/{lesson.slug}: claims {lesson.minutes}, measured {measured:.1f} "
                  f"({reading_characters(body)} characters, exercises {exercise_minutes(body)} min){flag}")
        quiz = course.quiz.questions if course.has_quiz else 0
        print(f"{course.slug}: lessons {total} min + quiz {quiz} min; estimated_minutes {course.estimated_minutes}")
    return 1 if out_of_range else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
