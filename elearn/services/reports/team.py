"""A manager's team against the courses each person must take: one row per person and course
(team_matrix.py turns them into one row per person).

Built from a fixed number of queries whatever the team's size; filtering, sorting and the per-unit summary
are done on the loaded rows, which are small (a few columns per person and course). Staff are counted per
unit first: a team past TEAM_PAGE_LIMIT people is not read, and the page asks for a unit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Select, func, select, union

from elearn import db
from elearn.clock import TOKYO
from elearn.content.model import Course as CourseSource
from elearn.domain import completion
from elearn.domain.completion import CourseStatus
from elearn.domain.events import training_mode
from elearn.domain.fiscal import fiscal_year_bounds
from elearn.domain.kpi import TrainingMode, share
from elearn.domain.people import Tier, training_tiers
from elearn.domain.search import has_every_word, search_words
from elearn.domain.unit_picker import OrgNode, PickerUnit, picker_units
from elearn.models import (
    Completion,
    Course,
    Grade,
    LessonProgress,
    OrgUnit,
    QuizAttempt,
    StaffTier,
    TrainingEvent,
    User,
)
from elearn.services import visibility
from elearn.services.learning import content
from elearn.services.learning import deadlines as course_deadlines
from elearn.services.visibility import Viewer


class StatusFilter(StrEnum):
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OUTSTANDING = "outstanding"  # not completed, in progress or not started
    OVERDUE = "overdue"


class SortKey(StrEnum):
    UNIT = "unit"
    NAME = "name"
    STAFF_NUMBER = "staff_number"
    COURSE = "course"
    STATUS = "status"
    COMPLETED_ON = "completed_on"
    DUE_ON = "due_on"


@dataclass(frozen=True)
class TeamFilters:
    fiscal_year: int
    unit_id: int | None = None  # the unit and everything below it
    unit_alone: bool = False  # the unit's own staff only, not the units below it (with unit_id)
    grade_id: int | None = None
    tier: Tier | None = None
    course_id: int | None = None
    status: StatusFilter | None = None
    q: str = ""
    sort: SortKey = SortKey.UNIT
    descending: bool = False


class TeamRow(NamedTuple):
    """One person and one course. A named tuple: a 5,000-person department makes some 20,000 of them per page,
    and a frozen dataclass took four times as long to build."""

    user_id: int
    staff_number: str
    name: str
    kana: str
    unit_path: str  # below the top of the viewer's scope: 総務部 / 人事課
    grade: str
    tiers: tuple[Tier, ...]  # most senior first; all staff (everyone) last
    course_id: int
    course_title: str
    status: CourseStatus
    completed_on: date | None
    due_on: date | None
    overdue: bool
    late: bool
    imported: bool = False  # the completion is a past record read from a file
    division_id: int = 0
    grade_id: int | None = None
    unit_order: int = 0
    course_order: int = 0


@dataclass(frozen=True)
class UnitSummary:
    unit_id: int
    name: str
    depth: int
    staff: int
    required: int
    completed: int
    overdue: int

    @property
    def rate(self) -> Decimal | None:
        return share(self.completed, self.required)


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    parent_id: int | None
    depth: int


# With more people in view than this, the page lists nobody and asks for a unit first: an administrator's team is
# every member of staff, and 300,000 people make over a million rows (half a minute, a page of many megabytes).
TEAM_PAGE_LIMIT = 30_000


# Past this many units the filter lists only those on the way to the chosen one (see TeamView.unit_options).
UNIT_OPTIONS_LIMIT = 300


@dataclass(frozen=True)
class UnitChoice:
    unit: Unit
    staff: int  # active staff in the unit and below it, or in the unit itself when alone
    alone: bool = False  # the unit's own staff, offered beside the units below it


@dataclass(frozen=True)
class TeamView:
    filters: TeamFilters
    rows: list[TeamRow]  # filtered and sorted
    in_scope: list[TeamRow]  # the same before the status filter, which picks people in the matrix, not cells
    summary: list[UnitSummary]  # every unit with staff, in tree order; ignores the status filter
    units: list[Unit]
    grades: list[tuple[int, str]]
    courses: list[tuple[int, str]]
    today: date
    # The viewer's whole team as read for the rows (id, staff number, name, kana, division, grade) and each
    # person's tiers: the year's other training (team_trainings) is listed for the same people.
    staff: list = field(default_factory=list, repr=False)
    tiers: dict[int, set[Tier]] = field(default_factory=dict, repr=False)
    # Set when more than TEAM_PAGE_LIMIT people are in view: how many, and the units to narrow down to.
    too_many: int = 0
    choices: list[UnitChoice] = field(default_factory=list)

    @property
    def unit_options(self) -> list[PickerUnit]:
        """The units of the filter's list: all of them for a department, but for an administrator, who sees
        thousands, the top units, the way down to the chosen one and the units just below it."""
        chosen = self.filters.unit_id
        nodes = [OrgNode(unit.id, unit.name, _ABOVE_TOPS if unit.parent_id is None else unit.parent_id)
                 for unit in self.units]
        return picker_units(nodes, _ABOVE_TOPS, UNIT_OPTIONS_LIMIT, opened=chosen,
                            chosen=() if chosen is None else (chosen,))


# The parent picker_units sees above the viewer's top units (the bodies, for an administrator): no unit has id 0.
_ABOVE_TOPS = 0


def team_view(viewer: Viewer, filters: TeamFilters, today: date, whole: bool = False) -> TeamView:
    """The team as a page shows it: past TEAM_PAGE_LIMIT people nobody is listed. `whole` reads a team of any
    size, for the worker's digest, which nobody waits for."""
    session = db.session()
    units = _units(viewer)
    unit_ids = {unit.id for unit in units}
    grades = session.execute(select(Grade.id, Grade.name).order_by(Grade.sort_order, Grade.id)).all()
    course_ids = dict(session.execute(select(Course.slug, Course.id).where(Course.is_active.is_(True))).all())
    sources = [source for source in content.tree().courses if source.slug in course_ids]
    course_choices = [(course_ids[source.slug], source.title) for source in sources]
    in_view = _staff_by_unit(visibility.staff_ids(viewer))
    wanted = _wanted_units(units, filters) if filters.unit_id else unit_ids
    size = sum(count for unit_id, count in in_view.items() if unit_id in wanted)
    # A unit's own staff are listed however many: nothing smaller is left to choose.
    if not whole and size > TEAM_PAGE_LIMIT and not filters.unit_alone:
        choices = _choices(units, in_view, filters.unit_id)
        if choices:  # a unit with nothing smaller below it is listed however large: no dead end
            return TeamView(filters, [], [], [], units, list(grades), course_choices, today, too_many=size,
                            choices=choices)
    staff_ids = _team_ids(viewer, filters, units)
    staff = session.execute(
        select(User.id, User.staff_number, User.name, User.kana, User.division_id, User.grade_id)
        .where(User.id.in_(staff_ids))).all()
    tiers: dict[int, set[Tier]] = defaultdict(set)
    for user_id, tier in session.execute(select(StaffTier.user_id, StaffTier.tier)
                                         .where(StaffTier.user_id.in_(staff_ids))):
        tiers[user_id].add(tier)
    year_end = fiscal_year_bounds(filters.fiscal_year)[1]
    completions: dict[tuple[int, int], list[tuple[int, date]]] = defaultdict(list)
    imported: set[tuple[int, int, date]] = set()
    for user_id, course_id, year, completed_at, batch_id in session.execute(
            select(Completion.user_id, Completion.course_id, Completion.fiscal_year, Completion.completed_at,
                   Completion.history_import_id)
            .where(Completion.user_id.in_(staff_ids), Completion.fiscal_year <= filters.fiscal_year)):
        day = completed_at.astimezone(TOKYO).date()
        completions[(user_id, course_id)].append((year, day))
        if batch_id is not None:
            imported.add((user_id, course_id, day))
    started = {(user_id, course_id) for user_id, course_id in
               session.execute(_activity_before(staff_ids, _start_of_day_after(year_end)))}
    deadlines = course_deadlines.for_year(filters.fiscal_year)  # the learner's home reads the same

    paths = _paths(units)
    order = {unit.id: index for index, unit in enumerate(units)}
    grade_names = dict(grades)
    # People with the same tiers and grade must take the same courses: worked out once per such profile, not
    # once per person and course (a 5,000-person department has a handful of profiles).
    required: dict[tuple[frozenset[Tier], int | None], list[tuple[int, CourseSource]]] = {}
    rows = []
    for person in staff:
        if person.division_id not in unit_ids:
            continue
        person_tiers = training_tiers(tiers[person.id])
        profile = (person_tiers, person.grade_id)
        courses = required.get(profile)
        if courses is None:
            courses = required[profile] = [
                (course_order, source) for course_order, source in enumerate(sources)
                if completion.is_required(source.tiers, source.required_for_grades, person_tiers,
                                          grade_names.get(person.grade_id))]
        shown_tiers = tuple(tier for tier in Tier if tier in person_tiers)
        rows.extend(_person_rows(person, shown_tiers, paths.get(person.division_id, ""),
                                 grade_names.get(person.grade_id, ""), order.get(person.division_id, 0), courses,
                                 course_ids, filters.fiscal_year, completions, imported, started, deadlines, today))
    in_scope = sorted(_without_status_filter(rows, filters, units), key=_sort_key(filters.sort),
                      reverse=filters.descending)
    shown = [row for row in in_scope if status_matches(row, filters.status)]
    return TeamView(filters, shown, in_scope, _summary(in_scope, units), units, list(grades), course_choices, today,
                    staff, tiers)


