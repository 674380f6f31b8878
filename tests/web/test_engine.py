"""The engine as configured for each database."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from elearn import db, server
from elearn.models import User


def test_statements_run_again_and_again_are_planned_for_their_own_values(app, org, make_user):
    """psycopg would prepare a statement on the server after its fifth run, and PostgreSQL could then keep one
    generic plan for every value: at prefecture scale a lookup of 500 staff numbers of the prefecture went through
    the body index and took 600 ms instead of 0.7. No statement is prepared on the server."""
    people = [make_user(division="P101") for _ in range(3)]
    numbers = sorted(person.staff_number for person in people)
    lookup = select(User.staff_number).where(User.body_id == org["P000"].id, User.staff_number.in_(numbers))
    with app.app_context():
        session = db.session()
        found = [sorted(session.scalars(lookup)) for _ in range(10)]
        assert found == [numbers] * 10
        if db.engine().dialect.name == "postgresql":
            assert session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0


def test_web_workers_have_postgresql_cancel_a_statement_past_their_timeout(make_app):
    """gunicorn gives up on a request after its timeout but the statement went on in PostgreSQL (an audit-log search
    ran 27 minutes on, holding a lock). The web workers' transactions carry a statement timeout; others none."""
    web, worker = make_app(STATEMENT_TIMEOUT_SECONDS=0.3), make_app()
    with web.app_context():
        if db.engine().dialect.name != "postgresql":  # SQLite has no statement timeout: the setting changes nothing
            assert db.session().scalar(text("SELECT 1")) == 1
            return
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session().execute(text("SELECT pg_sleep(1)"))
        db.session().rollback()
        assert db.session().scalar(text("SELECT 1")) == 1  # the next transaction runs
    with worker.app_context():
        db.session().execute(text("SELECT pg_sleep(0.5)"))
        assert db.session().scalar(text("SELECT current_setting('statement_timeout')")) == "0"


def test_elearn_serve_gives_its_workers_a_statement_timeout_under_gunicorns(monkeypatch):
    started = []

    class Recorded:
        def __init__(self, options: dict, app_config: dict) -> None:
            started.append((options, app_config))

        def run(self) -> None:
            pass

    monkeypatch.setattr(server, "_ElearnServer", Recorded)
    server.run_gunicorn("127.0.0.1", 5000, 2, 4, {"LIMITER_STORAGE": "database://"})
    server.run_gunicorn("127.0.0.1", 5000, 2, 4, {"STATEMENT_TIMEOUT_SECONDS": 20})
    (options, config), (_, overridden) = started
    assert config == {"STATEMENT_TIMEOUT_SECONDS": 55, "LIMITER_STORAGE": "database://"}
    assert options["timeout"] == 60 and overridden["STATEMENT_TIMEOUT_SECONDS"] == 20
