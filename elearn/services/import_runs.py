"""Large import files applied by the worker instead of in the administrator's request.

A whole prefecture's staff list (300,000 rows) or years of past training records take minutes to apply, most of it
hashing the new accounts' initial passwords; a page waiting that long is cut off by the proxy and leaves the
administrator not knowing whether anything happened. From IMPORT_QUEUED_ROWS rows on, the preview says the file
will be applied in the background, the apply step records an ImportRun and queues it, and the run's page follows it.

The worker applies the same stored upload with the same options the preview was made with, in one transaction as
the page would: all or nothing. New accounts of a queued staff import get no initial password: passwords are shown
once and never stored, and a worker has no page to show them on. The run's page sends the administrator to issue
them per organisation (elearn.services.directory.initial_passwords), which is how sheets are handed out anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from elearn import db, jobs
from elearn.clock import utcnow
from elearn.domain.notices import NoticeKind
from elearn.imports.columns import RowError
from elearn.models import ImportRun, ImportRunState, User
from elearn.services import notices
from elearn.services.files import uploads
from elearn.services.learning import history_import
from elearn.services.people import importer

log = logging.getLogger(__name__)

QUEUED_KINDS = frozenset({"staff", "history"})  # organisation files are a few thousand rows at most
ERRORS_KEPT = 500  # of a rejected run, as many as the preview page lists


def rows_of(plan: object) -> int:
    """How many rows applying the plan reads through."""
    if isinstance(plan, importer.StaffPlan):
        return plan.rows_read + len(plan.deactivations)
    if isinstance(plan, history_import.HistoryPlan):
        return len(plan.rows)
    return 0


def in_background(kind: str, plan: object) -> bool:
    return kind in QUEUED_KINDS and rows_of(plan) > current_app.config["IMPORT_QUEUED_ROWS"]


def start(kind: str, actor: User, upload_id: str, filename: str, deactivate_missing: bool) -> ImportRun:
    with db.write_session() as session:
        run = ImportRun(kind=kind, filename=filename[:200], upload_id=upload_id,
                        deactivate_missing=deactivate_missing, started_by_id=actor.id)
        session.add(run)
    if not jobs.enqueue("apply_import", run.id):
        # Said on the page the administrator is sent to; a notice would only repeat it.
        _finish(run.id, ImportRunState.FAILED, error="the job queue could not be reached", tell=False)
    return run


def get(run_id: int) -> ImportRun | None:
    return db.session().get(ImportRun, run_id)


def recent(kind: str, limit: int = 10) -> list[ImportRun]:
    return list(db.session().scalars(select(ImportRun).options(joinedload(ImportRun.started_by))
                                     .where(ImportRun.kind == kind).order_by(ImportRun.id.desc()).limit(limit)))


def run(run_id: int) -> ImportRunState:
    """The worker's part. A run found already finished is left alone, so a task delivered twice applies once. One
    found running belonged to a worker that died, or to an attempt that could not record its end (the start-up
    recovery of a dead worker's tasks and the task's retries queue it again) and is applied again: its transaction
    was rolled back, or, had it committed with only its end unrecorded, the second plan finds nothing left to add
    and the run says so."""
    with db.write_session() as session:
        found = session.get(ImportRun, run_id)
        if found is None or not found.waiting:
            return found.state if found else ImportRunState.FAILED
        found.state = ImportRunState.RUNNING
        kind, upload_id, filename = found.kind, found.upload_id, found.filename
        deactivate_missing, actor_id = found.deactivate_missing, found.started_by_id
    actor = db.session().get(User, actor_id)
    pending = uploads.load_pending(actor_id, upload_id)
    if pending is None:
        return _finish(run_id, ImportRunState.FAILED, error="the uploaded file is no longer stored")
    try:
        if kind == "staff":
            result = importer.apply_staff_import(pending.data, filename, actor, deactivate_missing=deactivate_missing,
                                                 issue_passwords=False)
            summary = result.plan.summary()
        else:
            plan, _batch = history_import.apply(pending.data, filename, actor)
            summary = plan.summary()
    except (importer.ImportRejected, history_import.HistoryImportRejected) as rejected:
        uploads.discard(actor_id, upload_id)
        return _finish(run_id, ImportRunState.REJECTED, errors=rejected.plan.errors)
    except Exception as error:  # rolled back: nothing changed; the run says so and the worker's log has the rest
        log.exception("import run %s failed", run_id)
        return _finish(run_id, ImportRunState.FAILED, error=f"{type(error).__name__}: {error}")
    uploads.discard(actor_id, upload_id)
    return _finish(run_id, ImportRunState.DONE, summary=summary)


def _finish(run_id: int, state: ImportRunState, summary: dict[str, int] | None = None,
            errors: Sequence[RowError] = (), error: str = "", tell: bool = True) -> ImportRunState:
    with db.write_session() as session:
        found = session.get(ImportRun, run_id)
        if not found.waiting:
            return found.state  # a run's end is written once
        found.state, found.summary, found.error, found.finished_at = state, summary or {}, error[:4000], utcnow()
        found.errors = [[item.line, item.text, {key: value if isinstance(value, int | float | str) else str(value)
                                                for key, value in item.params.items()}]
                        for item in errors[:ERRORS_KEPT]]
        found.error_count = len(errors)
        if tell:  # the administrator may have closed the run's page long ago: a large file takes minutes
            notices.notify(session, found.started_by_id, NoticeKind.IMPORT_FINISHED, {
                "run": found.id, "kind": found.kind, "filename": found.filename, "state": state.value,
                "summary": found.summary, "errors": found.error_count}, key=f"import-run-{found.id}")
    return state


def stored_errors(found: ImportRun) -> list[RowError]:
    return [RowError(line, text, params) for line, text, params in found.errors]