def _team_ids(viewer: Viewer, filters: TeamFilters, units: list[Unit]) -> Select:
    """The people the policy lets the viewer see, narrowed to the chosen unit: an administrator who picks a
    department reads its people's records, not the whole prefecture's."""
    if filters.unit_id is None:
        return visibility.staff_ids(viewer)
    return visibility.staff_ids(viewer).where(User.division_id.in_(sorted(_wanted_units(units, filters))))


def _wanted_units(units: list[Unit], filters: TeamFilters) -> set[int]:
    """The chosen unit with the units below it, or, for its own staff alone, the unit itself (if in view)."""
    if filters.unit_alone:
        return {unit.id for unit in units if unit.id == filters.unit_id}
    return _below(units, filters.unit_id)


def _staff_by_unit(staff_ids: Select) -> dict[int, int]:
    """Active staff in view per division: one GROUP BY, so a team too large to list is found before it is read."""
    return dict(db.session().execute(select(User.division_id, func.count()).where(User.id.in_(staff_ids))
                                     .group_by(User.division_id)).all())


def _choices(units: list[Unit], in_view: dict[int, int], chosen: int | None) -> list[UnitChoice]:
    """The units one level below the chosen one (or the top of the viewer's scope, or below a single top), each
    with the staff in it and below it, largest first; then the parent's own staff, when it has any (people
    attached to a department itself, not to a division of it, are listed nowhere else)."""
    totals: dict[int, int] = defaultdict(int)
    parents = {unit.id: unit.parent_id for unit in units}
    for unit_id, count in in_view.items():
        current: int | None = unit_id
        while current is not None and current in parents:
            totals[current] += count
            current = parents[current]
    tops = [unit for unit in units if unit.parent_id is None]
    parent = chosen if chosen is not None else (tops[0].id if len(tops) == 1 else None)
    level = [unit for unit in units if unit.parent_id == parent] if parent is not None else tops
    below = sorted((UnitChoice(unit, totals[unit.id]) for unit in level if totals[unit.id]),
                   key=lambda choice: -choice.staff)
    own = next((unit for unit in units if unit.id == parent), None) if in_view.get(parent) else None
    return [*below, UnitChoice(own, in_view[own.id], alone=True)] if own is not None and below else below


