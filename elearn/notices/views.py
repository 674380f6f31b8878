"""The bell's pages: a person's notices and their settings, and a training office's announcements."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from elearn import db
from elearn.auth.forms import EmptyForm
from elearn.domain.notices import DEFAULT_DIGEST_WEEKDAY, Channel, Topic, topic_channel
from elearn.domain.people import Tier
from elearn.domain.unit_picker import OrgNode, PickerUnit, picker_units
from elearn.models import Grade, OrgUnit
from elearn.notices.forms import AnnouncementForm, settings_form, topics_of
from elearn.services import events, notices, visibility
from elearn.services.notices.messages import compose
from elearn.services.outreach import announcements
from elearn.web import permitted, viewer

bp = Blueprint("notices", __name__, url_prefix="/notices")

PER_PAGE = 20

ANNOUNCEMENT_REFUSALS = {
    "not_your_body": _l("You may not send announcements to that body."),
    "unit_elsewhere": _l("Choose units of the body you send to."),
    "empty": _l("Write a subject and a message."),
    "nobody": _l("Nobody matches these conditions: nothing was sent."),
}


@dataclass(frozen=True)
class NoticePage:
    page: int
    pages: int


@bp.get("/")
@login_required
def index():
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = notices.of_user(current_user.id, page, PER_PAGE)
    items = [(row, compose(row.kind, row.params)) for row in rows]
    return render_template("notices/index.html", items=items, pager=NoticePage(page, max(1, -(-total // PER_PAGE))),
                           form=EmptyForm(), total=total)


@bp.get("/<int:notice_id>")
@login_required
def open_notice(notice_id: int):
    """Marks the notice read and goes where it points (only the person's own notices)."""
    notice = notices.open_notice(current_user.id, notice_id) or abort(404)
    composed = compose(notice.kind, notice.params)
    return redirect(url_for(composed.endpoint, **composed.values))


@bp.post("/read-all")
@login_required
def read_all():
    if EmptyForm().validate_on_submit():
        count = notices.mark_all_read(current_user.id)
        flash(_("%(num)d notices marked as read.", num=count), "success")
    return redirect(url_for("notices.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    is_manager, is_admin = viewer().is_manager, visibility.may_administer(viewer())
    chosen = notices.choices_of(current_user.id)
    effective = {topic: topic_channel(topic, chosen) for topic in Topic}
    weekday = current_user.digest_weekday if current_user.digest_weekday is not None else DEFAULT_DIGEST_WEEKDAY
    form = settings_form(is_manager, request.form if request.method == "POST" else None, effective, weekday,
                         is_admin=is_admin)
    if request.method == "POST" and form.validate():
        notices.save_choices(current_user, topics_of(form), form.digest_weekday.data if is_manager else None)
        flash(_("Your notice settings have been saved."), "success")
        return redirect(url_for("notices.settings"))
    return render_template("notices/settings.html", form=form, has_address=bool(current_user.email),
                           overdue_channel=Channel.MAIL)


# --- announcements --------------------------------------------------------------------------------------------


# A body with more units below it than this gets the trimmed unit picker (elearn.domain.unit_picker).
ANNOUNCEMENT_UNIT_LIMIT = 200


def _announcement_form() -> tuple[AnnouncementForm, list[PickerUnit], bool]:
    """The form with its choices for the body posted (or the first the viewer may announce to), the units listed
    and whether the list is trimmed."""
    form = AnnouncementForm()
    body_ids = [body_id for body_id, _name in events.body_choices() if visibility.may_announce_to(viewer(), body_id)]
    names = dict(events.body_choices())
    form.body_id.choices = [SelectChoice(body_id, names[body_id]) for body_id in body_ids]
    body_id = form.body_id.data if form.body_id.data in body_ids else (body_ids[0] if body_ids else None)
    rows = db.session().execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id)
        .where(OrgUnit.is_active.is_(True), OrgUnit.id.in_(visibility.subtree_ids([body_id or 0])),
               OrgUnit.id != (body_id or 0))
        .order_by(OrgUnit.code)).all()
    listed = {row.id for row in rows}
    # A unit below an inactive one is hung from the body, so that it can still be chosen.
    nodes = [OrgNode(row.id, row.name, row.parent_id if row.parent_id in listed else body_id) for row in rows]
    opened = request.form.get("open", type=int)
    chosen = [int(value) for value in request.form.getlist("units") if value.isdigit()]
    picker = picker_units(nodes, body_id or 0, ANNOUNCEMENT_UNIT_LIMIT, opened, chosen)
    form.units.choices = [SelectChoice(unit.id, unit.name) for unit in picker]
    form.grades.choices = [SelectChoice(grade.id, grade.name) for grade in db.session().execute(
        select(Grade.id, Grade.name).order_by(Grade.sort_order))]
    return form, picker, len(picker) < len(nodes)


@bp.route("/announcements", methods=["GET", "POST"])
@permitted(visibility.may_announce)
def announce():
    form, picker, trimmed = _announcement_form()
    preview = None
    # "Show the units below" only changes what the picker lists: nothing is checked, counted or sent.
    if "open" not in request.form and form.validate_on_submit():
        target = announcements.Target(form.body_id.data, tuple(form.units.data or ()),
                                      tuple(Tier(value) for value in form.tiers.data or ()),
                                      tuple(form.grades.data or ()))
        try:
            if request.form.get("action") == "send":
                sent = announcements.send(current_user, viewer(), target, form.subject.data, form.text.data)
                flash(_("The announcement is being delivered to %(num)d staff.", num=sent.recipients), "success")
                return redirect(url_for("notices.announce"))
            preview = announcements.count(viewer(), target)
        except announcements.AnnouncementRefused as refused:
            flash(str(ANNOUNCEMENT_REFUSALS[str(refused)]), "error")
    return render_template("notices/announcements.html", form=form, preview=preview, picker=picker,
                           trimmed=trimmed, sent=announcements.sent_by_bodies(viewer()),
                           bodies=dict(events.body_choices()))
