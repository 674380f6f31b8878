from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from elearn.auth.forms import EmptyForm
from elearn.dates import datetime_text
from elearn.quiz.forms import answer_field, answers_from, as_number
from elearn.services import certificates, visibility
from elearn.services.learning import quiz, quiz_results
from elearn.services.learning.quiz_snapshot import learner_view
from elearn.web import permitted

bp = Blueprint("quiz", __name__)

CLOSED_MESSAGES = {
    "lessons_unread": _l("Read every lesson first; then the quiz opens."),
    "no_attempts_left": _l("You have used all your attempts for this quiz."),
    "already_passed": _l("You have already passed this quiz."),
    "completed_this_year": _l("You have already completed this course this fiscal year."),
    "cooling_down": _l("You can try again from %(time)s."),
}


@bp.post("/courses/<slug>/quiz/start")
@login_required
def start(slug: str):
    try:
        attempt = quiz.start(current_user, slug)
    except LookupError:
        abort(404)
    except quiz.QuizClosed as closed:
        flash(str(CLOSED_MESSAGES[closed.reason]) % {"time": datetime_text(closed.wait_until)}, "error")
        return redirect(url_for("learn.course", slug=slug))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


@bp.route("/quiz/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):
    found = quiz.attempt_of(current_user, attempt_id) or abort(404)
    if found.submitted_at is not None:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    if request.method == "POST":
        return _handle_post(found)
    return render_template("quiz/attempt.html", attempt=found, form=EmptyForm(), answer_field=answer_field,
                           questions=learner_view(found.questions, found.responses))


def _handle_post(found):  # type: ignore[no-untyped-def]
    sequence = as_number(request.form.get("sequence", ""), max_digits=9)
    sequence = -1 if sequence is None else sequence  # matches no state: refused as stale, never a 500
    answers = answers_from(request.form.to_dict(flat=False), learner_view(found.questions))
    if request.form.get("action") == "save":
        if quiz.save(current_user, found.id, sequence, answers):
            flash(_("Your answers have been saved."), "success")
        else:
            flash(_("Not saved: the time is up or the quiz was changed in another window."), "error")
        return redirect(url_for("quiz.attempt", attempt_id=found.id))
    try:
        outcome = quiz.submit(current_user, found.id, sequence, answers)
    except quiz.StaleAttempt:
        flash(_("This quiz was saved in another window. Check your answers and submit again."), "error")
        return redirect(url_for("quiz.attempt", attempt_id=found.id))
    if outcome.refused_late:
        flash(_("The time limit had passed, so this attempt was not accepted."), "error")
    elif not outcome.newly_graded:
        flash(_("This attempt had already been submitted; here is its result."), "info")
    return redirect(url_for("quiz.result", attempt_id=found.id))


@bp.get("/quiz/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    found = quiz.attempt_of(current_user, attempt_id) or abort(404)
    if found.submitted_at is None:
        return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
    return render_template("quiz/result.html", report=quiz_results.report(current_user, found),
                           certificate=certificates.of_attempt(current_user.id, found.id))


@bp.get("/quiz/stats/<slug>")
@permitted(visibility.may_see_quiz_statistics)
def stats(slug: str):
    table = quiz_results.question_stats(slug) or abort(404)
    return render_template("quiz/stats.html", table=table)


