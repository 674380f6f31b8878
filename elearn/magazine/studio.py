"""The authors' studio: the editorial calendar, issues and their pages, review and scheduling, readership,
and stickers awarded by hand."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from elearn.auth.forms import EmptyForm
from elearn.clock import TOKYO, now, utcnow
from elearn.dates import datetime_text
from elearn.domain import magazine as rules
from elearn.domain.magazine import Audience
from elearn.magazine.blueprint import bp
from elearn.magazine.forms import PAGE_EXTENSIONS, IssueForm, PagesUploadForm, ScheduleForm, StickerForm
from elearn.magazine.inbox import INBOX_ERRORS
from elearn.magazine.reader import reader_context
from elearn.services import magazine, visibility
from elearn.services.magazine import calendar as magazine_calendar
from elearn.services.magazine import inbox
from elearn.services.magazine import readership as magazine_readership
from elearn.services.magazine import studio as magazine_studio
from elearn.services.magazine.studio import IssueFields, PageEdit, StudioError
from elearn.web import permitted, viewer

STUDIO_ERRORS = {
    "not_found": _l("That issue no longer exists."),
    "not_editable": _l("This issue cannot be changed now (pages change only while it is a draft; "
                       "an approved issue is corrected by an editor; a withdrawn one must be restored first)."),
    "no_files": _l("Choose at least one image."),
    "too_many_files": _l("At most %(count)s pages at once."),
    "no_pages": _l("The issue has no pages yet."),
    "missing_text": _l("Every page needs a transcript and a description before the issue can go out: "
                       "missing on page %(pages)s."),
    "editors_only": _l("Only editors can do this."),
    "withdrawn": _l("A withdrawn issue must be restored before it is scheduled."),
    "already_published": _l("This issue is already out; withdraw it instead."),
    "not_scheduled": _l("Only a scheduled issue can go back to draft."),
    "unknown_person": _l("No member of staff has the number %(entry)s."),
    "tag_too_long": _l("The tag %(entry)s is too long (at most 50 characters)."),
    "too_many_tags": _l("At most %(count)s tags."),
    "empty": _l("%(file)s is empty."),
    "too_large": _l("%(file)s is larger than 20 MB."),
    "too_many_pixels": _l("%(file)s has too many pixels (at most 50 million)."),
    "not_an_image": _l("%(file)s is not a PNG, JPEG or WebP image. Nothing was uploaded."),
    "damaged": _l("%(file)s is damaged or incomplete. Nothing was uploaded."),
}


def _flash_error(error: StudioError) -> None:
    detail = error.detail
    pages = ", ".join(str(page) for page in detail) if isinstance(detail, list) else ""
    # A mapping fills whichever of the names a message uses; messages without any come out unchanged.
    flash(str(STUDIO_ERRORS[error.code]) % {"count": detail, "pages": pages, "entry": detail, "file": detail},
          "error")


@bp.get("/studio/")
@permitted(visibility.may_author_magazine)
def studio():
    moment = now()
    return render_template("magazine/studio/index.html", calendar=magazine_calendar.calendar(moment),
                           issues=magazine_readership.all_issues(moment), today=moment.astimezone(TOKYO).date())


def _course_choices() -> list[SelectChoice]:
    return [SelectChoice(course_id, title) for course_id, title in magazine_studio.course_titles()]


def _fields(form: IssueForm) -> IssueFields:
    return IssueFields(title=form.title.data, summary=form.summary.data or "", audience=Audience(form.audience.data),
                       tags=magazine_studio.parse_tags(form.tags.data or ""), course_ids=list(form.courses.data or []),
                       people=magazine_studio.parse_people(form.people.data or ""))


@bp.route("/studio/new", methods=["GET", "POST"])
@permitted(visibility.may_author_magazine)
def new_issue():
    form = IssueForm()
    form.courses.choices = _course_choices()
    if form.validate_on_submit():
        try:
            issue = magazine_studio.create_issue(current_user, _fields(form))
        except StudioError as error:
            _flash_error(error)
        else:
            flash(_("Issue No. %(number)s created. Now upload its pages.", number=issue.number), "success")
            return redirect(url_for("magazine.edit_issue", issue_id=issue.id))
    return render_template("magazine/studio/new.html", form=form)


def _issue_or_404(issue_id: int):  # type: ignore[no-untyped-def]
    return magazine_studio.get_issue(issue_id) or abort(404)


@bp.route("/studio/<int:issue_id>", methods=["GET", "POST"])
@permitted(visibility.may_author_magazine)
def edit_issue(issue_id: int):
    issue = _issue_or_404(issue_id)
    form = IssueForm(prefix="issue")
    form.courses.choices = _course_choices()
    if request.method == "GET":
        form.title.data, form.summary.data, form.audience.data = issue.title, issue.summary, issue.audience.value
        form.tags.data = "、".join(issue.tags)
        form.courses.data = [row.course_id for row in issue.course_rows]
        form.people.data = "\n".join(f"{row.user.body.code}:{row.user.staff_number}" for row in issue.person_rows)
    elif form.validate_on_submit():
        try:
            magazine_studio.update_issue(current_user, issue.id, _fields(form))
        except StudioError as error:
            _flash_error(error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("magazine.edit_issue", issue_id=issue.id))
    moment = now()
    return render_template(
        "magazine/studio/edit.html", issue=issue, form=form, upload_form=PagesUploadForm(), action_form=EmptyForm(),
        schedule_form=ScheduleForm(publish_at=_local_input(issue.publish_at or rules.next_wednesday(moment))),
        pages=magazine.reader_pages(issue), status=issue.status_at(moment),
        can_edit=magazine_studio.can_edit_text(current_user, issue),
        can_change_pages=magazine_studio.can_change_pages(current_user, issue),
        missing=rules.pages_missing_text(magazine_studio.page_texts(issue)),
        readership=magazine_readership.readership(issue), accept=",".join(f".{ext}" for ext in PAGE_EXTENSIONS),
        upload_limit_mb=current_app.config["MAGAZINE_UPLOAD_LIMIT"] // (1024 * 1024))


def _local_input(moment: datetime) -> str:
    """The value of a datetime-local input: ISO, as the browser wants it (it shows it in its own way)."""
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


@bp.url_value_preprocessor
def _page_upload_limit(endpoint: str | None, values: dict | None) -> None:
    """The larger request limit of the page upload. URL value preprocessors run before every before_request
    hook, and CSRF protection's hook reads the form: set in the view, the limit came too late. Only authors
    get it; anyone else keeps the global limit (and is refused by the view anyway)."""
    if endpoint == "magazine.upload_pages" and _is_signed_in_author():
        request.max_content_length = current_app.config["MAGAZINE_UPLOAD_LIMIT"]


def _is_signed_in_author() -> bool:
    return current_user.is_authenticated and visibility.may_author_magazine(viewer())


@bp.errorhandler(413)
def upload_too_large(error):  # type: ignore[no-untyped-def]
    if request.endpoint != "magazine.upload_pages" or not _is_signed_in_author():
        return render_template("errors/413.html", error=error), 413
    _drain_request_body()
    limit_mb = current_app.config["MAGAZINE_UPLOAD_LIMIT"] // (1024 * 1024)
    return render_template("magazine/studio/too_large.html", limit_mb=limit_mb,
                           issue_id=(request.view_args or {}).get("issue_id")), 413


def _drain_request_body() -> None:
    """Read and drop an author's refused upload before answering: a server that closes the connection on
    unread bytes makes the browser show "connection reset" instead of the page explaining the limit.
    Bodies over twice the limit are not read."""
    length = request.content_length
    stream = request.environ.get("wsgi.input")
    if stream is None or length is None or length > 2 * current_app.config["MAGAZINE_UPLOAD_LIMIT"]:
        return
    while length > 0:
        chunk = stream.read(min(length, 1 << 16))
        if not chunk:
            break
        length -= len(chunk)


@bp.post("/studio/<int:issue_id>/pages")
@permitted(visibility.may_author_magazine)
def upload_pages(issue_id: int):
    issue = _issue_or_404(issue_id)
    form = PagesUploadForm()
    if not form.validate_on_submit():
        abort(400)
    uploads = [(upload.filename or "?", upload.read()) for upload in request.files.getlist(form.files.name)
               if upload.filename]
    try:
        count = magazine_studio.add_pages(current_user, issue.id, uploads)
    except StudioError as error:
        _flash_error(error)
    else:
        flash(_("%(count)s pages added. Write each page's transcript and description.", count=count), "success")
    return redirect(url_for("magazine.edit_issue", issue_id=issue.id) + "#pages")


@bp.post("/studio/<int:issue_id>/texts")
@permitted(visibility.may_author_magazine)
def save_texts(issue_id: int):
    issue = _issue_or_404(issue_id)
    try:
        _save_texts(issue)
    except StudioError as error:
        _flash_error(error)
    else:
        flash(_("Page texts saved."), "success")
    return redirect(url_for("magazine.edit_issue", issue_id=issue.id) + "#pages")


def _save_texts(issue) -> None:  # type: ignore[no-untyped-def]
    edits = {page.id: PageEdit(request.form.get(f"transcript-{page.id}", "")[:20000],
                               request.form.get(f"description-{page.id}", "")[:500],
                               request.form.get(f"spread-{page.id}") == "1")
             for page in issue.pages}
    magazine_studio.save_page_texts(current_user, issue.id, edits)


@bp.post("/studio/<int:issue_id>/pages/<int:page_id>/<action>")
@permitted(visibility.may_author_magazine)
def page_action(issue_id: int, page_id: int, action: str):
    issue = _issue_or_404(issue_id)
    actions = {
        "up": lambda: magazine_studio.move_page(current_user, issue.id, page_id, -1),
        "down": lambda: magazine_studio.move_page(current_user, issue.id, page_id, 1),
        "delete": lambda: magazine_studio.delete_page(current_user, issue.id, page_id),
        "cover": lambda: magazine_studio.set_cover(current_user, issue.id, page_id),
    }
    if action not in actions:
        abort(404)
    try:
        typed = any(key.startswith("transcript-") for key in request.form)
        if typed and magazine_studio.can_edit_text(current_user, issue):
            _save_texts(issue)  # the buttons sit in the texts form: keep what was typed
        actions[action]()
    except StudioError as error:
        _flash_error(error)
    return redirect(url_for("magazine.edit_issue", issue_id=issue.id) + "#pages")


def parse_local(text: str) -> datetime | None:
    """A datetime-local value, read as Japan time."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=TOKYO)
    except ValueError:
        return None


