"""The demo history: completions and certificates from FY2022 (R4) to today, for the certificates
feature and the KPI report.

Loading the real courses and the history takes several seconds, so one database is built per module
and the tests only read it (the idempotency test loads again and checks nothing changed). On
PostgreSQL that database is the one the function-scoped `app` fixture uses, so tests needing an
empty database live in test_demo.py."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from support import csrf_token_from, empty_postgres, trainees_by_sql

from elearn import create_app, db
from elearn.clock import TOKYO
from elearn.demo import load_demo_data
from elearn.demo.history_plan import Calendar
from elearn.domain.certificates import CertificateState, serial_number
from elearn.domain.completion import completion_fiscal_year
from elearn.domain.fiscal import fiscal_year, fiscal_year_bounds
from elearn.domain.people import Permission, Tier
from elearn.models import (
    Certificate,
    CertificateCounter,
    CertificateIssuer,
    CertificateSeal,
    Completion,
    Course,
    CourseDeadline,
    KpiTarget,
    OrgUnit,
    RoleGrant,
    StaffTier,
    User,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("ELEARN_TEST_DATABASE_URL")  # as in tests/conftest.py
KPI_TIERS = [Tier.DX_MANAGER, Tier.DX_SPECIALIST, Tier.DIGITAL_LEADER]
HISTORY_MODELS = (Completion, Certificate, CertificateCounter, CertificateIssuer, CertificateSeal, User, KpiTarget,
                  CourseDeadline)


@pytest.fixture(scope="module")
def history_app(migrated_template: str, tmp_path_factory) -> Iterator:
    folder = tmp_path_factory.mktemp("demo-history")
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        shutil.copyfile(migrated_template, folder / "demo.sqlite3")
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
    app = create_app({
        "TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(folder / "instance"), "LIMITER_STORAGE": "memory://",
        "CONTENT_ROOT": str(PROJECT_ROOT),  # the real courses: the history is about them
    })
    from elearn.services.learning import content

    with app.app_context():
        content.sync(content.tree())
    with app.app_context():
        load_demo_data()
    yield app
    app.extensions["elearn.engine"].dispose()
    if POSTGRES_URL:
        empty_postgres(POSTGRES_URL)


@pytest.fixture
def session(history_app):
    with history_app.app_context():
        yield db.session()


def _now_in_japan() -> datetime:
    return datetime.now(TOKYO)


def _expected_years() -> list[int]:
    """FY2022 to this fiscal year; this year only once its first working day is over."""
    now = _now_in_japan()
    current = fiscal_year(now.date())
    first_day = fiscal_year_bounds(current)[0]
    while first_day.weekday() >= 5:
        first_day += timedelta(days=1)
    begun = now.date() > first_day or (now.date() == first_day and now.hour >= 18)
    return list(range(2022, current + (1 if begun else 0)))


def _user(session, body_code: str, staff_number: str) -> User:
    return session.scalars(select(User).join(OrgUnit, OrgUnit.id == User.body_id)
                           .where(OrgUnit.code == body_code, User.staff_number == staff_number)).one()


def test_there_are_completions_in_every_fiscal_year_from_r4_to_now(session):
    per_year = dict(session.execute(
        select(Completion.fiscal_year, func.count()).group_by(Completion.fiscal_year)).all())
    assert sorted(per_year) == _expected_years()
    assert all(count >= 100 for count in per_year.values()), per_year


def test_completions_are_dated_in_working_hours_in_the_past_and_snapshot_the_person(session):
    now = datetime.now(UTC)
    rows = session.execute(select(Completion, User).join(User, User.id == Completion.user_id)).all()
    current_versions = {course.id: course.current_version.id for course in session.scalars(select(Course))}
    assert rows
    kinds = Counter()
    for completion, user in rows:
        local = completion.completed_at.astimezone(TOKYO)
        assert completion.completed_at.tzinfo is not None and completion.completed_at < now
        assert (completion.body_id, completion.division_id, completion.grade_id) == (
            user.body_id, user.division_id, user.grade_id)
        if completion.history_import_id is not None:  # a record knows its day, not its hour
            kinds["imported"] += 1
            assert local.time() == time(0) and local.date() == completion.completed_on
            assert completion.fiscal_year == fiscal_year(completion.completed_on)
            assert completion.course_version_id is None and completion.tier is Tier.DIGITAL_LEADER
            assert completion.attempt_id is None
            continue
        assert local.weekday() < 5 and 9 <= local.hour <= 17, local
        assert completion.fiscal_year == completion_fiscal_year(completion.completed_at)
        if completion.event_id is not None:  # at the end of the session attended
            kinds["event"] += 1
            assert completion.course_version_id is None and completion.event_session_id is not None
            assert completion.attempt_id is None
        else:
            kinds["course"] += 1
            assert completion.course_version_id == current_versions[completion.course_id]
    assert min(kinds.values()) > 10 and len(kinds) == 3, kinds


def test_r4_and_r5_were_reached_mostly_through_seminars_workshops_and_records(history_app):
    with history_app.app_context():
        from elearn.services.reports import kpi

        prefecture = db.session().scalar(select(OrgUnit).where(OrgUnit.code == "P000"))
        report = kpi.build(prefecture, [prefecture], _now_in_japan().date())
    by_mode = {row.mode.value: row.in_year for row in report.by_mode}
    for year in (2022, 2023):
        outside = sum(by_mode.get(mode, {}).get(year, 0) for mode in ("seminar", "workshop", "imported"))
        assert outside > 0 and by_mode.get("elearning", {}).get(year, 0) < outside, (year, by_mode)
    assert all(by_mode.get(mode) for mode in ("seminar", "workshop", "imported", "elearning")), by_mode


def test_every_completion_has_exactly_one_certificate_in_force(session):
    # Imported records get one only when someone asks.
    completions = session.scalar(select(func.count()).select_from(Completion)
                                 .where(Completion.history_import_id.is_(None)))
    in_force = Counter(session.scalars(select(Certificate.completion_id).where(Certificate.superseded_at.is_(None))))
    assert len(in_force) == completions
    assert set(in_force.values()) == {1}
    issued = session.scalar(select(func.count()).select_from(Certificate))
    assert issued == completions + 1  # the one reissue


def test_serials_run_from_one_without_gaps_and_rise_with_dates(session):
    groups: dict[tuple[int, int, Tier], list[Certificate]] = defaultdict(list)
    for certificate in session.scalars(select(Certificate).order_by(Certificate.sequence)):
        groups[(certificate.body_id, certificate.fiscal_year, certificate.tier)].append(certificate)
        assert certificate.serial == serial_number(certificate.fiscal_year, certificate.tier, certificate.sequence)
    assert {tier for _, _, tier in groups} == {*KPI_TIERS, Tier.ALL_STAFF}
    counters = {(c.body_id, c.fiscal_year, c.tier): c.last_sequence
                for c in session.scalars(select(CertificateCounter))}
    for key, issued in groups.items():
        assert [c.sequence for c in issued] == list(range(1, len(issued) + 1)), key
        assert counters[key] == len(issued)
        dates = [c.issued_at for c in issued]
        assert dates == sorted(dates), key


def test_cumulative_tier_1_to_3_trainees_grow_every_year(history_app):
    today = _now_in_japan().date()
    with history_app.app_context():
        cumulative = [trainees_by_sql(min(fiscal_year_bounds(year)[1], today), KPI_TIERS)
                      for year in _expected_years()]
        per_tier = {tier: trainees_by_sql(today, [tier]) for tier in KPI_TIERS}
        holders = db.session().scalar(select(func.count(func.distinct(StaffTier.user_id))))
    assert all(later > earlier for earlier, later in zip(cumulative, cumulative[1:], strict=False)), cumulative
    assert cumulative[0] > 0
    # Roughly linear like a KPI plan of 400/800/1200/1600: the first year is not most of it.
    assert cumulative[0] < cumulative[-1] / 2
    assert all(count > 0 for count in per_tier.values()), per_tier
    assert 0.6 * holders <= cumulative[-1] <= holders


def test_all_staff_courses_are_common_and_security_recurs(session):
    staff = session.scalar(select(func.count()).select_from(User))
    per_course = dict(session.execute(
        select(Course.slug, func.count(func.distinct(Completion.user_id)))
        .join(Completion, Completion.course_id == Course.id).group_by(Course.slug)).all())
    assert 0.4 * staff <= per_course["dx-basics"] <= 0.85 * staff
    assert 0.2 * staff <= per_course["office-tools"] <= per_course["dx-basics"]
    security_years = Counter(session.scalars(
        select(Completion.user_id).join(Course, Course.id == Completion.course_id)
        .where(Course.slug == "security-basics")))
    assert sum(1 for years in security_years.values() if years >= 3) > 50
    with_nothing = staff - session.scalar(select(func.count(func.distinct(Completion.user_id))))
    assert 10 <= with_nothing <= 0.2 * staff


def test_the_demo_learner_is_left_for_the_browser_test(session):
    learner = _user(session, "P000", "100001")
    assert session.scalar(select(func.count()).select_from(Completion).where(Completion.user_id == learner.id)) == 0


def test_two_certificates_are_revoked_after_their_completion(session):
    revoked = session.scalars(select(Certificate).where(Certificate.revoked_at.is_not(None))).all()
    admin = session.scalars(select(User).join(RoleGrant).where(RoleGrant.permission == Permission.ADMIN)).first()
    assert len(revoked) == 2
    assert {c.tier is Tier.ALL_STAFF for c in revoked} == {True, False}  # one counts in the KPI
    for certificate in revoked:
        assert certificate.state is CertificateState.REVOKED
        assert certificate.revoked_reason and "誤" in certificate.revoked_reason
        assert certificate.completed_on < certificate.revoked_on < _now_in_japan().date()
        assert certificate.revoked_on == certificate.revoked_at.astimezone(TOKYO).date()
        assert certificate.revoked_by_id == admin.id


def test_a_name_change_was_followed_by_a_reissue_in_the_new_name(session):
    [old] = session.scalars(select(Certificate).where(Certificate.superseded_at.is_not(None))).all()
    new = old.superseded_by
    holder = session.get(User, old.user_id)
    assert old.state is CertificateState.SUPERSEDED and new.state is CertificateState.VALID
    assert new.completion_id == old.completion_id and new.fiscal_year == old.fiscal_year
    assert new.holder_name == holder.name != old.holder_name
    assert new.holder_name.split("\u3000")[1] == old.holder_name.split("\u3000")[1]  # same given name
    assert new.issued_at == old.superseded_at > old.issued_at
    assert new.sequence > old.sequence
    # Certificates issued after the change carry the new name, earlier ones the old.
    for certificate in session.scalars(select(Certificate).where(Certificate.user_id == holder.id)):
        expected = holder.name if certificate.issued_at >= new.issued_at else old.holder_name
        assert certificate.holder_name == expected, certificate.serial


def test_issuers_are_set_and_the_prefecture_has_a_red_square_seal(session):
    issuers = {unit.code: issuer for issuer, unit in session.execute(
        select(CertificateIssuer, OrgUnit).join(OrgUnit, OrgUnit.id == CertificateIssuer.body_id))}
    assert {code: issuer.title for code, issuer in issuers.items()} == {
        "P000": "みどり県知事", "M100": "みどり市長", "M200": "さくら町長", "M300": "かわかみ村長"}
    assert all(issuer.name for issuer in issuers.values())
    seal = issuers["P000"].seal
    assert seal is not None and all(issuers[code].seal_id is None for code in ("M100", "M200", "M300"))
    image = Image.open(io.BytesIO(seal.png))
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((image.width // 2, image.height // 2))[3] == 0  # transparent between the characters
    red, green, blue, alpha = image.getpixel((5, image.height // 2))  # the border
    assert alpha == 255 and red > 150 and green < 80 and blue < 80
    prefecture = session.scalars(select(Certificate).join(OrgUnit, OrgUnit.id == Certificate.body_id)
                                 .where(OrgUnit.code == "P000").limit(5)).all()
    assert all(c.seal_id == seal.id and c.issuer_title == "みどり県知事" for c in prefecture)


def test_loading_again_adds_nothing(history_app):
    def counts() -> dict[str, int]:
        return {model.__name__: db.session().scalar(select(func.count()).select_from(model))
                for model in HISTORY_MODELS}

    with history_app.app_context():
        before = counts()
    with history_app.app_context():
        load_demo_data()
    with history_app.app_context():
        assert counts() == before


def _calendar_at(year: int, month: int, day: int, hour: int) -> Calendar:
    return Calendar(datetime(year, month, day, hour, tzinfo=TOKYO))


def test_the_current_day_counts_only_after_working_hours():
    assert _calendar_at(2026, 11, 24, 0).last_day == date(2026, 11, 23)
    assert _calendar_at(2026, 11, 24, 12).last_day == date(2026, 11, 23)
    assert _calendar_at(2026, 11, 24, 18).last_day == date(2026, 11, 24)


def test_a_fiscal_year_with_no_working_hour_behind_it_has_no_history_yet():
    assert _calendar_at(2026, 11, 24, 0).years == [2022, 2023, 2024, 2025, 2026]
    assert _calendar_at(2026, 4, 1, 10).years == [2022, 2023, 2024, 2025]  # a Wednesday, still at work
    assert _calendar_at(2026, 4, 1, 19).years[-1] == 2026
    assert _calendar_at(2023, 4, 2, 20).years == [2022]  # FY2023 began on a Saturday


# --- the KPI report over the demo history ----------------------------------------------------------------------


def _cells(html: str, table_id: str) -> list[list[str]]:
    """Each body row's cells, as the first word of their text (the figure, not the target under it)."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in table.split("<tr>")[2:]]
    return [[(re.sub(r"<[^>]+>", " ", cell).split() or [""])[0] for cell in row] for row in rows]


