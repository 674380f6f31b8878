"""The team as managers read it: one row per person and a column per course someone in view must take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from elearn.domain.completion import CourseStatus
from elearn.domain.kpi import share
from elearn.domain.team_matrix import PersonRow, pivot
from elearn.services.reports.team import TeamRow, TeamView, status_matches


@dataclass(frozen=True)
class CourseColumn:
    course_id: int
    title: str
    due_on: date | None
    required: int  # people in view who must take it
    completed: int

    @property
    def rate(self) -> Decimal | None:
        return share(self.completed, self.required)


@dataclass(frozen=True)
class TeamMatrix:
    columns: list[CourseColumn]
    people: list[PersonRow[TeamRow]]  # in the view's sort order; a status filter keeps whole people
    required: int  # person-course pairs in view, before the status filter (as the summary counts)
    completed: int

    @property
    def rate(self) -> Decimal | None:
        return share(self.completed, self.required)


def team_matrix(view: TeamView) -> TeamMatrix:
    """Columns are the courses required of someone in view, those most people must take first (the
    all-staff courses lead), then in course order. Cells come from every course of the person even
    under a status filter, which only chooses who is listed."""
    required: dict[int, int] = {}
    completed: dict[int, int] = {}
    due: dict[int, date | None] = {}
    for row in view.in_scope:
        required[row.course_id] = required.get(row.course_id, 0) + 1
        completed[row.course_id] = completed.get(row.course_id, 0) + (row.status is CourseStatus.COMPLETED)
        due[row.course_id] = row.due_on
    columns = [CourseColumn(course_id, title, due[course_id], required[course_id], completed[course_id])
               for course_id, title in view.courses if course_id in required]
    columns.sort(key=lambda column: -column.required)  # stable: equal counts keep the course order
    people = pivot(view.in_scope, [column.course_id for column in columns])
    if view.filters.status is not None:
        people = [person for person in people
                  if any(cell is not None and status_matches(cell, view.filters.status) for cell in person.cells)]
    return TeamMatrix(columns, people, sum(required.values()), sum(completed.values()))
