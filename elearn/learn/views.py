from flask import Blueprint, abort, redirect, render_template, send_from_directory, url_for
from flask_login import current_user, login_required

from elearn.auth.forms import EmptyForm
from elearn.clock import now
from elearn.services import learning, magazine
from elearn.services.events import registration
from elearn.services.events.registration import upcoming_training
from elearn.services.learning import content, quiz
from elearn.services.magazine import inbox
from elearn.services.people import orgs

bp = Blueprint("learn", __name__)


@bp.get("/")
@login_required
def home():
    moment = now()
    stickers = inbox.stickers_of([current_user.id], moment, include_anonymous=True)[current_user.id]
    return render_template("learn/home.html", user=current_user, cards=learning.my_courses(current_user),
                           unit_path=orgs.unit_path(current_user.division), stickers=stickers,
                           latest_issue=magazine.latest(current_user, moment),
                           news=inbox.news_for(current_user, moment),
                           upcoming=upcoming_training(current_user.id, moment), now=moment,
                           nominations=registration.pending_nominations(current_user.id, moment))


@bp.get("/courses/<slug>/")
@login_required
def course(slug: str):
    card = learning.course_card(current_user, slug) or abort(404)
    return render_template("learn/course.html", card=card, form=EmptyForm(),
                           quiz_status=quiz.status(current_user, card.course_id))


@bp.get("/courses/<slug>/resume")
@login_required
def resume(slug: str):
    card = learning.course_card(current_user, slug) or abort(404)
    if card.next_lesson is None:
        return redirect(url_for("learn.course", slug=slug))
    return redirect(url_for("learn.lesson", slug=slug, lesson_slug=card.next_lesson.slug))


@bp.get("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    card = learning.course_card(current_user, slug) or abort(404)
    lessons = card.source.lessons
    index = next((i for i, item in enumerate(lessons) if item.slug == lesson_slug), None)
    if index is None:
        abort(404)
    return render_template(
        "learn/lesson.html", card=card, lesson=lessons[index], form=EmptyForm(),
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
    )


@bp.post("/courses/<slug>/<lesson_slug>/read")
@login_required
def mark_read(slug: str, lesson_slug: str):
    card = learning.course_card(current_user, slug) or abort(404)
    if not any(item.slug == lesson_slug for item in card.source.lessons):
        abort(404)
    learning.mark_read(current_user, card.course_id, lesson_slug)
    return redirect(url_for("learn.resume", slug=slug))


@bp.get("/learn/assets/<slug>/<path:filename>")
@login_required
def asset(slug: str, filename: str):
    source = content.tree().course(slug)
    if source is None or filename not in source.assets:
        abort(404)
    return send_from_directory(source.path, filename)
