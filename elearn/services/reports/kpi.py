"""The KPI report: the counting rule and targets as stored, the facts from the certificates, and the
figures, breakdowns and coverage computed from them by `domain.kpi`."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import case, func, literal, or_, select

from elearn import db
from elearn.domain import kpi
from elearn.domain.events import Delivery, EventFormat
from elearn.domain.fiscal import fiscal_year
from elearn.domain.kpi import CountingRule, CountUnit, Fact, TrainingMode, YearFigure
from elearn.domain.people import BODY_KINDS, OrgKind, Tier
from elearn.models import (
    Certificate,
    Completion,
    DataGeneration,
    Grade,
    KpiRuleRow,
    KpiTarget,
    OrgUnit,
    StaffTier,
    TrainingEvent,
    User,
)
from elearn.services import audit

# --- the rule and the targets ---------------------------------------------------------------------------------


def counting_rule() -> CountingRule:
    row = db.session().get(KpiRuleRow, 1)
    if row is None:
        return kpi.DEFAULT_RULE
    return CountingRule(frozenset(Tier(value) for value in row.tiers), row.since_fiscal_year, row.unit,
                        row.municipal_staff_count_for_prefecture)


def save_rule(actor: User | None, rule: CountingRule) -> None:
    with db.write_session() as session:
        row = session.get(KpiRuleRow, 1) or KpiRuleRow(id=1)
        row.tiers = [tier.value for tier in Tier if tier in rule.tiers]
        row.since_fiscal_year = rule.since_fiscal_year
        row.unit = rule.unit
        row.municipal_staff_count_for_prefecture = rule.municipal_staff_count_for_prefecture
        row.updated_by_id = actor.id if actor else None
        session.add(row)
        audit.record(session, actor, "kpi.rule", f"tiers={','.join(row.tiers)} since={rule.since_fiscal_year} "
                     f"unit={rule.unit.value} municipal={rule.municipal_staff_count_for_prefecture}")


def targets() -> dict[tuple[int, int], int]:
    """(body id, fiscal year) -> cumulative target."""
    return {(body_id, year): target for body_id, year, target in
            db.session().execute(select(KpiTarget.body_id, KpiTarget.fiscal_year, KpiTarget.target))}


def save_targets(actor: User | None, wanted: dict[tuple[int, int], int | None]) -> int:
    """Set or (with None) clear targets in one transaction; returns how many changed."""
    changed: list[str] = []
    with db.write_session() as session:
        for (body_id, year), target in wanted.items():
            row = session.get(KpiTarget, (body_id, year))
            if target is None and row is not None:
                session.delete(row)
            elif target is not None and row is None:
                session.add(KpiTarget(body_id=body_id, fiscal_year=year, target=target))
            elif target is not None and row is not None and row.target != target:
                row.target = target
            else:
                continue
            changed.append(f"{body_id}/FY{year}={'-' if target is None else target}")
        if changed:
            audit.record(session, actor, "kpi.targets", "; ".join(changed))
    return len(changed)


# --- facts --------------------------------------------------------------------------------------------------------


def facts(rule: CountingRule, as_of: date, body_ids: list[int]) -> list[Fact]:
    """What can count under `rule` up to `as_of`, grouped: one fact per person (or, counting completions,
    per group of alike records), tier, fiscal year, revocation day, place and mode. Two queries, each on
    its own indexes: certificates in force, and imported records nobody asked a certificate for."""
    tiers = list(rule.tiers)
    person = Certificate.user_id if rule.unit is CountUnit.PEOPLE else literal(0)
    mode = case((Completion.history_import_id.is_not(None), literal(TrainingMode.IMPORTED.value)),
                (TrainingEvent.delivery == Delivery.ONLINE, literal(TrainingMode.ONLINE.value)),
                (TrainingEvent.format == EventFormat.WORKSHOP, literal(TrainingMode.WORKSHOP.value)),
                (TrainingEvent.format == EventFormat.SEMINAR, literal(TrainingMode.SEMINAR.value)),
                else_=literal(TrainingMode.ELEARNING.value))
    keys = (person, Certificate.tier, Certificate.fiscal_year, Certificate.revoked_on, Certificate.body_id,
            Completion.division_id, Completion.grade_id, mode)
    certificates = (
        select(*keys, func.min(Certificate.completed_on), func.count())
        .join(Completion, Completion.id == Certificate.completion_id)
        .outerjoin(TrainingEvent, TrainingEvent.id == Completion.event_id)
        .where(Certificate.superseded_at.is_(None), Certificate.tier.in_(tiers),
               Certificate.fiscal_year >= rule.since_fiscal_year, Certificate.completed_on <= as_of,
               # "+ 0": without statistics SQLite would pick the (body, serial) index, which holds
               # every certificate of the body, over the tier index, which holds only those that count.
               (Certificate.body_id + 0).in_(body_ids))
        .group_by(*keys)
    )
    record_person = Completion.user_id if rule.unit is CountUnit.PEOPLE else literal(0)
    record_keys = (record_person, Completion.tier, Completion.fiscal_year, Completion.body_id,
                   Completion.division_id, Completion.grade_id)
    records = (
        select(*record_keys, func.min(Completion.completed_on), func.count())
        # "+ 0" as above: the partial index of imported records is the one to read, not every completion
        # of the body or the year.
        .where(*_records_without_certificate(tiers, as_of), (Completion.fiscal_year + 0) >= rule.since_fiscal_year,
               (Completion.body_id + 0).in_(body_ids))
        .group_by(*record_keys)
    )
    session = db.session()
    modes = {mode.value: mode for mode in TrainingMode}  # a dict lookup: TrainingMode(value) per row is slow
    found = [Fact(holder_id, tier, completed_on, revoked_on, False, body_id, division_id, grade_id, weight,
                  modes[mode])
             for holder_id, tier, _, revoked_on, body_id, division_id, grade_id, mode, completed_on, weight
             in session.execute(certificates)]
    found += [Fact(holder_id, tier, completed_on, None, False, body_id, division_id, grade_id, weight,
                   TrainingMode.IMPORTED)
              for holder_id, tier, _, body_id, division_id, grade_id, completed_on, weight
              in session.execute(records)]
    return found


def _records_without_certificate(tiers: list[Tier], as_of: date) -> list:
    """Imported records of these tiers up to `as_of` that count on their own (no certificate was asked for;
    one that was counts through its certificate)."""
    with_certificate = select(Certificate.id).where(Certificate.completion_id == Completion.id,
                                                    Certificate.superseded_at.is_(None)).exists()
    return [Completion.history_import_id.is_not(None), Completion.tier.in_(tiers), Completion.completed_on <= as_of,
            ~with_certificate]


def _trained_people(tier: Tier, as_of: date, body_ids: list[int]) -> dict[int, int]:
    """Today's active staff of the bodies trained in `tier` on `as_of` (a certificate in force, or an imported
    record), with their division."""
    certified = select(Certificate.user_id).where(
        Certificate.superseded_at.is_(None), Certificate.tier == tier, Certificate.completed_on <= as_of,
        or_(Certificate.revoked_on.is_(None), Certificate.revoked_on > as_of))
    recorded = select(Completion.user_id).where(*_records_without_certificate([tier], as_of))
    people: dict[int, int] = {}
    for source in (certified, recorded):
        people.update(db.session().execute(
            select(User.id, User.division_id)
            .where(User.id.in_(source), User.is_active.is_(True), User.body_id.in_(body_ids))).all())
    return people


# --- the report --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    fiscal_year: int
    target: int | None
    cumulative: int | None  # None for a future year that has a target
    in_year: int | None

    @property
    def rate(self) -> Decimal | None:
        return None if self.cumulative is None else kpi.rate(self.cumulative, self.target)


@dataclass(frozen=True)
class BodyRow:
    body: OrgUnit
    years: list[YearRow]



@dataclass(frozen=True)
class GroupRow:
    label: str
    detail: str  # e.g. the body of a department
    count: int


@dataclass(frozen=True)
class ModeRow:
    """How one mode of training added to the figure: trained in each fiscal year, and cumulative."""

    mode: TrainingMode
    in_year: dict[int, int]
    cumulative: int


@dataclass(frozen=True)
class DivisionGap:
    body: str
    department: str
    division: str
    designated: int  # staff assigned to the digital-leader tier, trained or not


@dataclass(frozen=True)
class UntrainedManager:
    name: str
    staff_number: str
    body: str
    unit: str
    grade: str


@dataclass(frozen=True)
class Coverage:
    divisions: int
    divisions_with_leader: int
    without_leader: list[DivisionGap]
    dx_managers: int
    untrained_managers: list[UntrainedManager]

    @property
    def share(self) -> Decimal | None:
        return kpi.share(self.divisions_with_leader, self.divisions)


@dataclass(frozen=True)
class KpiReport:
    as_of: date
    rule: CountingRule
    body: OrgUnit  # whose KPI this is
    includes_municipalities: bool  # the prefecture's figure counts its municipalities' staff too
    years: list[YearRow]
    by_tier: list[GroupRow]
    by_mode: list[ModeRow]
    by_body: list[BodyRow]
    by_department: list[GroupRow]
    by_grade: list[GroupRow]
    coverage: Coverage

    @property
    def current(self) -> YearRow | None:
        """The as-of day's fiscal year; None before the rule's first year."""
        return next((row for row in reversed(self.years) if row.cumulative is not None), None)


class NotVisible(Exception):
    """The viewer may not see this body's figures."""