def _units(viewer: Viewer) -> list[Unit]:
    """Units the viewer sees, in tree order (each parent before its children, siblings by code)."""
    rows = db.session().execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id, OrgUnit.code)
        .where(OrgUnit.is_active.is_(True), visibility.unit_condition(viewer)).order_by(OrgUnit.code)).all()
    ids = {row.id for row in rows}
    children: dict[int | None, list] = defaultdict(list)
    for row in rows:
        children[row.parent_id if row.parent_id in ids else None].append(row)
    ordered: list[Unit] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children[parent]:
            ordered.append(Unit(row.id, row.name, row.parent_id if row.parent_id in ids else None, depth))
            walk(row.id, depth + 1)

    walk(None, 0)
    return ordered


def _start_of_day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=TOKYO)


def _activity_before(staff_ids: Select, before: datetime) -> Select:
    """(person, course) pairs with a lesson read or a quiz started before `before`."""
    return union(
        select(LessonProgress.user_id, LessonProgress.course_id)
        .where(LessonProgress.user_id.in_(staff_ids), LessonProgress.read_at < before),
        select(QuizAttempt.user_id, QuizAttempt.course_id)
        .where(QuizAttempt.user_id.in_(staff_ids), QuizAttempt.started_at < before),
    )


def _paths(units: list[Unit]) -> dict[int, str]:
    """総務部 / 人事課: the chain of names below a single top unit (the same for everyone, so left
    out); with several tops (an admin sees every body) the top is kept."""
    single_top = sum(unit.parent_id is None for unit in units) == 1
    chains: dict[int, list[str]] = {}
    for unit in units:  # tree order: parents come first
        if unit.parent_id is None:
            chains[unit.id] = [] if single_top else [unit.name]
        else:
            chains[unit.id] = [*chains[unit.parent_id], unit.name]
    return {unit.id: " / ".join(chains[unit.id]) or unit.name for unit in units}


