"""Workshop assignments: the learner's page (instructions, template, submission, rounds) and the reviewers'
queue and review page. Who may read or review a round is asked of the access policy (services/visibility)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from elearn.services import learning, visibility, workshops
from elearn.services.learning import content
from elearn.services.workshops import SubmissionRefused, Upload
from elearn.web import content_disposition, permitted, viewer
from elearn.workshops.forms import ReviewForm, SubmissionForm

bp = Blueprint("workshops", __name__)

REFUSALS = {
    "empty": _l("Type your worksheet or attach a file."),
    "text_too_long": _l("The text is too long (at most 20,000 characters)."),
    "accepted": _l("Your workshop has already been accepted."),
    "reviewed_meanwhile": _l("A reviewer looked at your submission a moment ago: see their review below."),
    "sent_twice": _l("This was just sent from another window: see it below."),
    "size": _l("The file is too large (at most 20 MB)."),
    "type": _l("Choose a PDF, XLSX, DOCX, PPTX, PNG or JPEG file."),
    "macros": _l("Files with macros are not accepted."),
    "damaged": _l("The file could not be read as what its name says."),
    "image_empty": _l("The file is empty."),
    "image_too_large": _l("The image is too large (at most 20 MB)."),
    "image_too_many_pixels": _l("The image has too many pixels (at most 40 megapixels)."),
    "image_not_an_image": _l("The file is not a PNG, JPEG or WebP image."),
    "image_damaged": _l("The image is damaged."),
    "comment_needed": _l("Say what to revise when you return a submission."),
    "comment_too_long": _l("The comment is too long (at most 4,000 characters)."),
    "changed": _l("The learner replaced the submission, or someone reviewed it, since you opened it. "
                  "Read it again below."),
}


def _course_with_workshop(slug: str):  # type: ignore[no-untyped-def]
    card = learning.course_card(current_user, slug)
    if card is None or card.source.workshop is None:
        abort(404)
    return card


@bp.get("/courses/<slug>/workshop")
@login_required
def mine(slug: str):
    card = _course_with_workshop(slug)
    standing = workshops.standing(current_user.id, card.course_id)
    # A revision or a replacement starts from what was sent last.
    return _mine_page(card, standing, SubmissionForm(text=standing.latest.text if standing.latest else ""))


def _mine_page(card, standing, form):  # type: ignore[no-untyped-def]
    return render_template("workshops/mine.html", card=card, workshop=card.source.workshop, standing=standing,
                           form=form)


@bp.post("/courses/<slug>/workshop")
@login_required
def submit(slug: str):
    card = _course_with_workshop(slug)
    form = SubmissionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _mine_page(card, workshops.standing(current_user.id, card.course_id), form), 400
    upload = form.file.data
    try:
        workshops.submit(current_user, card.course_id, form.text.data or "",
                         Upload(upload.read(), upload.filename or "") if upload and upload.filename else None)
    except SubmissionRefused as refused:
        flash(str(REFUSALS.get(refused.args[0], refused.args[0])), "error")
        return _mine_page(card, workshops.standing(current_user.id, card.course_id), form), 400
    flash(_("Submitted. Your manager or the training office will review it; you will be told."), "success")
    return redirect(url_for("workshops.mine", slug=slug))


@bp.get("/workshop-files/<int:submission_id>")
@login_required
def file(submission_id: int):
    submission = workshops.readable(viewer(), submission_id) or abort(404)
    data = workshops.file_of(submission)
    if data is None:
        abort(404)
    inline = submission.content_type in ("image/png", "image/jpeg") and request.args.get("inline") == "1"
    disposition = "inline" if inline else content_disposition(submission.filename or "worksheet")
    return Response(data, mimetype=submission.content_type, headers={
        "Content-Disposition": disposition, "ETag": f'"{submission.etag}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@bp.get("/reviews/")
@permitted(visibility.may_review_workshops)
def queue():
    show_all = request.args.get("show") == "all"
    rows, waiting = workshops.queue(viewer(), waiting_only=not show_all)
    g.workshops_waiting = waiting  # the menu's count: counted once
    titles = {course.slug: course.title for course in content.tree().courses}
    return render_template("workshops/queue.html", rows=rows, waiting=waiting, show_all=show_all, titles=titles,
                           limit=workshops.QUEUE_LIMIT)


@bp.get("/reviews/<int:submission_id>")
@permitted(visibility.may_review_workshops)
def review(submission_id: int):
    submission = _reviewable(submission_id)
    return _review_page(submission, ReviewForm(revision=submission.revision))


@bp.post("/reviews/<int:submission_id>")
@permitted(visibility.may_review_workshops)
def decide(submission_id: int):
    submission = _reviewable(submission_id)
    form = ReviewForm()
    if not form.validate_on_submit() or not (form.revision.data or "").isdigit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _review_page(submission, form), 400
    accept = request.form.get("decision") == "accept"
    try:
        outcome = workshops.review(current_user, submission.id, int(form.revision.data), accept,
                                   form.comment.data or "")
    except LookupError:
        abort(404)
    except SubmissionRefused as refused:
        flash(str(REFUSALS.get(refused.args[0], refused.args[0])), "error")
        fresh = _reviewable(submission_id)
        status = 409 if refused.args[0] == "changed" else 400
        return _review_page(fresh, ReviewForm(revision=fresh.revision, comment=form.comment.data)), status
    if outcome.completed:
        flash(_("Accepted. %(name)s has completed the course; their certificate was issued.",
                name=outcome.submission.user.name), "success")
    elif accept:
        flash(_("Accepted. %(name)s will be told.", name=outcome.submission.user.name), "success")
    else:
        flash(_("Returned with your comment. %(name)s will be told.", name=outcome.submission.user.name), "success")
    return redirect(url_for("workshops.queue"))


def _reviewable(submission_id: int):  # type: ignore[no-untyped-def]
    return workshops.reviewable(viewer(), submission_id) or abort(404)


def _review_page(submission, form):  # type: ignore[no-untyped-def]
    source = content.tree().course(submission.course.slug)
    rounds = workshops.standing(submission.user_id, submission.course_id).rounds
    return render_template("workshops/review.html", submission=submission, form=form,
                           source=source, workshop=source.workshop if source else None,
                           earlier=[r for r in rounds if r.round < submission.round])