def report(bodies: list[OrgUnit], as_of: date, body_code: str | None = None) -> KpiReport:
    """The KPI of `body_code` (default the first) among `bodies`, those the viewer may see
    (`visibility.bodies`)."""
    if not bodies:
        raise NotVisible
    body = bodies[0] if body_code is None else next((b for b in bodies if b.code == body_code), None)
    if body is None:
        raise NotVisible
    return build(body, [b for b in bodies if b.id == body.id or body.kind == OrgKind.PREFECTURE], as_of)


def build(body: OrgUnit, shown_bodies: list[OrgUnit], as_of: date) -> KpiReport:
    """`body`'s KPI; `shown_bodies` are the bodies set side by side (the prefecture and every
    municipality for the prefecture's report).

    Kept under the data generations it was computed from (`DataGeneration`: counters the database bumps in the
    same transaction as any change the report reads, a revocation included): in this process, then for every
    server in `kpi_store` (where the worker's `kpi_warm` puts the prefecture's report after each change). It is
    worked out again only after such a change, and never shown stale."""
    from elearn.services.reports import kpi_store  # it builds this module's rows

    rule = counting_rule()
    key = _cache_key(rule, body, shown_bodies, as_of)
    cached = _computed_reports().get(key) if key else None
    if cached is not None:
        _computed_reports().move_to_end(key)
        return _with_bodies(*cached, body, shown_bodies)
    stored_key = kpi_store.digest(key) if key else None
    stored = kpi_store.load(stored_key, rule, body, shown_bodies) if stored_key else None
    computed = stored or _compute(body, shown_bodies, as_of, rule)
    if key:
        if stored is None:
            kpi_store.save(stored_key, computed)
        _computed_reports()[key] = (computed, [row.body.id for row in computed.by_body])
        while len(_computed_reports()) > KEPT_REPORTS:
            _computed_reports().popitem(last=False)
    return computed