def _person_rows(person, shown_tiers: tuple[Tier, ...], unit_path: str, grade: str, unit_order: int,
                 courses: list[tuple[int, CourseSource]], course_ids: dict[str, int], fiscal_year: int, completions,
                 imported, started, deadlines, today: date) -> list[TeamRow]:  # type: ignore[no-untyped-def]
    """One row per course the person must take; what is the person's alone is worked out by the caller, once."""
    rows = []
    for course_order, source in courses:
        course_id = course_ids[source.slug]
        completed_on = completion.completion_for_year(completions.get((person.id, course_id), ()),
                                                      source.recurrence_years, fiscal_year)
        if completed_on is not None:
            state = CourseStatus.COMPLETED
        elif (person.id, course_id) in started:
            state = CourseStatus.IN_PROGRESS
        else:
            state = CourseStatus.NOT_STARTED
        due_on = deadlines.get(course_id)
        rows.append(TeamRow(
            person.id, person.staff_number, person.name, person.kana, unit_path, grade, shown_tiers, course_id,
            source.title, state, completed_on, due_on, completion.is_overdue(completed_on, due_on, today),
            completion.is_late(completed_on, due_on),
            completed_on is not None and (person.id, course_id, completed_on) in imported,
            person.division_id, person.grade_id, unit_order, course_order))
    return rows


def _below(units: list[Unit], unit_id: int) -> set[int]:
    found = {unit_id}
    for unit in units:  # tree order: parents come first
        if unit.parent_id in found:
            found.add(unit.id)
    return found


def _without_status_filter(rows: list[TeamRow], filters: TeamFilters, units: list[Unit]) -> list[TeamRow]:
    wanted_units = _wanted_units(units, filters) if filters.unit_id else None
    words = search_words(filters.q)
    return [
        row for row in rows
        if (wanted_units is None or row.division_id in wanted_units)
        and (filters.grade_id is None or row.grade_id == filters.grade_id)
        and (filters.tier is None or filters.tier in row.tiers)
        and (filters.course_id is None or row.course_id == filters.course_id)
        and has_every_word(words, row.name, row.kana, row.staff_number)
    ]


def status_matches(row: TeamRow, wanted: StatusFilter | None) -> bool:
    if wanted is None:
        return True
    if wanted is StatusFilter.OVERDUE:
        return row.overdue
    if wanted is StatusFilter.OUTSTANDING:
        return row.status is not CourseStatus.COMPLETED
    return row.status.value == wanted.value


_STATUS_ORDER = {CourseStatus.NOT_STARTED: 1, CourseStatus.IN_PROGRESS: 2, CourseStatus.COMPLETED: 3}


def _sort_key(key: SortKey):  # type: ignore[no-untyped-def]
    """Every key ends with unit, kana and course so equal rows keep a stable, readable order."""
    def tail(row: TeamRow) -> tuple:
        return (row.unit_order, row.kana, row.staff_number, row.course_order)

    primary = {
        SortKey.UNIT: lambda row: (),
        SortKey.NAME: lambda row: (row.kana, row.name),
        SortKey.STAFF_NUMBER: lambda row: (row.staff_number,),
        SortKey.COURSE: lambda row: (row.course_order,),
        SortKey.STATUS: lambda row: (0 if row.overdue else _STATUS_ORDER[row.status],),
        # Rows without a date go last.
        SortKey.COMPLETED_ON: lambda row: (row.completed_on is None, row.completed_on or date.min),
        SortKey.DUE_ON: lambda row: (row.due_on is None, row.due_on or date.min),
    }[key]
    return lambda row: (*primary(row), *tail(row))


