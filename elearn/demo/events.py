"""Demo training events and past records, as Akita ran its programme before and beside the e-learning.

- R4 and R5 (FY2022-2023): the DX managers' top seminar (municipal staff invited) and the DX specialists'
  hands-on workshop, each with a register of who attended; the digital leaders' training of those years
  is the training institute's records, imported from its file (研修履歴). The tier courses went online in
  R6, so the demo's R4 and R5 figures come from these, as Akita's did.
- This fiscal year: a seminar held earlier in the year with attendance and survey answers, and three
  to come: the top seminar (municipal staff registered), a workshop that is full with a waiting list, and
  an online session for digital leaders with nominations not yet answered.

`prepare` adds the events, sessions and registrations and returns the attendances that completed
something; the history issues their certificates in date order with the course completions, so serials
still rise with dates. Drawn from a fixed seed; only the clock decides which dates are past.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from elearn.clock import TOKYO
from elearn.domain.events import Attendance, Delivery, EventFormat, RegistrationStatus
from elearn.domain.fiscal import fiscal_year
from elearn.domain.people import Permission, Tier
from elearn.models import (
    Completion,
    Course,
    EventInvitation,
    EventSession,
    HistoryImport,
    OrgUnit,
    Registration,
    RoleGrant,
    SurveyResponse,
    TrainingEvent,
    User,
)
from elearn.services.events.attendance import event_completion

EVENTS_SEED = 2024
PAST_YEARS = (2022, 2023)
TRAINED_IN_PAST_YEARS = 0.25  # share of each tier's holders trained in each of R4 and R5 (near the targets)
ABSENT_RATE = 0.08
SURVEY_QUESTIONS = [
    {"kind": "scale", "text": "研修の内容は業務に役立ちそうですか"},
    {"kind": "scale", "text": "説明はわかりやすかったですか"},
    {"kind": "text", "text": "今後取り上げてほしいテーマやご意見"},
]
COMMENTS = ("庁内での事例をもっと聞きたいです。", "グループ討議の時間がもう少し欲しかった。",
            "生成AIの活用ルールについて知りたい。", "", "資料を課内で共有します。", "")
RECORDS_FILE = "研修所_受講記録_R4-R5.xlsx"


@dataclass(frozen=True)
class EventPlan:
    """An attendance that completes an event: the history issues its certificate in date order."""

    completed_at: datetime
    user: User
    registration: Registration
    session: EventSession

    @property
    def order(self) -> tuple[datetime, int, str]:
        return (self.completed_at, self.user.id, self.session.event.code)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).astimezone(UTC)


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def prepare(session: Session, staff: Sequence[User], bodies: dict[str, OrgUnit], now: datetime) -> list[EventPlan]:
    """Add the demo's events (once) and return the attendances to complete; empty if there are events."""
    if session.scalar(select(TrainingEvent.id).limit(1)) is not None:
        return []
    rng = random.Random(EVENTS_SEED)
    organiser = _granted(session, bodies["P000"], Permission.ORGANISER)
    municipalities = [body for code, body in bodies.items() if code != "P000"]
    holders = {tier: [user for user in staff if tier in user.tiers]
               for tier in (Tier.DX_MANAGER, Tier.DX_SPECIALIST)}
    plans: list[EventPlan] = []
    today = now.astimezone(TOKYO).date()
    for year in PAST_YEARS:
        if _at(date(year, 7, 20), 16) > now:
            continue
        seminar = _event(session, organiser, bodies["P000"], municipalities, f"SEM-R{year - 2018}-TOP",
                         f"令和{year - 2018}年度 DXトップセミナー", EventFormat.SEMINAR, Delivery.IN_PERSON,
                         Tier.DX_MANAGER, Decimal(2), [Tier.DX_MANAGER], _at(date(year, 6, 1), 9))
        seminar_session = _session(session, seminar, _weekday_on_or_after(date(year, 7, 20)), 14, 16, "県庁 講堂",
                                   200)
        workshop = _event(session, organiser, bodies["P000"], municipalities, f"WS-R{year - 2018}-DATA",
                          f"データ利活用ワークショップ（令和{year - 2018}年度）", EventFormat.WORKSHOP,
                          Delivery.IN_PERSON, Tier.DX_SPECIALIST, Decimal(6), [Tier.DX_SPECIALIST],
                          _at(date(year, 8, 1), 9))
        workshop_sessions = [_session(session, workshop, _weekday_on_or_after(date(year, month, 12)), 10, 16,
                                      "県庁 研修室A", 30) for month in (10, 11)]
        taken = _trained_before(plans)
        for target, tier in ((seminar_session, Tier.DX_MANAGER), *((item, Tier.DX_SPECIALIST)
                                                                    for item in workshop_sessions)):
            share = TRAINED_IN_PAST_YEARS / (1 if tier is Tier.DX_MANAGER else len(workshop_sessions))
            chosen = [user for user in holders[tier] if user.id not in taken and rng.random() < share]
            taken |= {user.id for user in chosen}
            plans += _attend(session, rng, target, chosen[:target.capacity], organiser)
    plans += _this_year(session, rng, staff, bodies, municipalities, organiser, now, today)
    return plans


