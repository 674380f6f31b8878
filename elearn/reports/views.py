from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from elearn.clock import today_in_japan
from elearn.dates import file_date, fiscal_year_text
from elearn.domain.fiscal import REIWA_FIRST_YEAR, fiscal_year
from elearn.domain.people import Tier
from elearn.services import certificates, learning, visibility
from elearn.services.directory import staff
from elearn.services.learning import records
from elearn.services.reports import kpi, kpi_export, kpi_pdf, team_export, team_matrix
from elearn.services.reports import team as team_service
from elearn.services.reports.chart import COMPACT
from elearn.services.reports.team import SortKey, StatusFilter, TeamFilters
from elearn.web import content_disposition, enum_arg, permitted, viewer

bp = Blueprint("reports", __name__)

ROWS_PER_PAGE = 100  # people in the matrix, person-course rows in the detailed list
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"  # Werkzeug adds "; charset=utf-8" to text types itself

STATUS_FILTER_LABELS = {
    StatusFilter.OUTSTANDING: _l("Not completed"),
    StatusFilter.OVERDUE: _l("Overdue"),
    StatusFilter.NOT_STARTED: _l("Not started"),
    StatusFilter.IN_PROGRESS: _l("In progress"),
    StatusFilter.COMPLETED: _l("Completed"),
}


def _team_filters() -> TeamFilters:
    current = fiscal_year(today_in_japan())
    year = request.args.get("fiscal_year", current, type=int)
    unit_id = request.args.get("unit", type=int)
    return TeamFilters(
        # Only years with a Reiwa label (an edited link with 2010 or 0 shows this year, not an error)
        fiscal_year=year if REIWA_FIRST_YEAR <= year <= current else current,
        unit_id=unit_id,
        unit_alone=unit_id is not None and request.args.get("alone") == "1",
        grade_id=request.args.get("grade", type=int),
        tier=enum_arg("tier", Tier),
        course_id=request.args.get("course", type=int),
        status=enum_arg("status", StatusFilter),
        q=request.args.get("q", "").strip()[:100],
        sort=enum_arg("sort", SortKey) or SortKey.UNIT,
        descending=request.args.get("dir") == "desc",
    )


def _is_detail() -> bool:
    """The one row per person and course list (view=detail) rather than the default matrix."""
    return request.args.get("view") == "detail"


def filter_args(filters: TeamFilters, detail: bool) -> dict:
    """The filters and the view as query arguments, for links that keep them (sorting, pages, exports)."""
    args = {"fiscal_year": filters.fiscal_year, "unit": filters.unit_id, "alone": 1 if filters.unit_alone else None,
            "grade": filters.grade_id,
            "tier": filters.tier, "course": filters.course_id, "status": filters.status, "q": filters.q,
            "sort": filters.sort if filters.sort is not SortKey.UNIT else None,
            "dir": "desc" if filters.descending else None, "view": "detail" if detail else None}
    return {key: value for key, value in args.items() if value not in (None, "")}


@bp.get("/team/")
@permitted(visibility.may_see_team)
def team():
    filters, detail = _team_filters(), _is_detail()
    view = team_service.team_view(viewer(), filters, today_in_japan())
    matrix = team_matrix.team_matrix(view)
    listed = view.rows if detail else matrix.people
    pages = max(1, -(-len(listed) // ROWS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    current = fiscal_year(view.today)
    return render_template(
        "reports/team.html", view=view, matrix=matrix, detail=detail, args=filter_args(filters, detail),
        rows=listed[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE], pager_state={"page": page, "pages": pages},
        fiscal_years=list(range(current, current - 5, -1)), statuses=STATUS_FILTER_LABELS,
        certificate_years=[] if view.too_many else certificates.team_counts_by_year(
            viewer(), certificates.TeamSelection(unit_id=filters.unit_id, unit_alone=filters.unit_alone)),
        archive_limit=certificates.TEAM_ARCHIVE_LIMIT,
        trainings=team_service.team_trainings(viewer(), view))


@bp.get("/team/completion.<any(csv, xlsx):file_format>")
@permitted(visibility.may_see_team)
def team_export_file(file_format: str):
    view = team_service.team_view(viewer(), _team_filters(), today_in_japan())
    if view.too_many:
        flash(_("%(count)d people are in view: too many for one file. Choose a unit first.", count=view.too_many),
              "error")
        return redirect(url_for("reports.team", **filter_args(view.filters, _is_detail())))
    matrix = None if _is_detail() else team_matrix.team_matrix(view)
    name = _("Team completion_%(fiscal_year)s_%(date)s", fiscal_year=fiscal_year_text(view.filters.fiscal_year),
             date=file_date(view.today))
    if file_format == "csv":
        body, mimetype = team_export.as_csv(view, matrix), CSV_TYPE
    else:
        body, mimetype = team_export.as_xlsx(view, matrix, viewer()), XLSX_TYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(f"{name}.{file_format}"), "Cache-Control": "private, no-store"})


