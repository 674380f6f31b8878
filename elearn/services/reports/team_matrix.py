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
    required: int  # people listed who must take it
    completed: int

    @property
    def rate(self) -> Decimal | None:
        return share(self.completed, self.required)


@dataclass(frozen=True)
class TeamMatrix:
    columns: list[CourseColumn]
    people: list[PersonRow[TeamRow]]  # in the view's sort order; a status filter keeps whole people
    required: int  # person-course pairs of the people listed
    completed: int

    @property
    def rate(self) -> Decimal | None:
        return share(self.completed, self.required)


def team_matrix(view: TeamView) -> TeamMatrix:
    """Columns are the courses required of someone in view, those most people must take first (the
    all-staff courses lead), then in course order. Cells come from every course of the person even
    under a status filter, which only chooses who is listed; the rates count the people listed."""
    counts: dict[int, int] = {}
    due: dict[int, date | None] = {}
    for row in view.in_scope:
        counts[row.course_id] = counts.get(row.course_id, 0) + 1
        due[row.course_id] = row.due_on
    order = sorted((course_id for course_id, _title in view.courses if course_id in counts),
                   key=lambda course_id: -counts[course_id])  # stable: equal counts keep the course order
    people = pivot(view.in_scope, order)
    if view.filters.status is not None:
        people = [person for person in people
                  if any(cell is not None and status_matches(cell, view.filters.status) for cell in person.cells)]
    titles = dict(view.courses)
    columns = []
    for index, course_id in enumerate(order):
        cells = [person.cells[index] for person in people if person.cells[index] is not None]
        columns.append(CourseColumn(course_id, titles[course_id], due[course_id], len(cells),
                                    sum(cell.status is CourseStatus.COMPLETED for cell in cells)))
    return TeamMatrix(columns, people, sum(column.required for column in columns),
                      sum(column.completed for column in columns))
