"""Demo history: course completions and their certificates from FY2022 (R4) up to today.

The certificates feature and the KPI report need years of data to show anything: cumulative tier 1-3
trainees growing each fiscal year, yearly security training, a few revoked certificates and one
reissued after a name change. Everything is drawn from a fixed seed; only the clock decides which
fiscal year is the current one and where the current year's completions stop (never in the future).

Idempotent the simple way: if the demo bodies hold any completion, the history is already there (or
people have been learning on the demo site) and nothing is added. Without synced courses there is
nothing to complete, so the history is skipped.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from elearn import db
from elearn.clock import TOKYO, utcnow
from elearn.demo import events as demo_events
from elearn.demo.events import EventPlan
from elearn.demo.history_plan import (
    FIRST_FISCAL_YEAR,
    NAME_SEPARATOR,
    Calendar,
    Courses,
    NameChange,
    Plan,
    plan_completions,
    plan_name_change,
)
from elearn.demo.people import MUNICIPALITIES, PREFECTURE
from elearn.domain.completion import completion_fiscal_year
from elearn.domain.fiscal import fiscal_year, fiscal_year_bounds
from elearn.domain.people import ASSIGNABLE_TIERS, Permission, Tier
from elearn.models import (
    Certificate,
    CertificateIssuer,
    CertificateSeal,
    Completion,
    Course,
    CourseDeadline,
    KpiTarget,
    OrgUnit,
    RoleGrant,
    User,
)
from elearn.services import certificates
from elearn.services.certificates.seal_image import normalise_seal

HISTORY_SEED = 2022
BODY_CODES = (PREFECTURE[0], *(code for code, _name, _departments in MUNICIPALITIES))
# The browser test takes dx-basics from scratch as this learner; any history would spoil it.
UNTOUCHED_ACCOUNTS = frozenset({(PREFECTURE[0], "100001")})

BATCH = 200  # completions inserted per flush

REVOCATION_REASONS = ("受講記録の誤登録のため", "別の職員の受講記録を誤って登録したため")

ISSUERS = {  # body code -> (title, name); a municipality's signer is its mayor: "<name>長"
    "P000": ("みどり県知事", f"緑川{NAME_SEPARATOR}一郎"),
    "M100": (None, f"森山{NAME_SEPARATOR}健一"),
    "M200": (None, f"花田{NAME_SEPARATOR}弘"),
    "M300": (None, f"川上{NAME_SEPARATOR}茂"),
}
SEAL_TEXT = "緑県知印"  # read right column first, top to bottom, as on a real 角印
SEAL_BODY = "P000"
SEAL_FONT = Path(__file__).resolve().parents[2] / "static/fonts/ipaex/ipaexm.ttf"
SEAL_SIZE, SEAL_BORDER, SEAL_STROKE, SEAL_RED = 600, 34, 4, (196, 32, 38, 255)


@dataclass
class _Issued:
    """What is kept of an issued certificate once its rows have left the session."""

    plan: Plan | EventPlan
    certificate_id: int
    completion_id: int
    fiscal_year: int
    tier: Tier
    superseded: bool = False


def load_demo_history(session: Session, now: datetime | None = None) -> int:
    """Add the history inside the caller's write transaction; returns the completions added."""
    now = now or utcnow()
    bodies = _bodies(session)
    if len(bodies) != len(BODY_CODES):
        return 0
    issuers = _ensure_issuers(session, bodies)
    _ensure_targets(session, bodies)
    _ensure_deadlines(session, fiscal_year(now.astimezone(TOKYO).date()))
    if _has_completions(session, bodies):
        return 0
    courses = _courses(session)
    staff = _staff(session, bodies)
    trainees = [user for user in staff if (user.body.code, user.staff_number) not in UNTOUCHED_ACCOUNTS]
    if not courses or not trainees:
        return 0
    calendar = Calendar(now)
    rng = random.Random(HISTORY_SEED)
    plans = sorted(plan_completions(rng, calendar, trainees, courses), key=lambda plan: plan.order)
    if not plans:
        return 0
    name_change = plan_name_change(rng, calendar, plans, {(user.body_id, user.name) for user in staff})
    attended = demo_events.prepare(session, trainees, bodies, now)
    everything: list[Plan | EventPlan] = sorted([*plans, *attended], key=lambda plan: plan.order)
    issued = _issue_in_order(session, everything, name_change, issuers)
    admin = _admin(session, bodies[PREFECTURE[0]])
    _revoke_some(session, rng, calendar, issued, admin, name_change)
    imported = demo_events.import_past_records(session, trainees, admin, now)
    return len(everything) + imported


