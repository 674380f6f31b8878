"""Benchmark: the KPI report over a synthetic body of 100,000 staff, 1,000,000 course completions and
100,000 training-event completions (seminars, workshops, online sessions, each with its certificate),
against the plain GROUP BY query that counts the same trainees, on SQLite and on PostgreSQL.

Run with `python bench/kpi_report.py [--staff N] [--completions N] [--event-completions N]
[--backends sqlite,postgresql]`.
Prints plain key=value lines. SQLite uses a temporary file; PostgreSQL a temporary database
`elearn_bench_kpi` created next to `--postgres-url`'s (default: this machine's trust-auth server) and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from scratch import postgres_databases  # noqa: E402  (bench/, the script's own folder)

from elearn import create_app, db, migrate  # noqa: E402
from elearn.domain.certificates import serial_number  # noqa: E402
from elearn.domain.events import Delivery, EventFormat  # noqa: E402
from elearn.domain.fiscal import fiscal_year, fiscal_year_bounds  # noqa: E402
from elearn.domain.kpi import DEFAULT_RULE  # noqa: E402
from elearn.domain.people import DEFAULT_GRADES, OrgKind, Tier  # noqa: E402
from elearn.models import (  # noqa: E402
    Certificate,
    Completion,
    Course,
    CourseVersion,
    EventSession,
    Grade,
    KpiReportCache,
    KpiTarget,
    OrgUnit,
    StaffTier,
    TrainingEvent,
    User,
)
from elearn.services.reports import kpi  # noqa: E402

AS_OF = date(2026, 11, 20)
YEARS = list(range(2022, fiscal_year(AS_OF) + 1))
DEPARTMENTS, DIVISIONS_PER_DEPARTMENT = 20, 25
# (slug, tier, recurring): the shape of the real catalogue.
COURSES = [
    ("security", Tier.ALL_STAFF, True), ("dx-basics", Tier.ALL_STAFF, False), ("office", Tier.ALL_STAFF, False),
    ("service-design", Tier.ALL_STAFF, False), ("leadership", Tier.DX_MANAGER, False),
    ("talent", Tier.DX_MANAGER, False), ("data", Tier.DX_SPECIALIST, False), ("bpr", Tier.DIGITAL_LEADER, False),
]
TIER_SHARE = {Tier.DX_MANAGER: 0.04, Tier.DX_SPECIALIST: 0.05, Tier.DIGITAL_LEADER: 0.08}
BATCH = 20_000
PLAIN_GROUP_BY = """
SELECT fiscal_year, count(DISTINCT user_id) FROM certificates
WHERE tier IN ('dx_manager', 'dx_specialist', 'digital_leader') AND superseded_at IS NULL
  AND fiscal_year >= 2022 AND completed_on <= :as_of AND (revoked_on IS NULL OR revoked_on > :as_of)
