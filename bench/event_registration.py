"""Benchmark: 500 staff registering for one session at once (more than its places), on SQLite and on
PostgreSQL, against a bare insert of the same registration rows made the same way (one transaction each,
from the same number of threads). Checks that nobody is booked beyond the places.

Run with `python bench/event_registration.py [--people 500] [--capacity 100] [--threads 8]
[--backends sqlite,postgresql]`. Prints plain key=value lines; exits 1 on overbooking.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from scratch import postgres_databases  # noqa: E402  (bench/, the script's own folder)

from elearn import create_app, db, migrate  # noqa: E402
from elearn.domain.events import Delivery, EventFormat, RegistrationStatus  # noqa: E402
from elearn.domain.people import OrgKind  # noqa: E402
from elearn.models import EventSession, OrgUnit, Registration, TrainingEvent, User  # noqa: E402
from elearn.services.events import registration  # noqa: E402

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    return parser.parse_args()


def populate(people: int, capacity: int) -> tuple[int, int, list[User], list[int]]:
    """A body, 2 × `people` staff (half register, half are the bare inserts' rows), a published event and two
    sessions: one for the registrations, one for the bare inserts."""
    with db.write_session() as session:
        body = OrgUnit(code="B000", name="ベンチ県", kind=OrgKind.PREFECTURE)
        session.add(body)
        session.flush()
        division = OrgUnit(code="B001", name="ベンチ課", kind=OrgKind.DIVISION, parent_id=body.id)
        session.add(division)
        session.flush()
        session.execute(insert(User), [
            {"body_id": body.id, "division_id": division.id, "staff_number": f"{index:06d}", "name": f"職員{index}",
             "kana": "", "is_active": True, "must_change_password": False, "session_token": f"t{index}"}
            for index in range(2 * people)])
        event = TrainingEvent(code="BENCH", title="ベンチ研修", format=EventFormat.WORKSHOP,
                              delivery=Delivery.IN_PERSON, hours=Decimal(3), owner_body_id=body.id, published_at=NOW)
        session.add(event)
        session.flush()
        starts = NOW + timedelta(days=10)
        sessions = [EventSession(event_id=event.id, starts_at=starts, ends_at=starts + timedelta(hours=3),
                                 capacity=capacity, checkin_key="0" * 64) for _ in range(2)]
        session.add_all(sessions)
        session.flush()
        session_ids = [item.id for item in sessions]
    users = list(db.session().scalars(select(User).order_by(User.id)))
    for user in users:
        _ = user.tiers, user.grade, user.grants  # loaded now: the threads only read them
    db.session().expunge_all()
    return session_ids[0], session_ids[1], users[:people], [user.id for user in users[people:]]


def timed_in_threads(app, threads: int, tasks: list[Callable[[], object]]) -> float:  # type: ignore[no-untyped-def]
    def run(task: Callable[[], object]) -> object:
        with app.app_context():
            return task()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(run, tasks))
    return time.perf_counter() - started


def bare_insert(session_id: int, user_id: int) -> None:
    with db.write_session() as session:
        session.execute(insert(Registration).values(session_id=session_id, user_id=user_id,
                                                    status=RegistrationStatus.REGISTERED, queued_at=NOW,
                                                    registered_at=NOW, decline_reason=""))


def run(backend: str, url: str, args: argparse.Namespace, folder: Path) -> bool:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        target, floor_target, people, floor_people = populate(args.people, args.capacity)
    floor = timed_in_threads(app, args.threads, [lambda u=user_id: bare_insert(floor_target, u)
                                                 for user_id in floor_people])
    measured = timed_in_threads(app, args.threads, [lambda u=user: registration.register(u, target, NOW)
                                                    for user in people])
    with app.app_context():
        counts = dict(db.session().execute(
            select(Registration.status, func.count()).where(Registration.session_id == target)
            .group_by(Registration.status)).all())
    app.extensions["elearn.engine"].dispose()
    registered = counts.get(RegistrationStatus.REGISTERED, 0)
    waiting = counts.get(RegistrationStatus.WAITING, 0)
    print(f"backend={backend}")
    print(f"people={args.people} capacity={args.capacity} threads={args.threads}")
    print(f"registered={registered} waiting={waiting}")
    print(f"bare_insert_ms_each={floor * 1000 / args.people:.2f}")
    print(f"register_ms_each={measured * 1000 / args.people:.2f}")
    print(f"ratio={measured / floor:.2f}")
    overbooked = registered > args.capacity or registered + waiting != args.people
    print(f"overbooked={overbooked}")
    return not overbooked


def main() -> None:
    args = parse_args()
    ok = True
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="elearn-bench-events-") as temporary:
            folder = Path(temporary)
            if backend == "sqlite":
                ok &= run(backend, f"sqlite:///{folder / 'bench.sqlite3'}", args, folder)
            elif backend == "postgresql":
                with postgres_databases(args.postgres_url, "elearn_bench_events") as urls:
                    ok &= run(backend, urls["elearn_bench_events"], args, folder)
            else:
                raise SystemExit(f"unknown backend {backend!r}: sqlite or postgresql")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
