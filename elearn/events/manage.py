"""The organisers' pages (研修担当): their events, sessions, rosters at the venue, the QR code to check in,
nominations, the institute's attendance sheet, materials, and each event's report and survey results."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from elearn.auth.forms import EmptyForm
from elearn.clock import TOKYO, now, today_in_japan
from elearn.dates import date_text, file_date
from elearn.domain.documents import DocumentRefused
from elearn.domain.events import CHECKIN_CODE_LIFETIME, Attendance, Delivery, EventFormat, checkin_code
from elearn.domain.people import Tier
from elearn.events.forms import AttendanceFileForm, EventForm, MaterialForm, NominateForm, SessionForm
from elearn.events.views import bp, nominate_listed
from elearn.labels import ATTENDANCE_LABELS, REGISTRATION_STATUS_LABELS
from elearn.services import events, visibility
from elearn.services.events import attendance, materials, registration, reports, surveys
from elearn.services.files import uploads
from elearn.services.people.import_samples import registered_grades
from elearn.services.reports.spreadsheets import Sheet, csv_bytes, xlsx_bytes
from elearn.web import content_disposition, permitted, viewer

EVENT_REFUSALS = {
    "duplicate_code": _l("Another event already uses this code."),
    "no_sessions": _l("Add at least one session before publishing."),
    "ends_before_start": _l("The end must come after the start."),
    "capacity": _l("There must be at least one place."),
    "closes_before_opens": _l("Registration must close after it opens."),
    "capacity_below_registered": _l("More people already hold a place than that: cancel places first."),
    "not_organiser": _l("You do not run training for that body."),
}
DOCUMENT_REFUSALS = {
    "size": _l("The file is too large (at most 20 MB)."),
    "type": _l("Choose a PDF, PPTX, DOCX or XLSX file."),
    "macros": _l("Files with macros are not accepted."),
    "damaged": _l("The file could not be read as what its name says."),
}


def _run_or_404(event_id: int):  # type: ignore[no-untyped-def]
    event = events.get(event_id)
    if event is None or not visibility.may_run_event(viewer(), event):
        abort(404)
    return event


def _session_run_or_404(session_id: int):  # type: ignore[no-untyped-def]
    target = events.get_session(session_id) or abort(404)
    return target, _run_or_404(target.event_id)


def _owner_choices() -> list[tuple[int, str]]:
    current = viewer()
    return [(body_id, name) for body_id, name in events.body_choices()
            if visibility.may_run_events_of(current, body_id)]


def _event_form(**kwargs) -> EventForm:  # type: ignore[no-untyped-def]
    return EventForm(events.body_choices(), _owner_choices(), registered_grades(), **kwargs)


def _draft(form: EventForm) -> events.EventDraft:
    return events.EventDraft(
        code=form.code.data, title=form.title.data, description=form.description.data or "",
        format=EventFormat(form.format.data), delivery=Delivery(form.delivery.data),
        target_tiers=[Tier(value) for value in form.target_tiers.data or []],
        target_grades=list(form.target_grades.data or []), hours=form.hours.data,
        kpi_tier=Tier(form.kpi_tier.data) if form.kpi_tier.data else None,
        survey_required=bool(form.survey_required.data), survey_questions=form.questions(),
        invited_body_ids=list(form.invited_bodies.data or []))


@bp.get("/manage/")
@permitted(visibility.may_organise)
def manage():
    moment = now()
    organised = events.organised(viewer(), moment)
    return render_template("events/manage.html", organised=organised,
                           counts=events.places([item.id for event in organised for item in event.sessions]),
                           now=moment)


@bp.route("/manage/new", methods=["GET", "POST"])
@permitted(visibility.may_organise)
def new_event():
    form = _event_form()
    if form.validate_on_submit():
        try:
            event = events.create(current_user, viewer(), form.owner_body.data, _draft(form))
        except events.EventRefused as refused:
            form.code.errors.append(str(EVENT_REFUSALS.get(str(refused), refused)))
        else:
            flash(_("Event saved. Add its sessions, then publish it."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/manage/<int:event_id>/edit", methods=["GET", "POST"])
@permitted(visibility.may_organise)
def edit_event(event_id: int):
    event = _run_or_404(event_id)
    form = _event_form(obj=None) if request.method == "POST" else _event_form(data=_form_data(event))
    del form.owner_body  # an event stays with the body that runs it
    if form.validate_on_submit():
        try:
            events.update(current_user, event.id, _draft(form))
        except events.EventRefused as refused:
            form.code.errors.append(str(EVENT_REFUSALS.get(str(refused), refused)))
        else:
            flash(_("Event saved."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event)


def _form_data(event) -> dict:  # type: ignore[no-untyped-def]
    return {
        "owner_body": event.owner_body_id, "code": event.code, "title": event.title,
        "description": event.description, "format": event.format.value, "delivery": event.delivery.value,
        "hours": event.hours, "target_tiers": list(event.target_tiers), "target_grades": list(event.target_grades),
        "kpi_tier": event.kpi_tier.value if event.kpi_tier else "", "survey_required": event.survey_required,
        "invited_bodies": [invitation.body_id for invitation in event.invitations],
        "scale_questions": "\n".join(q["text"] for q in event.survey_questions if q["kind"] == "scale"),
        "text_questions": "\n".join(q["text"] for q in event.survey_questions if q["kind"] == "text"),
    }


@bp.get("/manage/<int:event_id>")
@permitted(visibility.may_organise)
def manage_event(event_id: int):
    event = _run_or_404(event_id)
    return render_template("events/manage_event.html", event=event, form=EmptyForm(),
                           counts=events.places([item.id for item in event.sessions]),
                           material_form=MaterialForm(), report=reports.event_report(viewer(), event, now()), now=now())


@bp.post("/manage/<int:event_id>/publish")
@permitted(visibility.may_organise)
def publish_event(event_id: int):
    event = _run_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        events.publish(current_user, event.id)
    except events.EventRefused as refused:
        flash(str(EVENT_REFUSALS.get(str(refused), refused)), "error")
    else:
        flash(_("Published: staff of the invited bodies can see it and register."), "success")
    return redirect(url_for("events.manage_event", event_id=event.id))


@bp.route("/manage/<int:event_id>/sessions/new", methods=["GET", "POST"])
@permitted(visibility.may_organise)
def new_session(event_id: int):
    event = _run_or_404(event_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            events.add_session(current_user, event.id, _session_draft(form))
        except events.EventRefused as refused:
            form.capacity.errors.append(str(EVENT_REFUSALS.get(str(refused), refused)))
        else:
            flash(_("Session added."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/session_form.html", form=form, event=event, target=None)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@permitted(visibility.may_organise)
def edit_session(session_id: int):
    target, event = _session_run_or_404(session_id)
    if request.method == "POST":
        form = SessionForm()
    else:
        starts, ends = target.starts_at.astimezone(TOKYO), target.ends_at.astimezone(TOKYO)
        form = SessionForm(data={
            "day": starts.date(), "starts": starts.time(), "ends": ends.time(), "venue": target.venue,
            "meeting_url": target.meeting_url, "capacity": target.capacity,
            "registration_opens_on": target.registration_opens_at.astimezone(TOKYO).date()
            if target.registration_opens_at else None,
            "registration_closes_on": target.registration_closes_at.astimezone(TOKYO).date()
            if target.registration_closes_at else None,
            "cancellation_deadline_on": target.cancellation_deadline.astimezone(TOKYO).date()
            if target.cancellation_deadline else None})
    if form.validate_on_submit():
        try:
            events.update_session(current_user, target.id, _session_draft(form))
        except events.EventRefused as refused:
            form.capacity.errors.append(str(EVENT_REFUSALS.get(str(refused), refused)))
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/session_form.html", form=form, event=event, target=target)


def _session_draft(form: SessionForm) -> events.SessionDraft:
    return events.SessionDraft(
        starts_at=form.japan_time(form.day.data, form.starts.data),
        ends_at=form.japan_time(form.day.data, form.ends.data), venue=form.venue.data or "",
        meeting_url=form.meeting_url.data or "", capacity=form.capacity.data,
        registration_opens_at=form.start_of(form.registration_opens_on.data),
        registration_closes_at=form.end_of(form.registration_closes_on.data),
        cancellation_deadline=form.end_of(form.cancellation_deadline_on.data))


@bp.route("/manage/sessions/<int:session_id>/roster", methods=["GET", "POST"])
@permitted(visibility.may_organise)
def roster(session_id: int):
    target, event = _session_run_or_404(session_id)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        marks = {}
        for key, value in request.form.items():
            if key.startswith("a-") and key[2:].isdigit():
                marks[int(key[2:])] = Attendance(value) if value in set(Attendance) else None
        changed = attendance.mark(current_user, viewer(), target.id, marks, now())
        flash(_("Attendance saved (%(count)d changed).", count=changed), "success")
        return redirect(url_for("events.roster", session_id=target.id))
    rows = registration.roster(viewer(), target)
    return render_template("events/roster.html", event=event, target=target, rows=rows, form=EmptyForm(),
                           nominate_form=NominateForm(), Attendance=Attendance)


@bp.get("/manage/sessions/<int:session_id>/roster.<any(csv, xlsx):file_format>")
@permitted(visibility.may_organise)
def roster_download(session_id: int, file_format: str):
    target, event = _session_run_or_404(session_id)
    rows = registration.roster(viewer(), target)
    header = [_("Body"), _("Unit"), _("Staff number"), _("Name"), _("Status"), _("Waiting position"),
              _("Attendance"), _("Checked in")]
    data = [[row.body, row.unit, row.staff_number, row.name, str(REGISTRATION_STATUS_LABELS[row.registration.status]),
             row.waiting_position, str(ATTENDANCE_LABELS[row.registration.attendance])
             if row.registration.attendance else "", "✓" if row.registration.checked_in_at else ""] for row in rows]
    content = xlsx_bytes([Sheet(_("Roster"), header, data)]) if file_format == "xlsx" else csv_bytes(header, data)
    day = date_text(target.starts_at.astimezone(TOKYO).date())
    name = f"{event.title}_{day}_{file_date(today_in_japan())}.{file_format}"
    mimetype = "text/csv; charset=utf-8" if file_format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": content_disposition(name)})


@bp.post("/manage/sessions/<int:session_id>/nominate")
@permitted(visibility.may_organise)
def nominate(session_id: int):
    target, event = _session_run_or_404(session_id)
    form = NominateForm()
    if not form.validate_on_submit():
        flash(_("List at least one staff number."), "error")
        return redirect(url_for("events.roster", session_id=target.id))
    nominate_listed(target, event, form.staff_numbers.data)
    return redirect(url_for("events.roster", session_id=target.id))


def _checkin_svg(target) -> str:  # type: ignore[no-untyped-def]
    code = checkin_code(target.id, target.checkin_key, now())
    link = url_for("events.check_in_page", code=code, _external=True)
    return segno.make(link, error="m").svg_inline(scale=8, dark="#111", light="#fff", border=2)


@bp.get("/manage/sessions/<int:session_id>/qr")
@permitted(visibility.may_organise)
def checkin_qr(session_id: int):
    """Shown on a screen at the venue; a script swaps in a fresh code before the old one runs out."""
    target, event = _session_run_or_404(session_id)
    renew_ms = int((CHECKIN_CODE_LIFETIME - timedelta(minutes=2)).total_seconds() * 1000)
    return render_template("events/checkin_qr.html", event=event, target=target, svg=_checkin_svg(target),
                           renew_ms=renew_ms, form=EmptyForm())


@bp.get("/manage/sessions/<int:session_id>/qr.svg")
@permitted(visibility.may_organise)
def checkin_qr_svg(session_id: int):
    target, _event = _session_run_or_404(session_id)
    return Response(_checkin_svg(target), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.post("/manage/sessions/<int:session_id>/qr/renew")
@permitted(visibility.may_organise)
def renew_qr(session_id: int):
    target, _event = _session_run_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    events.renew_checkin_key(current_user, target.id)
    flash(_("Codes shown before no longer work."), "success")
    return redirect(url_for("events.checkin_qr", session_id=target.id))


@bp.route("/manage/sessions/<int:session_id>/attendance-import", methods=["GET", "POST"])
@permitted(visibility.may_organise)
def attendance_import(session_id: int):
    target, event = _session_run_or_404(session_id)
    form = AttendanceFileForm()
    plan = None
    if request.method == "POST" and request.form.get("upload_id"):
        if not EmptyForm().validate_on_submit():
            abort(400)
        pending = uploads.load_pending(current_user.id, request.form["upload_id"])
        if pending is None:
            flash(_("The uploaded file has expired. Upload it again."), "error")
            return redirect(url_for("events.attendance_import", session_id=target.id))
        plan = attendance.plan_attendance(viewer(), target, pending.data, pending.filename)
        if plan.is_valid:
            changed = attendance.mark(current_user, viewer(), target.id, plan.marks, now())
            uploads.discard(current_user.id, request.form["upload_id"])
            flash(_("Attendance imported (%(count)d changed).", count=changed), "success")
            return redirect(url_for("events.roster", session_id=target.id))
    elif form.validate_on_submit():
        data, filename = form.file.data.read(), form.file.data.filename
        plan = attendance.plan_attendance(viewer(), target, data, filename)
        upload_id = uploads.save_pending(current_user.id, data, filename) if plan.is_valid else ""
        return render_template("events/attendance_import.html", event=event, target=target, form=form, plan=plan,
                               upload_id=upload_id, confirm_form=EmptyForm(), labels=ATTENDANCE_LABELS)
    return render_template("events/attendance_import.html", event=event, target=target, form=form, plan=plan,
                           upload_id="", confirm_form=EmptyForm(), labels=ATTENDANCE_LABELS)


@bp.post("/manage/<int:event_id>/materials")
@permitted(visibility.may_organise)
def add_material(event_id: int):
    event = _run_or_404(event_id)
    form = MaterialForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return redirect(url_for("events.manage_event", event_id=event.id))
    try:
        materials.add(current_user, event.id, form.file.data.read(), form.file.data.filename)
    except DocumentRefused as refused:
        flash(str(DOCUMENT_REFUSALS.get(str(refused), refused)), "error")
    else:
        flash(_("Material added."), "success")
    return redirect(url_for("events.manage_event", event_id=event.id))


@bp.post("/manage/materials/<int:material_id>/delete")
@permitted(visibility.may_organise)
def remove_material(material_id: int):
    item = materials.get(material_id) or abort(404)
    event = _run_or_404(item.event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    materials.remove(current_user, item.id)
    flash(_("Material removed."), "success")
    return redirect(url_for("events.manage_event", event_id=event.id))


@bp.get("/manage/<int:event_id>/survey")
@permitted(visibility.may_organise)
def survey_results(event_id: int):
    event = _run_or_404(event_id)
    session_id = request.args.get("session", type=int)
    if session_id is not None and session_id not in {item.id for item in event.sessions}:
        abort(404)
    return render_template("events/survey_results.html", event=event, session_id=session_id,
                           results=surveys.results(viewer(), event, session_id))


@bp.get("/manage/<int:event_id>/report.<any(csv, xlsx):file_format>")
@permitted(visibility.may_organise)
def report_download(event_id: int, file_format: str):
    event = _run_or_404(event_id)
    report = reports.event_report(viewer(), event, now())
    results = surveys.results(viewer(), event)
    figures = [_("Places taken"), _("Waiting"), _("Attended"), _("Absent"), _("Left early"), _("Completed"),
               _("Attendance rate (%)")]

    def cells(tally) -> list:  # type: ignore[no-untyped-def]
        rate = None if tally.rate is None else round(tally.rate * 100, 1)
        return [tally.places, tally.waiting, tally.attended, tally.absent, tally.left_early, tally.completed, rate]

    sheets = [
        Sheet(_("By session"), [_("Session"), _("Venue"), *figures],
              [[target.starts_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M"), target.venue or target.meeting_url,
                *cells(tally)] for target, tally in report.sessions]),
        Sheet(_("By body"), [_("Body"), *figures], [[name, *cells(tally)] for name, tally in report.bodies]),
        Sheet(_("Survey"), [_("Question"), _("Answers"), _("Average"), "1", "2", "3", "4", "5"],
              [[q.text, q.answered, None if q.mean is None else round(q.mean, 2), *q.counts]
               for q in results.questions if q.kind == "scale"]),
        Sheet(_("Comments"), [_("Question"), _("Answer")],
              [[q.text, text] for q in results.questions if q.kind == "text" for text in q.texts]),
    ]
    content = xlsx_bytes(sheets) if file_format == "xlsx" else csv_bytes(sheets[0].header, sheets[0].rows)
    mimetype = "text/csv; charset=utf-8" if file_format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(f"{event.title}_{file_date(today_in_japan())}.{file_format}")})
