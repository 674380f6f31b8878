"""Reading: the archive, the comic reader, page images, read marks, helpful votes, the Atom feed and
people's sticker profiles."""

from __future__ import annotations

import hmac
import re
import uuid
from datetime import UTC, datetime
from hashlib import sha256

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from elearn import db
from elearn.clock import now, utcnow
from elearn.domain.magazine import reading_minutes
from elearn.links import public_url
from elearn.magazine.blueprint import bp
from elearn.magazine.forms import InboxForm
from elearn.models import MagazineIssue, User
from elearn.services import magazine, visibility
from elearn.services.magazine import inbox
from elearn.services.people import orgs
from elearn.web import viewer

IMAGE_VARIANTS = ("full", "480", "960", "1600", "thumb")
FEED_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)  # <updated> of a feed with no issue yet
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


@bp.get("/")
@login_required
def index():
    tag = request.args.get("tag", "").strip()[:50] or None
    q = request.args.get("q", "").strip()[:100]
    result = magazine.archive(current_user, now(), tag=tag, q=q, page=request.args.get("page", 1, type=int))
    return render_template("magazine/index.html", archive=result, tag=tag, q=q, inbox_form=InboxForm(),
                           feed_url=personal_feed_url(current_user.id))


def reader_context(details: MagazineIssue, preview: bool) -> dict:
    """`details`: the issue as magazine.issue_details loads it."""
    pages = magazine.reader_pages(details)
    mode = "scroll" if request.args.get("mode") == "scroll" else "paged"
    current = min(max(request.args.get("page", 1, type=int), 1), max(len(pages), 1))
    return {
        "issue": details, "pages": pages, "mode": mode, "current": current, "preview": preview,
        "minutes": reading_minutes([reader_page.page.search_text for reader_page in pages]),
        "credits": inbox.credits(details, now()), "inbox_form": InboxForm(),
    }


@bp.get("/<int:number>/")
@login_required
def read(number: int):
    issue = magazine.readable_issue_details(current_user, number, now()) or abort(404)
    context = reader_context(issue, preview=False)
    is_last = context["mode"] == "paged" and context["current"] == len(context["pages"])
    if is_last:
        # Reaching the last page is reading it, a one-page issue included.
        magazine.mark_read(current_user, issue, utcnow())
    marks = magazine.reader_marks(current_user, issue)
    return render_template("magazine/reader.html", **context, helpful=marks.helpful, helpful_count=marks.helpful_count,
                           has_read=is_last or marks.has_read)


@bp.post("/<int:number>/read")
@login_required
def mark_read(number: int):
    issue = magazine.readable_issue(current_user, number, now()) or abort(404)
    magazine.mark_read(current_user, issue, utcnow())
    if request.accept_mimetypes.best == "application/json":
        return {"read": True}
    return redirect(url_for("magazine.read", number=number, mode=request.args.get("mode")) + "#end")


@bp.post("/<int:number>/helpful")
@login_required
def helpful(number: int):
    issue = magazine.readable_issue(current_user, number, now()) or abort(404)
    magazine.set_helpful(current_user, issue, request.form.get("helpful") == "1", utcnow())
    pages = len(magazine.reader_pages(issue))
    return redirect(url_for("magazine.read", number=number, page=pages) + "#end")


@bp.get("/pages/<int:page_id>/<variant>.webp")
@login_required
def page_image(page_id: int, variant: str):
    if variant not in IMAGE_VARIANTS:
        abort(404)
    found = magazine.page_image(page_id, variant) or abort(404)
    image, issue = found
    if not magazine.may_see_image(current_user, issue, now(), visibility.may_author_magazine(viewer())):
        abort(404)
    if request.if_none_match.contains(image.etag):
        response = Response(status=304)
    else:
        response = Response(image.content, mimetype="image/webp")
    response.set_etag(image.etag)
    # The URL carries the etag (?v=), so a changed image is a new URL; withdrawn issues stop at the
    # next request because the cache is private to the reader's browser.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def feed_key(user_id: int) -> str:
    """A per-person key for feed readers, which cannot sign in; it shows only titles and summaries."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"magazine-feed:{user_id}".encode(), sha256).hexdigest()[:32]


def personal_feed_url(user_id: int) -> str:
    return public_url("magazine.feed", user=user_id, key=feed_key(user_id))


def feed_namespace() -> uuid.UUID:
    """Fixed for an installation: derived from the prefecture's code, not from an address that may change."""
    bodies = orgs.bodies()
    return uuid.uuid5(uuid.NAMESPACE_URL, f"elearn-magazine:{bodies[0].code if bodies else ''}")


def entry_id(namespace: uuid.UUID, issue: MagazineIssue) -> str:
    """An Atom entry id that never changes: the issue number (never reused) and its creation second."""
    created = issue.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return uuid.uuid5(namespace, f"issue:{issue.number}:{created}").urn


def _refuse_feed() -> Response:
    # Feed readers show a plain message better than an HTML page.
    message = _("This feed address is not valid. Copy your personal feed address from the magazine page again.")
    return Response(message + "\n", status=401, mimetype="text/plain")


def _key_matches(key: str, user_id: int) -> bool:
    # compare_digest refuses non-ASCII str; bytes compare any key a client sends.
    return hmac.compare_digest(key.encode("utf-8", "replace"), feed_key(user_id).encode())


@bp.get("/feed.atom")
def feed():
    reader: User | None = current_user if current_user.is_authenticated else None
    if reader is None:
        user_id = request.args.get("user", type=int)
        if user_id is None or not _key_matches(request.args.get("key", ""), user_id):
            return _refuse_feed()
        reader = db.session().get(User, user_id)
        if reader is None or not reader.is_active:
            return _refuse_feed()
    issues = magazine.feed_issues(reader, now())
    namespace = feed_namespace()
    body = render_template("magazine/feed.atom.xml", issues=issues, updated=max(
        (issue.publish_at for issue in issues), default=FEED_EPOCH), feed_id=namespace.urn,
        entry_ids={issue.id: entry_id(namespace, issue) for issue in issues}, public_url=public_url,
        self_url=personal_feed_url(reader.id), xml_text=lambda text: NOT_IN_XML.sub("", text))
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/people/<int:user_id>")
@login_required
def profile(user_id: int):
    person = visibility.profile(viewer(), user_id, now()) or abort(404)
    own = person.id == current_user.id
    with_anonymous = own or visibility.may_author_magazine(viewer())
    stickers = inbox.stickers_of([person.id], now(), include_anonymous=with_anonymous)[person.id]
    appearances = magazine.appearances(current_user, person, now())
    return render_template("magazine/profile.html", person=person, stickers=stickers, appearances=appearances,
                           own=own)
