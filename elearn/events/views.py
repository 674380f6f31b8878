"""Training events as staff see them: what is open to them, registering and cancelling, nominations, the
venue's check-in, the survey, materials and the .ics file of a session."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from elearn.auth.forms import EmptyForm
from elearn.clock import now
from elearn.domain.events import CalendarEntry, RegistrationStatus, may_cancel, registration_closed, session_ics
from elearn.events.forms import AnswerForm, CheckInForm, NominateForm
from elearn.services import events, visibility
from elearn.services.events import attendance, materials, registration, surveys
from elearn.services.files.serving import send_stored
from elearn.services.files.stores import files_store
from elearn.web import content_disposition, permitted, viewer

bp = Blueprint("events", __name__, url_prefix="/events")

REFUSALS = {
    "not_invited": _l("This training is not open to your body."),
    "not_for_you": _l("This training is for other tiers or grades."),
    "not_yet": _l("Registration has not opened yet."),
    "closed": _l("Registration has closed."),
    "started": _l("This session has already started."),
    "cancelled": _l("This session has been cancelled."),
    "deadline": _l("The cancellation deadline has passed. Please contact the organiser."),
    "completed": _l("You have already completed this training."),
    "other_session": _l("You already hold a place on another date of this training: cancel it first."),
    "not_yours": _l("That registration is not yours."),
    "answered": _l("This nomination has already been answered."),
    "reason": _l("Please give a reason for declining."),
    "no_session": _l("That session no longer exists."),
    "code": _l("This code is not valid any more. Scan the code shown at the venue now."),
    "window": _l("Check-in opens 30 minutes before the start and closes at the end of the session."),
    "not_registered": _l("You have no place on this session, so you cannot check in. Please see the organiser."),
}


NOMINATION_REFUSALS = {
    "not_yours": _l("not someone you may nominate"),
    "already": _l("already has a place"),
    "full": _l("no place left"),
    "completed": _l("has already completed this training"),
    "other_session": _l("has a place on another date"),
}


def nominate_listed(target, event, text: str) -> None:  # type: ignore[no-untyped-def]
    """Nominate the staff numbers listed and say, per person, what happened."""
    people, unknown = registration.people_named(text, event.owner_body_id)
    try:
        result = registration.nominate(current_user, viewer(), target.id, people, now())
    except registration.RegistrationRefused as refused:
        flash(str(REFUSALS.get(str(refused), refused)), "error")
        return
    if result.nominated:
        flash(_("Nominated: %(names)s.", names="、".join(result.nominated)), "success")
    for name, reason in result.refused:
        flash(_("%(name)s: %(reason)s", name=name, reason=NOMINATION_REFUSALS.get(reason, reason)), "error")
    if unknown:
        flash(_("Not found: %(numbers)s", numbers=", ".join(unknown)), "error")


def _event_or_404(event_id: int):  # type: ignore[no-untyped-def]
    event = events.get(event_id)
    if event is None or not visibility.may_see_event(viewer(), event):
        abort(404)
    return event


@bp.get("/")
@login_required
def index():
    moment = now()
    open_events = events.open_to(viewer(), moment)
    mine = registration.of_user(current_user.id)
    counts = events.places([item.id for event in open_events for item in event.sessions])
    return render_template("events/index.html", open_events=open_events, mine=mine, counts=counts, now=moment,
                           mine_by_session={item.session_id: item for item in mine},
                           nominations=registration.pending_nominations(current_user.id, moment),
                           answer_form=AnswerForm(), form=EmptyForm())


@bp.get("/<int:event_id>")
@login_required
def event_page(event_id: int):
    event = _event_or_404(event_id)
    moment = now()
    mine = {item.session_id: item for item in registration.of_user(current_user.id)
            if item.session.event_id == event.id}
    attended = any(item.attendance == "attended" for item in mine.values())
    holds_place = any(item.status in (RegistrationStatus.REGISTERED, RegistrationStatus.NOMINATED)
                      for item in mine.values())
    return render_template(
        "events/event.html", event=event, mine=mine, counts=events.places([item.id for item in event.sessions]),
        now=moment, form=EmptyForm(), answer_form=AnswerForm(), registration_closed=registration_closed,
        may_cancel=may_cancel, is_for=events.is_for(event, current_user.tiers,
                                                     current_user.grade.name if current_user.grade else None),
        may_run=visibility.may_run_event(viewer(), event),
        show_materials=holds_place or attended or visibility.may_run_event(viewer(), event),
        survey_open=attended and bool(event.survey_questions), nominate_form=NominateForm(),
        may_nominate=viewer().is_manager,
        survey_done=surveys.answered(event.id, current_user.id))


@bp.post("/sessions/<int:session_id>/register")
@login_required
def register(session_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    target = events.get_session(session_id) or abort(404)
    _event_or_404(target.event_id)
    try:
        result = registration.register(current_user, session_id, now())
    except registration.RegistrationRefused as refused:
        flash(str(REFUSALS.get(str(refused), refused)), "error")
    else:
        if result.status is RegistrationStatus.WAITING:
            flash(_("The session is full: you are on the waiting list. You will get the first place that frees."),
                  "info")
        else:
            flash(_("You are registered."), "success")
    return redirect(url_for("events.event_page", event_id=target.event_id))


@bp.post("/sessions/<int:session_id>/nominate")
@permitted(visibility.may_see_team)
def nominate_team(session_id: int):
    """A manager names people of their team for a session (the policy refuses anyone else)."""
    target = events.get_session(session_id) or abort(404)
    event = _event_or_404(target.event_id)
    form = NominateForm()
    if form.validate_on_submit():
        nominate_listed(target, event, form.staff_numbers.data)
    else:
        flash(_("List at least one staff number."), "error")
    return redirect(url_for("events.event_page", event_id=event.id))


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        registration.cancel(current_user, registration_id, now())
    except registration.RegistrationRefused as refused:
        flash(str(REFUSALS.get(str(refused), refused)), "error")
    else:
        flash(_("Your registration is cancelled."), "success")
    event_id = request.form.get("event_id", type=int)
    return redirect(url_for("events.event_page", event_id=event_id) if event_id else url_for("events.index"))


@bp.post("/registrations/<int:registration_id>/answer")
@login_required
def answer(registration_id: int):
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    accept = form.accept.data == "1"
    try:
        registration.answer_nomination(current_user, registration_id, accept, form.reason.data or "", now())
    except registration.RegistrationRefused as refused:
        flash(str(REFUSALS.get(str(refused), refused)), "error")
    else:
        flash(_("You accepted the nomination.") if accept else _("You declined the nomination."), "success")
    return redirect(url_for("events.index"))


@bp.get("/sessions/<int:session_id>.ics")
@login_required
def session_calendar(session_id: int):
    target = events.get_session(session_id) or abort(404)
    event = _event_or_404(target.event_id)
    text = session_ics(CalendarEntry(
        uid=f"elearn-session-{target.id}@{request.host.split(':')[0]}", title=event.title,
        starts_at=target.starts_at, ends_at=target.ends_at, location=target.venue or target.meeting_url,
        description=event.description, url=url_for("events.event_page", event_id=event.id, _external=True),
        stamp=now()))
    return Response(text.encode(), mimetype="text/calendar; charset=utf-8", headers={
        "Content-Disposition": content_disposition(f"{event.title}_{target.starts_at:%Y%m%d}.ics")})


@bp.get("/check-in")
@login_required
def check_in_page():
    """Where the venue's QR code leads: a button, so that merely opening the link checks nobody in."""
    code = request.args.get("code", "")
    return render_template("events/check_in.html", form=CheckInForm(code=code), code=code)