def _trained_before(plans: list[EventPlan]) -> set[int]:
    return {plan.user.id for plan in plans}


def _granted(session: Session, body: OrgUnit, permission: Permission) -> User | None:
    """The body's first person holding the permission: the demo account for it."""
    return session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                          .where(RoleGrant.permission == permission, User.body_id == body.id)
                          .order_by(User.staff_number).limit(1))


def _event(session: Session, organiser: User | None, owner: OrgUnit, invited: list[OrgUnit], code: str, title: str,
           event_format: EventFormat, delivery: Delivery, kpi_tier: Tier | None, hours: Decimal,
           target_tiers: list[Tier], published_at: datetime, description: str = "",
           survey: bool = False) -> TrainingEvent:
    event = TrainingEvent(
        code=code, title=title, description=description or _description(event_format, kpi_tier),
        format=event_format, delivery=delivery, target_tiers=[tier.value for tier in target_tiers],
        target_grades=[], hours=hours, kpi_tier=kpi_tier, survey_required=False,
        survey_questions=SURVEY_QUESTIONS if survey else [], owner_body_id=owner.id, published_at=published_at,
        created_by_id=organiser.id if organiser else None, created_at=published_at)
    event.invitations = [EventInvitation(body_id=body.id) for body in invited]
    session.add(event)
    session.flush()
    return event


def _description(event_format: EventFormat, tier: Tier | None) -> str:
    if event_format is EventFormat.WORKSHOP:
        return ("表計算ソフトとBIツールで、実際の統計データを集計・可視化する演習です。"
                "ノートパソコンは研修室で用意します。\n\n"
                "国の自治体DX推進計画が求める「データに基づく政策立案」を、手を動かして身につけます。")
    if tier is Tier.DX_MANAGER:
        return ("所属長を対象に、自治体DXの全体像と、所属で進める業務改革の進め方を講演とグループ討議で学びます。\n\n"
                "市町村の皆さまもご参加いただけます。")
    return "各課のデジタル化リーダーが、業務の見直しとデジタル化の事例を共有するオンライン研修です。"


def _session(session: Session, event: TrainingEvent, day: date, start_hour: int, end_hour: int, venue: str,
             capacity: int, meeting_url: str = "") -> EventSession:
    starts = _at(day, start_hour)
    added = EventSession(event_id=event.id, starts_at=starts, ends_at=_at(day, end_hour), venue=venue,
                         meeting_url=meeting_url, capacity=capacity, registration_opens_at=None,
                         registration_closes_at=_at(day - timedelta(days=3), 17),
                         cancellation_deadline=_at(day - timedelta(days=2), 17), checkin_key=secrets.token_hex(32))
    session.add(added)
    session.flush()
    added.event = event
    return added


def _register(session: Session, target: EventSession, people: Sequence[User], status: RegistrationStatus,
              when: datetime, nominated_by: User | None = None) -> list[Registration]:
    rows = [Registration(session_id=target.id, user_id=user.id, status=status,
                         queued_at=when + timedelta(minutes=index), registered_at=when + timedelta(minutes=index),
                         nominated_by_id=nominated_by.id if nominated_by else None)
            for index, user in enumerate(people)]
    session.add_all(rows)
    session.flush()
    return rows


