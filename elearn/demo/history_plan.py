"""The demo history's plan: who completed which course when, and one name change, drawn from a seeded
generator over the staff and courses `history` loaded. It writes nothing; `history` stores the plan.

Moments fall on weekday working hours in Japan, never in the future and never in the year-end closure.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from elearn.clock import TOKYO
from elearn.demo.people import GIVEN_NAMES, SURNAMES
from elearn.domain.completion import completion_fiscal_year
from elearn.domain.fiscal import fiscal_year, fiscal_year_bounds
from elearn.domain.people import ASSIGNABLE_TIERS, Tier
from elearn.models import Course, CourseVersion, User

FIRST_FISCAL_YEAR = 2022  # R4: when the prefecture's DX training programme started
# R6: the tier courses went online; R4-R5 tier training was seminars, workshops and the institute's
# courses (demo.events), as in Akita.
TIER_COURSES_ONLINE_FROM = 2024

NAME_SEPARATOR = "\u3000"

IDLE_RATE = 0.08  # staff who never completed anything
TIER_TRAINED_RATE = 0.9
TIER_EXTRA_COURSE_RATE = 0.65
# Share of staff completing each one-off all-staff course; other all-staff courses take the default.
ONE_OFF_RATES = {"dx-basics": 0.7, "office-tools": 0.45}
DEFAULT_ONE_OFF_RATE = 0.35
RECURRING_RATE_FIRST, RECURRING_RATE_STEP, RECURRING_RATE_MAX = 0.3, 0.07, 0.6

WORKDAY_FIRST_HOUR, WORKDAY_LAST_HOUR = 9, 17
CLOSED_DAYS = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})  # 年末年始
# demo.people lists the men's given names first, then the women's from 恵子 on.
FEMALE_GIVEN_NAMES = frozenset(given for given, _ in GIVEN_NAMES[[g for g, _ in GIVEN_NAMES].index("恵子"):])


@dataclass(frozen=True)
class Plan:
    """One completion to create."""

    completed_at: datetime
    user: User
    course: Course
    version: CourseVersion

    @property
    def order(self) -> tuple[datetime, int, str]:
        return (self.completed_at, self.user.id, self.course.slug)


@dataclass(frozen=True)
class NameChange:
    user: User
    reissue_at: datetime
    completion_at: datetime  # the completion whose certificate is reissued
    course_id: int
    name: str
    kana: str


@dataclass(frozen=True)
class Courses:
    by_tier: dict[Tier, list[Course]]  # tier courses (dx_manager, dx_specialist, digital_leader)
    everyone: list[Course]  # all-staff courses

    def __bool__(self) -> bool:
        return bool(self.everyone or any(self.by_tier.values()))


# --- when things happen: weekday working hours in Japan, never in the future ----------------------


class Calendar:
    def __init__(self, now: datetime) -> None:
        local = now.astimezone(TOKYO)
        # Today counts only once the working day is over, so no moment drawn lies in the future.
        self.last_day = local.date() if local.hour > WORKDAY_LAST_HOUR else local.date() - timedelta(days=1)
        every_year = range(FIRST_FISCAL_YEAR, fiscal_year(local.date()) + 1)
        self._days = {year: days for year in every_year if (days := self._working_days(year))}
        # A fiscal year begun today (before its first working day is over) has nothing yet.
        self.years = sorted(self._days)

    def _working_days(self, year: int) -> list[date]:
        first, last = fiscal_year_bounds(year)
        last = min(last, self.last_day)
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        return [day for day in days if day.weekday() < 5 and (day.month, day.day) not in CLOSED_DAYS]

    def moment(self, rng: random.Random, year: int) -> datetime:
        return self._at(rng, rng.choice(self._days[year]))

    def moment_after(self, rng: random.Random, after: datetime, min_days: int, max_days: int) -> datetime | None:
        """A working moment some days after `after`, or None if that would be in the future."""
        day = after.astimezone(TOKYO).date() + timedelta(days=rng.randint(min_days, max_days))
        while day.weekday() >= 5 or (day.month, day.day) in CLOSED_DAYS:
            day += timedelta(days=1)
        return self._at(rng, day) if day <= self.last_day else None

    @staticmethod
    def _at(rng: random.Random, day: date) -> datetime:
        clock = time(rng.randint(WORKDAY_FIRST_HOUR, WORKDAY_LAST_HOUR), rng.randint(0, 59), rng.randint(0, 59))
        return datetime.combine(day, clock, tzinfo=TOKYO).astimezone(UTC)


# --- the plan ------------------------------------------------------------------------------------


def plan_completions(rng: random.Random, calendar: Calendar, staff: Sequence[User],
                      courses: Courses) -> list[Plan]:
    plans: list[Plan] = []
    for user in staff:
        if rng.random() < IDLE_RATE:
            continue
        # Leavers left before this fiscal year; their earlier completions still count.
        years = calendar.years if user.is_active else calendar.years[:-1]
        if not years:
            continue
        taken: set[int] = set()
        for tier in ASSIGNABLE_TIERS:
            if tier in user.tiers:
                plans += _tier_training(rng, calendar, user, years, courses.by_tier[tier], taken)
        for course in courses.everyone:
            plans += _all_staff_training(rng, calendar, user, years, course)
    return plans


def _tier_training(rng: random.Random, calendar: Calendar, user: User, years: list[int],
                   tier_courses: list[Course], taken: set[int]) -> list[Plan]:
    """Each year a similar number start their tier's training, so cumulative trainees grow steadily
    (as in a KPI plan of 400/800/1200/1600); most go on to the tier's other courses later."""
    years = [year for year in years if year >= TIER_COURSES_ONLINE_FROM]
    if not tier_courses or not years or rng.random() >= TIER_TRAINED_RATE:
        return []
    start = rng.randrange(len(years))
    order = rng.sample(tier_courses, len(tier_courses))
    plans = []
    for index, course in enumerate(order):
        if course.id in taken or (index and rng.random() >= TIER_EXTRA_COURSE_RATE):
            continue
        year = years[start] if index == 0 else rng.choice(years[start:])
        taken.add(course.id)
        plans.append(Plan(calendar.moment(rng, year), user, course, course.current_version))
    return plans