def summary() -> str:
    """One line for the `demo` command: what history the demo bodies hold."""
    session = db.session()
    rows = session.execute(
        select(Certificate.fiscal_year, func.count())
        .join(OrgUnit, OrgUnit.id == Certificate.body_id)
        .where(OrgUnit.code.in_(BODY_CODES))
        .group_by(Certificate.fiscal_year)
        .order_by(Certificate.fiscal_year)
    ).all()
    if not rows:
        return "history: no completions (run `elearn content sync` first to get some)"
    per_year = ", ".join(f"FY{year}: {count}" for year, count in rows)
    return f"history: {sum(count for _, count in rows)} certificates ({per_year}); {demo_events.summary(session)}"


# --- reading what is there ------------------------------------------------------------------------


def _bodies(session: Session) -> dict[str, OrgUnit]:
    return {unit.code: unit for unit in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(BODY_CODES)))}


def _has_completions(session: Session, bodies: dict[str, OrgUnit]) -> bool:
    body_ids = [body.id for body in bodies.values()]
    return session.scalar(select(Completion.id).where(Completion.body_id.in_(body_ids)).limit(1)) is not None


def _courses(session: Session) -> Courses:
    query = select(Course).where(Course.is_active).options(selectinload(Course.versions)).order_by(Course.slug)
    by_tier: dict[Tier, list[Course]] = {tier: [] for tier in ASSIGNABLE_TIERS}
    everyone = []
    for course in session.scalars(query):
        version = course.current_version
        if version is None:
            continue
        tiers = {Tier(value) for value in version.tiers} & set(ASSIGNABLE_TIERS)
        for tier in sorted(tiers):
            by_tier[tier].append(course)
        if not tiers:
            everyone.append(course)
    return Courses(by_tier, everyone)


def _staff(session: Session, bodies: dict[str, OrgUnit]) -> list[User]:
    body_ids = [body.id for body in bodies.values()]
    users = session.scalars(select(User).where(User.body_id.in_(body_ids))).all()
    # A stable order that does not depend on ids, so the draws are the same on any database.
    return sorted(users, key=lambda user: (user.body.code, user.staff_number))


def _admin(session: Session, prefecture: OrgUnit) -> User | None:
    """Who revokes: the prefecture's demo admin."""
    return session.scalar(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.permission == Permission.ADMIN, User.body_id == prefecture.id)
        .order_by(User.staff_number).limit(1)
    )


# --- what the reports measure against ---------------------------------------------------------------

# Cumulative tier 1-3 trainees per body, R4 (FY2022) to R8: the Akita plan's shape at the demo's size.
KPI_TARGETS = {
    "P000": (25, 45, 65, 85, 105, 125),
    "M100": (4, 8, 12, 16, 20, 24),
    "M200": (2, 4, 6, 8, 10, 12),
    "M300": (1, 2, 3, 4, 5, 6),
}
RECURRING_DEADLINE = (10, 31)  # the yearly security course: by the end of October
ALL_STAFF_DEADLINE = (12, 25)  # other all-staff courses: before the year-end holidays
TIER_DEADLINE = (2, 26)  # tier courses: by the end of February (the next calendar year)


