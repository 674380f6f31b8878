"""Fixtures: a migrated database per test (SQLite by default, PostgreSQL when
ELEARN_TEST_DATABASE_URL is set), the app, a client, and factories for units and staff."""

from __future__ import annotations

import functools
import itertools
import os
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from support import PASSWORD, SAMPLE_CONTENT, empty_postgres

from elearn import create_app, db, migrate
from elearn.domain.people import OrgKind, Tier
from elearn.models import OrgUnit, RoleGrant, StaffTier, User
from elearn.services.people.passwords import hash_password


def _database_of_this_worker() -> None:
    """Under pytest-xdist (`make test` runs two workers), each worker gets a PostgreSQL database of its own,
    test_gw0, test_gw1..., made on first use: the tests empty the database between them. Set in the
    environment before any test module reads it."""
    url, worker = os.environ.get("ELEARN_TEST_DATABASE_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return
    from sqlalchemy.engine import make_url

    shared = make_url(url)
    own = shared.set(database=f"{shared.database}_{worker}")
    admin = create_engine(shared, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}) is None:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    os.environ["ELEARN_TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)


_database_of_this_worker()
POSTGRES_URL = os.environ.get("ELEARN_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A database migrated once per run: a SQLite file to copy, or the PostgreSQL test database."""
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(migrated_template: str, tmp_path) -> Iterator[str]:
    if POSTGRES_URL:
        yield POSTGRES_URL
        empty_postgres(POSTGRES_URL)
        return
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A second, empty database of the suite's kind (no tables): a SQLite file, or a scratch PostgreSQL
    database dropped afterwards (restores need one)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"{make_url(POSTGRES_URL).database}_restored"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def app_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "LIMITER_STORAGE": "memory://",
        "CONTENT_ROOT": str(SAMPLE_CONTENT),
    }


@pytest.fixture
def make_app(app_config: dict):
    """make_app(**overrides): another app on the same database (another worker, other settings)."""
    created = []

    def factory(**overrides):
        application = create_app({**app_config, **overrides})
        created.append(application)
        return application

    yield factory
    for application in created:
        application.extensions["elearn.engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def org(app) -> dict[str, OrgUnit]:
    """A prefecture with two departments and three divisions, and one municipality."""
    specs = [
        ("P000", "みどり県", OrgKind.PREFECTURE, None),
        ("P100", "総務部", OrgKind.DEPARTMENT, "P000"),
        ("P101", "人事課", OrgKind.DIVISION, "P100"),
        ("P102", "デジタル推進課", OrgKind.DIVISION, "P100"),
        ("P200", "健康福祉部", OrgKind.DEPARTMENT, "P000"),
        ("P201", "健康政策課", OrgKind.DIVISION, "P200"),
        ("M100", "みどり市", OrgKind.MUNICIPALITY, None),
        ("M110", "総務課", OrgKind.DIVISION, "M100"),
    ]
    units: dict[str, OrgUnit] = {}
    with app.app_context(), db.write_session() as session:
        for code, name, kind, parent in specs:
            unit = OrgUnit(code=code, name=name, kind=kind, parent=units.get(parent))
            session.add(unit)
            units[code] = unit
    return units


_staff_numbers = itertools.count(1)


@functools.cache
def _password_hash(password: str) -> str:
    """A real full-cost argon2 hash, made once per test process for each password: the suite makes well over a
    thousand people with the same password."""
    return hash_password(password)


@pytest.fixture
def make_user(app, org):
    """make_user(division="P101", permissions=[(Permission.MANAGER, "P100")], **User fields)."""

    def factory(
        division: str = "P101",
        permissions: tuple = (),
        tiers: tuple[Tier, ...] = (),
        password: str | None = PASSWORD,
        **fields,
    ) -> User:
        with app.app_context(), db.write_session() as session:
            unit = session.get(OrgUnit, org[division].id)
            body = unit
            while body.parent is not None:
                body = body.parent
            number = fields.pop("staff_number", f"{next(_staff_numbers):06d}")
            user = User(
                body_id=body.id,
                division_id=unit.id,
                staff_number=number,
                name=fields.pop("name", f"職員{number}"),
                email=fields.pop("email", f"u{number}-{division.lower()}@example.lg.jp"),
                password_hash=_password_hash(password) if password else None,
                **fields,
            )
            session.add(user)
            session.flush()
            for tier in tiers:
                session.add(StaffTier(user_id=user.id, tier=tier))
            for permission, unit_code in permissions:
                unit_id = org[unit_code].id if unit_code else None
                session.add(RoleGrant(user_id=user.id, permission=permission, org_unit_id=unit_id))
        return user

    return factory


@pytest.fixture
def synced(app):
    """The sample content (tests/data/content) synced into the database."""
    from elearn.services.learning import content

    with app.app_context():
        content.sync(content.tree())
    return app


class _Collector:
    """An aiosmtpd handler keeping what it receives; `delay` slows each message (a worker can be killed
    while it sends)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def parsed(self):  # type: ignore[no-untyped-def]
        from email import policy
        from email.parser import BytesParser

        return [BytesParser(policy=policy.default).parsebytes(raw) for _from, _to, raw in self.messages]


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd); yields (host, port, collector)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield "127.0.0.1", port, collector
    controller.stop()