def _summary(rows: list[TeamRow], units: list[Unit]) -> list[UnitSummary]:
    """Per unit, over its whole subtree; units nobody in the rows belongs to are left out."""
    parents = {unit.id: unit.parent_id for unit in units}
    people: dict[int, set[int]] = defaultdict(set)
    required: dict[int, int] = defaultdict(int)
    completed: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for row in rows:
        unit_id: int | None = row.division_id
        while unit_id is not None:
            people[unit_id].add(row.user_id)
            required[unit_id] += 1
            completed[unit_id] += row.status is CourseStatus.COMPLETED
            overdue[unit_id] += row.overdue
            unit_id = parents.get(unit_id)
    return [UnitSummary(unit.id, unit.name, unit.depth, len(people[unit.id]), required[unit.id],
                        completed[unit.id], overdue[unit.id])
            for unit in units if required[unit.id]]


@dataclass(frozen=True)
class TeamTraining:
    """Training the team completed in the year outside the courses above: events attended and imported
    records (an imported course completion shows in the matrix too, marked)."""

    user_id: int
    name: str
    kana: str
    unit_path: str
    title: str
    completed_on: date
    mode: TrainingMode
    tier: Tier | None


def team_trainings(viewer: Viewer, view: TeamView) -> tuple[list[TeamTraining], dict[TrainingMode, int]]:
    """Rows for the team the page shows (its unit, grade, tier and name filters), and how many people trained
    in each mode that year, e-learning included. One query: the people are the view's."""
    people = _filtered_people(view)
    if not people:
        return [], {}
    session = db.session()
    year = view.filters.fiscal_year
    rows: list[TeamTraining] = []
    modes: dict[TrainingMode, set[int]] = defaultdict(set)
    titles = {source.slug: source.title for source in content.tree().courses}
    # The team by the access policy's subquery, not thousands of ids as parameters; the page's filters are
    # applied to the rows that come back.
    for user_id, event_id, batch_id, completed_on, completed_at, tier, title, course_slug, event_format, delivery in \
            session.execute(
                select(Completion.user_id, Completion.event_id, Completion.history_import_id, Completion.completed_on,
                       Completion.completed_at, Completion.tier, TrainingEvent.title, Course.slug,
                       TrainingEvent.format, TrainingEvent.delivery)
                .outerjoin(TrainingEvent, TrainingEvent.id == Completion.event_id)
                .outerjoin(Course, Course.id == Completion.course_id)
                .where(Completion.user_id.in_(_team_ids(viewer, view.filters, view.units)),
                       Completion.fiscal_year == year)):
        if user_id not in people:
            continue
        mode = (TrainingMode.IMPORTED if batch_id is not None else training_mode(event_format, delivery)
                if event_id is not None else TrainingMode.ELEARNING)
        modes[mode].add(user_id)
        if mode is TrainingMode.ELEARNING:
            continue
        name, kana, unit_path = people[user_id]
        day = completed_on or completed_at.astimezone(TOKYO).date()
        rows.append(TeamTraining(user_id, name, kana, unit_path, title or titles.get(course_slug, course_slug or ""),
                                 day, mode, tier))
    rows.sort(key=lambda row: (row.completed_on, row.kana, row.title))
    return rows, {mode: len(modes[mode]) for mode in TrainingMode if modes.get(mode)}


def _filtered_people(view: TeamView) -> dict[int, tuple[str, str, str]]:
    """The view's team under the page's filters: id -> (name, kana, unit path)."""
    filters = view.filters
    wanted_units = _wanted_units(view.units, filters) if filters.unit_id else {unit.id for unit in view.units}
    paths = _paths(view.units)
    words = search_words(filters.q)
    return {
        person.id: (person.name, person.kana, paths.get(person.division_id, ""))
        for person in view.staff
        if person.division_id in wanted_units
        and (filters.grade_id is None or person.grade_id == filters.grade_id)
        and (filters.tier in (None, Tier.ALL_STAFF) or filters.tier in view.tiers.get(person.id, ()))
        and has_every_word(words, person.name, person.kana, person.staff_number)
    }
