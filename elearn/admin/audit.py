"""The audit log: filter by person, action and date, page through it, export what the filter shows."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask_babel import gettext as _

from elearn.admin import audit_labels
from elearn.admin.blueprint import bp
from elearn.clock import today_in_japan
from elearn.dates import datetime_text, file_date
from elearn.services import visibility
from elearn.services.directory import audit_log
from elearn.services.reports.spreadsheets import csv_bytes
from elearn.web import content_disposition, permitted


def _date_arg(name: str, problems: list[str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(text)
        return None


def _query() -> tuple[audit_log.AuditQuery, list[str]]:
    problems: list[str] = []
    query = audit_log.AuditQuery(person=request.args.get("person", "")[:100], action=request.args.get("action", ""),
                                 since=_date_arg("since", problems), until=_date_arg("until", problems))
    return query, problems


def _filter_args(query: audit_log.AuditQuery) -> dict[str, str]:
    """The filter as query arguments, for the pager and the export link."""
    args = {"person": query.person, "action": query.action, "since": query.since.isoformat() if query.since else "",
            "until": query.until.isoformat() if query.until else ""}
    return {key: value for key, value in args.items() if value}


@bp.get("/audit", endpoint="audit_log")
@permitted(visibility.may_administer)
def audit_log_page():
    query, problems = _query()
    page = audit_log.search(query, request.args.get("page", 1, type=int))
    actions = sorted({*audit_labels.ACTION_LABELS, *audit_log.recorded_actions()}, key=audit_labels.action_label)
    return render_template("admin/audit.html", page=page, query=query, problems=problems, actions=actions,
                           filter_args=_filter_args(query), labels=audit_labels)


@bp.get("/audit.csv")
@permitted(visibility.may_administer)
def audit_export():
    query, _problems = _query()
    entries, people = audit_log.export(query)
    header = [_("When"), _("Who"), _("Action"), _("Action code"), _("Target"), _("Details"), _("Address")]
    rows = [
        [datetime_text(entry.occurred_at), audit_labels.actor_name(entry), audit_labels.action_label(entry.action),
         entry.action, audit_labels.target(entry, people).text,
         "; ".join(f"{name}: {value}" for name, value in audit_labels.details(entry)), entry.address]
        for entry in entries
    ]
    name = _("Audit log_%(date)s", date=file_date(today_in_japan())) + ".csv"
    return Response(csv_bytes(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"})
