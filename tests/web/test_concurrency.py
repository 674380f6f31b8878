"""Several workers writing at once: no "database is locked", no lost update."""

from __future__ import annotations

from sqlalchemy import select
from support import run_at_once

from elearn import db
from elearn.models import SignInFailure
from elearn.services.people.accounts import account_key, sign_in


def test_concurrent_failed_sign_ins_are_all_counted(app, make_user):
    app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"] = 1000
    user = make_user()

    def three_failures() -> None:
        for _ in range(3):
            sign_in("P000", user.staff_number, "wrong-password")

    run_at_once(app, 6, three_failures)
    with app.app_context():
        row = db.session().scalars(
            select(SignInFailure).where(SignInFailure.account_key == account_key("P000", user.staff_number, user))
        ).one()
        assert row.failures == 18


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        connection = db.session().connection()
        if connection.dialect.name != "sqlite":
            assert connection.dialect.name == "postgresql"
            return
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