@bp.post("/studio/<int:issue_id>/<action>")
@permitted(visibility.may_author_magazine)
def workflow(issue_id: int, action: str):
    issue = _issue_or_404(issue_id)
    moment = now()
    try:
        if action == "schedule":
            form = ScheduleForm()
            publish_at = parse_local(form.publish_at.data or "") if form.validate_on_submit() else None
            if publish_at is None:
                flash(_("Give the publication time as a date and time."), "error")
                return redirect(url_for("magazine.edit_issue", issue_id=issue.id))
            magazine_studio.schedule(current_user, issue.id, publish_at, moment)
            flash(_("Scheduled: readers see it from %(when)s.", when=datetime_text(publish_at)),
                  "success")
            return redirect(url_for("magazine.edit_issue", issue_id=issue.id))
        if action == "submit":
            magazine_studio.submit_for_review(current_user, issue.id, utcnow())
            flash(_("Submitted for review."), "success")
        elif action == "publish-now":
            magazine_studio.schedule(current_user, issue.id, moment, moment)
            flash(_("Published."), "success")
        elif action == "unschedule":
            magazine_studio.unschedule(current_user, issue.id, moment)
            flash(_("Back to draft."), "success")
        elif action == "withdraw":
            magazine_studio.withdraw(current_user, issue.id, moment)
            flash(_("Withdrawn: readers no longer see it. Its number stays taken."), "success")
        elif action == "restore":
            magazine_studio.restore(current_user, issue.id)
            flash(_("Restored as a draft."), "success")
        else:
            abort(404)
    except StudioError as error:
        _flash_error(error)
    return redirect(url_for("magazine.edit_issue", issue_id=issue.id))


