"""Worked-out KPI reports shared by every server, under the key of the data generations they were computed from.

A process that finds no report of its own looks here before counting: a report one server (or the worker's
`kpi_warm` task) worked out is read by the others, so a change costs one count, not one per process. The key
holds the counters, so a stored report is never read after a change it depends on.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from elearn import db
from elearn.clock import utcnow
from elearn.domain.kpi import CountingRule, TrainingMode
from elearn.models import KpiReportCache, OrgUnit
from elearn.services.reports.kpi import (
    BodyRow,
    Coverage,
    DivisionGap,
    GroupRow,
    KpiReport,
    ModeRow,
    UntrainedManager,
    YearRow,
)

KEPT_FOR = timedelta(days=2)  # keys move with every change: older rows are never read again


def digest(key: tuple) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()


def load(key: str, rule: CountingRule, body: OrgUnit, shown_bodies: list[OrgUnit]) -> KpiReport | None:
    data = db.session().scalar(select(KpiReportCache.content).where(KpiReportCache.key == key))
    return None if data is None else _report(data, rule, body, shown_bodies)


def save(key: str, report: KpiReport) -> None:
    """Store it (a second server storing the same key at once does nothing) and drop reports nobody will read."""
    with db.write_session() as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(KpiReportCache).values(key=key, content=_data(report), computed_at=utcnow())
                        .on_conflict_do_nothing(index_elements=["key"]))
        session.execute(delete(KpiReportCache).where(KpiReportCache.computed_at < utcnow() - KEPT_FOR))


def _data(report: KpiReport) -> dict:
    coverage = report.coverage
    return {
        "as_of": report.as_of.isoformat(),
        "includes_municipalities": report.includes_municipalities,
        "years": [_year(row) for row in report.years],
        "by_tier": [[row.label, row.detail, row.count] for row in report.by_tier],
        "by_mode": [[row.mode.value, [[year, count] for year, count in row.in_year.items()], row.cumulative]
                    for row in report.by_mode],
        "by_body": [[row.body.id, [_year(year) for year in row.years]] for row in report.by_body],
        "by_department": [[row.label, row.detail, row.count] for row in report.by_department],
        "by_grade": [[row.label, row.detail, row.count] for row in report.by_grade],
        "coverage": {
            "divisions": coverage.divisions, "divisions_with_leader": coverage.divisions_with_leader,
            "without_leader": [[gap.body, gap.department, gap.division, gap.designated]
                               for gap in coverage.without_leader],
            "dx_managers": coverage.dx_managers,
            "untrained_managers": [[person.name, person.staff_number, person.body, person.unit, person.grade]
                                   for person in coverage.untrained_managers],
        },
    }


def _year(row: YearRow) -> list:
    return [row.fiscal_year, row.target, row.cumulative, row.in_year]


def _report(data: dict, rule: CountingRule, body: OrgUnit, shown_bodies: list[OrgUnit]) -> KpiReport:
    bodies = {b.id: b for b in shown_bodies} | {body.id: body}
    coverage = data["coverage"]
    return KpiReport(
        as_of=date.fromisoformat(data["as_of"]), rule=rule, body=body,
        includes_municipalities=data["includes_municipalities"],
        years=[YearRow(*row) for row in data["years"]],
        by_tier=[GroupRow(*row) for row in data["by_tier"]],
        by_mode=[ModeRow(TrainingMode(mode), {year: count for year, count in in_year}, cumulative)
                 for mode, in_year, cumulative in data["by_mode"]],
        by_body=[BodyRow(bodies[body_id], [YearRow(*year) for year in years]) for body_id, years in data["by_body"]],
        by_department=[GroupRow(*row) for row in data["by_department"]],
        by_grade=[GroupRow(*row) for row in data["by_grade"]],
        coverage=Coverage(coverage["divisions"], coverage["divisions_with_leader"],
                          [DivisionGap(*gap) for gap in coverage["without_leader"]], coverage["dx_managers"],
                          [UntrainedManager(*person) for person in coverage["untrained_managers"]]),
    )