@bp.post("/check-in")
@login_required
def check_in():
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        session_id = attendance.check_in(current_user, form.code.data, now())
    except attendance.AttendanceRefused as refused:
        return render_template("events/check_in.html", form=form, code=form.code.data,
                               error=REFUSALS.get(str(refused), str(refused))), 409
    target = events.get_session(session_id)
    flash(_("You are checked in. Welcome!"), "success")
    return redirect(url_for("events.event_page", event_id=target.event_id))


@bp.route("/<int:event_id>/survey", methods=["GET", "POST"])
@login_required
def survey(event_id: int):
    event = _event_or_404(event_id)
    if not event.survey_questions:
        abort(404)
    if surveys.answered(event.id, current_user.id):
        flash(_("Thank you: your answers are in."), "info")
        return redirect(url_for("events.event_page", event_id=event.id))
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        answers, errors = surveys.read_answers(event.survey_questions, request.form)
        if not errors:
            try:
                surveys.submit(current_user, event.id, answers, now())
            except surveys.SurveyRefused:
                flash(_("The survey is for those who attended."), "error")
                return redirect(url_for("events.event_page", event_id=event.id))
            flash(_("Thank you for answering."), "success")
            return redirect(url_for("events.event_page", event_id=event.id))
        return render_template("events/survey.html", event=event, form=EmptyForm(), errors=errors,
                               given=request.form), 422
    if not surveys.may_answer(event.id, current_user.id):
        flash(_("The survey is for those who attended."), "error")
        return redirect(url_for("events.event_page", event_id=event.id))
    return render_template("events/survey.html", event=event, form=EmptyForm(), errors={}, given={})


@bp.get("/materials/<int:material_id>")
@login_required
def material(material_id: int):
    item = materials.get(material_id) or abort(404)
    event = _event_or_404(item.event_id)
    if not materials.may_download(viewer(), event, current_user.id):
        abort(403)
    headers = {"Content-Disposition": content_disposition(item.filename), "X-Content-Type-Options": "nosniff",
               "Cache-Control": "private, no-store"}
    if item.storage_key is None:  # added before materials went to the file store
        return Response(item.content, mimetype=item.content_type, headers={**headers, "ETag": f'"{item.etag}"'})
    response = send_stored(files_store(), item.storage_key, item.content_type)
    response.headers.update(headers)
    return response