@bp.get("/team/staff/<int:staff_id>")
@permitted(visibility.may_see_team)
def staff_member(staff_id: int):
    member = staff.visible_staff_member(viewer(), staff_id)
    if member is None:
        abort(403)
    return render_template("reports/staff_member.html", member=member, courses=learning.my_courses(member),
                           records=records.of_person(member.id))


# --- the KPI report ---------------------------------------------------------------------------------------------


def _kpi_report(bodies):  # type: ignore[no-untyped-def]
    """The report for the arguments given; a bad date is reported, not guessed."""
    today = today_in_japan()
    as_of, error = today, None
    if request.args.get("as_of"):
        try:
            as_of = date.fromisoformat(request.args["as_of"])
        except ValueError:
            error = _("The date must be written as YYYY-MM-DD, e.g. %(example)s.", example=today.isoformat())
    if as_of > today:
        as_of, error = today, _("Figures cannot be given for a future date; showing today's.")
    try:
        report = kpi.report(bodies, as_of, request.args.get("body") or None)
    except kpi.NotVisible:
        abort(403)
    return report, error


@bp.get("/kpi/")
@permitted(visibility.may_read_kpi)
def kpi_page():
    bodies = visibility.bodies(viewer())
    report, error = _kpi_report(bodies)
    return render_template("reports/kpi.html", report=report, error=error, chart=kpi_export.chart(report),
                           phone_chart=kpi_export.chart(report, COMPACT, "kpi-chart-phone"),
                           today=today_in_japan(), rule_text=kpi_export.rule_text(report),
                           bodies=bodies,
                           args={"as_of": request.args.get("as_of") or None, "body": request.args.get("body") or None})


@bp.get("/kpi/report.<any(csv, xlsx, pdf, json):file_format>")
@permitted(visibility.may_read_kpi)
def kpi_file(file_format: str):
    report, error = _kpi_report(visibility.bodies(viewer()))
    if error:
        abort(400, error)
    name = _("KPI report_%(body)s_%(date)s", body=report.body.name, date=file_date(report.as_of)) + f".{file_format}"
    if file_format == "pdf":
        return _kpi_pdf(report, name)
    if file_format == "csv":
        body, mimetype = kpi_export.as_csv(report), CSV_TYPE
    elif file_format == "xlsx":
        body, mimetype = kpi_export.as_xlsx(report), XLSX_TYPE
    else:
        body, mimetype = kpi_export.as_json(report).encode(), "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"})


def _kpi_pdf(report: kpi.KpiReport, name: str) -> Response:
    """Printed once per report content (seconds), then served from the store; revalidated every time,
    since a new completion changes the figures without changing the address."""
    with force_locale("ja"):  # a document for a committee, in Japanese whatever the UI language
        printout = kpi_pdf.printout(report)
    etag = kpi_pdf.stored_etag(printout.key)
    if etag is not None and etag in request.if_none_match:
        response = Response(status=304)
    else:
        stored = kpi_pdf.pdf_of(printout)
        etag = stored.etag
        response = Response(stored.content, mimetype="application/pdf",
                            headers={"Content-Disposition": content_disposition(name)})
        response.last_modified = stored.rendered_at
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
