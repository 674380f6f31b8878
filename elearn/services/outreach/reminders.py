"""The reminder scan: for every active member of staff, the required courses of this fiscal year they have not
completed, told once when each becomes required (or gets a deadline) and once at each deadline step, all of a
person's news in one message.

Reads are a handful of set queries over all staff (no query per person); writes go in chunks, each chunk's
notices, mails and reminder log in one transaction, so a scan stopped half-way sends nobody anything twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select, tuple_

from elearn import db
from elearn.clock import utcnow
from elearn.domain import completion
from elearn.domain.fiscal import fiscal_year
from elearn.domain.notices import NOT_SENT, ReminderItem, ReminderStep, reminder_for, reminder_kind
from elearn.domain.people import Tier, training_tiers
from elearn.models import Completion, Course, Grade, NoticeChoice, ReminderSent, StaffTier, User
from elearn.services.learning import content
from elearn.services.learning import deadlines as course_deadlines
from elearn.services.notices import Delivery, Recipient, deliver

WRITE_CHUNK = 1000


@dataclass(frozen=True)
class ScanReport:
    people: int  # active staff looked at
    told: int  # people who got a reminder
    items: int  # courses told of, in all


@dataclass(frozen=True)
class _Course:
    id: int
    slug: str
    title: str
    tiers: frozenset[Tier]
    grades: frozenset[str]
    recurrence_years: int | None


def _courses() -> list[_Course]:
    ids = dict(db.session().execute(select(Course.slug, Course.id).where(Course.is_active.is_(True))).all())
    return [_Course(ids[source.slug], source.slug, source.title, frozenset(source.tiers),
                    frozenset(source.required_for_grades), source.recurrence_years)
            for source in content.tree().courses if source.slug in ids]


@dataclass(frozen=True)
class Plan:
    """What a scan would send today: per person, each course's reminder and the steps it records."""

    year: int
    due: dict[int, list[tuple[ReminderItem, list[ReminderStep]]]]
    people: dict[int, Recipient]  # those in `due`
    sent: dict[tuple[int, int], dict[ReminderStep, date | None]]
    courses: dict[int, _Course]
    looked_at: int  # active staff


def plan(today: date) -> Plan:
    """Who is due what today: eight set queries over all active staff, then plain Python (the courses required
    of a tier-and-grade pair are worked out once per pair, not per person)."""
    session = db.session()
    year = fiscal_year(today)
    courses = _courses()
    if not courses:
        return Plan(year, {}, {}, {}, {}, 0)
    deadlines = course_deadlines.for_year(year)
    grade_names = dict(session.execute(select(Grade.id, Grade.name)).all())
    tiers: dict[int, set[Tier]] = defaultdict(set)
    for user_id, tier in session.execute(select(StaffTier.user_id, StaffTier.tier)
                                         .join(User, User.id == StaffTier.user_id)
                                         .where(User.is_active.is_(True))):
        tiers[user_id].add(tier)
    recurrence = {course.id: course.recurrence_years for course in courses}
    met: set[tuple[int, int]] = set()
    for user_id, course_id, last_year in session.execute(
            select(Completion.user_id, Completion.course_id, func.max(Completion.fiscal_year))
            .where(Completion.course_id.in_(list(recurrence)), Completion.fiscal_year <= year)
            .group_by(Completion.user_id, Completion.course_id)):
        every = recurrence[course_id]
        if every is None or year - last_year < every:
            met.add((user_id, course_id))
    sent: dict[tuple[int, int], dict[ReminderStep, date | None]] = defaultdict(dict)
    for user_id, course_id, step, due_on in session.execute(
            select(ReminderSent.user_id, ReminderSent.course_id, ReminderSent.step, ReminderSent.due_on)
            .where(ReminderSent.fiscal_year == year)):
        sent[(user_id, course_id)][step] = due_on

    required_for: dict[tuple[frozenset[Tier], str | None], list[_Course]] = {}
    due: dict[int, list[tuple[ReminderItem, list[ReminderStep]]]] = {}
    staff = session.execute(select(User.id, User.grade_id, User.name, User.email, User.locale)
                            .where(User.is_active.is_(True))).all()
    for person in staff:
        person_tiers = training_tiers(tiers.get(person.id, ()))
        grade = grade_names.get(person.grade_id)
        signature = (person_tiers, grade)
        if signature not in required_for:
            required_for[signature] = [course for course in courses
                                       if completion.is_required(course.tiers, course.grades, person_tiers, grade)]
        items = []
        for course in required_for[signature]:
            if (person.id, course.id) in met:
                continue
            item, steps = reminder_for(course.id, deadlines.get(course.id), today,
                                       sent.get((person.id, course.id), {}))
            if item is not None:
                items.append((item, steps))
        if items:
            due[person.id] = items
    choices: dict[int, dict] = defaultdict(dict)
    for user_id, topic, channel in session.execute(select(NoticeChoice.user_id, NoticeChoice.topic,
                                                          NoticeChoice.channel)):
        choices[user_id][topic] = channel
    people = {person.id: Recipient(person.id, person.name, person.email, person.locale or "ja", choices[person.id])
              for person in staff if person.id in due}
    return Plan(year, due, people, sent, {course.id: course for course in courses}, len(staff))


def scan(today: date) -> ScanReport:
    planned = plan(today)
    year, sent, courses = planned.year, planned.sent, planned.courses
    person_ids = sorted(planned.due)
    items_told = 0
    for start in range(0, len(person_ids), WRITE_CHUNK):
        chunk = person_ids[start:start + WRITE_CHUNK]
        deliveries: list[Delivery] = []
        records: list[dict] = []
        moment = utcnow()
        for user_id in chunk:
            items = [item for item, _steps in planned.due[user_id]]
            for item, steps in planned.due[user_id]:
                records.extend({"user_id": user_id, "course_id": item.course_id, "fiscal_year": year, "step": step,
                                "due_on": item.due_on, "sent_at": moment} for step in steps)
            deliveries.append(Delivery(user_id, reminder_kind(items), {
                "fiscal_year": year,
                "items": [{"title": courses[item.course_id].title, "slug": courses[item.course_id].slug,
                           "step": item.step.value, "due_on": item.due_on.isoformat() if item.due_on else None,
                           "newly": item.newly_required} for item in items],
            }))
            items_told += len(items)
        with db.write_session() as session:
            replaced = [(row["user_id"], row["course_id"], row["step"]) for row in records
                        if sent.get((row["user_id"], row["course_id"]), {}).get(row["step"], NOT_SENT) is not NOT_SENT]
            for part in db.chunks(replaced, 300):
                session.execute(delete(ReminderSent).where(
                    ReminderSent.fiscal_year == year,
                    tuple_(ReminderSent.user_id, ReminderSent.course_id, ReminderSent.step).in_(list(part))))
            session.execute(insert(ReminderSent), records)
            deliver(session, deliveries, known=planned.people)
    return ScanReport(planned.looked_at, len(person_ids), items_told)
