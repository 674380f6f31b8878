"""The manager's matrix: one row per person, one cell per course, from rows of one person and course."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class PersonCourse(Protocol):
    @property
    def user_id(self) -> int: ...

    @property
    def course_id(self) -> int: ...


Row = TypeVar("Row", bound=PersonCourse)


@dataclass(frozen=True)
class PersonRow(Generic[Row]):
    person: Row  # the person's first row: who they are (name, unit, grade, tiers) is the same on each
    cells: tuple[Row | None, ...]  # one per column; None where the course is not required of them

    @property
    def user_id(self) -> int:
        return self.person.user_id


def pivot(rows: Iterable[Row], course_ids: Sequence[int]) -> list[PersonRow[Row]]:
    """People in the order they first appear in `rows` (so the rows' sort orders the people), each
    with their row for every course of `course_ids`; a course with no row for a person is one they
    need not take. Rows for courses outside `course_ids` are left out of the cells."""
    firsts: dict[int, Row] = {}
    by_person: dict[int, dict[int, Row]] = {}
    for row in rows:
        firsts.setdefault(row.user_id, row)
        by_person.setdefault(row.user_id, {})[row.course_id] = row
    return [PersonRow(first, tuple(by_person[user_id].get(course_id) for course_id in course_ids))
            for user_id, first in firsts.items()]