GROUP BY fiscal_year
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--event-completions", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def batches(rows: Iterator, size: int = BATCH) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def populate(staff: int, completions: int, event_completions: int = 0) -> dict[str, int]:
    """One prefecture of `staff` people and `completions` completions with their certificates, FY2022
    to the as-of year; tier courses for the people assigned to a tier, all-staff courses for everyone."""
    rng = random.Random(2022)
    with db.write_session() as session:
        body = OrgUnit(code="B000", name="ベンチ県", kind=OrgKind.PREFECTURE)
        session.add(body)
        session.flush()
        divisions = []
        for d in range(DEPARTMENTS):
            department = OrgUnit(code=f"B{d:02d}00", name=f"第{d + 1}部", kind=OrgKind.DEPARTMENT, parent_id=body.id)
            session.add(department)
            session.flush()
            for v in range(DIVISIONS_PER_DEPARTMENT):
                division = OrgUnit(code=f"B{d:02d}{v + 1:02d}", name=f"第{d + 1}部第{v + 1}課",
                                   kind=OrgKind.DIVISION, parent_id=department.id)
                session.add(division)
                divisions.append(division)
        session.flush()
        division_ids = [division.id for division in divisions]
        grade_ids = [grade_id for (grade_id,) in session.execute(text("SELECT id FROM grades"))] or []
        if not grade_ids:
            session.execute(insert(Grade), [{"name": n, "sort_order": i} for i, n in enumerate(DEFAULT_GRADES)])
            grade_ids = [grade_id for (grade_id,) in session.execute(text("SELECT id FROM grades"))]
        courses = []
        for slug, tier, recurring in COURSES:
            course = Course(slug=slug)
            session.add(course)
            session.flush()
            version = CourseVersion(course_id=course.id, version=1, content_hash="0" * 64, title=slug,
                                    tiers=[tier.value], estimated_minutes=60,
                                    recurrence_years=1 if recurring else None)
            session.add(version)
            session.flush()
            courses.append((course.id, version.id, tier, recurring))
        session.add_all(KpiTarget(body_id=body.id, fiscal_year=year, target=4_000 * (index + 1))
                        for index, year in enumerate(YEARS))
        body_id = body.id

    people = [(index + 1, rng.choice(division_ids), rng.choice(grade_ids)) for index in range(staff)]
    tiers = {}
    for user_id, _, _ in people:
        draw = rng.random()
        for tier, share in TIER_SHARE.items():
            if draw < share:
                tiers[user_id] = tier
                break
            draw -= share
    bulk(User, ({"id": user_id, "body_id": body_id, "staff_number": f"{user_id:07d}", "name": f"職員{user_id}",
                 "kana": "", "division_id": division, "grade_id": grade, "is_active": True,
                 "must_change_password": False, "session_token": f"t{user_id}",
                 "created_at": datetime(2022, 4, 1, tzinfo=UTC), "updated_at": datetime(2022, 4, 1, tzinfo=UTC)}
                for user_id, division, grade in people))
    bulk(StaffTier, ({"user_id": user_id, "tier": tier.value} for user_id, tier in tiers.items()))

    def plan() -> Iterator[tuple]:
        """(person, division, grade, course, completed day): each person completes distinct (course,
        fiscal year) pairs, their tier's courses first, until `completions` are planned."""
        per_person, extra = divmod(completions, staff)
        for index, (user_id, division, grade) in enumerate(people):
            own = [c for c in courses if c[2] is tiers.get(user_id)]
            common = [c for c in courses if c[2] is Tier.ALL_STAFF]
            pairs = [(c, rng.choice(YEARS)) for c in own]
            others = [(c, year) for c in common for year in YEARS]
            rng.shuffle(others)
            pairs += [pair for pair in others if pair not in pairs]
            for course, year in pairs[:per_person + (1 if index < extra else 0)]:
                first, last = fiscal_year_bounds(year)
                last = min(last, AS_OF)
                yield user_id, division, grade, course, first + timedelta(days=rng.randrange((last - first).days + 1))

    sequences: dict[tuple, int] = {}
    made = 0
    for chunk in batches(enumerate(plan(), start=1)):
        completion_rows, certificate_rows = [], []
        for number, (user_id, division, grade, (course_id, version_id, tier, _), day) in chunk:
            completion, certificate = course_completion_rows(
                number, user_id, (body_id, "ベンチ県"), division, grade, (course_id, version_id, tier), day,
                sequences, revoked=rng.random() < 0.002)
            completion_rows.append(completion)
            certificate_rows.append(certificate)
        insert_rows(Completion, completion_rows)
        insert_rows(Certificate, certificate_rows)
        made += len(chunk)
    attended = _event_completions(rng, body_id, people, made, event_completions, sequences)
    return {"body_id": body_id, "staff": staff, "completions": made, "event_completions": attended,
            "tier_people": len(tiers)}


def course_completion_rows(number: int, user_id: int, body: tuple[int, str], division: int, grade: int,
                           course: tuple[int, int, Tier], day: date, sequences: dict[tuple, int],
                           revoked: bool) -> tuple[dict, dict]:
    """A course completion's row and its certificate's (revoked 30 days later if `revoked`), numbered `number`;
    serials count per body, fiscal year and tier in `sequences`."""
    (body_id, body_name), (course_id, version_id, tier) = body, course
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    year = fiscal_year(day)
    sequence = sequences[(body_id, year, tier)] = sequences.get((body_id, year, tier), 0) + 1
    completion = {"id": number, "user_id": user_id, "course_id": course_id, "course_version_id": version_id,
                  "completed_at": at, "fiscal_year": year, "body_id": body_id, "division_id": division,
                  "grade_id": grade}
    certificate = {
        "id": number, "completion_id": number, "user_id": user_id, "body_id": body_id,
        "serial": serial_number(year, tier, sequence), "fiscal_year": year, "tier": tier.value,
        "sequence": sequence, "verification_code": f"{number:032d}", "holder_name": f"職員{user_id}",
        "course_title": "c", "minutes": 60, "completed_on": day, "body_name": body_name,
        "issuer_title": "首長", "issuer_name": "", "issued_at": at,
        "revoked_at": at + timedelta(days=30) if revoked else None,
        "revoked_on": day + timedelta(days=30) if revoked else None}
    return completion, certificate


