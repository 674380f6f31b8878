"""The KPI report as tables (CSV sections, XLSX sheets), JSON, the chart and the texts of its PDF
(printed and stored by `kpi_pdf`). The page, the downloads and `elearn report kpi` all go through here,
so they show the same figures."""

from __future__ import annotations

import json
from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup

from elearn.dates import date_text, fiscal_year_text
from elearn.domain.fiscal import fiscal_year_label
from elearn.domain.people import Tier
from elearn.labels import MODE_LABELS, TIER_LABELS
from elearn.services.reports.chart import WIDE, Frame, Point, kpi_chart
from elearn.services.reports.kpi import KpiReport
from elearn.services.reports.spreadsheets import Sheet, csv_bytes, xlsx_bytes


def chart(report: KpiReport, frame: Frame = WIDE, name: str = "kpi-chart") -> Markup:
    points = [Point(fiscal_year_text(row.fiscal_year), row.cumulative, row.target, fiscal_year_label(row.fiscal_year))
              for row in report.years]
    return kpi_chart(points,
                     _("%(body)s: cumulative trainees against the target", body=report.body.name),
                     _("Actual (cumulative)"), _("KPI target"), frame, name)


def rule_text(report: KpiReport) -> str:
    rule = report.rule
    tiers = "・".join(str(TIER_LABELS[tier]) for tier in Tier if tier in rule.tiers)
    unit = _("distinct people") if rule.unit == "people" else _("completions")
    text = _("Counts %(unit)s who completed a course of %(tiers)s from %(year)s; revoked certificates stop "
             "counting from the day of revocation.", unit=unit, tiers=tiers,
             year=fiscal_year_text(rule.since_fiscal_year))
    if report.includes_municipalities:
        text += " " + _("Municipal staff count toward the prefecture's figure.")
    return text


def sheets(report: KpiReport) -> list[Sheet]:
    years = Sheet(_("By fiscal year"),
                  [_("Fiscal year"), _("Target (cumulative)"), _("Actual (cumulative)"), _("Rate (%)"),
                   _("Actual in the year")],
                  [[fiscal_year_text(row.fiscal_year), row.target, row.cumulative, row.rate, row.in_year]
                   for row in report.years])
    result = [years]
    counted_years = [row.fiscal_year for row in report.years if row.cumulative is not None]
    if report.by_body:
        header = [_("Body")]
        columns = (_("KPI target"), _("Actual (cumulative)"), _("Rate (%)"))
        for row in report.by_body[0].years:
            header += [f"{fiscal_year_text(row.fiscal_year)} {column}" for column in columns]
        result.append(Sheet(_("By body"), header, [
            [body_row.body.name, *[value for row in body_row.years for value in (row.target, row.cumulative, row.rate)]]
            for body_row in report.by_body]))
    result += [
        Sheet(_("By tier"), [_("Training tier"), _("Actual (cumulative)")],
              [[str(TIER_LABELS[Tier(row.label)]), row.count] for row in report.by_tier]),
        Sheet(_("By mode of training"),
              [_("Mode"), *[fiscal_year_text(year) for year in counted_years], _("Actual (cumulative)")],
              [[str(MODE_LABELS[row.mode]), *[row.in_year.get(year, 0) for year in counted_years], row.cumulative]
               for row in report.by_mode]),
        Sheet(_("By department"), [_("Body"), _("Department"), _("Actual (cumulative)")],
              [[row.detail, row.label, row.count] for row in report.by_department]),
        Sheet(_("By grade"), [_("Grade"), _("Actual (cumulative)")],
              [[row.label, row.count] for row in report.by_grade]),
        Sheet(_("Divisions without a leader"), [_("Body"), _("Department"), _("Division"), _("Designated")],
              [[gap.body, gap.department, gap.division, gap.designated] for gap in report.coverage.without_leader]),
        Sheet(_("DX managers not trained"), [_("Body"), _("Unit"), _("Staff number"), _("Name"), _("Grade")],
              [[m.body, m.unit, m.staff_number, m.name, m.grade] for m in report.coverage.untrained_managers]),
    ]
    return result


def title(report: KpiReport) -> str:
    return _("KPI report of %(body)s as of %(date)s", body=report.body.name, date=date_text(report.as_of))


def as_csv(report: KpiReport) -> bytes:
    """The sheets one after another, each under its title and separated by a blank line."""
    parts = []
    for sheet in sheets(report):
        parts.append(csv_bytes([f"■ {sheet.title}"], []).removeprefix(b"\xef\xbb\xbf"))
        parts.append(csv_bytes(sheet.header, sheet.rows).removeprefix(b"\xef\xbb\xbf") + b"\r\n")
    return b"\xef\xbb\xbf" + csv_bytes([title(report)], [[rule_text(report)]]).removeprefix(b"\xef\xbb\xbf") \
        + b"\r\n" + b"".join(parts)


def about_sheet(report: KpiReport) -> Sheet:
    """What the workbook measures, as the CSV's first lines and the PDF's header say it."""
    return Sheet(_("About this report"), [_("Item"), _("Value")], [
        [_("Report"), title(report)],
        [_("Body"), report.body.name],
        [_("Figures as of"), report.as_of],
        [_("Counting rule"), rule_text(report)],
    ])


def as_xlsx(report: KpiReport) -> bytes:
    """The about sheet first, so the workbook opens on what it measures, then the tables."""
    return xlsx_bytes([about_sheet(report), *sheets(report)])


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def as_json(report: KpiReport) -> str:
    """For programs, not people: ISO dates, fiscal years as numbers with the short R7 label, in every language."""
    coverage = report.coverage
    data = {
        "as_of": report.as_of.isoformat(),
        "body": {"code": report.body.code, "name": report.body.name},
        "rule": {"tiers": [tier.value for tier in Tier if tier in report.rule.tiers],
                 "since_fiscal_year": report.rule.since_fiscal_year, "unit": report.rule.unit.value,
                 "municipal_staff_count_for_prefecture": report.rule.municipal_staff_count_for_prefecture},
        "years": [{"fiscal_year": row.fiscal_year, "label": fiscal_year_label(row.fiscal_year), "target": row.target,
                   "cumulative": row.cumulative, "in_year": row.in_year, "rate": _number(row.rate)}
                  for row in report.years],
        "by_body": [{"code": body_row.body.code, "name": body_row.body.name,
                     "years": [{"fiscal_year": row.fiscal_year, "target": row.target, "cumulative": row.cumulative,
                                "rate": _number(row.rate)} for row in body_row.years]}
                    for body_row in report.by_body],
        "by_tier": {row.label: row.count for row in report.by_tier},
        "by_mode": {row.mode.value: {"in_year": {str(year): count for year, count in sorted(row.in_year.items())},
                                     "cumulative": row.cumulative} for row in report.by_mode},
        "by_department": [{"body": row.detail, "department": row.label, "count": row.count}
                          for row in report.by_department],
        "by_grade": [{"grade": row.label, "count": row.count} for row in report.by_grade],
        "coverage": {
            "divisions": coverage.divisions, "divisions_with_leader": coverage.divisions_with_leader,
            "share": _number(coverage.share),
            "divisions_without_leader": [gap.__dict__ for gap in coverage.without_leader],
            "dx_managers": coverage.dx_managers,
            "dx_managers_not_trained": [manager.__dict__ for manager in coverage.untrained_managers],
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
