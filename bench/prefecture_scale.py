"""Benchmark: a synthetic prefecture at full size on PostgreSQL, and the pages and jobs that read all of it.

Run with `make bench-scale` (or `.venv/bin/python bench/prefecture_scale.py`). With the defaults it loads
300,000 staff in 200 bodies and about 1.5 million completions with their certificates, then measures; about
ten minutes on the 2-core development VM. Options: `--staff`, `--bodies`, `--runs` (3), `--postgres-url`.

The prefecture (a fifth of the staff, teachers and police included) has a department of exactly 5,000 people
in 50 divisions; 199 municipalities share the rest by a Zipf-like law (a big city of some 20,000 down to
villages of a few dozen). Courses are the real catalogue (`content sync`): everyone takes the yearly security
course in most years and the DX basics once, people with a tier (17%) their tier's courses; five fiscal years,
R4 (FY2022) to the as-of day (2026-11-20), with 60,000 attendances (`--event-completions`) of the prefecture's
own seminars and workshops (four a year) on top; 0.2% of certificates revoked. Rows go in through COPY, then ANALYZE.

Timed, each the median of `--runs` runs taking turns with its floor, a plain query counting the same thing:

- `team_page`: GET /team/ as the manager of the 5,000-person department (Flask's test client, the whole page);
  floor: one GROUP BY counting each of those people's completions this fiscal year.
- `team_certificates`: GET /team/certificates/ for this fiscal year as that manager (the preparation page, with
  how many PDFs are stored); floor: the plain count of the department's certificates in force that year.
- `admin_team_page`: GET /team/ as an administrator, whose team is every member of staff (the page asks for a
  unit first); floor: the plain GROUP BY of active staff per division.
- `admin_certificate_list`: GET /admin/certificates/, the newest page of every certificate with the total;
  floor: the plain count of certificates.
- `admin_certificate_search`: GET /admin/certificates/?q=職員12345, a name held by one person (and by the
  holders of 職員123450-職員123459); floor: the plain count of the certificates it finds (serial, holder's name
  then or now, staff number).
- `kpi_report_worked_out` / `kpi_report_kept`: `services.reports.kpi.build` for the prefecture with its 199
  municipalities side by side, worked out (as after a change it reads) and as kept by the process; floor: the
  plain GROUP BY of bench/kpi_report.py over every body.
- `import_preview`, `import_apply`: a 300,000-row staff file of the staff as they are (CSV), previewed, then
  applied (it changes nothing); floor: reading the same file with `csv` and selecting every user with their
  division code.
- `history_preview`: a past-training file (研修履歴) of one FY2021 course record for each of the prefecture's own
  staff (60,000 rows; two in three of them have attended its seminars since, and each record is checked against
  theirs), previewed; floor: reading the file with `csv` and selecting those people's completions.
- `reminder_plan`: `reminders.plan`, who is due which reminder today; floor: the plain query of
  bench/notices.py selecting the same people.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, delete, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kpi_report import (  # noqa: E402
    AS_OF,
    PLAIN_GROUP_BY,
    TIER_SHARE,
    YEARS,
    _event_completions,
    batches,
    course_completion_rows,
    insert_rows,
)
from scratch import postgres_databases  # noqa: E402

from elearn import create_app, db, migrate  # noqa: E402
from elearn.domain.fiscal import fiscal_year, fiscal_year_bounds  # noqa: E402
from elearn.domain.people import TIER_NAMES_JA, OrgKind, Permission, Tier  # noqa: E402
from elearn.models import (  # noqa: E402
    Certificate,
    Completion,
    Course,
    CourseDeadline,
    CourseVersion,
    KpiReportCache,
    OrgUnit,
    RoleGrant,
    StaffTier,
    User,
)
from elearn.server import settle_heap  # noqa: E402

BIG_DEPARTMENT, BIG_DIVISIONS = 5_000, 50
PASSWORD = "bench-scale-horse-42"
STAMP = datetime(2022, 4, 1, tzinfo=UTC)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=300_000)
    parser.add_argument("--bodies", type=int, default=200)
    parser.add_argument("--event-completions", type=int, default=60_000,
                        help="attendances of the prefecture's own seminars and workshops (default 60,000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    return parser.parse_args()


# --- the prefecture ----------------------------------------------------------------------------------------------


def body_sizes(staff: int, bodies: int) -> list[int]:
    """The prefecture's share first, then the municipalities by a Zipf-like law, at least 30 each."""
    prefecture = max(staff // 5, BIG_DEPARTMENT + 1_000)
    weights = [1 / (rank ** 0.9) for rank in range(1, bodies)]
    rest = staff - prefecture
    sizes = [max(30, int(rest * weight / sum(weights))) for weight in weights]
    sizes[0] += rest - sum(sizes)  # the biggest city takes the rounding
    return [prefecture, *sizes]


def build_units(sizes: list[int]) -> tuple[list[dict], list[tuple[int, int, int]], int]:
    """Org-unit rows, and per body (body id, division id, people) slots; returns also the big department's id."""
    rows: list[dict] = []
    slots: list[tuple[int, int, int]] = []

    def unit(code: str, name: str, kind: OrgKind, parent: int | None) -> int:
        rows.append({"id": len(rows) + 1, "code": code, "name": name, "kind": kind.value, "parent_id": parent,
                     "is_active": True, "created_at": STAMP, "updated_at": STAMP})
        return len(rows)

    big_department = 0
    for index, size in enumerate(sizes):
        is_prefecture = index == 0
        code = "P" if is_prefecture else f"M{index:03d}"
        body = unit(f"{code}0000", "ベンチ県" if is_prefecture else f"ベンチ市{index}",
                    OrgKind.PREFECTURE if is_prefecture else OrgKind.MUNICIPALITY, None)
        departments: list[tuple[int, int]] = []  # (people, divisions)
        left = size
        if is_prefecture:
            departments.append((BIG_DEPARTMENT, BIG_DIVISIONS))
            left -= BIG_DEPARTMENT
        count = max(1, round(left / 2_500))
        for number in range(count):
            people = left // count + (1 if number < left % count else 0)
            departments.append((people, max(1, round(people / 40))))
        for d, (people, divisions) in enumerate(departments, start=1):
            department = unit(f"{code}{d:02d}00", f"第{d}部", OrgKind.DEPARTMENT, body)
            if is_prefecture and d == 1:
                big_department = department
            for v in range(divisions):
                division = unit(f"{code}{d:02d}{v + 1:02d}", f"第{d}部第{v + 1}課", OrgKind.DIVISION, department)
                slots.append((body, division, people // divisions + (1 if v < people % divisions else 0)))
    return rows, slots, big_department


def populate(staff: int, bodies: int, event_completions: int) -> dict:
    rng = random.Random(300_000)
    session = db.session()
    grade_ids = [grade_id for (grade_id,) in session.execute(text("SELECT id FROM grades ORDER BY sort_order"))]
    catalogue = []  # (course id, version id, tier, recurring)
    for course_id, version_id, tiers, recurrence in session.execute(
            select(Course.id, CourseVersion.id, CourseVersion.tiers, CourseVersion.recurrence_years)
            .join(CourseVersion, CourseVersion.course_id == Course.id)):
        if tiers:
            catalogue.append((course_id, version_id, Tier(tiers[0]), recurrence is not None))
    session.rollback()
    unit_rows, slots, big_department = build_units(body_sizes(staff, bodies))
    insert_rows(OrgUnit, unit_rows)
    names = {row["id"]: row["name"] for row in unit_rows}
    people: list[tuple[int, int, int, int]] = []  # (user id, body, division, grade)
    for body, division, count in slots:
        for _ in range(count):
            people.append((len(people) + 1, body, division, rng.choice(grade_ids)))
    tiers: dict[int, Tier] = {}
    for user_id, *_ in people:
        draw = rng.random()
        for tier, share in TIER_SHARE.items():
            if draw < share:
                tiers[user_id] = tier
                break
            draw -= share
    for batch in batches({"id": user_id, "body_id": body, "staff_number": f"{user_id:07d}", "name": f"職員{user_id}",
                          "kana": "しょくいん", "division_id": division, "grade_id": grade, "is_active": True,
                          "must_change_password": False, "session_token": f"t{user_id}", "created_at": STAMP,
                          "updated_at": STAMP} for user_id, body, division, grade in people):
        insert_rows(User, batch)
    for batch in batches({"user_id": user_id, "tier": tier.value} for user_id, tier in tiers.items()):
        insert_rows(StaffTier, batch)

    common = [course for course in catalogue if course[2] is Tier.ALL_STAFF]
    sequences: dict[tuple[int, Tier], int] = {}
    number = 0

    def plan() -> Iterator[tuple]:
        for user_id, body, division, grade in people:
            for course in common:
                recurring = course[3]
                years = [year for year in YEARS if rng.random() < 0.7] if recurring else (
                    [rng.choice(YEARS)] if rng.random() < 0.8 else [])
                for year in years:
                    yield user_id, body, division, grade, course, year
            own = [course for course in catalogue if course[2] is tiers.get(user_id)]
            for course in own[:rng.randint(1, 2)]:
                yield user_id, body, division, grade, course, rng.choice(YEARS)

    for chunk in batches(plan()):
        completions, certificates = [], []
        for user_id, body, division, grade, (course_id, version_id, tier, _), year in chunk:
            number += 1
            first, last = fiscal_year_bounds(year)
            day = first + timedelta(days=rng.randrange((min(last, AS_OF) - first).days + 1))
            completion, certificate = course_completion_rows(
                number, user_id, (body, names[body]), division, grade, (course_id, version_id, tier), day,
                sequences, revoked=rng.random() < 0.002)
            completions.append(completion)
            certificates.append(certificate)
        insert_rows(Completion, completions)
        insert_rows(Certificate, certificates)
    own_staff = [(user_id, division, grade) for user_id, body, division, grade in people if body == 1]
    number += _event_completions(rng, 1, own_staff, number, event_completions, sequences)
    with db.write_session() as write:
        write.execute(CourseDeadline.__table__.insert(), [
            {"course_id": course_id, "fiscal_year": fiscal_year(AS_OF), "due_on": date(2026, 12, 18)}
            for course_id, *_ in common])
        for table in ("users", "org_units", "completions", "certificates"):  # rows went in with their ids
            write.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))"))
    return {"staff": len(people), "bodies": len(body_sizes(staff, bodies)), "completions": number,
            "event_completions": event_completions,
            "tier_people": len(tiers), "big_department": big_department,
            "big_division": next(division for body, division, _ in slots if body == 1)}


# --- measuring ---------------------------------------------------------------------------------------------------


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved(measured: Callable[[], object], floor: Callable[[], object], runs: int) -> tuple[float, float]:
    """Medians in ms, taking turns so a busy moment of the machine hits both."""
    mine, base = [], []
    for _ in range(runs):
        base.append(timed(floor))
        mine.append(timed(measured))
    return statistics.median(mine) * 1000, statistics.median(base) * 1000


def staff_file() -> bytes:
    """Every active member of staff as a staff file would list them, as CSV (UTF-8)."""
    rows = db.session().execute(text(
        "SELECT u.staff_number, u.name, u.kana, coalesce(u.email, ''), d.code, coalesce(g.name, ''), "
        "coalesce(string_agg(t.tier, ',' ORDER BY t.tier), '') FROM users u JOIN org_units d ON d.id = u.division_id "
        "LEFT JOIN grades g ON g.id = u.grade_id LEFT JOIN staff_tiers t ON t.user_id = u.id "
        "WHERE u.is_active GROUP BY u.id, d.code, g.name ORDER BY u.id"))
    names = {tier.value: TIER_NAMES_JA[tier] for tier in Tier}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["職員番号", "氏名", "ふりがな", "メール", "所属コード", "職位", "研修区分"])
    for number, name, kana, email, division, grade, tiers in rows:
        writer.writerow([number, name, kana, email, division, grade,
                         "、".join(names[tier] for tier in tiers.split(",") if tier)])
    db.session().rollback()
    return out.getvalue().encode("utf-8")


