"""The tasks and their schedule. Each runs in an app context with a request context on PUBLIC_URL, so that
links in mail point where staff reach the site."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask
from huey import Huey, crontab

# Notices go out in office hours only: hourly from 07:05 to 19:05 Japan time (22:05 to 10:05 UTC). Every
# step of the scan is idempotent, so running it hourly only means a missed hour is made up at the next.
OFFICE_HOURS_UTC = "22,23,0,1,2,3,4,5,6,7,8,9,10"
# Catch-up for mail a wake-up missed (queue down at commit time, a worker killed mid-run).
MAIL_TICK = crontab(minute="*")
NOTICE_SCAN = crontab(minute="5", hour=OFFICE_HOURS_UTC)
# The prefecture's KPI report, worked out once after each change it reads, before a reporter opens it.
KPI_WARM = crontab(minute="*")
# Stored folders nothing owns any more (elearn.services.files.sweep), at 03:15 Japan time.
STORAGE_SWEEP = crontab(minute="15", hour="18")

# Tasks that may be re-enqueued by name after their worker died (periodic ones simply run again).
RESUMABLE = frozenset({"send_mail", "deliver_announcement", "render_certificates", "check_video_upload",
                       "import_scorm_upload", "apply_import"})


def register(queue: Huey, app: Flask) -> dict[str, Callable]:
    def in_app(function: Callable) -> Callable:
        @wraps(function)
        def run(*args: object) -> object:
            with app.app_context(), app.test_request_context(base_url=app.config["PUBLIC_URL"]):
                return function(*args)
        return run

    @queue.task(name="send_mail", retries=3, retry_delay=60, retry_backoff=2)
    @in_app
    def send_mail() -> dict:
        from elearn import jobs
        from elearn.services.notices import mail

        jobs.release(jobs.MAIL_KEY, app)
        report = mail.send_waiting()
        return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}

    @queue.periodic_task(MAIL_TICK, name="mail_tick")
    @in_app
    def mail_tick() -> None:
        from elearn.services.notices import mail

        if mail.waiting_count():
            mail.send_waiting()

    @queue.periodic_task(KPI_WARM, name="kpi_warm")
    @in_app
    def kpi_warm() -> bool:
        from elearn.clock import today_in_japan
        from elearn.services.reports import kpi

        return kpi.warm(today_in_japan())

    @queue.periodic_task(NOTICE_SCAN, name="notice_scan", retries=2, retry_delay=300)
    @in_app
    def notice_scan() -> dict:
        from elearn.services.outreach import scan

        return scan.run_all()

    @queue.periodic_task(STORAGE_SWEEP, name="storage_sweep")
    @in_app
    def storage_sweep() -> dict:
        from elearn.clock import utcnow
        from elearn.services.files import sweep

        orphans = sweep.find(utcnow())
        return {"found": len(orphans), "removed": sweep.remove(orphans)}

    @queue.task(name="deliver_announcement", retries=5, retry_delay=30, retry_backoff=2)
    @in_app
    def deliver_announcement(announcement_id: int) -> int:
        from elearn.services.outreach import announcements

        return announcements.deliver(announcement_id)

    @queue.task(name="render_certificates", retries=2, retry_delay=30)
    @in_app
    def render_certificates(key: str, user_id: int, fiscal_year: int | None, unit_id: int | None,
                            unit_alone: bool = False) -> int:  # a job queued before unit_alone runs as before
        from elearn import jobs
        from elearn.services.certificates import TeamSelection, pdf

        try:
            return pdf.render_for_team(user_id, TeamSelection(fiscal_year, unit_id, unit_alone))
        finally:
            jobs.release(key, app)

    @queue.task(name="render_new_certificates", retries=2, retry_delay=30)
    @in_app
    def render_new_certificates(certificate_ids: list[int]) -> int:
        from elearn.services.certificates import pdf

        return pdf.render_listed(certificate_ids)

    @queue.task(name="check_video_upload", retries=1, retry_delay=60)
    @in_app
    def check_video_upload(upload_id: int) -> str:
        from elearn.services import media

        return media.check(upload_id).value

    @queue.task(name="import_scorm_upload", retries=1, retry_delay=60)
    @in_app
    def import_scorm_upload(upload_id: int) -> str:
        from elearn.services import scorm

        return scorm.import_upload(upload_id).value

    # Retried only when the run could not be started or finished (the database away a moment): an error while applying
    # ends the run as failed, and applying again is then the administrator's call.
    @queue.task(name="apply_import", retries=2, retry_delay=60)
    @in_app
    def apply_import(run_id: int) -> str:
        from elearn.services import import_runs

        return import_runs.run(run_id).value

    return {"apply_import": apply_import, "check_video_upload": check_video_upload,
            "import_scorm_upload": import_scorm_upload,
            "send_mail": send_mail, "mail_tick": mail_tick, "notice_scan": notice_scan,
            "deliver_announcement": deliver_announcement, "render_certificates": render_certificates,
            "kpi_warm": kpi_warm, "storage_sweep": storage_sweep,
            "render_new_certificates": render_new_certificates}