# (format, delivery, KPI tier): a year's programme of seminars, workshops and online sessions.
EVENTS = [(EventFormat.SEMINAR, Delivery.IN_PERSON, Tier.DX_MANAGER),
          (EventFormat.WORKSHOP, Delivery.IN_PERSON, Tier.DX_SPECIALIST),
          (EventFormat.SEMINAR, Delivery.ONLINE, Tier.DIGITAL_LEADER),
          (EventFormat.SEMINAR, Delivery.HYBRID, None)]


def _event_completions(rng: random.Random, body_id: int, people: list[tuple], first_id: int, count: int,
                       sequences: dict[tuple, int]) -> int:
    """`count` attendances spread over each year's events, once per person and event, with certificates."""
    if not count:
        return 0
    events = []
    with db.write_session() as session:
        for year in YEARS:
            for index, (event_format, delivery, tier) in enumerate(EVENTS):
                event = TrainingEvent(code=f"EV-{year}-{index}", title=f"研修{year}-{index}", format=event_format,
                                      delivery=delivery, hours=3, kpi_tier=tier, owner_body_id=body_id)
                session.add(event)
                session.flush()
                day = min(date(year, 10, 15), AS_OF)
                at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
                held = EventSession(event_id=event.id, starts_at=at, ends_at=at + timedelta(hours=3), capacity=count,
                                    checkin_key="0" * 64)
                session.add(held)
                session.flush()
                events.append((event.id, held.id, tier or Tier.ALL_STAFF, tier, day, at))
    pairs = set()
    while len(pairs) < count:
        pairs.add((rng.randrange(len(people)), rng.randrange(len(events))))
    number = first_id
    for chunk in batches(sorted(pairs)):
        completion_rows, certificate_rows = [], []
        for person_index, event_index in chunk:
            number += 1
            user_id, division, grade = people[person_index]
            event_id, session_id, certificate_tier, kpi_tier, day, at = events[event_index]
            year = fiscal_year(day)
            completion_rows.append({"id": number, "user_id": user_id, "course_id": None, "course_version_id": None,
                                    "event_id": event_id, "event_session_id": session_id, "completed_at": at,
                                    "completed_on": day, "fiscal_year": year, "body_id": body_id,
                                    "division_id": division, "grade_id": grade,
                                    "tier": kpi_tier.value if kpi_tier else None, "hours": 3})
            key = (body_id, year, certificate_tier)  # as course_completion_rows counts them
            sequence = sequences[key] = sequences.get(key, 0) + 1
            certificate_rows.append({
                "id": number, "completion_id": number, "user_id": user_id, "body_id": body_id,
                "serial": serial_number(year, certificate_tier, sequence), "fiscal_year": year,
                "tier": certificate_tier.value, "sequence": sequence, "verification_code": f"{number:032d}",
                "holder_name": f"職員{user_id}", "course_title": "e", "minutes": 180, "completed_on": day,
                "body_name": "ベンチ県", "issuer_title": "知事", "issuer_name": "", "issued_at": at,
                "from_record": False})
        insert_rows(Completion, completion_rows)
        insert_rows(Certificate, certificate_rows)
    return count


def bulk(model: type, rows: Iterator[dict]) -> None:
    for batch in batches(rows):
        insert_rows(model, batch)


