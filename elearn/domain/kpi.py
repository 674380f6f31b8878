"""The prefecture's KPI: how many were trained, counted by an explicit rule, per fiscal year.

Everything here works on plain facts (one per certificate, or per group of alike certificates), so the
rule can be checked by hand. The database only narrows and groups the facts.

Counting a certificate on a day: from its completion day until the day before its revocation. A
superseded certificate never counts; its replacement carries the same completion day and counts instead.
A fiscal year's figure is the count on its last day, or on the as-of day for the year still running,
so a revocation lowers the figures from its own year on and leaves earlier years as they stood.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

from elearn.domain.fiscal import fiscal_year, fiscal_year_bounds
from elearn.domain.people import ASSIGNABLE_TIERS, Tier


class CountUnit(StrEnum):
    PEOPLE = "people"  # distinct people: someone trained twice counts once
    COMPLETIONS = "completions"  # every counting certificate


class TrainingMode(StrEnum):
    """How the training was taken: the committee sees the figure broken down by these."""

    ELEARNING = "elearning"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    ONLINE = "online"  # live online sessions
    IMPORTED = "imported"  # past records read from a file


@dataclass(frozen=True)
class CountingRule:
    tiers: frozenset[Tier]
    since_fiscal_year: int
    unit: CountUnit
    municipal_staff_count_for_prefecture: bool


# The Akita plan: cumulative trainees of tiers 1-3 from R4 (FY2022), municipalities reported beside.
DEFAULT_RULE = CountingRule(frozenset(ASSIGNABLE_TIERS), 2022, CountUnit.PEOPLE, False)


class Fact(NamedTuple):
    """One certificate, or `weight` alike ones. Body, division and grade are where the person was
    when they completed, so staff who move later still count where they trained. A tuple, not a frozen
    dataclass: a prefecture's report reads hundreds of thousands, and a tuple is built several times faster."""

    holder_id: int
    tier: Tier
    completed_on: date
    revoked_on: date | None = None
    superseded: bool = False
    body_id: int = 0
    division_id: int = 0
    grade_id: int | None = None
    weight: int = 1
    mode: TrainingMode = TrainingMode.ELEARNING


def counts_on(fact: Fact, day: date) -> bool:
    if fact.superseded or fact.completed_on > day:
        return False
    return fact.revoked_on is None or day < fact.revoked_on


def evaluation_day(year: int, as_of: date) -> date:
    """The day a fiscal year's figure is read on: its last day, or `as_of` while it runs."""
    return min(fiscal_year_bounds(year)[1], as_of)


def count(facts: Iterable[Fact], rule: CountingRule, day: date, in_year: int | None = None) -> int:
    """The figure on `day`: facts of the rule's tiers from its first fiscal year, counting on `day`;
    with `in_year`, only completions of that fiscal year."""
    return _tally(_of_rule(facts, rule), rule.unit, day, in_year)


def _of_rule(facts: Iterable[Fact], rule: CountingRule) -> list[tuple[Fact, int]]:
    """The facts the rule can count, each with its fiscal year (worked out once, not per figure)."""
    return [(fact, year) for fact in facts if fact.tier in rule.tiers
            and (year := fiscal_year(fact.completed_on)) >= rule.since_fiscal_year]


def _tally(counting: Iterable[tuple[Fact, int]], unit: CountUnit, day: date, in_year: int | None) -> int:
    chosen = (fact for fact, year in counting if (in_year is None or year == in_year) and counts_on(fact, day))
    if unit is CountUnit.PEOPLE:
        return len({fact.holder_id for fact in chosen})
    return sum(fact.weight for fact in chosen)


@dataclass(frozen=True)
class YearFigure:
    fiscal_year: int
    cumulative: int  # from the rule's first year to the year's evaluation day
    in_year: int  # completions within the year (people: those who trained that year)


def by_year(facts: Collection[Fact], rule: CountingRule, as_of: date) -> list[YearFigure]:
    """One figure per fiscal year from the rule's first to the one `as_of` falls in.

    One pass over the facts: the evaluation days are in order, so the days on which a fact counts are a run of
    them, [first, past); a person counts on a day when one of their runs covers it."""
    years = list(range(rule.since_fiscal_year, fiscal_year(as_of) + 1))
    days = [evaluation_day(year, as_of) for year in years]
    people = rule.unit is CountUnit.PEOPLE
    runs: dict[int, list[tuple[int, int]]] = defaultdict(list)  # person -> runs of year indexes
    covered = [0] * (len(years) + 1)  # completions: weights entering and leaving, by year index
    in_year_people: list[set[int]] = [set() for _ in years]
    in_year = [0] * len(years)
    for fact, year in _of_rule(facts, rule):
        if fact.superseded:
            continue
        first = bisect_left(days, fact.completed_on)
        past = bisect_left(days, fact.revoked_on) if fact.revoked_on is not None else len(days)
        if first >= past:
            continue
        index = year - rule.since_fiscal_year
        counts_in_its_year = first <= index < past
        if people:
            runs[fact.holder_id].append((first, past))
            if counts_in_its_year:
                in_year_people[index].add(fact.holder_id)
        else:
            covered[first] += fact.weight
            covered[past] -= fact.weight
            if counts_in_its_year:
                in_year[index] += fact.weight
    if people:
        for person_runs in runs.values():
            for first, past in _merged(person_runs):
                covered[first] += 1
                covered[past] -= 1
        in_year = [len(holders) for holders in in_year_people]
    figures, running = [], 0
    for index, year in enumerate(years):
        running += covered[index]
        figures.append(YearFigure(year, running, in_year[index]))
    return figures


def _merged(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of indexes joined where they overlap or touch, so a person is counted once on each day."""
    merged: list[tuple[int, int]] = []
    for first, past in sorted(runs):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], past))
        else:
            merged.append((first, past))
    return merged


def by_group(facts: Iterable[Fact], rule: CountingRule, as_of: date,
             key: Callable[[Fact], Hashable]) -> dict[Hashable, int]:
    """The cumulative figure on `as_of` per group. With distinct people, someone who trained in two
    groups (two tiers, or before and after a move) counts in both, and once in the total."""
    return by_groups(facts, rule, as_of, {"": key})[""]


def by_groups(facts: Iterable[Fact], rule: CountingRule, as_of: date,
              keys: Mapping[str, Callable[[Fact], Hashable]]) -> dict[str, dict[Hashable, int]]:
    """by_group for several groupings at once (the report's tiers, departments and grades), in one pass."""
    holders: dict[str, dict[Hashable, set[int]]] = {name: defaultdict(set) for name in keys}
    weights: dict[str, dict[Hashable, int]] = {name: defaultdict(int) for name in keys}
    groupings = [(holders[name], weights[name], key) for name, key in keys.items()]
    for fact, _year in _of_rule(facts, rule):
        if counts_on(fact, as_of):
            for grouped_holders, grouped_weights, key in groupings:
                group = key(fact)
                grouped_holders[group].add(fact.holder_id)
                grouped_weights[group] += fact.weight
    if rule.unit is CountUnit.PEOPLE:
        return {name: {group: len(members) for group, members in holders[name].items()} for name in keys}
    return {name: {group: weight for group, weight in weights[name].items() if weight} for name in keys}


def rate(actual: int, target: int | None) -> Decimal | None:
    """Achievement in percent, one decimal; None without a target."""
    if not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    return rate(part, whole)
