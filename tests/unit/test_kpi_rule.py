"""The KPI counting rule on hand-computed cases, without Flask or a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from elearn.domain.kpi import (
    DEFAULT_RULE,
    CountingRule,
    CountUnit,
    Fact,
    YearFigure,
    by_group,
    by_groups,
    by_year,
    count,
    counts_on,
    evaluation_day,
    rate,
)
from elearn.domain.people import ASSIGNABLE_TIERS, Tier

LEADER = Tier.DIGITAL_LEADER
RULE = CountingRule(frozenset(ASSIGNABLE_TIERS), 2022, CountUnit.PEOPLE, False)


def fact(holder: int, on: date, tier: Tier = LEADER, **fields) -> Fact:
    return Fact(holder, tier, on, **fields)


def test_a_certificate_counts_from_completion_until_the_day_before_revocation():
    revoked = fact(1, date(2025, 3, 31), revoked_on=date(2025, 4, 1))
    assert not counts_on(revoked, date(2025, 3, 30))
    assert counts_on(revoked, date(2025, 3, 31))
    assert not counts_on(revoked, date(2025, 4, 1))
    assert not counts_on(fact(2, date(2025, 3, 31), superseded=True), date(2025, 4, 1))


def test_a_year_is_read_on_its_last_day_or_on_the_as_of_day_while_it_runs():
    assert evaluation_day(2024, date(2026, 1, 1)) == date(2025, 3, 31)
    assert evaluation_day(2025, date(2026, 1, 1)) == date(2026, 1, 1)


def test_31_march_belongs_to_the_year_ending_and_1_april_to_the_next():
    facts = [fact(1, date(2025, 3, 31)), fact(2, date(2025, 4, 1))]
    assert by_year(facts, replace(RULE, since_fiscal_year=2024), date(2025, 4, 1)) == [
        YearFigure(2024, cumulative=1, in_year=1),
        YearFigure(2025, cumulative=2, in_year=1),
    ]
    assert by_year(facts, replace(RULE, since_fiscal_year=2024), date(2025, 3, 31)) == [
        YearFigure(2024, cumulative=1, in_year=1),
    ]


def test_distinct_people_count_a_person_in_two_tiers_once_and_completions_count_both():
    facts = [fact(1, date(2023, 5, 1), Tier.DX_MANAGER), fact(1, date(2024, 5, 1), Tier.DIGITAL_LEADER)]
    assert by_year(facts, RULE, date(2025, 3, 31)) == [
        YearFigure(2022, 0, 0), YearFigure(2023, 1, 1), YearFigure(2024, 1, 1),
    ]
    completions = replace(RULE, unit=CountUnit.COMPLETIONS)
    assert by_year(facts, completions, date(2025, 3, 31)) == [
        YearFigure(2022, 0, 0), YearFigure(2023, 1, 1), YearFigure(2024, 2, 1),
    ]
    assert by_group(facts, RULE, date(2025, 3, 31), key=lambda f: f.tier) == {
        Tier.DX_MANAGER: 1, Tier.DIGITAL_LEADER: 1,
    }


def test_a_revocation_lowers_its_own_year_on_and_leaves_earlier_years_as_they_stood():
    facts = [fact(1, date(2022, 6, 1), revoked_on=date(2023, 9, 1)), fact(2, date(2022, 6, 1))]
    assert [figure.cumulative for figure in by_year(facts, RULE, date(2024, 6, 1))] == [2, 1, 1]
    # Read before the revocation, the year still shows both.
    assert by_year(facts, RULE, date(2023, 8, 31))[-1] == YearFigure(2023, 2, 0)
    # A certificate revoked on the day after its year ends still counted in that year.
    late = [fact(3, date(2023, 3, 1), revoked_on=date(2023, 4, 1))]
    assert [f.cumulative for f in by_year(late, RULE, date(2023, 4, 1))] == [1, 0]


def test_a_reissue_after_a_name_change_counts_the_person_once():
    facts = [fact(1, date(2023, 6, 1), superseded=True), fact(1, date(2023, 6, 1))]
    for unit in CountUnit:
        assert count(facts, replace(RULE, unit=unit), date(2024, 3, 31)) == 1


def test_deactivated_and_moved_staff_still_count_where_they_trained():
    # Person 1 trained in division 10, then moved to division 20 and trained again; person 2 left
    # (deactivation does not reach the facts: leavers' training still counts).
    facts = [
        fact(1, date(2022, 5, 1), Tier.DIGITAL_LEADER, division_id=10, grade_id=5),
        fact(1, date(2023, 5, 1), Tier.DX_SPECIALIST, division_id=20, grade_id=4),
        fact(2, date(2022, 7, 1), Tier.DX_MANAGER, division_id=10, grade_id=2),
    ]
    as_of = date(2024, 3, 31)
    assert by_group(facts, RULE, as_of, key=lambda f: f.division_id) == {10: 2, 20: 1}
    assert by_group(facts, RULE, as_of, key=lambda f: f.grade_id) == {5: 1, 4: 1, 2: 1}
    assert count(facts, RULE, as_of) == 2


def test_tiers_and_first_year_come_from_the_rule():
    facts = [fact(1, date(2021, 6, 1)), fact(2, date(2022, 6, 1), Tier.ALL_STAFF), fact(3, date(2022, 6, 1))]
    assert count(facts, RULE, date(2023, 3, 31)) == 1
    assert count(facts, replace(RULE, since_fiscal_year=2021), date(2023, 3, 31)) == 2
    everyone = replace(RULE, tiers=frozenset(Tier))
    assert count(facts, everyone, date(2023, 3, 31)) == 2


def test_weighted_facts_stand_for_alike_certificates_when_counting_completions():
    completions = replace(RULE, unit=CountUnit.COMPLETIONS)
    assert count([fact(0, date(2022, 6, 1), weight=7), fact(0, date(2022, 7, 1), weight=3)],
                 completions, date(2023, 3, 31)) == 10


def test_groups_with_nothing_counting_are_left_out():
    facts = [fact(1, date(2022, 6, 1), division_id=10),
             fact(2, date(2022, 6, 1), division_id=20, revoked_on=date(2022, 7, 1))]
    assert by_group(facts, RULE, date(2023, 3, 31), key=lambda f: f.division_id) == {10: 1}


def test_rates_are_percent_with_one_decimal_and_none_without_a_target():
    assert rate(106, 120) == Decimal("88.3")
    assert rate(1, 8) == Decimal("12.5")
    assert rate(5, 0) is None
    assert rate(5, None) is None


def test_the_default_rule_is_the_akita_plan():
    assert DEFAULT_RULE.tiers == {Tier.DX_MANAGER, Tier.DX_SPECIALIST, Tier.DIGITAL_LEADER}
    assert DEFAULT_RULE.since_fiscal_year == 2022 and DEFAULT_RULE.unit is CountUnit.PEOPLE


# by_year and by_group count in one pass; `count` is the rule read plainly, one day and one year at a time.
# They must agree on any facts: several per person, revocations before and after year ends, superseded ones,
# tiers outside the rule, years before the rule's first, completions after the as-of day.
from datetime import timedelta  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 6, 30))
_facts = st.lists(st.builds(
    lambda holder, tier, on, revoked_after, superseded, weight, group: Fact(
        holder, tier, on, on + timedelta(days=revoked_after) if revoked_after is not None else None, superseded,
        weight=weight, division_id=group),
    st.integers(1, 6), st.sampled_from(list(Tier)), _days, st.one_of(st.none(), st.integers(0, 900)),
    st.booleans(), st.integers(1, 3), st.integers(1, 3)), max_size=40)
_rules = st.builds(lambda tiers, since, unit: CountingRule(frozenset(tiers), since, unit, False),
                   st.sets(st.sampled_from(list(Tier)), min_size=1), st.integers(2020, 2026),
                   st.sampled_from(list(CountUnit)))


@settings(max_examples=300, deadline=None)
@given(_facts, _rules, st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 3, 31)))
def test_the_one_pass_figures_agree_with_the_rule_read_day_by_day(facts, rule, as_of):
    expected = [YearFigure(year, count(facts, rule, evaluation_day(year, as_of)),
                           count(facts, rule, evaluation_day(year, as_of), in_year=year))
                for year in range(rule.since_fiscal_year, fiscal_year_of(as_of) + 1)]
    assert by_year(facts, rule, as_of) == expected
    groups = {fact.division_id for fact in facts}
    by_hand = {group: count([f for f in facts if f.division_id == group], rule, as_of) for group in groups}
    assert by_group(facts, rule, as_of, key=lambda f: f.division_id) == {
        group: figure for group, figure in by_hand.items() if figure}
    both = by_groups(facts, rule, as_of, {"division": lambda f: f.division_id, "tier": lambda f: f.tier})
    assert both == {"division": by_group(facts, rule, as_of, key=lambda f: f.division_id),
                    "tier": by_group(facts, rule, as_of, key=lambda f: f.tier)}


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1
