"""The mail log (the outbox as administrators read it) and the job log."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, render_template, request

from elearn import db, jobs
from elearn.admin.blueprint import bp
from elearn.clock import utcnow
from elearn.jobs import runs
from elearn.models import OutboxMessage
from elearn.services import visibility
from elearn.services.notices import mail
from elearn.web import permitted


@bp.get("/mail")
@permitted(visibility.may_read_mail_log)
def mail_log():
    state = request.args.get("state") or None
    q = request.args.get("q", "").strip()[:100]
    page = max(1, request.args.get("page", 1, type=int))
    return render_template("admin/mail_log.html", page=mail.outbox(state, q, page), state=state, q=q,
                           states=mail.STATES, server=current_app.config.get("MAIL_SERVER"))


@bp.get("/mail/<int:message_id>")
@permitted(visibility.may_read_mail_log)
def mail_message(message_id: int):
    row = db.session().get(OutboxMessage, message_id) or abort(404)
    return render_template("admin/mail_message.html", row=row)


@bp.get("/jobs")
@permitted(visibility.may_read_mail_log)
def job_log():
    try:
        waiting = runs.waiting(jobs.queue())
        queue_error = None
    except Exception as error:  # the queue's storage is unreachable: say so, show the rest
        waiting, queue_error = [], f"{type(error).__name__}: {error}"
    return render_template("admin/jobs.html", waiting=waiting, queue_error=queue_error,
                           problems=runs.recent(("failed", "retrying", "interrupted", "running"), 50),
                           recent=runs.recent(None, 30), counts=runs.counts_since(utcnow() - timedelta(days=1)))