KEPT_REPORTS = 32  # a prefecture and its municipalities viewed today, and a few other days


def _computed_reports() -> OrderedDict:
    return current_app.extensions.setdefault("elearn.kpi_reports", OrderedDict())


def warm(as_of: date) -> bool:
    """Work out and store the report each prefecture's reporters open (today's, every body side by side) if it
    is not stored yet under the current counters; True when it was. For the worker, every minute."""
    from elearn.services.people import orgs
    from elearn.services.reports import kpi_store

    every = orgs.bodies()
    rule = counting_rule()
    worked_out = False
    for prefecture in (body for body in every if body.kind == OrgKind.PREFECTURE):
        key = _cache_key(rule, prefecture, every, as_of)
        stored_key = kpi_store.digest(key) if key else None
        if stored_key and kpi_store.load(stored_key, rule, prefecture, every) is None:
            kpi_store.save(stored_key, _compute(prefecture, every, as_of, rule))
            worked_out = True
    return worked_out


def _cache_key(rule: CountingRule, body: OrgUnit, shown_bodies: list[OrgUnit], as_of: date) -> tuple | None:
    """What the figures depend on. Read before the facts: a change committed meanwhile gives a newer key."""
    generations = dict(db.session().execute(select(DataGeneration.name, DataGeneration.generation)).all())
    relevant = sorted((name, value) for name, value in generations.items()
                      if name not in TIER_NAMES or Tier(name) in rule.tiers)
    if not {"people", "kpi_settings"} <= generations.keys():
        return None  # counters missing (a database emptied by hand): nothing can be kept safely
    return (body.id, tuple(b.id for b in shown_bodies), as_of, tuple(relevant))


