"""The unit picker of the announcement form: everything for a small body; for a large one the top units, the way
down to the one opened with the units just below it, and every chosen unit with the way down to it."""

from __future__ import annotations

from elearn.domain.unit_picker import OrgNode, picker_units

BODY = 1
# The body; departments 10 and 20; divisions 11, 12 under 10 and 21 under 20; sections 111, 112 under 11.
NODES = [
    OrgNode(10, "総務部", BODY), OrgNode(11, "人事課", 10), OrgNode(111, "給与係", 11), OrgNode(112, "研修係", 11),
    OrgNode(12, "デジタル推進課", 10), OrgNode(20, "健康福祉部", BODY), OrgNode(21, "健康政策課", 20),
    OrgNode(99, "他団体の課", 2),
]


def listed(units) -> list[tuple[int, int, bool]]:  # type: ignore[no-untyped-def]
    return [(unit.id, unit.depth, unit.can_open) for unit in units]


def test_a_small_body_lists_every_unit_below_it_in_tree_order():
    assert listed(picker_units(NODES, BODY, limit=7)) == [
        (10, 0, False), (11, 1, False), (111, 2, False), (112, 2, False), (12, 1, False), (20, 0, False),
        (21, 1, False),
    ]


def test_past_the_limit_only_the_top_units_are_listed_each_one_to_open():
    assert listed(picker_units(NODES, BODY, limit=6)) == [(10, 0, True), (20, 0, True)]


def test_opening_a_unit_lists_the_way_down_to_it_and_the_units_just_below_it():
    assert listed(picker_units(NODES, BODY, limit=6, opened=11)) == [
        (10, 0, True), (11, 1, False), (111, 2, False), (112, 2, False), (20, 0, True),
    ]


def test_a_chosen_unit_stays_listed_while_another_is_opened():
    assert listed(picker_units(NODES, BODY, limit=6, opened=20, chosen=[112])) == [
        (10, 0, True), (11, 1, True), (112, 2, False), (20, 0, False), (21, 1, False),
    ]


def test_units_of_another_body_and_unknown_ids_are_never_listed():
    assert listed(picker_units(NODES, BODY, limit=6, opened=99, chosen=[99, 12345])) == [
        (10, 0, True), (20, 0, True),
    ]
