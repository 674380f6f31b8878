"""Import errors grouped by kind (elearn.imports.columns.group_errors)."""

from __future__ import annotations

from elearn.imports.columns import RowError, group_errors

UNKNOWN_UNIT = "Unknown unit code %(code)s"
BAD_TIER = "Unknown tier %(tier)s"


def test_errors_of_one_kind_are_counted_together_in_the_order_each_kind_first_appears():
    errors = [RowError(line, BAD_TIER, {"tier": "4"}) for line in range(2, 40)]
    errors[5] = RowError(7, UNKNOWN_UNIT, {"code": "X1"})
    errors.append(RowError(None, UNKNOWN_UNIT, {"code": "X2"}))
    groups = group_errors(errors, lines_kept=3)
    assert [(group.example.text, group.count, group.lines) for group in groups] == [
        (BAD_TIER, 37, (2, 3, 4)), (UNKNOWN_UNIT, 2, (7, None))]
    assert groups[1].example.params == {"code": "X1"}  # the first row with it


def test_no_errors_no_groups():
    assert group_errors([]) == []
