from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from elearn.auth.forms import EmptyForm
from elearn.clock import now
from elearn.learn import media, scorm_lesson
from elearn.services import learning, magazine, workshops
from elearn.services.events import registration
from elearn.services.events.registration import upcoming_training
from elearn.services.learning import completions, content, quiz, video
from elearn.services.magazine import inbox
from elearn.services.people import orgs
from elearn.services.scorm import runtime

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
                           quiz_status=quiz.status(current_user, card.course_id, card.completed_years)
                           if card.source.has_quiz else None,
                           workshop=workshops.standing(current_user.id, card.course_id)
                           if card.source.workshop else None)


@bp.get("/courses/<slug>/resume")
@login_required
def resume(slug: str):
    card = learning.course_card(current_user, slug) or abort(404)
    if card.next_lesson is None:
        return redirect(url_for("learn.course", slug=slug))
    return redirect(url_for("learn.lesson", slug=slug, lesson_slug=card.next_lesson.slug))


def _lesson_of(slug: str, lesson_slug: str):  # type: ignore[no-untyped-def]
    card = learning.course_card(current_user, slug) or abort(404)
    index = next((i for i, item in enumerate(card.source.lessons) if item.slug == lesson_slug), None)
    if index is None:
        abort(404)
    return card, index


@bp.get("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    card, index = _lesson_of(slug, lesson_slug)
    lessons = card.source.lessons
    shown = lessons[index]
    if shown.scorm:
        return scorm_lesson.page(card, index)
    watching = (video.watching(current_user.id, card.course_id, shown, card.source.watch_percent)
                if shown.video else None)
    return render_template(
        "learn/lesson.html", card=card, lesson=shown, form=EmptyForm(), watching=watching,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        media_url=lambda name: media.url(card.source, shown.video, name),
        watch_message=_watch_message(watching) if watching else "",
    )


@bp.post("/courses/<slug>/<lesson_slug>/read")
@login_required
def mark_read(slug: str, lesson_slug: str):
    card, index = _lesson_of(slug, lesson_slug)
    shown = card.source.lessons[index]
    if shown.scorm and not runtime.lesson_done(current_user.id, card.course_id, shown):
        flash(_("Finish every part of the package first."), "error")
        return redirect(url_for("learn.lesson", slug=slug, lesson_slug=lesson_slug))
    if shown.video and not video.watching(current_user.id, card.course_id, shown, card.source.watch_percent).is_watched:
        flash(_("Watch at least %(percent)d%% of the video first: skipping ahead does not count.",
                percent=card.source.watch_percent), "error")
        return redirect(url_for("learn.lesson", slug=slug, lesson_slug=lesson_slug))
    learning.mark_read(current_user, card.course_id, lesson_slug)
    if completions.complete_if_done(current_user, card.course_id):
        flash(_("You completed %(title)s. Your certificate is ready.", title=card.source.title), "success")
        return redirect(url_for("learn.course", slug=slug))
    return redirect(url_for("learn.resume", slug=slug))


@bp.get("/courses/<slug>/<lesson_slug>/scorm-state")
@login_required
def scorm_state(slug: str, lesson_slug: str):
    card, index = _lesson_of(slug, lesson_slug)
    if card.source.lessons[index].scorm is None:
        abort(404)
    return jsonify(scorm_lesson.state(card, index))


@bp.post("/courses/<slug>/<lesson_slug>/watched")
@login_required
def watched(slug: str, lesson_slug: str):
    """What the player played since the page was opened: `report` is JSON {"played": [[start, end], ...],
    "position": seconds}, sent as a form field so that `navigator.sendBeacon` can carry the CSRF token too."""
    card, index = _lesson_of(slug, lesson_slug)
    shown = card.source.lessons[index]
    if shown.video is None:
        abort(404)
    played, position = media.read_report(request.form.get("report", ""))
    state = video.report(current_user, card.course_id, shown, card.source.watch_percent, played, position)
    if state.just_watched:  # not on every later report: the lesson was already done then
        completions.complete_if_done(current_user, card.course_id)
    return jsonify(percent=state.percent, watched=state.is_watched, message=_watch_message(state))


def _watch_message(state: video.Watching) -> str:
    if state.is_watched:
        return _("Watched %(percent)d%%: this lesson counts as done.", percent=state.percent)
    return _("Watched %(percent)d%% (%(needed)d%% completes the lesson)", percent=state.percent,
             needed=state.percent_needed)


@bp.get("/glossary")
@login_required
def glossary():
    """用語集: the terms the courses use (glossary.yaml beside courses/)."""
    return render_template("learn/glossary.html", terms=content.tree().glossary)


@bp.get("/learn/assets/<slug>/<path:filename>")
@login_required
def asset(slug: str, filename: str):
    source = content.tree().course(slug)
    if source is None or filename not in source.assets:
        abort(404)
    return media.send(source.path, filename)


@bp.get("/learn/library/<slug>/<filename>")
@login_required
def library_file(slug: str, filename: str):
    """A checked upload's files, for the lessons that name it (course content: anyone signed in)."""
    return media.send_library_file(slug, filename)