def insert_rows(model: type, rows: list[dict]) -> None:
    """PostgreSQL's COPY where available (an INSERT of a million rows would take minutes), else one
    executemany INSERT."""
    with db.write_session() as session:
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            session.execute(insert(model), rows)
            return
        columns = list(rows[0])
        names = ", ".join(columns)
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[column] for column in columns])


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(backend: str, url: str, args: argparse.Namespace, folder: Path) -> None:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        started = time.perf_counter()
        shape = populate(args.staff, args.completions, args.event_completions)
        load_seconds = time.perf_counter() - started
        if backend == "postgresql":
            db.session().execute(text("ANALYZE"))
            db.session().commit()
        body = db.session().get(OrgUnit, shape["body_id"])

        def plain() -> object:
            return db.session().execute(text(PLAIN_GROUP_BY), {"as_of": AS_OF}).all()

        def report() -> object:
            """As a person opening the report sees it: kept since the last change it reads."""
            return kpi.build(body, [body], AS_OF)

        def report_worked_out() -> object:
            """The first view after a change it reads (a certificate of tiers 1-3, a revocation, a staff import)
            when no server has worked it out yet."""
            app.extensions["elearn.kpi_reports"].clear()
            db.session().execute(delete(KpiReportCache))
            return kpi.build(body, [body], AS_OF)

        def report_from_another_server() -> object:
            """The first view in this process of a report another server (or the worker) worked out."""
            app.extensions["elearn.kpi_reports"].clear()
            return kpi.build(body, [body], AS_OF)

        def report_after_all_staff_certificate() -> object:
            """After a certificate of the all-staff course (the busy week's thousands): still kept."""
            db.session().execute(text("UPDATE data_generations SET generation = generation + 1 "
                                      "WHERE name = 'all_staff'"))
            return kpi.build(body, [body], AS_OF)

        def facts_only() -> object:
            return kpi.facts(DEFAULT_RULE, AS_OF, [body.id])

        plain(), report()  # warm the caches both will use
        # Interleaved, so a busy moment on the machine hits both.
        plain_s, report_s, cold_s, shared_s, busy_s, facts_s = [], [], [], [], [], []
        for _ in range(args.runs):
            plain_s.append(median_seconds(plain, 1))
            report_s.append(median_seconds(report, 1))
            cold_s.append(median_seconds(report_worked_out, 1))
            shared_s.append(median_seconds(report_from_another_server, 1))
            busy_s.append(median_seconds(report_after_all_staff_certificate, 1))
            facts_s.append(median_seconds(facts_only, 1))
        built = report()
        check = dict(plain())
        db.session().rollback()
    app.extensions["elearn.engine"].dispose()
    baseline, measured, cold, shared, busy, facts_time = (statistics.median(x) for x in
                                                         (plain_s, report_s, cold_s, shared_s, busy_s, facts_s))
    print(f"backend={backend}")
    print(f"staff={shape['staff']} completions={shape['completions']} "
          f"event_completions={shape['event_completions']} tier_people={shape['tier_people']}")
    print(f"load_seconds={load_seconds:.1f}")
    print(f"baseline_group_by_ms={baseline * 1000:.1f}")
    print(f"kpi_report_ms={measured * 1000:.1f}")
    print(f"kpi_report_worked_out_ms={cold * 1000:.1f}")
    print(f"kpi_report_from_another_server_ms={shared * 1000:.1f}")
    print(f"kpi_report_after_all_staff_certificate_ms={busy * 1000:.1f}")
    print(f"kpi_facts_query_ms={facts_time * 1000:.1f}")
    print(f"ratio={measured / baseline:.2f}")
    print(f"ratio_worked_out={cold / baseline:.2f}")
    print(f"ratio_from_another_server={shared / baseline:.2f}")
    print(f"ratio_after_all_staff_certificate={busy / baseline:.2f}")
    # The running year is read on the as-of day by both (earlier years by the report on their last day).
    this_year = fiscal_year(AS_OF)
    print(f"same_count_this_year={built.current is not None and built.current.in_year == check.get(this_year)}")


def main() -> None:
    args = parse_args()
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="elearn-bench-kpi-") as temporary:
            folder = Path(temporary)
            if backend == "sqlite":
                run(backend, f"sqlite:///{folder / 'bench.sqlite3'}", args, folder)
            elif backend == "postgresql":
                with postgres_databases(args.postgres_url, "elearn_bench_kpi") as urls:
                    run(backend, urls["elearn_bench_kpi"], args, folder)
            else:
                raise SystemExit(f"unknown backend {backend!r}: sqlite or postgresql")


if __name__ == "__main__":
    main()
