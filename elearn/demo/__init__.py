"""Demo data: a fictional prefecture and three municipalities with about 600 staff.

Deterministic (a fixed random seed; only the training history in `history` looks at today's
date) and idempotent: units are found by code and staff by body and staff number, so a second load adds
nothing. Only the demo accounts can sign in; hashing 600 argon2 passwords would take over a minute, so
everyone else has no password.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import utcnow
from elearn.demo.history import load_demo_history
from elearn.demo.magazine import load_demo_magazine
from elearn.demo.people import (
    DX_DIVISION_NAMES,
    GIVEN_NAMES,
    MUNICIPALITIES,
    PREFECTURE,
    PREFECTURE_DEPARTMENTS,
    SURNAMES,
)
from elearn.demo.practice import load_demo_practice
from elearn.domain.people import DEFAULT_GRADES, OrgKind, Permission, Tier
from elearn.models import Grade, OrgUnit, RoleGrant, StaffTier, User
from elearn.services.people.passwords import hash_password

SEED = 2025
EMAIL_DOMAIN = "example.lg.jp"
NAME_SEPARATOR = "\u3000"  # full-width space, as in Japanese staff lists

DEPARTMENT_HEAD, DIVISION_HEAD, DEPUTY, CHIEF, STAFF, NEW_RECRUIT = DEFAULT_GRADES
# Grades below the division head, with their weights among rank-and-file staff.
_RANK_AND_FILE = (DEPUTY, CHIEF, STAFF, NEW_RECRUIT)
_RANK_AND_FILE_WEIGHTS = (14, 30, 46, 10)
_LEAVER_RATE = 0.02
_WORKING_GROUP_SIZE = 12  # young staff outside the DX divisions in the DX specialist tier


@dataclass(frozen=True)
class DemoAccount:
    permission: str
    body_code: str
    body_name: str
    staff_number: str
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class _DemoSpec:
    permission: Permission
    division_code: str
    grade: str
    password: str
    grant_unit_code: str | None = None  # for manager, reporter and organiser grants


# One account per permission, plus a municipal reporter to show a body-wide scope outside the prefecture.
DEMO_SPECS = (
    _DemoSpec(Permission.LEARNER, "P305", STAFF, "demo-learner-2025"),
    _DemoSpec(Permission.MANAGER, "P101", DEPARTMENT_HEAD, "demo-manager-2025", "P100"),
    _DemoSpec(Permission.AUTHOR, "P101", CHIEF, "demo-author-2025"),
    _DemoSpec(Permission.REPORTER, "P202", DEPUTY, "demo-reporter-2025", "P000"),
    _DemoSpec(Permission.ADMIN, "P203", CHIEF, "demo-admin-2025"),
    _DemoSpec(Permission.ORGANISER, "P101", CHIEF, "demo-organiser-2025", "P000"),  # 人事課 runs training
    _DemoSpec(Permission.REPORTER, "M112", CHIEF, "demo-city-reporter-2025", "M100"),
)

# First staff number of each body; numbers are unique within a body.
_FIRST_STAFF_NUMBER = {"P000": 100001, "M100": 200001, "M200": 300001, "M300": 400001}


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    kind: OrgKind
    parent_code: str | None


@dataclass
class _Person:
    body_code: str
    division_code: str
    division_name: str
    name: str
    kana: str
    grade: str
    is_active: bool = True
    tiers: set[Tier] = field(default_factory=set)
    staff_number: str = ""
    demo: _DemoSpec | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.body_code, self.staff_number)

    @property
    def email(self) -> str:
        return f"{self.body_code.lower()}-{self.staff_number}@{EMAIL_DOMAIN}"


def load_demo_data() -> list[DemoAccount]:
    """Create whatever demo rows are missing; return the demo accounts with their passwords."""
    units, people = _plan()
    with db.write_session() as session:
        grades = _ensure_grades(session)
        units_by_code = _ensure_units(session, units)
        existing = _existing_staff_keys(session, list(_FIRST_STAFF_NUMBER))
        new_users = [
            _new_user(person, units_by_code, grades) for person in people if person.key not in existing
        ]
        session.add_all(new_users)
        session.flush()
        demo_people = [person for person in people if person.demo is not None]
        accounts = _demo_accounts(session, demo_people, units_by_code)
        load_demo_history(session)
        load_demo_practice(session, [units_by_code[code].id for code in _FIRST_STAFF_NUMBER], utcnow())
        load_demo_magazine(session, utcnow())
        return accounts


def count_non_demo_staff() -> int:
    """Staff in the database the demo did not create: real people, whom `elearn demo` must not mix with."""
    _units, people = _plan()
    demo_keys = {person.key for person in people}
    rows = db.session().execute(select(OrgUnit.code, User.staff_number).join(OrgUnit, User.body_id == OrgUnit.id))
    return sum(1 for code, number in rows if (code, number) not in demo_keys)


# --- the plan: pure and deterministic ------------------------------------------------------------


def _plan() -> tuple[list[_Unit], list[_Person]]:
    rng = random.Random(SEED)
    bodies = [(*PREFECTURE, OrgKind.PREFECTURE, PREFECTURE_DEPARTMENTS)]
    bodies += [(code, name, OrgKind.MUNICIPALITY, departments) for code, name, departments in MUNICIPALITIES]
    units: list[_Unit] = []
    people: list[_Person] = []
    for body_code, body_name, kind, departments in bodies:
        units.append(_Unit(body_code, body_name, kind, None))
        staff: list[_Person] = []
        used_names: set[str] = set()
        for dept_code, dept_name, has_head, divisions in departments:
            units.append(_Unit(dept_code, dept_name, OrgKind.DEPARTMENT, body_code))
            for index, (div_code, div_name, headcount) in enumerate(divisions):
                division = _Unit(div_code, div_name, OrgKind.DIVISION, dept_code)
                units.append(division)
                above = [DEPARTMENT_HEAD] if has_head and index == 0 else []
                staff += _division_staff(rng, body_code, division, headcount, above, used_names)
        people += _number_staff(staff, body_code)
    _assign_working_group(rng, people)
    return units, people


def _division_staff(
    rng: random.Random, body_code: str, division: _Unit, headcount: int, above: list[str], used: set[str]
) -> list[_Person]:
    """The division's head, its staff and their tiers; `above` holds a department head placed here."""
    grades = [*above, DIVISION_HEAD]
    rank_and_file = rng.choices(_RANK_AND_FILE, _RANK_AND_FILE_WEIGHTS, k=headcount - len(grades))
    grades += sorted(rank_and_file, key=DEFAULT_GRADES.index)
    people = []
    for grade in grades:
        name, kana = _draw_name(rng, used)
        people.append(
            _Person(
                body_code=body_code,
                division_code=division.code,
                division_name=division.name,
                name=name,
                kana=kana,
                grade=grade,
                # Heads are never leavers: every division keeps a DX manager.
                is_active=grade in (DEPARTMENT_HEAD, DIVISION_HEAD) or rng.random() >= _LEAVER_RATE,
            )
        )
    for person in people:
        if person.grade == DIVISION_HEAD:
            person.tiers.add(Tier.DX_MANAGER)
        if division.name in DX_DIVISION_NAMES:
            person.tiers.add(Tier.DX_SPECIALIST)
    candidates = [p for p in people if p.is_active and p.grade in (CHIEF, STAFF)]
    rng.choice(candidates or [p for p in people if p.is_active]).tiers.add(Tier.DIGITAL_LEADER)
    return people