def _ensure_targets(session: Session, bodies: dict[str, OrgUnit]) -> None:
    """The targets an admin would have entered; only for a body that has none yet."""
    has_targets = set(session.scalars(select(KpiTarget.body_id).distinct()))
    for code, targets in KPI_TARGETS.items():
        if bodies[code].id in has_targets:
            continue
        session.add_all(KpiTarget(body_id=bodies[code].id, fiscal_year=FIRST_FISCAL_YEAR + index, target=target)
                        for index, target in enumerate(targets))


def _ensure_deadlines(session: Session, current_year: int) -> None:
    """This year's deadlines (some already passed, so team pages show overdue marks) and last
    year's (the end of the year); only where none is set."""
    set_already = {(course_id, year) for course_id, year in
                   session.execute(select(CourseDeadline.course_id, CourseDeadline.fiscal_year))}
    for course in session.scalars(select(Course).where(Course.is_active).options(selectinload(Course.versions))):
        version = course.current_version
        if version is None:
            continue
        if version.recurrence_years:
            month, day = RECURRING_DEADLINE
        elif set(version.tiers) & {tier.value for tier in ASSIGNABLE_TIERS}:
            month, day = TIER_DEADLINE
        else:
            month, day = ALL_STAFF_DEADLINE
        wanted = {
            current_year: date(current_year + (1 if month < 4 else 0), month, day),
            current_year - 1: fiscal_year_bounds(current_year - 1)[1],
        }
        session.add_all(CourseDeadline(course_id=course.id, fiscal_year=year, due_on=due_on)
                        for year, due_on in wanted.items() if (course.id, year) not in set_already)


# --- issuers and the prefecture's seal -----------------------------------------------------------


def _ensure_issuers(session: Session, bodies: dict[str, OrgUnit]) -> list[CertificateIssuer]:
    """Set the signers an admin would have set before the first certificate; never overwrite theirs."""
    issuers = []
    for code, (title, name) in ISSUERS.items():
        body = bodies[code]
        issuer = session.get(CertificateIssuer, body.id)
        if issuer is None:
            issuer = CertificateIssuer(body_id=body.id, title=title or f"{body.name}長", name=name)
            if code == SEAL_BODY:
                seal = CertificateSeal(body_id=body.id, png=normalise_seal(seal_png()))
                session.add(seal)
                session.flush()
                issuer.seal_id = seal.id
            session.add(issuer)
        issuers.append(issuer)
    session.flush()
    return issuers


def seal_png(text: str = SEAL_TEXT) -> bytes:
    """A red square seal (角印): a thick border and four characters in two columns, read from the right."""
    image = Image.new("RGBA", (SEAL_SIZE, SEAL_SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SEAL_SIZE - 1, SEAL_SIZE - 1), outline=SEAL_RED, width=SEAL_BORDER)
    inner = SEAL_SIZE - 2 * SEAL_BORDER
    cell = inner // 2
    font = ImageFont.truetype(str(SEAL_FONT), int(cell * 0.86))
    columns = [text[:2], text[2:4]]  # the right column holds the first two characters
    for column_index, column in enumerate(columns):
        x = SEAL_BORDER + cell * (1 - column_index) + cell // 2
        for row_index, character in enumerate(column):
            y = SEAL_BORDER + cell * row_index + cell // 2
            # A little stroke makes the Mincho lines as heavy as carved ones.
            draw.text((x, y), character, font=font, fill=SEAL_RED, anchor="mm", stroke_width=SEAL_STROKE,
                      stroke_fill=SEAL_RED)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- writing -------------------------------------------------------------------------------------


def _add_completions(session: Session, plans: Sequence[Plan | EventPlan]) -> list[Completion]:
    """A batch of completions in one flush (certificates need their ids), snapshotting where each
    person is."""
    completions = [
        Completion(
            user_id=plan.user.id, course_id=plan.course.id, course_version_id=plan.version.id, attempt_id=None,
            completed_at=plan.completed_at, fiscal_year=completion_fiscal_year(plan.completed_at),
            body_id=plan.user.body_id, division_id=plan.user.division_id, grade_id=plan.user.grade_id,
        ) if isinstance(plan, Plan) else demo_events.complete(session, plan)
        for plan in plans
    ]
    session.add_all(completions)
    session.flush()
    return completions


