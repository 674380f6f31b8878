"""`db.insert_rows`, the bulk insert of imports: COPY on PostgreSQL (the CI's second run), one executemany on SQLite.
Both must give the rows `insert()` would: the columns' Python defaults for the keys left out, one call of a
callable default per row, enum and UTC datetime columns as the model reads them back."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from elearn import db
from elearn.domain.people import Tier
from elearn.models import AuditEntry, StaffTier, User


def test_rows_go_in_with_the_defaults_insert_would_give(app, org):
    expires_at = datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
    people = [{"body_id": org["P000"].id, "staff_number": f"88000{number}", "name": f"一括 {number}",
               "email": None, "division_id": org["P101"].id, "password_expires_at": expires_at}
              for number in range(3)]
    with app.app_context():
        with db.write_session() as session:
            db.insert_rows(session, User.__table__, people)
            ids = dict(session.execute(
                select(User.staff_number, User.id).where(User.staff_number.like("88000%"))).all())
            db.insert_rows(session, StaffTier.__table__, [{"user_id": ids["880000"], "tier": Tier.DX_SPECIALIST}])
        db.session().expire_all()
        stored = db.session().scalars(select(User).where(User.id.in_(ids.values())).order_by(User.staff_number)).all()

        assert [user.name for user in stored] == ["一括 0", "一括 1", "一括 2"]
        assert {(user.kana, user.is_active, user.must_change_password) for user in stored} == {("", True, False)}
        assert len({user.session_token for user in stored}) == 3  # the callable default, once per row
        assert all(abs(user.created_at - datetime.now(UTC)) < timedelta(minutes=1) for user in stored)
        assert {user.password_expires_at for user in stored} == {expires_at}
        assert [row.tier for row in stored[0].tier_rows] == [Tier.DX_SPECIALIST]


def test_a_key_that_is_no_column_is_refused_and_nothing_goes_in(app, org):
    row = {"body_id": org["P000"].id, "staff_number": "880100", "name": "誤記", "division_id": org["P101"].id,
           "emial": "typo@example.lg.jp"}
    with app.app_context():
        with pytest.raises(Exception, match="emial"), db.write_session() as session:
            db.insert_rows(session, User.__table__, [row])
        assert db.session().scalar(select(func.count()).where(User.staff_number == "880100")) == 0


def test_json_columns_go_in_as_json(app, org):
    details = {"file": "職員_12月.csv", "rows": [1, 2], "nested": {"ok": True}}
    with app.app_context():
        with db.write_session() as session:
            db.insert_rows(session, AuditEntry.__table__, [
                {"action": "bulk.test", "target": "user:1", "details": details},
                {"action": "bulk.test", "target": "user:2", "details": {}}])
        stored = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "bulk.test")
                                      .order_by(AuditEntry.target)).all()
        assert [entry.details for entry in stored] == [details, {}]


def test_a_large_insert_leaves_postgresql_statistics_that_count_the_new_rows(app, org, monkeypatch):
    """Plans made on statistics of the table before a bulk load were 8 times slower (a past-training file naming
    300,000 people just imported) until autovacuum came by; the load now analyzes the table itself."""
    monkeypatch.setattr(db, "ANALYZE_AFTER_ROWS", 3)
    people = [{"body_id": org["P000"].id, "staff_number": f"88100{number}", "name": f"統計 {number}", "email": None,
               "division_id": org["P101"].id} for number in range(3)]
    with app.app_context():
        with db.write_session() as session:
            db.insert_rows(session, User.__table__, people)
        count = db.session().scalar(select(func.count()).select_from(User))
        if db.engine().dialect.name == "postgresql":  # SQLite plans without statistics unless asked: nothing to keep
            estimated = db.session().scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'users'"))
            assert estimated == count
        else:
            assert count == 3
