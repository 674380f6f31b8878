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


def test_guesses_sent_at_once_get_no_more_answers_than_the_lockout_allows(app, make_user):
    # The password is checked outside the write transaction, so eight guesses are checked side by side; only
    # the ones counted before the lock may say "wrong", and once locked the right password is refused too.
    from elearn.services.people.accounts import SignInOutcome

    app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"] = 3
    user = make_user(password="the-right-password-1")
    outcomes = run_at_once(app, 8, lambda: sign_in("P000", user.staff_number, "a-wrong-guess").outcome)
    assert outcomes.count(SignInOutcome.INVALID) == 2
    assert outcomes.count(SignInOutcome.LOCKED) == 6
    with app.app_context():
        assert sign_in("P000", user.staff_number, "the-right-password-1").outcome is SignInOutcome.LOCKED


def test_a_sign_in_checks_its_password_without_holding_the_write_lock(app, make_user):
    import threading

    from elearn.clock import utcnow
    from elearn.services.people import passwords
    from elearn.services.people.accounts import SignInOutcome

    user = make_user(password="the-right-password-1")
    outcomes: list = []
    written = threading.Event()

    def signing_in() -> None:
        with app.app_context():
            outcomes.append(sign_in("P000", user.staff_number, "the-right-password-1").outcome)

    def writing() -> None:
        with app.app_context(), db.write_session() as session:
            session.add(SignInFailure(account_key="someone-else", failures=1, first_failed_at=utcnow()))
        written.set()

    with passwords._full_cost_hashing:  # the sign-in stops in its password check, as behind a slow hash
        signer = threading.Thread(target=signing_in)
        signer.start()
        signer.join(timeout=0.5)
        writer = threading.Thread(target=writing, daemon=True)
        writer.start()
        writes_meanwhile = written.wait(timeout=5)
    signer.join(timeout=10)
    written.wait(timeout=15)
    assert writes_meanwhile, "a write waited for a sign-in's password check"
    assert outcomes == [SignInOutcome.OK]