def _issue_in_order(session: Session, plans: Sequence[Plan | EventPlan], name_change: NameChange | None,
                    issuers: list[CertificateIssuer]) -> list[_Issued]:
    """Issue in date order so serials rise with dates; the name change happens at its moment, so
    later certificates carry the new name.

    `issuers` is only held, never read: the session keeps unchanged rows weakly, and without a
    reference `certificates.issue` would load the issuer again for every certificate. Issued rows
    leave the session at once: each sequence number is taken by an ORM UPDATE that scans every object
    in the session, and keeping thousands there made the load several times slower."""
    issued: list[_Issued] = []
    pending = name_change
    for start in range(0, len(plans), BATCH):
        batch = plans[start:start + BATCH]
        completions = _add_completions(session, batch)
        for plan, completion in zip(batch, completions, strict=True):
            if pending is not None and plan.completed_at > pending.reissue_at:
                _change_name_and_reissue(session, pending, issued)
                pending = None
            version = plan.version if isinstance(plan, Plan) else None
            certificate = certificates.issue(session, completion, plan.user, version)
            issued.append(_Issued(plan, certificate.id, completion.id, certificate.fiscal_year, certificate.tier))
            session.expunge(certificate)
        for completion in completions:
            session.expunge(completion)
    if pending is not None:
        _change_name_and_reissue(session, pending, issued)
    return issued


def _change_name_and_reissue(session: Session, change: NameChange, issued: list[_Issued]) -> None:
    """What `certificates.reissue` does, dated in the past: the old certificate is superseded and a new
    one for the same completion carries the new name (and the next serial of the completion's year)."""
    change.user.name, change.user.kana = change.name, change.kana
    earlier = next(item for item in issued
                   if isinstance(item.plan, Plan) and item.plan.user is change.user
                   and item.plan.course.id == change.course_id
                   and item.plan.completed_at == change.completion_at)
    old = session.get_one(Certificate, earlier.certificate_id)
    old.superseded_at = change.reissue_at
    session.flush()  # the old one leaves the one-current-per-completion index first
    completion = session.get_one(Completion, earlier.completion_id)
    new = certificates.issue(session, completion, change.user, earlier.plan.version)
    new.issued_at = change.reissue_at
    old.superseded_by_id = new.id
    earlier.superseded = True
    session.flush()


def _revoke_some(session: Session, rng: random.Random, calendar: Calendar, issued: list[_Issued],
                 admin: User | None, name_change: NameChange | None) -> None:
    """Two certificates revoked weeks after issue, as `certificates.revoke` would: one of a tier course
    (so the KPI shows a revoked trainee) and one of an all-staff course, both in past fiscal years."""
    past_years = set(calendar.years[:-1])
    spared = {name_change.user.id} if name_change else set()
    pools = [
        [item for item in issued if item.tier is not Tier.ALL_STAFF and item.fiscal_year in past_years],
        [item for item in issued if item.tier is Tier.ALL_STAFF and item.fiscal_year in past_years],
    ]
    for pool, reason in zip(pools, REVOCATION_REASONS, strict=True):
        candidates = [item for item in pool if item.plan.user.id not in spared and not item.superseded]
        if not candidates:
            continue
        chosen = rng.choice(candidates)
        revoked_at = calendar.moment_after(rng, chosen.plan.completed_at, 10, 40)
        if revoked_at is None:
            continue
        spared.add(chosen.plan.user.id)
        certificate = session.get_one(Certificate, chosen.certificate_id)
        certificate.revoked_at = revoked_at
        certificate.revoked_on = revoked_at.astimezone(TOKYO).date()
        certificate.revoked_reason = reason
        certificate.revoked_by_id = admin.id if admin else None