def test_the_kpi_page_over_the_demo_matches_an_independent_sql_count(history_app):
    today = _now_in_japan().date()
    with history_app.app_context():
        accounts = {(a.permission, a.body_code): a for a in load_demo_data()}
        bodies = {unit.code: unit.id
                  for unit in db.session().scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)))}
        expected = {}
        for code in ("P000", "M100"):
            expected[code] = [
                [str(trainees_by_sql(min(fiscal_year_bounds(year)[1], today), KPI_TIERS, [bodies[code]])),
                 str(trainees_by_sql(min(fiscal_year_bounds(year)[1], today), KPI_TIERS, [bodies[code]], in_year=year))]
                for year in range(2022, fiscal_year(today) + 1)]
    reporter = accounts[("reporter", "P000")]
    client = history_app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))  # this app checks CSRF
    client.post("/sign-in", data={"body": "P000", "sign_in_name": reporter.staff_number,
                                  "password": reporter.password, "csrf_token": token})
    for code in ("P000", "M100"):
        html = client.get(f"/kpi/?body={code}").get_data(as_text=True)
        rows = [row for row in _cells(html, "kpi-years") if row[2] != "—"]
        assert [[row[2], row[4]] for row in rows] == expected[code], code
        assert len(rows) >= 4  # R4 to now: several years of history
        assert all(row[1] != "—" and row[3].endswith("%") for row in rows), "the demo sets a target every year"
    prefecture = client.get("/kpi/").get_data(as_text=True)
    side_by_side = _cells(prefecture, "kpi-bodies")
    assert [row[0] for row in side_by_side] == ["みどり県", "みどり市", "さくら町", "かわかみ村"]