@bp.get("/studio/<int:issue_id>/preview")
@permitted(visibility.may_author_magazine)
def preview(issue_id: int):
    issue = _issue_or_404(issue_id)
    context = reader_context(magazine.issue_details(issue.id), preview=True)
    return render_template("magazine/reader.html", **context, helpful=False, helpful_count=0, has_read=False)


@bp.route("/studio/stickers", methods=["GET", "POST"])
@permitted(visibility.may_author_magazine)
def stickers():
    form = StickerForm()
    if form.validate_on_submit():
        try:
            inbox.award(current_user, form.user_id.data, form.reason.data, form.issue_number.data)
        except inbox.InboxError as error:
            flash(INBOX_ERRORS[error.code], "error")
        else:
            flash(_("Sticker awarded."), "success")
            return redirect(url_for("magazine.stickers"))
    q = request.args.get("q", "").strip()[:100]
    return render_template("magazine/studio/stickers.html", form=form, q=q, found=inbox.find_people(q),
                           recent=inbox.recent_stickers(), remove_form=EmptyForm())


@bp.post("/studio/stickers/<int:sticker_id>/delete")
@permitted(visibility.may_author_magazine)
def remove_sticker(sticker_id: int):
    inbox.take_back(current_user, sticker_id)
    flash(_("Sticker taken back."), "success")
    return redirect(url_for("magazine.stickers"))