def _draw_name(rng: random.Random, used_names: set[str]) -> tuple[str, str]:
    """A name and its reading not yet used in the body: no two demo people share a name."""
    while True:
        (surname, surname_kana), (given, given_kana) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        name = f"{surname}{NAME_SEPARATOR}{given}"
        if name not in used_names:
            used_names.add(name)
            return name, f"{surname_kana}{NAME_SEPARATOR}{given_kana}"


def _number_staff(staff: list[_Person], body_code: str) -> list[_Person]:
    """Give the demo accounts the first, easy-to-type numbers, then number everyone else in order."""
    divisions = {p.division_code for p in staff}
    for spec in DEMO_SPECS:
        if spec.division_code not in divisions:
            continue
        person = next(
            p for p in staff
            if p.demo is None and p.is_active
            and p.division_code == spec.division_code and p.grade == spec.grade
        )
        person.demo = spec
    ordered = [p for spec in DEMO_SPECS for p in staff if p.demo is spec]
    ordered += [p for p in staff if p.demo is None]
    for offset, person in enumerate(ordered):
        person.staff_number = str(_FIRST_STAFF_NUMBER[body_code] + offset)
    return ordered


def _assign_working_group(rng: random.Random, people: list[_Person]) -> None:
    """The young staff working group: DX specialists outside the DX divisions (some also digital leaders)."""
    young = [
        p for p in people
        if p.body_code == PREFECTURE[0] and p.is_active and p.grade in (STAFF, NEW_RECRUIT)
        and p.division_name not in DX_DIVISION_NAMES
    ]
    for person in rng.sample(young, _WORKING_GROUP_SIZE):
        person.tiers.add(Tier.DX_SPECIALIST)