def test_recent_completions_carry_the_graded_attempts_that_led_to_them(session):
    from elearn.models import QuizAttempt
    from elearn.services.learning.quiz_results import question_stats

    linked = session.execute(select(Completion, QuizAttempt).join(QuizAttempt, QuizAttempt.id == Completion.attempt_id)
                             ).all()
    assert len(linked) > 300
    for completion, attempt in linked[:200]:
        assert attempt.passed and attempt.user_id == completion.user_id
        assert attempt.submitted_at <= completion.completed_at and len(attempt.results) == len(attempt.questions)
    failed_first = session.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.passed.is_(False)))
    assert failed_first > 0
    table = question_stats("dx-basics")
    answered = [row for row in table.rows if row.answered]
    assert len(answered) >= 30  # pools draw across the whole bank
    percents = [row.percent for row in answered]
    assert min(percents) < 75 < max(percents)  # the statistics page has a spread to show


def test_the_demo_manager_has_workshops_waiting_returned_and_accepted(history_app, session):
    from elearn.models import WorkshopSubmission
    from elearn.services import visibility, workshops

    manager = _user(session, "P000", "100002")
    rows, waiting = workshops.queue(visibility.viewer_of(manager), waiting_only=False)
    states = Counter(row.submission.status.value for row in rows)
    assert waiting >= 3 and states["returned"] >= 1 and states["accepted"] >= 1
    assert all(row.submission.user.division.parent.code == "P100" or row.submission.user.division.code == "P100"
               for row in rows)
    assert session.scalar(select(func.count()).select_from(WorkshopSubmission)) == len(rows)
    for row in rows:
        moments = [row.submission.submitted_at, row.submission.reviewed_at]
        for moment in filter(None, moments):
            local = moment.astimezone(TOKYO)
            assert moment < datetime.now(UTC) and local.weekday() < 5 and 9 <= local.hour <= 17, local
        assert row.submission.reviewed_at is None or row.submission.reviewed_at > row.submission.submitted_at