def history_file() -> bytes:
    """Past training records (研修履歴) the prefecture kept before the platform: one all-staff course in FY2021 for
    each of its own staff, two in three of whom have attended its seminars since (checked against those records)."""
    numbers = db.session().scalars(text("SELECT staff_number FROM users WHERE body_id = 1 AND is_active "
                                        "AND staff_number < '9' ORDER BY id")).all()
    slug = db.session().scalar(
        select(Course.slug).join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.recurrence_years.is_not(None)).order_by(Course.id).limit(1))
    db.session().rollback()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["職員番号", "団体コード", "研修名", "修了日", "研修区分"])
    for number in numbers:
        writer.writerow([number, "P0000", slug, "2021/6/15", TIER_NAMES_JA[Tier.ALL_STAFF]])
    return out.getvalue().encode("utf-8")


def run(url: str, options: argparse.Namespace, folder: Path) -> None:
    from elearn.services.learning import content, history_import
    from elearn.services.outreach import reminders
    from elearn.services.people import importer
    from elearn.services.people.passwords import hash_password
    from elearn.services.reports import kpi

    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance"),
                      "WTF_CSRF_ENABLED": False, "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}"})
    with app.app_context():
        content.sync(content.tree())
        started = time.perf_counter()
        shape = populate(options.staff, options.bodies, options.event_completions)
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        db.session().execute(text("ANALYZE"))
        db.session().commit()
        analyze_seconds = time.perf_counter() - started
        with db.write_session() as session:
            manager = User(body_id=1, division_id=shape["big_division"], staff_number="9000001", name="部長 ベンチ",
                           password_hash=hash_password(PASSWORD))
            session.add(manager)
            session.flush()
            session.add(RoleGrant(user_id=manager.id, permission=Permission.MANAGER,
                                  org_unit_id=shape["big_department"]))
            admin = User(body_id=1, division_id=shape["big_division"], staff_number="9000002", name="管理 ベンチ",
                         password_hash=hash_password(PASSWORD))
            session.add(admin)
            session.flush()
            session.add(RoleGrant(user_id=admin.id, permission=Permission.ADMIN, org_unit_id=1))
        department_divisions = [division_id for (division_id,) in db.session().execute(
            select(OrgUnit.id).where(OrgUnit.parent_id == shape["big_department"]))]
        db.session().rollback()
    print(f"staff={shape['staff']} bodies={shape['bodies']} completions={shape['completions']} "
          f"certificates={shape['completions']} of_them_event_attendances={shape['event_completions']} "
          f"tier_people={shape['tier_people']}")
    print(f"load_seconds={load_seconds:.0f} analyze_seconds={analyze_seconds:.0f}")

    # As `elearn serve` does in each worker once the app is loaded: what lives as long as the process is frozen,
    # so the collector's full passes do not walk it in the middle of a measured request, and the youngest
    # generation is collected less often.
    settle_heap()
    client = app.test_client()
    signed = client.post("/sign-in", data={"body": "P0000", "sign_in_name": "9000001", "password": PASSWORD})
    assert signed.status_code == 302, signed.status_code
    figures = []
    with app.app_context():
        plain_team = text("SELECT u.id, count(c.id) FROM users u LEFT JOIN completions c ON c.user_id = u.id "
                          "AND c.fiscal_year = :year WHERE u.is_active AND u.division_id IN :divisions "
                          "GROUP BY u.id").bindparams(bindparam("divisions", department_divisions, expanding=True),
                                                      year=fiscal_year(AS_OF))

        def team_page() -> None:
            with app.app_context():  # a request of its own, as in a server: the outer context's `g` is not shared
                answer = client.get("/team/")
            assert answer.status_code == 200 and len(answer.data) > 100_000, (answer.status_code, len(answer.data))

        figures.append(("team_page", *interleaved(team_page, lambda: db.session().execute(plain_team).all(),
                                                  options.runs)))
        plain_team_certificates = text(
            "SELECT count(*) FROM certificates c JOIN users u ON u.id = c.user_id WHERE u.is_active "
            "AND u.division_id IN :divisions AND c.fiscal_year = :year AND c.superseded_at IS NULL "
            "AND c.revoked_at IS NULL").bindparams(bindparam("divisions", department_divisions, expanding=True),
                                                   year=fiscal_year(AS_OF))

        def team_certificates() -> None:
            with app.app_context():
                answer = client.get(f"/team/certificates/?fiscal_year={fiscal_year(AS_OF)}")
            assert answer.status_code == 200, answer.status_code  # the preparation page: no PDF is stored

        figures.append(("team_certificates", *interleaved(
            team_certificates, lambda: db.session().execute(plain_team_certificates).all(), options.runs)))
        admin_client = app.test_client()
        with app.app_context():
            signed = admin_client.post("/sign-in", data={"body": "P0000", "sign_in_name": "9000002",
                                                         "password": PASSWORD})
        assert signed.status_code == 302, signed.status_code

        def admin_team_page() -> None:
            with app.app_context():
                answer = admin_client.get("/team/")
            # Past TEAM_PAGE_LIMIT people (30,000) the page asks for a unit; a smaller run lists everyone.
            assert answer.status_code == 200, answer.status_code
            asks.append(b'id="team-choose"' in answer.data)

        asks: list[bool] = []

        plain_staff_by_unit = text("SELECT division_id, count(*) FROM users WHERE is_active GROUP BY division_id")
        figures.append(("admin_team_page", *interleaved(
            admin_team_page, lambda: db.session().execute(plain_staff_by_unit).all(), options.runs)))

        def admin_certificate_list() -> None:
            with app.app_context():
                answer = admin_client.get("/admin/certificates/")
            assert answer.status_code == 200, answer.status_code

        print(f"admin_team_page_asks_for_a_unit={'yes' if all(asks) else 'no'}")
        plain_certificate_count = text("SELECT count(*) FROM certificates")
        figures.append(("admin_certificate_list", *interleaved(
            admin_certificate_list, lambda: db.session().execute(plain_certificate_count).all(), options.runs)))

        def admin_certificate_search() -> None:
            with app.app_context():
                answer = admin_client.get("/admin/certificates/?q=職員12345")
            assert answer.status_code == 200 and "職員12345" in answer.get_data(as_text=True), answer.status_code

        plain_name_search = text(
            "SELECT count(*) FROM certificates c JOIN users u ON u.id = c.user_id "
            "WHERE c.serial ILIKE '%職員12345%' OR c.holder_name LIKE '%職員12345%' OR u.name LIKE '%職員12345%' "
            "OR u.staff_number = '職員12345'")
        figures.append(("admin_certificate_search", *interleaved(
            admin_certificate_search, lambda: db.session().execute(plain_name_search).all(), options.runs)))
        db.session().rollback()
        db.session().rollback()
        bodies = list(db.session().scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)))
        def kpi_worked_out() -> None:
            app.extensions.get("elearn.kpi_reports", {}).clear()  # as after a change the report reads
            db.session().execute(delete(KpiReportCache))
            kpi.build(bodies[0], bodies, AS_OF)

        plain_kpi = lambda: db.session().execute(text(PLAIN_GROUP_BY), {"as_of": AS_OF}).all()  # noqa: E731
        figures.append(("kpi_report_worked_out", *interleaved(kpi_worked_out, plain_kpi, options.runs)))
        figures.append(("kpi_report_kept", *interleaved(lambda: kpi.build(bodies[0], bodies, AS_OF), plain_kpi,
                                                        options.runs)))
        db.session().rollback()

        data = staff_file()
        every_user = text("SELECT u.staff_number, u.name, u.kana, u.email, d.code, u.grade_id FROM users u "
                          "JOIN org_units d ON d.id = u.division_id")

        def read_both() -> None:
            list(csv.reader(io.StringIO(data.decode("utf-8"))))
            db.session().execute(every_user).all()
            db.session().rollback()

        def preview() -> None:
            plan = importer.preview_staff_import(data, "staff.csv")
            assert plan.is_valid and not plan.has_changes, (plan.summary(), plan.errors[:3])

        figures.append(("import_preview", *interleaved(preview, read_both, options.runs)))
        applied_ms = timed(lambda: importer.apply_staff_import(data, "staff.csv", None)) * 1000
        figures.append(("import_apply", applied_ms, timed(read_both) * 1000))

        records = history_file()
        named_with_records = text(
            "SELECT u.staff_number, c.course_id, c.event_id, c.fiscal_year, c.completed_at FROM users u "
            "JOIN completions c ON c.user_id = u.id WHERE u.body_id = 1")

        def read_records() -> None:
            list(csv.reader(io.StringIO(records.decode("utf-8"))))
            db.session().execute(named_with_records).all()
            db.session().rollback()

        def history_preview() -> None:
            plan = history_import.preview(records, "records.csv")
            assert plan.is_valid and len(plan.rows) == records.count(b"\n") - 1, (plan.summary(), plan.errors[:3])

        figures.append(("history_preview", *interleaved(history_preview, read_records, options.runs)))

        # Due: a course required of the person (an all-staff course, or one of their tier's), current version,
        # not completed this year (a yearly course) or ever (the others). Deadlines and grades left aside.
        plain_due = text(
            "SELECT count(*) FROM users u WHERE u.is_active AND EXISTS (SELECT 1 FROM courses k "
            "JOIN course_versions v ON v.course_id = k.id AND v.version = (SELECT max(version) FROM course_versions "
            "WHERE course_id = k.id) WHERE k.is_active AND (v.tiers::jsonb ? 'all_staff' OR EXISTS (SELECT 1 FROM "
            "staff_tiers t WHERE t.user_id = u.id AND v.tiers::jsonb ? t.tier)) AND NOT EXISTS (SELECT 1 FROM "
            "completions c WHERE c.user_id = u.id AND c.course_id = k.id AND (c.fiscal_year = :year "
            "OR v.recurrence_years IS NULL)))").bindparams(year=fiscal_year(AS_OF))
        figures.append(("reminder_plan", *interleaved(lambda: reminders.plan(AS_OF),
                                                      lambda: db.session().execute(plain_due).all(), options.runs)))
        due = len(reminders.plan(AS_OF).due)
        expected = db.session().execute(plain_due).scalar_one()
    app.extensions["elearn.engine"].dispose()
    rows, history_rows = data.count(b"\n") - 1, records.count(b"\n") - 1
    print(f"import_rows={rows} history_rows={history_rows} people_due_reminders={due} (plain query: {expected})")
    for name, measured, floor in figures:
        print(f"{name}_ms={measured:.0f} {name}_floor_ms={floor:.0f} {name}_ratio={measured / floor:.1f}")


def main() -> None:
    options = parse_args()
    with tempfile.TemporaryDirectory(prefix="elearn-bench-scale-") as temporary, \
            postgres_databases(options.postgres_url, "elearn_bench_scale") as urls:
        run(urls["elearn_bench_scale"], options, Path(temporary))


if __name__ == "__main__":
    main()
