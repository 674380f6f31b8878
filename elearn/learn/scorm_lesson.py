"""The lesson page of a SCORM package: its items, each person's standing in them, and the player framed
from the package origin."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elearn.auth.forms import EmptyForm
from elearn.models import ScormAttempt
from elearn.scorm.views import package_origin
from elearn.security import CONTENT_SECURITY_POLICY
from elearn.services.scorm import runtime


def status_text(attempt: ScormAttempt | None) -> str:
    if attempt is None:
        return _("Not started")
    if attempt.completed_at is not None:
        if attempt.passed and attempt.score is not None:
            return _("Passed (%(score)d points)", score=round(attempt.score))
        return _("Passed") if attempt.passed else _("Finished")
    if attempt.passed is False:
        return _("Not passed yet (%(score)d points)", score=round(attempt.score or 0))
    return _("In progress")


def state(card, index: int) -> dict:  # type: ignore[no-untyped-def]
    lesson = card.source.lessons[index]
    attempts = runtime.attempts_of(current_user.id, card.course_id, lesson)
    return {"items": {item.identifier: status_text(attempts.get(item.identifier)) for item in lesson.scorm.items},
            "done": runtime.lesson_done(current_user.id, card.course_id, lesson, attempts)}


def page(card, index: int):  # type: ignore[no-untyped-def]
    lessons = card.source.lessons
    lesson = lessons[index]
    attempts = runtime.attempts_of(current_user.id, card.course_id, lesson)
    chosen = lesson.scorm.item(request.args.get("item", "")) or next(
        (item for item in lesson.scorm.items
         if item.identifier not in attempts or attempts[item.identifier].completed_at is None), lesson.scorm.items[0])
    token = runtime.launch(current_user, card.course_id, card.source.slug, lesson, chosen)
    attempts = runtime.attempts_of(current_user.id, card.course_id, lesson)
    player_url = current_app.config["SCORM_CONTENT_URL"].rstrip("/") + url_for("scorm.player", token=token)
    response = current_app.make_response(render_template(
        "learn/scorm_lesson.html", card=card, lesson=lesson, form=EmptyForm(), chosen=chosen, attempts=attempts,
        status_text=status_text, player_url=player_url, package_origin=package_origin(),
        done=runtime.lesson_done(current_user.id, card.course_id, lesson, attempts),
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None))
    # This page alone may frame the package origin; nothing may frame the app.
    response.headers["Content-Security-Policy"] = f"{CONTENT_SECURITY_POLICY}; frame-src {package_origin()}"
    return response
