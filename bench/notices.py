"""Benchmark: the mail sender and the reminder scan.

1. 10,000 queued messages sent by `services.notices.mail.send_waiting` to a loopback SMTP server (aiosmtpd),
   against raw `smtplib` sending 10,000 prebuilt messages of the same size over one connection to the same
   server, in the same run. Messages per second and their ratio.
2. The reminder scan over 100,000 staff and the demo content's all-staff courses (a tenth of the staff completed
   each course), its
   first run (everyone told: 100,000 notices and mails written) and a second run (nothing new), against a
   plain query that selects the same people (active staff lacking a completion of a required course).

Run with `python bench/notices.py [--messages 10000] [--staff 100000] [--backends sqlite,postgresql]`. Prints
plain key=value lines; exits 1 if a message is lost or duplicated, or if the second scan tells anyone.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from scratch import postgres_databases  # noqa: E402  (bench/, the script's own folder)

from elearn import create_app, db, migrate  # noqa: E402
from elearn.domain.notices import NoticeKind  # noqa: E402
from elearn.domain.people import OrgKind, Tier  # noqa: E402
from elearn.models import Completion, Course, OrgUnit, OutboxMessage, User  # noqa: E402
from elearn.services.learning import content, deadlines  # noqa: E402
from elearn.services.notices import Delivery, deliver, mail, mail_context  # noqa: E402
from elearn.services.outreach import reminders  # noqa: E402

TODAY = date(2026, 12, 4)
PROJECT = Path(__file__).resolve().parent.parent


class Counter:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
        else:
            self.ids.append("")
        return "250 OK"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def populate_staff(count: int) -> tuple[int, list[int]]:
    with db.write_session() as session:
        body = OrgUnit(code="B000", name="ベンチ県", kind=OrgKind.PREFECTURE)
        session.add(body)
        session.flush()
        division = OrgUnit(code="B001", name="ベンチ課", kind=OrgKind.DIVISION, parent_id=body.id)
        session.add(division)
        session.flush()
        for start in range(0, count, 10_000):
            session.execute(insert(User), [
                {"body_id": body.id, "division_id": division.id, "staff_number": f"{index:06d}",
                 "name": f"職員　{index}", "kana": "", "email": f"staff{index}@bench.example.lg.jp", "is_active": True,
                 "must_change_password": False, "session_token": f"t{index}"}
                for index in range(start, min(count, start + 10_000))])
    return body.id, list(db.session().scalars(select(User.id).order_by(User.id)))


def bench_mail(app, args: argparse.Namespace, port: int, counter: Counter) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        _body, user_ids = populate_staff(args.messages)
        with mail_context(), db.write_session() as session:
            deliver(session, [Delivery(user_id, NoticeKind.ANNOUNCEMENT,
                                       {"subject": "ベンチマークのお知らせ", "text": "本文です。\n二行目。",
                                        "from": "ベンチ県"}) for user_id in user_ids])
        sample = db.session().scalar(select(OutboxMessage))
        settings = mail.MailSettings.from_config()
        prebuilt = []
        for index in range(args.messages):
            message = EmailMessage()
            message["Subject"] = sample.subject
            message["From"] = settings.sender
            message["To"] = f"raw{index}@bench.example.lg.jp"
            message["Message-ID"] = f"<raw{index}@bench>"
            message.set_content(sample.body_text)
            message.add_alternative(sample.body_html, subtype="html")
            prebuilt.append(message)
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for message in prebuilt:
                smtp.send_message(message)
        raw = time.perf_counter() - started
        counter.ids.clear()
        started = time.perf_counter()
        report = mail.send_waiting()
        sent_time = time.perf_counter() - started
        states = dict(db.session().execute(select(OutboxMessage.state, func.count())
                                           .group_by(OutboxMessage.state)).all())
    ok = report.sent == args.messages and len(set(counter.ids)) == len(counter.ids) == args.messages
    print(f"messages={args.messages}")
    print(f"raw_smtplib_per_second={args.messages / raw:.0f}")
    print(f"outbox_per_second={args.messages / sent_time:.0f}")
    print(f"mail_ratio={sent_time / raw:.2f}")
    print(f"states={states}")
    print(f"mail_ok={ok}")
    return ok


def bench_scan(app, args: argparse.Namespace) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        content.sync(content.tree())
        courses = list(db.session().execute(select(Course.id, Course.slug).order_by(Course.id)))
        deadlines.save(None, 2026, {course.id: date(2026, 12, 18) for course in courses})
        _body, user_ids = populate_staff(args.staff)
        body_id = db.session().scalar(select(OrgUnit.id).where(OrgUnit.code == "B000"))
        division_id = db.session().scalar(select(OrgUnit.id).where(OrgUnit.code == "B001"))
        with db.write_session() as session:
            for course in courses:
                session.execute(insert(Completion), [
                    {"user_id": user_id, "course_id": course.id, "completed_at": datetime(2026, 6, 1, tzinfo=UTC),
                     "fiscal_year": 2026, "body_id": body_id, "division_id": division_id}
                    for user_id in user_ids[course.id % 10::10]])
        all_staff = {source.slug for source in content.tree().courses if Tier.ALL_STAFF in source.tiers}
        required = [course.id for course in courses if course.slug in all_staff]
        plain = text("SELECT count(*) FROM users u WHERE u.is_active AND EXISTS (SELECT 1 FROM courses k "
                     "WHERE k.id IN :ids AND NOT EXISTS (SELECT 1 FROM completions c WHERE c.user_id = u.id "
                     "AND c.course_id = k.id AND c.fiscal_year = 2026))").bindparams(
            bindparam("ids", value=required, expanding=True))
        started = time.perf_counter()
        expected = db.session().execute(plain).scalar_one()
        plain_time = time.perf_counter() - started
        started = time.perf_counter()
        planned = reminders.plan(TODAY)
        plan_time = time.perf_counter() - started
        with mail_context():
            started = time.perf_counter()
            first = reminders.scan(TODAY)
            first_time = time.perf_counter() - started
            started = time.perf_counter()
            second = reminders.scan(TODAY)
            second_time = time.perf_counter() - started
        queued = db.session().scalar(select(func.count()).select_from(OutboxMessage))
    ok = first.told == expected == len(planned.due) and second.told == 0 and queued == expected
    print(f"staff={args.staff} courses={len(required)} people_to_tell={expected}")
    print(f"plain_query_ms={plain_time * 1000:.0f}")
    print(f"scan_plan_ms={plan_time * 1000:.0f} plan_ratio={plan_time / plain_time:.1f}")
    print(f"scan_first_run_ms={first_time * 1000:.0f} first_run_ratio={first_time / plain_time:.1f} "
          f"(writes {first.told} notices and mails)")
    print(f"scan_second_run_ms={second_time * 1000:.0f} second_run_ratio={second_time / plain_time:.1f} "
          f"(told {second.told})")
    print(f"scan_ok={ok}")
    return ok


def run(backend: str, url_for_part, args: argparse.Namespace, folder: Path) -> bool:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    port = free_port()
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    ok = True
    try:
        print(f"backend={backend}")
        for part, bench in (("mail", bench_mail), ("scan", bench_scan)):
            url = url_for_part(part)
            migrate.upgrade(url)
            config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance"),
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_PER_MINUTE": 0,
                      "CONTENT_ROOT": str(PROJECT), "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}"}
            app = create_app(config)
            ok &= bench(app, args, port, counter) if part == "mail" else bench(app, args)
            app.extensions["elearn.engine"].dispose()
    finally:
        controller.stop()
    return ok


def main() -> None:
    args = parse_args()
    ok = True
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="elearn-bench-notices-") as temporary:
            folder = Path(temporary)
            if backend == "sqlite":
                ok &= run(backend, lambda part, folder=folder: f"sqlite:///{folder / f'{part}.sqlite3'}", args, folder)
            elif backend == "postgresql":
                names = {part: f"elearn_bench_notices_{part}" for part in ("mail", "scan")}
                with postgres_databases(args.postgres_url, *names.values()) as urls:
                    ok &= run(backend, lambda part, urls=urls, names=names: urls[names[part]], args, folder)
            else:
                raise SystemExit(f"unknown backend {backend!r}: sqlite or postgresql")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
