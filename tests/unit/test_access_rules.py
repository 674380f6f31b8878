"""The access rules as plain data (domain/access.py); the queries are tested in tests/web/test_visibility.py."""

from elearn.domain.access import (
    COMMAND_LINE,
    Grant,
    Viewer,
    may_open_inbox_item,
    may_read_kpi,
    may_see_team,
    viewer_from,
    visible_body_ids,
)
from elearn.domain.access import may_download_certificate as may_download
from elearn.domain.access import may_see_profile as may_see
from elearn.domain.people import OrgKind, Permission

PREFECTURE, CITY, TOWN = 1, 2, 3
BODIES = [(PREFECTURE, OrgKind.PREFECTURE), (CITY, OrgKind.MUNICIPALITY), (TOWN, OrgKind.MUNICIPALITY)]
LEARNER = Viewer(user_id=10, body_id=PREFECTURE)


def test_a_viewer_is_made_from_grants_with_the_units_each_one_covers():
    viewer = viewer_from(7, PREFECTURE, [Grant(Permission.MANAGER, 101), Grant(Permission.MANAGER, 201),
                                         Grant(Permission.REPORTER, CITY), Grant(Permission.AUTHOR, None)])
    assert viewer.managed_unit_ids == {101, 201}
    assert viewer.reported_body_ids == {CITY}
    assert viewer.is_author and viewer.is_manager and viewer.is_reporter and not viewer.is_admin


def test_the_prefectures_reporter_sees_every_body_and_a_municipalitys_only_its_own():
    assert visible_body_ids(Viewer(1, PREFECTURE, reported_body_ids=frozenset({PREFECTURE})), BODIES) == [1, 2, 3]
    assert visible_body_ids(Viewer(1, CITY, reported_body_ids=frozenset({CITY})), BODIES) == [CITY]


def test_administrators_and_the_command_line_see_every_body_and_others_none():
    assert visible_body_ids(Viewer(1, TOWN, is_admin=True), BODIES) == [1, 2, 3]
    assert visible_body_ids(COMMAND_LINE, BODIES) == [1, 2, 3]
    assert visible_body_ids(LEARNER, BODIES) == []
    assert visible_body_ids(Viewer(1, PREFECTURE, managed_unit_ids=frozenset({100})), BODIES) == []


def test_a_certificate_is_for_its_holder_their_manager_and_administrators():
    manager = Viewer(1, PREFECTURE, managed_unit_ids=frozenset({101}))
    assert may_download(LEARNER, holder_id=10, holder_on_team=False)
    assert not may_download(LEARNER, holder_id=11, holder_on_team=False)
    assert may_download(manager, holder_id=11, holder_on_team=True)
    assert not may_download(manager, holder_id=11, holder_on_team=False)
    assert may_download(Viewer(1, PREFECTURE, is_admin=True), holder_id=11, holder_on_team=True)
    # Being "on the team" means nothing to someone who manages nobody.
    assert not may_download(LEARNER, holder_id=11, holder_on_team=True)


def test_the_team_page_and_its_archive_are_for_managers_and_administrators():
    assert may_see_team(Viewer(1, PREFECTURE, managed_unit_ids=frozenset({101})))
    assert may_see_team(Viewer(1, PREFECTURE, is_admin=True))
    assert not may_see_team(Viewer(1, PREFECTURE, reported_body_ids=frozenset({PREFECTURE})))
    assert not may_see_team(LEARNER)


def test_the_kpi_is_for_reporters_and_administrators():
    assert may_read_kpi(Viewer(1, CITY, reported_body_ids=frozenset({CITY})))
    assert may_read_kpi(Viewer(1, PREFECTURE, is_admin=True))
    assert not may_read_kpi(Viewer(1, PREFECTURE, managed_unit_ids=frozenset({101})))


def test_a_profile_shows_colleagues_of_the_body_and_people_credited_in_a_readable_issue():
    assert may_see(LEARNER, person_id=11, person_body_id=PREFECTURE, person_is_active=True,
                   credited_in_readable_issue=False)
    assert not may_see(LEARNER, person_id=11, person_body_id=CITY, person_is_active=True,
                       credited_in_readable_issue=False)
    assert may_see(LEARNER, person_id=11, person_body_id=CITY, person_is_active=True,
                   credited_in_readable_issue=True)
    assert may_see(Viewer(1, PREFECTURE, is_author=True), person_id=11, person_body_id=CITY,
                   person_is_active=True, credited_in_readable_issue=False)


def test_leavers_have_no_profile_whoever_asks():
    for viewer in (LEARNER, Viewer(1, PREFECTURE, is_author=True), Viewer(1, PREFECTURE, is_admin=True)):
        assert not may_see(viewer, person_id=11, person_body_id=PREFECTURE, person_is_active=False,
                           credited_in_readable_issue=True)


def test_an_inbox_item_opens_for_authors_and_its_sender():
    assert may_open_inbox_item(Viewer(1, PREFECTURE, is_author=True), sender_id=10)
    assert may_open_inbox_item(LEARNER, sender_id=10)
    assert not may_open_inbox_item(LEARNER, sender_id=11)
