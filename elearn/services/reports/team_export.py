"""The team completion view as CSV and XLSX: the rows and columns of the view being looked at (one row
per person and a column per course, or one row per person and course)."""

from __future__ import annotations

from flask_babel import gettext as _

from elearn.dates import date_text
from elearn.domain.completion import CourseStatus
from elearn.labels import COURSE_STATUS_LABELS, MODE_LABELS, TIER_LABELS
from elearn.services.reports.spreadsheets import Cell, Sheet, csv_bytes, xlsx_bytes
from elearn.services.reports.team import TeamRow, TeamView, team_trainings
from elearn.services.reports.team_matrix import TeamMatrix
from elearn.services.visibility import Viewer


def _person_header() -> list[str]:
    return [_("Unit"), _("Staff number"), _("Name"), _("Kana"), _("Grade"), _("Training tiers")]


def _person_cells(row: TeamRow) -> list[Cell]:
    return [row.unit_path, row.staff_number, row.name, row.kana, row.grade,
            "・".join(str(TIER_LABELS[tier]) for tier in row.tiers)]


def _late(text: str, late: bool) -> str:
    return _("%(status)s (after the deadline)", status=text) if late else text


def _header() -> list[str]:
    return [*_person_header(), _("Course"), _("Status"), _("Completed on"), _("Deadline"), _("Overdue"), _("Source")]


def _cells(row: TeamRow) -> list[Cell]:
    return [*_person_cells(row), row.course_title,
            _late(str(COURSE_STATUS_LABELS[row.status]), row.late),
            row.completed_on, row.due_on, _("Overdue") if row.overdue else "",
            _("Imported record") if row.imported else (_("E-learning") if row.completed_on else "")]


def _matrix_header(matrix: TeamMatrix) -> list[str]:
    return [*_person_header(), *(column.title for column in matrix.columns)]


def _matrix_cell(row: TeamRow | None) -> str:
    """One course of one person in words, as the page's cell says it (a spreadsheet has no symbols to explain)."""
    if row is None:
        return _("Not applicable")
    if row.overdue and row.due_on is not None:
        return _("Overdue (deadline %(date)s)", date=date_text(row.due_on))
    if row.status is CourseStatus.COMPLETED and row.completed_on is not None:
        text = _late(_("Completed %(date)s", date=date_text(row.completed_on)), row.late)
        return _("%(status)s (imported record)", status=text) if row.imported else text
    return str(COURSE_STATUS_LABELS[row.status])


def _matrix_rows(matrix: TeamMatrix) -> list[list[Cell]]:
    return [[*_person_cells(person.person), *(_matrix_cell(cell) for cell in person.cells)]
            for person in matrix.people]


def as_csv(view: TeamView, matrix: TeamMatrix | None = None) -> bytes:
    """The matrix when given, else the detailed rows."""
    if matrix is not None:
        return csv_bytes(_matrix_header(matrix), _matrix_rows(matrix))
    return csv_bytes(_header(), (_cells(row) for row in view.rows))


def as_xlsx(view: TeamView, matrix: TeamMatrix | None, viewer: Viewer) -> bytes:
    """The matrix when given, else the detailed rows; then the completion by unit, the people trained by mode,
    and the training events and imported records of the year."""
    summary = Sheet(_("By unit"), [_("Unit"), _("Staff"), _("Required"), _("Completed"), _("Overdue"),
                                   _("Completion rate (%)")],
                    [["　" * unit.depth + unit.name, unit.staff, unit.required, unit.completed, unit.overdue,
                      unit.rate] for unit in view.summary])
    if matrix is not None:
        # Unit, staff number and name stay in sight while scrolling across the courses.
        main = Sheet(_("Completion"), _matrix_header(matrix), _matrix_rows(matrix), freeze="D2")
    else:
        main = Sheet(_("Completion"), _header(), [_cells(row) for row in view.rows])
    trainings, modes = team_trainings(viewer, view)
    by_mode = Sheet(_("Training by mode"), [_("Mode"), _("People trained")],
                    [[str(MODE_LABELS[mode]), count] for mode, count in modes.items()])
    events = Sheet(_("Training events and records"),
                   [_("Unit"), _("Name"), _("Training name"), _("Completed on"), _("Mode"), _("Training tier")],
                   [[row.unit_path, row.name, row.title, row.completed_on, str(MODE_LABELS[row.mode]),
                     str(TIER_LABELS[row.tier]) if row.tier else ""] for row in trainings])
    return xlsx_bytes([main, summary, by_mode, events])