# --- writing: one query per kind of row, never one per person -------------------------------------


def _ensure_grades(session: Session) -> dict[str, Grade]:
    grades = {grade.name: grade for grade in session.scalars(select(Grade))}
    for position, name in enumerate(DEFAULT_GRADES, start=1):
        if name not in grades:
            grades[name] = Grade(name=name, sort_order=position)
            session.add(grades[name])
    return grades


def _ensure_units(session: Session, units: list[_Unit]) -> dict[str, OrgUnit]:
    codes = [unit.code for unit in units]
    by_code = {unit.code: unit for unit in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    for unit in units:  # parents come before their children in the plan
        if unit.code not in by_code:
            parent = by_code[unit.parent_code] if unit.parent_code else None
            by_code[unit.code] = OrgUnit(code=unit.code, name=unit.name, kind=unit.kind, parent=parent)
            session.add(by_code[unit.code])
    return by_code


def _existing_staff_keys(session: Session, body_codes: list[str]) -> set[tuple[str, str]]:
    rows = session.execute(
        select(OrgUnit.code, User.staff_number)
        .join(OrgUnit, User.body_id == OrgUnit.id)
        .where(OrgUnit.code.in_(body_codes))
    )
    return {(code, number) for code, number in rows}


def _new_user(person: _Person, units: dict[str, OrgUnit], grades: dict[str, Grade]) -> User:
    user = User(
        body=units[person.body_code],
        staff_number=person.staff_number,
        name=person.name,
        kana=person.kana,
        email=person.email,
        division=units[person.division_code],
        grade=grades[person.grade],
        is_active=person.is_active,
        password_hash=None,
        must_change_password=False,
        tier_rows=[StaffTier(tier=tier) for tier in sorted(person.tiers)],
    )
    if person.demo is not None:
        user.password_hash = hash_password(person.demo.password)
    return user


def _demo_accounts(
    session: Session, demo_people: list[_Person], units: dict[str, OrgUnit]
) -> list[DemoAccount]:
    """Find the demo users (new or not), make sure each holds its grant, and describe them."""
    match = or_(
        *(
            and_(User.body_id == units[person.body_code].id, User.staff_number == person.staff_number)
            for person in demo_people
        )
    )
    users = {(user.body_id, user.staff_number): user for user in session.scalars(select(User).where(match))}
    people_by_spec = {person.demo: person for person in demo_people}
    accounts = []
    for spec in DEMO_SPECS:
        person = people_by_spec[spec]
        body = units[person.body_code]
        user = users[(body.id, person.staff_number)]
        _ensure_grant(user, spec, units)
        accounts.append(
            DemoAccount(
                permission=spec.permission.value,
                body_code=body.code,
                body_name=body.name,
                staff_number=user.staff_number,
                email=user.email or "",
                password=spec.password,
                name=user.name,
            )
        )
    return accounts


def _ensure_grant(user: User, spec: _DemoSpec, units: dict[str, OrgUnit]) -> None:
    if spec.permission == Permission.LEARNER:
        return  # everyone's, never stored
    unit = units[spec.grant_unit_code] if spec.grant_unit_code else None
    unit_id = unit.id if unit is not None else None
    if not any(g.permission == spec.permission and g.org_unit_id == unit_id for g in user.grants):
        user.grants.append(RoleGrant(permission=spec.permission, org_unit=unit))
