"""The inbox: staff send questions and topic ideas and read the replies; authors work the items."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from elearn.clock import TOKYO, now
from elearn.domain.magazine import InboxKind, InboxStatus
from elearn.extensions import limiter
from elearn.magazine.blueprint import bp
from elearn.magazine.forms import InboxForm, InboxWorkForm
from elearn.services import magazine, visibility
from elearn.services.magazine import inbox
from elearn.web import enum_arg, permitted, viewer

INBOX_ERRORS = {
    "not_found": _l("That item no longer exists."),
    "only_ideas_adopted": _l("Only topic ideas can be adopted."),
    "adopted_needs_issue": _l("Give the number of the issue that uses this idea."),
    "unknown_issue": _l("There is no such issue (or it was withdrawn)."),
    "answer_needs_reply": _l("Write the reply before marking the question answered."),
    "unknown_assignee": _l("The assignee must be one of the magazine's authors."),
    "unknown_person": _l("There is no such member of staff."),
}


def _sender_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else f"address:{request.remote_addr}"


# Per person, and only messages actually sent count: a form refused for a missing subject costs nothing.
_send_limit = limiter.limit(
    lambda: current_app.config["INBOX_SEND_LIMIT"],
    key_func=_sender_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 302,
)


@bp.route("/inbox/new", methods=["GET", "POST"])
@login_required
@_send_limit
def send():
    form = InboxForm()
    if request.method == "GET":
        if request.args.get("kind") in {kind.value for kind in InboxKind}:
            form.kind.data = request.args["kind"]
        form.about_issue.data = request.args.get("issue", type=int)
    about = magazine.readable_issue(current_user, form.about_issue.data, now()) if form.about_issue.data else None
    if form.validate_on_submit():
        if form.about_issue.data and about is None:
            # Refused rather than sent without the issue: the sender asked about that issue, and the
            # number may be a typo. Everything typed stays in the form.
            form.about_issue.errors.append(_("There is no issue No. %(number)s that you can read. Correct the "
                                             "number or leave it empty, then send again.",
                                             number=form.about_issue.data))
        else:
            inbox.send(current_user, InboxKind(form.kind.data), form.subject.data, form.body.data,
                       form.anonymous.data, about.id if about else None)
            flash(_("Thank you! The magazine team has received it; their reply will appear on this page."),
                  "success")
            return redirect(url_for("magazine.mine"))
    return render_template("magazine/inbox_new.html", form=form, about=about)


@bp.errorhandler(429)
def too_many(error):  # type: ignore[no-untyped-def]
    """Too many messages sent: the form comes back with what was typed, so nothing is lost."""
    if request.endpoint != "magazine.send":
        return render_template("errors/429.html", error=error), 429
    return render_template("magazine/inbox_new.html", form=InboxForm(), about=None, too_many=True), 429


@bp.get("/inbox/mine")
@login_required
def mine():
    sent = inbox.sent_by(current_user, now())
    if any(item.is_news for item in sent):
        inbox.mark_seen(current_user, now())
    return render_template("magazine/inbox_mine.html", sent=sent)


@bp.get("/studio/inbox/")
@permitted(visibility.may_author_magazine)
def inbox_list():
    filters = inbox.InboxFilters(
        status=enum_arg("status", InboxStatus), kind=enum_arg("kind", InboxKind),
        assignee_id=current_user.id if request.args.get("mine") else None,
        open_only=request.args.get("open") == "1")
    page = request.args.get("page", 1, type=int)
    rows, total = inbox.items(filters, page)
    today = now().astimezone(TOKYO).date()
    months = inbox.monthly_counts((today.replace(day=1) - timedelta(days=335)).replace(day=1), today)
    while len(months) > 3 and months[0].total == 0:  # a year of empty months says nothing
        months.pop(0)
    return render_template("magazine/studio/inbox.html", rows=rows, total=total, filters=filters, months=months,
                           status_counts=inbox.status_counts(),
                           pager_state={"page": max(page, 1), "pages": max(1, -(-total // inbox.INBOX_PAGE_SIZE))})


@bp.route("/studio/inbox/<int:item_id>", methods=["GET", "POST"])
@permitted(visibility.may_author_magazine)
def inbox_item(item_id: int):
    row = inbox.item(item_id)
    if row is None or not visibility.may_open_inbox_item(viewer(), row):
        abort(404)
    form = InboxWorkForm(obj=None if request.method == "POST" else row)
    form.assignee.choices = [SelectChoice(0, _("Nobody"))] + [SelectChoice(author.id, author.name)
                                                              for author in inbox.authors()]
    if request.method == "GET":
        form.status.data = row.status.value
        form.assignee.data = row.assignee_id or 0
        form.adopted_issue.data = row.adopted_issue.number if row.adopted_issue else None
    if form.validate_on_submit():
        change = inbox.ItemUpdate(InboxStatus(form.status.data), form.assignee.data or None,
                                  form.internal_notes.data or "", form.reply.data or "", form.adopted_issue.data)
        try:
            inbox.update(current_user, row.id, change, now())
        except inbox.InboxError as error:
            flash(INBOX_ERRORS[error.code], "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("magazine.inbox_item", item_id=row.id))
    return render_template("magazine/studio/inbox_item.html", row=row, form=form)
