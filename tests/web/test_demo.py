"""The demo data: a believable organisation, loaded idempotently, with demo accounts that can sign in."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from elearn import db
from elearn.demo import DemoAccount, load_demo_data
from elearn.domain.people import DEFAULT_GRADES, OrgKind, Permission, Tier
from elearn.models import (
    Certificate,
    CertificateIssuer,
    Completion,
    Grade,
    OrgUnit,
    RoleGrant,
    StaffTier,
    User,
)
from elearn.services.people.accounts import SignInOutcome, find_account, set_password, sign_in

MODELS = (Grade, OrgUnit, User, StaffTier, RoleGrant)


def _count(model: type, *conditions: object) -> int:
    query = select(func.count()).select_from(model)
    for condition in conditions:
        query = query.where(condition)
    return db.session().scalar(query) or 0


def _row_counts() -> dict[str, int]:
    return {model.__name__: _count(model) for model in MODELS}


def _by_permission(accounts: list[DemoAccount], permission: Permission, body_code: str) -> DemoAccount:
    [account] = [a for a in accounts if a.permission == permission.value and a.body_code == body_code]
    return account


def test_demo_data_is_a_prefecture_and_three_municipalities_with_about_600_staff(app):
    with app.app_context():
        load_demo_data()
        session = db.session()

        assert 550 <= _count(User) <= 650
        assert _count(OrgUnit, OrgUnit.kind == OrgKind.PREFECTURE) == 1
        assert _count(OrgUnit, OrgUnit.kind == OrgKind.MUNICIPALITY) == 3
        department = aliased(OrgUnit)
        body = aliased(OrgUnit)
        prefecture_divisions = session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .join(department, OrgUnit.parent_id == department.id)
            .join(body, department.parent_id == body.id)
            .where(OrgUnit.kind == OrgKind.DIVISION, body.kind == OrgKind.PREFECTURE)
        )
        assert 25 <= prefecture_divisions <= 40
        assert set(session.scalars(select(Grade.name))) >= set(DEFAULT_GRADES)
        staff_per_grade = dict(
            session.execute(select(Grade.name, func.count(User.id)).join(User).group_by(Grade.name)).all()
        )
        assert set(staff_per_grade) == set(DEFAULT_GRADES)
        assert staff_per_grade["部長級"] < staff_per_grade["課長級"] < staff_per_grade["主任・主事級"]
        assert 0 < _count(User, User.is_active.is_(False)) < 0.05 * _count(User)


def test_every_division_has_one_dx_manager_and_one_digital_leader(app):
    with app.app_context():
        load_demo_data()
        session = db.session()
        divisions = _count(OrgUnit, OrgUnit.kind == OrgKind.DIVISION)

        for tier in (Tier.DX_MANAGER, Tier.DIGITAL_LEADER):
            per_division = session.execute(
                select(User.division_id, func.count())
                .join(StaffTier, StaffTier.user_id == User.id)
                .where(StaffTier.tier == tier)
                .group_by(User.division_id)
            ).all()
            assert len(per_division) == divisions, tier
            assert {count for _, count in per_division} == {1}, tier
        assert _count(StaffTier, StaffTier.tier == Tier.DX_SPECIALIST) > 20
        several_tiers = session.scalars(
            select(StaffTier.user_id).group_by(StaffTier.user_id).having(func.count() > 1)
        ).all()
        assert several_tiers


def test_there_is_one_demo_account_per_permission_with_the_right_scope(app):
    with app.app_context():
        accounts = load_demo_data()

        assert {account.permission for account in accounts} == {p.value for p in Permission}
        prefecture_accounts = [a for a in accounts if a.body_code == "P000"]
        assert sorted(a.permission for a in prefecture_accounts) == sorted(p.value for p in Permission)
        assert len({(a.body_code, a.staff_number) for a in accounts}) == len(accounts)

        def grants(account: DemoAccount) -> set[tuple[Permission, str | None]]:
            user = find_account(account.body_code, account.staff_number)
            assert user is not None and user.is_active and not user.must_change_password
            return {(g.permission, g.org_unit.code if g.org_unit else None) for g in user.grants}

        expected = {
            (Permission.LEARNER, "P000"): set(),
            (Permission.MANAGER, "P000"): {(Permission.MANAGER, "P100")},
            (Permission.AUTHOR, "P000"): {(Permission.AUTHOR, None)},
            (Permission.REPORTER, "P000"): {(Permission.REPORTER, "P000")},
            (Permission.REPORTER, "M100"): {(Permission.REPORTER, "M100")},
            (Permission.ADMIN, "P000"): {(Permission.ADMIN, None)},
            (Permission.ORGANISER, "P000"): {(Permission.ORGANISER, "P000")},
        }
        assert len(accounts) == len(expected)
        for (permission, body_code), expected_grants in expected.items():
            assert grants(_by_permission(accounts, permission, body_code)) == expected_grants, permission
        # The manager's unit is a department with divisions below it, so the scope means something.
        department = db.session().scalars(select(OrgUnit).where(OrgUnit.code == "P100")).one()
        assert department.kind == OrgKind.DEPARTMENT
        assert _count(OrgUnit, OrgUnit.parent_id == department.id) >= 2
        # Nobody else can sign in: hashing 600 passwords would make the load slow.
        assert _count(User, User.password_hash.is_not(None)) == len(accounts)


def test_loading_twice_adds_nothing_and_returns_the_same_accounts(app):
    with app.app_context():
        first = load_demo_data()
        before = _row_counts()
    with app.app_context():
        second = load_demo_data()
        after = _row_counts()

    assert second == first
    assert after == before


def test_every_demo_account_can_sign_in_with_its_staff_number_or_email(app):
    with app.app_context():
        accounts = load_demo_data()

    for account in accounts:
        for sign_in_name in (account.staff_number, account.email):
            with app.app_context():
                result = sign_in(account.body_code, sign_in_name, account.password)
                assert result.outcome == SignInOutcome.OK, (account, sign_in_name)
                assert result.user is not None and result.user.name == account.name


def test_loading_again_keeps_a_password_the_demo_user_changed(app):
    with app.app_context():
        learner = _by_permission(load_demo_data(), Permission.LEARNER, "P000")
        user = find_account(learner.body_code, learner.staff_number)
        set_password(user.id, "a-new-password-42")
    with app.app_context():
        load_demo_data()
    with app.app_context():
        changed = sign_in(learner.body_code, learner.staff_number, "a-new-password-42")
        assert changed.outcome == SignInOutcome.OK


def test_without_synced_courses_the_history_is_skipped(app):
    with app.app_context():
        load_demo_data()
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Completion)) == 0
        assert session.scalar(select(func.count()).select_from(Certificate)) == 0
        assert session.scalar(select(func.count()).select_from(CertificateIssuer)) == 4

