"""The manager's matrix from rows of one person and course, without an app."""

from dataclasses import dataclass

from elearn.domain.people import Tier, training_tiers
from elearn.domain.team_matrix import pivot


@dataclass(frozen=True)
class Row:
    user_id: int
    course_id: int
    status: str = "not_started"


def test_each_person_gets_one_row_with_a_cell_per_course_in_column_order():
    rows = [Row(1, 10, "completed"), Row(1, 20), Row(2, 20, "in_progress")]
    matrix = pivot(rows, [20, 10])
    assert [person.user_id for person in matrix] == [1, 2]
    assert matrix[0].cells == (Row(1, 20), Row(1, 10, "completed"))


def test_a_course_a_person_has_no_row_for_is_not_required_of_them():
    matrix = pivot([Row(1, 10), Row(2, 20)], [10, 20])
    assert matrix[0].cells == (Row(1, 10), None)
    assert matrix[1].cells == (None, Row(2, 20))


def test_people_come_in_the_order_of_their_first_row_so_the_rows_sort_decides():
    rows = [Row(3, 10), Row(1, 10), Row(3, 20), Row(2, 10), Row(1, 20)]
    assert [person.user_id for person in pivot(rows, [10, 20])] == [3, 1, 2]
    assert [person.user_id for person in pivot(reversed(rows), [10, 20])] == [1, 2, 3]


def test_the_person_row_is_their_first_row_and_courses_outside_the_columns_are_left_out():
    matrix = pivot([Row(1, 30, "completed"), Row(1, 10)], [10])
    assert matrix[0].person == Row(1, 30, "completed")
    assert matrix[0].cells == (Row(1, 10),)


def test_no_rows_no_people():
    assert pivot([], [10, 20]) == []


def test_everyone_is_in_all_staff_besides_the_tiers_assigned_to_them():
    assert training_tiers([]) == {Tier.ALL_STAFF}
    assert training_tiers([Tier.DIGITAL_LEADER]) == {Tier.DIGITAL_LEADER, Tier.ALL_STAFF}
    assert training_tiers([Tier.ALL_STAFF]) == {Tier.ALL_STAFF}