TIER_NAMES = frozenset(tier.value for tier in Tier)


def _with_bodies(report: KpiReport, body_ids: list[int], body: OrgUnit, shown_bodies: list[OrgUnit]) -> KpiReport:
    """The kept report with this request's rows of the bodies (the kept ones belong to a finished session)."""
    current = {b.id: b for b in shown_bodies} | {body.id: body}
    return replace(report, body=body, by_body=[BodyRow(current[body_id], row.years)
                                               for body_id, row in zip(body_ids, report.by_body, strict=True)])


def _compute(body: OrgUnit, shown_bodies: list[OrgUnit], as_of: date, rule: CountingRule) -> KpiReport:
    includes_municipalities = body.kind == OrgKind.PREFECTURE and rule.municipal_staff_count_for_prefecture
    counted_ids = [b.id for b in shown_bodies] if includes_municipalities else [body.id]
    all_facts = facts(rule, as_of, sorted({*counted_ids, *(b.id for b in shown_bodies)}))
    counting = set(counted_ids)
    counted = [fact for fact in all_facts if fact.body_id in counting]
    goals = targets()
    units = _units()
    grades = dict(db.session().execute(select(Grade.id, Grade.name).order_by(Grade.sort_order, Grade.id)).all())

    def year_rows(members: list[Fact], body_id: int) -> list[YearRow]:
        figures = {figure.fiscal_year: figure for figure in kpi.by_year(members, rule, as_of)}
        future = [year for (target_body, year) in goals if target_body == body_id and year > fiscal_year(as_of)]
        last = max([fiscal_year(as_of), *future])
        return [_year_row(figures.get(year), year, goals.get((body_id, year))) for year in
                range(rule.since_fiscal_year, last + 1)]

    per_body: dict[int, list[Fact]] = defaultdict(list)
    for fact in all_facts:
        per_body[fact.body_id].append(fact)
    department_of = {unit_id: _department(units, unit_id) for unit_id in {fact.division_id for fact in counted}}
    grouped = kpi.by_groups(counted, rule, as_of, {  # one pass for the three breakdowns
        "tier": lambda fact: fact.tier,
        "department": lambda fact: department_of[fact.division_id],
        "grade": lambda fact: fact.grade_id,
    })
    return KpiReport(
        as_of=as_of, rule=rule, body=body, includes_municipalities=includes_municipalities,
        years=year_rows(counted, body.id),
        by_tier=_by_tier(grouped["tier"]),
        by_mode=_by_mode(counted, rule, as_of),
        by_body=[BodyRow(b, year_rows(per_body[b.id], b.id)) for b in shown_bodies] if len(shown_bodies) > 1 else [],
        by_department=_by_department(grouped["department"], units),
        by_grade=_by_grade(grouped["grade"], grades),
        coverage=coverage(counted_ids, as_of, units),
    )


def _by_tier(figures: dict) -> list[GroupRow]:
    return [GroupRow(tier.value, "", figures[tier]) for tier in Tier if tier in figures]


def _by_mode(counted: list[Fact], rule: CountingRule, as_of: date) -> list[ModeRow]:
    """Per mode, in the order of TrainingMode; modes that counted nobody are left out."""
    by_mode: dict[TrainingMode, list[Fact]] = defaultdict(list)
    for fact in counted:  # one pass, not one per mode
        by_mode[fact.mode].append(fact)
    rows = []
    for mode in TrainingMode:
        members = by_mode.get(mode)
        if not members:
            continue
        figures = kpi.by_year(members, rule, as_of)
        rows.append(ModeRow(mode, {figure.fiscal_year: figure.in_year for figure in figures},
                            figures[-1].cumulative if figures else 0))
    return rows


