"""Migrations that move data, run over a database holding rows from before them: an SQLite file of
their own, or, in the PostgreSQL run (ELEARN_TEST_DATABASE_URL), a schema of their own in that database
so the migrated test database beside it is left alone."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import IntegrityError

from elearn import migrate

POSTGRES_URL = os.environ.get("ELEARN_TEST_DATABASE_URL")


@pytest.fixture
def database_at(tmp_path) -> Iterator[Callable[[str], str]]:
    """database_at("0003"): the URL of an empty database migrated up to that revision."""
    schemas: list[str] = []

    def make(revision: str) -> str:
        if POSTGRES_URL:
            schema = f"migration_test_{uuid.uuid4().hex[:12]}"
            admin = create_engine(POSTGRES_URL)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            schemas.append(schema)
            # Every connection of this URL works in the new schema only (tables, alembic_version).
            url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
            url = url.render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / f'old-{revision}.sqlite3'}"
        migrate.upgrade(url, revision)
        return url

    yield make
    if schemas:
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def insert_a_completed_course(connection, completions: int = 1) -> int:
    """A body, a division, one person and one course completed (as of migration 0003); the grade id."""
    run = connection.execute
    flags = {"yes": True, "no": False}
    run(text("INSERT INTO org_units (id, code, name, kind, is_active, created_at, updated_at) VALUES "
             "(1, 'P000', 'みどり県', 'prefecture', :yes, '2025-04-01', '2025-04-01'),"
             "(2, 'P101', '人事課', 'division', :yes, '2025-04-01', '2025-04-01')"), flags)
    run(text("UPDATE org_units SET parent_id = 1 WHERE id = 2"))
    grade = run(text("SELECT id FROM grades ORDER BY id LIMIT 1")).scalar_one()
    run(text("INSERT INTO users (id, body_id, staff_number, name, kana, division_id, grade_id, is_active, "
             "must_change_password, session_token, created_at, updated_at) VALUES "
             "(1, 1, '000001', '職員 一郎', '', 2, :grade, :yes, :no, 't', '2025-04-01', '2025-04-01')"),
        {"grade": grade, **flags})
    run(text("INSERT INTO courses (id, slug, is_active) VALUES (1, 'dx-basics', :yes)"), flags)
    for version in range(1, completions + 1):
        run(text("INSERT INTO course_versions (id, course_id, version, content_hash, title, summary, tiers, "
                 "required_for_grades, estimated_minutes, lessons, quiz, synced_at) VALUES "
                 "(:v, 1, :v, 'h', 'DXの基礎', '', '[\"all_staff\"]', '[]', 90, '[]', '{}', '2025-04-01')"),
            {"v": version})
        run(text("INSERT INTO completions (id, user_id, course_id, course_version_id, completed_at, fiscal_year) "
                 "VALUES (:v, 1, 1, :v, '2025-06-02 01:00:00', 2025)"), {"v": version})
    return grade


def test_0004_gives_existing_completions_the_place_of_their_holder(database_at):
    url = database_at("0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        grade = insert_a_completed_course(connection)
    migrate.upgrade(url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT body_id, division_id, grade_id FROM completions")).one()
    engine.dispose()
    assert tuple(row) == (1, 2, grade)


def test_0008_makes_a_second_completion_of_a_course_in_one_fiscal_year_impossible(database_at):
    url = database_at("0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        insert_a_completed_course(connection)
    migrate.upgrade(url)
    try:
        with pytest.raises(IntegrityError, match="(?i)unique"), engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO course_versions (id, course_id, version, content_hash, title, summary, tiers, "
                "required_for_grades, estimated_minutes, lessons, quiz, synced_at) VALUES "
                "(2, 1, 2, 'h2', 'DXの基礎', '', '[]', '[]', 90, '[]', '{}', '2025-05-01')"))
            connection.execute(text(
                "INSERT INTO completions (id, user_id, course_id, course_version_id, completed_at, fiscal_year, "
                "body_id, division_id) VALUES (2, 1, 1, 2, '2025-07-01 01:00:00', 2025, 1, 2)"))
        with engine.begin() as connection:  # the next fiscal year is a new completion (yearly courses)
            connection.execute(text(
                "INSERT INTO completions (id, user_id, course_id, course_version_id, completed_at, fiscal_year, "
                "body_id, division_id) VALUES (3, 1, 1, 1, '2026-06-01 01:00:00', 2026, 1, 2)"))
    finally:
        engine.dispose()


def test_0008_refuses_to_run_over_duplicate_completions_and_names_them(database_at):
    url = database_at("0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        insert_a_completed_course(connection, completions=2)  # versions 1 and 2, both in FY2025
    migrate.upgrade(url, "0007")
    with pytest.raises(RuntimeError, match="user 1, course 1, fiscal year 2025: 2 completions"):
        migrate.upgrade(url)
    with engine.connect() as connection:  # nothing removed, still at 0007
        assert connection.execute(text("SELECT count(*) FROM completions")).scalar_one() == 2
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0007"
    engine.dispose()


def test_0024_keeps_the_person_each_audit_target_names(database_at):
    url = database_at("0023")
    engine = create_engine(url)
    targets = ["user:1 000001 職員 一郎", "user:1", "user:12x", "userx:3", "address:10.0.0.1", "", "user:", "event:4"]
    with engine.begin() as connection:
        for number, target in enumerate(targets, start=1):
            connection.execute(text(
                "INSERT INTO audit_entries (id, occurred_at, action, target, details, address) "
                "VALUES (:id, '2025-06-02 01:00:00', 'test', :target, '{}', 'cli')"), {"id": number, "target": target})
    migrate.upgrade(url)
    with engine.connect() as connection:
        subjects = connection.execute(text("SELECT subject_user_id FROM audit_entries ORDER BY id")).scalars().all()
    engine.dispose()
    assert subjects == [1, 1, None, None, None, None, None, None]
