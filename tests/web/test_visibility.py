"""The access policy (services/visibility.py) over a small tree, and the pages that ask it.

The `org` fixture: みどり県 P000 (総務部 P100 with 人事課 P101 and デジタル推進課 P102; 健康福祉部 P200 with
健康政策課 P201) and みどり市 M100 (総務課 M110)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from support import complete, sign_in

from elearn import db
from elearn.domain.magazine import Audience, StoredStatus
from elearn.domain.people import Permission
from elearn.models import MagazineIssue, MagazineIssuePerson, OrgUnit, User
from elearn.services import visibility


@pytest.fixture
def staff(make_user):
    """Two people in each division, and a leaver in 人事課."""
    people = {code: [make_user(division=code), make_user(division=code)] for code in
              ("P100", "P101", "P102", "P201", "M110")}
    people["leaver"] = [make_user(division="P101", is_active=False)]
    return people


def _viewer(app, user: User):
    with app.app_context():
        return visibility.viewer_of(db.session().get(User, user.id))


def _seen(app, user: User, include_leavers: bool = False) -> set[int]:
    viewer = _viewer(app, user)
    with app.app_context():
        return set(db.session().scalars(visibility.staff_ids(viewer, include_leavers)))


def _units(app, user: User) -> set[str]:
    viewer = _viewer(app, user)
    with app.app_context():
        return set(db.session().scalars(select(OrgUnit.code).where(visibility.unit_condition(viewer))))


def _bodies(app, user: User) -> list[str]:
    viewer = _viewer(app, user)
    with app.app_context():
        return [body.code for body in visibility.bodies(viewer)]


def _ids(staff, *codes: str) -> set[int]:
    return {person.id for code in codes for person in staff[code]}


def test_a_manager_of_a_division_sees_its_current_staff_only(app, staff, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    assert _seen(app, manager) == _ids(staff, "P101") | {manager.id}
    assert _units(app, manager) == {"P101"}


def test_a_manager_of_a_department_sees_every_division_below_it(app, staff, make_user):
    manager = make_user(division="P100", permissions=[(Permission.MANAGER, "P100")])
    assert _seen(app, manager) == _ids(staff, "P100", "P101", "P102") | {manager.id}
    assert _units(app, manager) == {"P100", "P101", "P102"}


def test_a_manager_of_two_units_sees_both_and_nothing_between(app, staff, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101"), (Permission.MANAGER, "P201")])
    assert _seen(app, manager) == _ids(staff, "P101", "P201") | {manager.id}
    assert _units(app, manager) == {"P101", "P201"}


def test_leavers_are_off_every_team_but_stay_on_the_administrators_list(app, staff, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    admin = make_user(division="P101", permissions=[(Permission.ADMIN, None)])
    leaver = staff["leaver"][0].id
    assert leaver not in _seen(app, manager, include_leavers=True)
    assert leaver not in _seen(app, admin)
    assert leaver in _seen(app, admin, include_leavers=True)
    with app.app_context():
        assert not visibility.may_open_staff_page(_viewer(app, manager), leaver)
        assert visibility.may_open_staff_page(_viewer(app, admin), leaver)


def test_someone_who_moved_out_of_the_unit_leaves_the_managers_view(app, staff, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    mover = staff["P101"][0]
    with app.app_context(), db.write_session() as session:
        session.get(User, mover.id).division_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "P201"))
    assert mover.id not in _seen(app, manager)


def test_an_administrator_sees_every_person_unit_and_body(app, staff, make_user, org):
    admin = make_user(division="M110", permissions=[(Permission.ADMIN, None)])
    assert _seen(app, admin) == _ids(staff, "P100", "P101", "P102", "P201", "M110") | {admin.id}
    assert _units(app, admin) == set(org)
    assert _bodies(app, admin) == ["P000", "M100"]


def test_reporters_see_bodies_and_no_people(app, staff, make_user):
    prefecture = make_user(division="P101", permissions=[(Permission.REPORTER, "P000")])
    city = make_user(division="M110", permissions=[(Permission.REPORTER, "M100")])
    assert _bodies(app, prefecture) == ["P000", "M100"]
    assert _bodies(app, city) == ["M100"]
    assert _seen(app, prefecture) == set() and _seen(app, city) == set()


def test_a_manager_who_also_reports_keeps_each_scope_to_its_grant(app, staff, make_user):
    both = make_user(division="P101", permissions=[(Permission.MANAGER, "P101"), (Permission.REPORTER, "M100")])
    assert _seen(app, both) == _ids(staff, "P101") | {both.id}
    assert _bodies(app, both) == ["M100"]


def test_a_learner_sees_nobody_and_no_body(app, staff, make_user):
    learner = make_user(division="P101")
    assert _seen(app, learner) == set() and _units(app, learner) == set() and _bodies(app, learner) == []


def test_certificates_open_for_the_holder_the_team_manager_and_administrators(synced, staff, make_user):
    app = synced
    holder, colleague = staff["P101"]
    other = staff["P102"][0]
    leaver = staff["leaver"][0]
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    admin = make_user(division="M110", permissions=[(Permission.ADMIN, None)])
    mine, theirs, leavers = complete(app, holder), complete(app, other), complete(app, leaver)
    with app.app_context():
        def may(user, certificate):
            return visibility.may_download_certificate(_viewer(app, user), certificate)
        assert may(holder, mine) and not may(colleague, mine)
        assert may(manager, mine) and not may(manager, theirs) and not may(manager, leavers)
        assert may(admin, mine) and may(admin, theirs) and may(admin, leavers)


def test_pages_ask_the_policy_for_staff_pages_certificates_and_profiles(synced, client, staff, make_user):
    app = synced
    leaver = staff["leaver"][0]
    certificate = complete(app, leaver)
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    sign_in(client, manager)
    assert client.get(f"/team/staff/{staff['P101'][0].id}").status_code == 200
    assert client.get(f"/team/staff/{leaver.id}").status_code == 403
    assert client.get(f"/team/staff/{staff['P102'][0].id}").status_code == 403
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 403
    assert client.get(f"/magazine/people/{staff['P201'][0].id}").status_code == 200  # same body
    assert client.get(f"/magazine/people/{staff['M110'][0].id}").status_code == 404  # another body
    assert client.get(f"/magazine/people/{leaver.id}").status_code == 404  # a leaver


def test_a_profile_from_another_body_opens_once_a_readable_issue_credits_them(app, staff, make_user):
    reader = make_user(division="M110")
    prefecture_person = staff["P101"][0]
    city = _viewer(app, reader)
    now = datetime.now(UTC)

    def publish(audience: Audience) -> int:
        with app.app_context(), db.write_session() as session:
            number = (session.scalar(select(MagazineIssue.number).order_by(MagazineIssue.number.desc())) or 0) + 1
            issue = MagazineIssue(number=number, title=f"第{number}号", summary="", audience=audience,
                                  stored_status=StoredStatus.APPROVED, publish_at=now,
                                  created_by_id=prefecture_person.id)
            session.add(issue)
            session.flush()
            session.add(MagazineIssuePerson(issue_id=issue.id, user_id=prefecture_person.id))
            return issue.id

    with app.app_context():
        assert visibility.profile(city, prefecture_person.id, now) is None
    publish(Audience.PREFECTURE)  # credited, but in an issue the city's staff cannot read
    with app.app_context():
        assert visibility.profile(city, prefecture_person.id, now) is None
    publish(Audience.SHARED)
    with app.app_context():
        assert visibility.profile(city, prefecture_person.id, now).id == prefecture_person.id


def test_certificate_lists_hold_only_the_records_of_people_the_viewer_sees(synced, staff, make_user):
    from elearn.services import certificates

    app = synced
    in_team, elsewhere, leaver = staff["P101"][0], staff["M110"][0], staff["leaver"][0]
    issued = {person.id: complete(app, person).id for person in (in_team, elsewhere, leaver)}
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    admin = make_user(division="M110", permissions=[(Permission.ADMIN, None)])
    with app.app_context():
        def listed(viewer) -> set[int]:
            return {c.id for c in certificates.in_fiscal_year(viewer, None)}
        assert listed(_viewer(app, manager)) == {issued[in_team.id]}
        assert listed(_viewer(app, admin)) == set(issued.values())
        assert listed(visibility.COMMAND_LINE) == set(issued.values())
        assert {c.id for c in certificates.search(_viewer(app, manager)).certificates} == {issued[in_team.id]}
        assert {c.id for c in certificates.for_team(_viewer(app, manager))} == {issued[in_team.id]}