def _by_department(figures: dict, units: Units) -> list[GroupRow]:
    """Per department where the person trained, with its body; largest first within each body."""
    rows = [GroupRow(_name(units, department), _name(units, _body_of(units, department)), figure)
            for department, figure in figures.items()]
    return sorted(rows, key=lambda row: (row.detail, -row.count, row.label))


def _by_grade(figures: dict, grades: dict[int, str]) -> list[GroupRow]:
    order = list(grades)
    return [GroupRow(grades.get(grade_id, "-") if grade_id else "-", "", figure) for grade_id, figure in
            sorted(figures.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))]


def _year_row(figure: YearFigure | None, year: int, target: int | None) -> YearRow:
    if figure is None:
        return YearRow(year, target, None, None)
    return YearRow(year, target, figure.cumulative, figure.in_year)


Units = dict[int, tuple[str, OrgKind, int | None]]  # id -> (name, kind, parent id)


def _units() -> Units:
    return {unit_id: (name, kind, parent_id) for unit_id, name, kind, parent_id in
            db.session().execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.parent_id))}


def _name(units: Units, unit_id: int) -> str:
    return units[unit_id][0] if unit_id in units else "-"


def _department(units: Units, unit_id: int) -> int:
    """The unit just below the body on the way up from `unit_id` (its department, usually)."""
    current = unit_id
    while current in units:
        parent = units[current][2]
        if parent is None or units.get(parent, ("", OrgKind.PREFECTURE, None))[1] in BODY_KINDS:
            return current
        current = parent
    return unit_id


def _body_of(units: Units, unit_id: int) -> int:
    current = unit_id
    while units.get(current, ("", OrgKind.PREFECTURE, None))[2] is not None:
        current = units[current][2]  # type: ignore[assignment]
    return current


def coverage(body_ids: list[int], as_of: date, units: Units) -> Coverage:
    """Digital leaders per division (the Akita plan has one in every division) and DX managers
    (division heads) who have not completed a DX-manager course, among today's active staff."""
    session = db.session()
    trained: dict[int, int] = defaultdict(int)
    for division_id in _trained_people(Tier.DIGITAL_LEADER, as_of, body_ids).values():
        trained[division_id] += 1
    designated = dict(session.execute(
        select(User.division_id, func.count())
        .join(StaffTier, StaffTier.user_id == User.id)
        .where(User.is_active.is_(True), User.body_id.in_(body_ids), StaffTier.tier == Tier.DIGITAL_LEADER)
        .group_by(User.division_id)).all())
    counting = set(body_ids)
    divisions = [unit_id for unit_id, (_, kind, _) in units.items()
                 if kind == OrgKind.DIVISION and _body_of(units, unit_id) in counting]
    active_units = set(session.scalars(select(OrgUnit.id).where(OrgUnit.is_active.is_(True))))
    divisions = [unit_id for unit_id in divisions if unit_id in active_units]
    gaps = sorted(
        (DivisionGap(_name(units, _body_of(units, d)),
                     _name(units, _department(units, d)) if _department(units, d) != d else "",
                     _name(units, d), designated.get(d, 0))
         for d in divisions if not trained.get(d)),
        key=lambda gap: (gap.body, gap.department, gap.division))

    trained_managers = _trained_people(Tier.DX_MANAGER, as_of, body_ids)
    managers = (select(User.id, User.name, User.staff_number, User.body_id, User.division_id, Grade.name)
                .join(StaffTier, StaffTier.user_id == User.id).outerjoin(Grade, Grade.id == User.grade_id)
                .where(User.is_active.is_(True), User.body_id.in_(body_ids), StaffTier.tier == Tier.DX_MANAGER))
    every_manager = session.execute(managers.order_by(User.body_id, User.division_id)).all()
    untrained = [UntrainedManager(name, number, _name(units, body_id), _name(units, division_id), grade or "")
                 for user_id, name, number, body_id, division_id, grade in every_manager
                 if user_id not in trained_managers]
    return Coverage(len(divisions), sum(1 for d in divisions if trained.get(d)), gaps, len(every_manager), untrained)