def _attend(session: Session, rng: random.Random, target: EventSession, people: Sequence[User],
            organiser: User | None) -> list[EventPlan]:
    """Registered weeks before; most attended (their completions are returned), a few did not."""
    rows = _register(session, target, people, RegistrationStatus.REGISTERED, target.starts_at - timedelta(days=30))
    plans = []
    for user, row in zip(people, rows, strict=True):
        row.attendance = Attendance.ABSENT if rng.random() < ABSENT_RATE else Attendance.ATTENDED
        row.attendance_marked_by_id = organiser.id if organiser else None
        row.attendance_marked_at = target.ends_at
        if row.attendance is Attendance.ATTENDED:
            plans.append(EventPlan(target.ends_at, user, row, target))
    return plans


def _this_year(session: Session, rng: random.Random, staff: Sequence[User], bodies: dict[str, OrgUnit],
               municipalities: list[OrgUnit], organiser: User | None, now: datetime, today: date) -> list[EventPlan]:
    year = fiscal_year(today)
    label = f"令和{year - 2018}年度"
    active = [user for user in staff if user.is_active]
    managers = [user for user in active if Tier.DX_MANAGER in user.tiers]
    specialists = [user for user in active if Tier.DX_SPECIALIST in user.tiers]
    leaders = [user for user in active if Tier.DIGITAL_LEADER in user.tiers]
    plans: list[EventPlan] = []
    # Held earlier this year, with attendance and the survey: the generative-AI seminar for everyone.
    held_on = _weekday_on_or_after(date(year, 7, 8))
    if _at(held_on, 17) < now - timedelta(days=1):
        seminar = _event(session, organiser, bodies["P000"], municipalities, f"SEM-R{year - 2018}-AI",
                         f"{label} 生成AI活用セミナー", EventFormat.SEMINAR, Delivery.HYBRID, None, Decimal("1.5"), [],
                         _at(held_on - timedelta(days=40), 9), survey=True,
                         description="生成AIの基本と、県の利用ガイドラインに沿った使い方を学ぶセミナーです（会場とオンライン）。")
        target = _session(session, seminar, held_on, 15, 17, "県庁 講堂（オンライン同時配信）", 300)
        attendees = rng.sample(active, min(120, len(active)))
        attended = _attend(session, rng, target, attendees, organiser)
        for plan in attended:
            session.add(SurveyResponse(event_id=seminar.id, session_id=target.id, user_id=plan.user.id,
                                       body_id=plan.user.body_id, answers=[rng.choice((3, 4, 4, 5, 5)),
                                                                           rng.choice((2, 3, 4, 4, 5)),
                                                                           rng.choice(COMMENTS)],
                                       submitted_at=target.ends_at + timedelta(hours=rng.randint(1, 48))))
        plans += attended
    # To come: the top seminar, a full workshop with a waiting list, and an online session for leaders.
    soon = _weekday_on_or_after(today + timedelta(days=14))
    top = _event(session, organiser, bodies["P000"], municipalities, f"SEM-R{year - 2018}-TOP",
                 f"{label} DXトップセミナー", EventFormat.SEMINAR, Delivery.IN_PERSON, Tier.DX_MANAGER, Decimal(2),
                 [Tier.DX_MANAGER], now - timedelta(days=20), survey=True)
    top_session = _session(session, top, soon, 14, 16, "県庁 講堂", 150)
    # The demo manager (a department head) has been nominated and has not answered: their home page says so.
    demo_manager = _granted(session, bodies["P000"], Permission.MANAGER)
    others = [user for user in managers if user is not demo_manager]
    _register(session, top_session, rng.sample(others, len(others) // 2), RegistrationStatus.REGISTERED,
              now - timedelta(days=15))
    if demo_manager is not None:
        _register(session, top_session, [demo_manager], RegistrationStatus.NOMINATED, now - timedelta(days=2),
                  nominated_by=organiser)
    workshop = _event(session, organiser, bodies["P000"], municipalities, f"WS-R{year - 2018}-DATA",
                      f"データ利活用ワークショップ（{label}）", EventFormat.WORKSHOP, Delivery.IN_PERSON,
                      Tier.DX_SPECIALIST, Decimal(6), [Tier.DX_SPECIALIST], now - timedelta(days=20))
    workshop_session = _session(session, workshop, _weekday_on_or_after(today + timedelta(days=21)), 10, 16,
                                "県庁 研修室A", 20)
    chosen = rng.sample(specialists, min(len(specialists), 26))
    _register(session, workshop_session, chosen[:20], RegistrationStatus.REGISTERED, now - timedelta(days=12))
    _register(session, workshop_session, chosen[20:], RegistrationStatus.WAITING, now - timedelta(days=6))
    online = _event(session, organiser, bodies["P000"], municipalities, f"ON-R{year - 2018}-LEAD",
                    f"デジタル化リーダー オンライン事例共有会（{label}）", EventFormat.SEMINAR, Delivery.ONLINE,
                    Tier.DIGITAL_LEADER, Decimal("1.5"), [Tier.DIGITAL_LEADER], now - timedelta(days=10))
    online_session = _session(session, online, _weekday_on_or_after(today + timedelta(days=10)), 10, 12, "",
                              100, meeting_url="https://meet.example.lg.jp/dx-leaders")
    invited = rng.sample(leaders, min(len(leaders), 40))
    _register(session, online_session, invited[:30], RegistrationStatus.REGISTERED, now - timedelta(days=8))
    _register(session, online_session, invited[30:], RegistrationStatus.NOMINATED, now - timedelta(days=3),
              nominated_by=organiser)
    return plans


def complete(session: Session, plan: EventPlan) -> Completion:
    """The completion an attendance makes (the history issues its certificate in date order)."""
    completion = event_completion(plan.session, plan.user, plan.completed_at)
    session.add(completion)
    return completion


def import_past_records(session: Session, staff: Sequence[User], admin: User | None, now: datetime) -> int:
    """The digital leaders' R4-R5 training as the institute recorded it, applied as one imported file."""
    rng = random.Random(EVENTS_SEED + 1)
    courses = {slug: course_id for slug, course_id in session.execute(
        select(Course.slug, Course.id).where(Course.slug.in_(("service-design", "bpr-rpa"))))}
    if not courses:
        return 0
    rows = []
    for user in staff:
        if Tier.DIGITAL_LEADER not in user.tiers or rng.random() >= 2 * TRAINED_IN_PAST_YEARS:
            continue
        year = rng.choice(PAST_YEARS)
        day = _weekday_on_or_after(date(year, rng.choice((6, 9, 11)), rng.randint(1, 25)))
        if _at(day, 17) > now:
            continue
        slug = rng.choice(sorted(courses))
        rows.append((user, courses[slug], day))
    if not rows:
        return 0
    batch = HistoryImport(filename=RECORDS_FILE, sha256="0" * 64, imported_by_id=admin.id if admin else None,
                          records=len(rows), people=len({user.id for user, _, _ in rows}),
                          imported_at=_at(date(2024, 4, 15), 10))
    session.add(batch)
    session.flush()
    session.execute(insert(Completion), [{
        "user_id": user.id, "course_id": course_id, "event_id": None, "course_version_id": None,
        "attempt_id": None, "completed_at": datetime.combine(day, time(), tzinfo=TOKYO), "completed_on": day,
        "fiscal_year": fiscal_year(day), "body_id": user.body_id, "division_id": user.division_id,
        "grade_id": user.grade_id, "history_import_id": batch.id, "source_line": line, "tier": Tier.DIGITAL_LEADER,
        "hours": Decimal(3)} for line, (user, course_id, day) in enumerate(rows, start=2)])
    return len(rows)


def summary(session: Session) -> str:
    """For the `demo` command's summary line."""
    events = session.scalar(select(func.count()).select_from(TrainingEvent)) or 0
    attended = session.scalar(select(func.count()).select_from(Completion).where(Completion.event_id.is_not(None)))
    imported = session.scalar(select(func.count()).select_from(Completion)
                              .where(Completion.history_import_id.is_not(None)))
    waiting = session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.status == RegistrationStatus.WAITING))
    return (f"training events: {events} ({attended} attendances completed, {waiting} waiting); "
            f"imported records: {imported}")
