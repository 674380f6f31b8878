"""The team page's unit filter: every unit for a department, the way to the chosen one for thousands."""

from datetime import date

from elearn.services.reports import team
from elearn.services.reports.team import TeamFilters, TeamView, Unit

# A prefecture (1) with two departments (2, 3), each with two divisions; a city (8) with one division (9).
UNITS = [Unit(1, "県", None, 0), Unit(2, "総務部", 1, 1), Unit(4, "人事課", 2, 2), Unit(5, "財政課", 2, 2),
         Unit(3, "福祉部", 1, 1), Unit(6, "福祉課", 3, 2), Unit(7, "保健課", 3, 2), Unit(8, "市", None, 0),
         Unit(9, "市民課", 8, 1)]


def _options(unit_id: int | None) -> list[int]:
    view = TeamView(TeamFilters(fiscal_year=2026, unit_id=unit_id), [], [], [], UNITS, [], [], date(2026, 12, 5))
    return [unit.id for unit in view.unit_options]


def test_a_department_lists_every_unit():
    assert _options(None) == [unit.id for unit in UNITS]


def test_past_the_limit_the_list_holds_the_tops_the_way_down_and_the_next_level(monkeypatch):
    monkeypatch.setattr(team, "UNIT_OPTIONS_LIMIT", 5)
    assert _options(None) == [1, 8]
    assert _options(1) == [1, 2, 3, 8]
    assert _options(3) == [1, 3, 6, 7, 8]  # in tree order, the chosen unit's siblings left out
    assert _options(7) == [1, 3, 7, 8]
    assert _options(99) == [1, 8]  # an edited link with a unit nobody has