def _all_staff_training(rng: random.Random, calendar: Calendar, user: User, years: list[int],
                        course: Course) -> list[Plan]:
    version = course.current_version
    if version.recurrence_years:
        # Yearly training: more people take it each year, and many take it again.
        rates = [min(RECURRING_RATE_MAX, RECURRING_RATE_FIRST + RECURRING_RATE_STEP * i) for i in range(len(years))]
        chosen = [year for year, rate in zip(years, rates, strict=True) if rng.random() < rate]
        return [Plan(calendar.moment(rng, year), user, course, version) for year in chosen]
    if rng.random() >= ONE_OFF_RATES.get(course.slug, DEFAULT_ONE_OFF_RATE):
        return []
    # Most took the basics in the first years of the programme.
    year = rng.choices(years, weights=[max(1, 4 - index) for index in range(len(years))])[0]
    return [Plan(calendar.moment(rng, year), user, course, version)]


def plan_name_change(rng: random.Random, calendar: Calendar, plans: list[Plan],
                      names_in_use: set[tuple[int, str]]) -> NameChange | None:
    """Someone who married last fiscal year asks for a certificate from an earlier year in her new name."""
    if len(calendar.years) < 2:
        return None
    marriage_year = calendar.years[-2]
    by_user: dict[int, list[Plan]] = defaultdict(list)
    for plan in plans:
        by_user[plan.user.id].append(plan)
    candidates = [
        mine for mine in by_user.values()
        if mine[0].user.is_active and mine[0].user.password_hash is None  # not a demo account
        and _is_female_name(mine[0].user.name) and completion_fiscal_year(mine[0].completed_at) < marriage_year
    ]
    if not candidates:
        return None
    # Prefer someone who completed more courses after the wedding, to show both names on her certificates.
    candidates.sort(key=lambda mine: -sum(completion_fiscal_year(p.completed_at) >= marriage_year for p in mine))
    mine = rng.choice(candidates[:5])
    user, earlier = mine[0].user, mine[0]
    reissue_at = calendar.moment(rng, marriage_year)
    name, kana = _married_name(rng, user, {name for body_id, name in names_in_use if body_id == user.body_id})
    return NameChange(user, reissue_at, earlier.completed_at, earlier.course.id, name, kana)


def _is_female_name(name: str) -> bool:
    return name.split(NAME_SEPARATOR)[-1] in FEMALE_GIVEN_NAMES


def _married_name(rng: random.Random, user: User, used: set[str]) -> tuple[str, str]:
    surname, given = user.name.split(NAME_SEPARATOR)
    given_kana = user.kana.split(NAME_SEPARATOR)[-1]
    choices = [(s, k) for s, k in SURNAMES if s != surname and f"{s}{NAME_SEPARATOR}{given}" not in used]
    new_surname, new_kana = rng.choice(choices)
    return f"{new_surname}{NAME_SEPARATOR}{given}", f"{new_kana}{NAME_SEPARATOR}{given_kana}"
