"""The team completion view as CSV and XLSX: the same rows and columns as the page."""

from __future__ import annotations

from flask_babel import gettext as _

from elearn.labels import COURSE_STATUS_LABELS, TIER_LABELS
from elearn.services.reports.spreadsheets import Cell, Sheet, csv_bytes, xlsx_bytes
from elearn.services.reports.team import TeamRow, TeamView


def _header() -> list[str]:
    return [_("Unit"), _("Staff number"), _("Name"), _("Kana"), _("Grade"), _("Training tiers"), _("Course"),
            _("Status"), _("Completed on"), _("Deadline"), _("Overdue")]


def _cells(row: TeamRow) -> list[Cell]:
    return [row.unit_path, row.staff_number, row.name, row.kana, row.grade,
            "・".join(str(TIER_LABELS[tier]) for tier in row.tiers), row.course_title,
            str(COURSE_STATUS_LABELS[row.status]) + (f"（{_('late')}）" if row.late else ""),
            row.completed_on, row.due_on, _("Overdue") if row.overdue else ""]


def as_csv(view: TeamView) -> bytes:
    return csv_bytes(_header(), (_cells(row) for row in view.rows))


def as_xlsx(view: TeamView) -> bytes:
    summary = Sheet(_("By unit"), [_("Unit"), _("Staff"), _("Required"), _("Completed"), _("Overdue"),
                                   _("Completion rate (%)")],
                    [["　" * unit.depth + unit.name, unit.staff, unit.required, unit.completed, unit.overdue,
                      unit.rate] for unit in view.summary])
    return xlsx_bytes([Sheet(_("Completion"), _header(), [_cells(row) for row in view.rows]), summary])
