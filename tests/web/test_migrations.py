"""Migrations that move data, run over a database holding rows from before them (an SQLite file of
their own, also in the PostgreSQL run)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from elearn import migrate


def test_0004_gives_existing_completions_the_place_of_their_holder(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        run = connection.execute
        run(text("INSERT INTO org_units (id, code, name, kind, is_active, created_at, updated_at) VALUES "
                 "(1, 'P000', 'みどり県', 'prefecture', 1, '2025-04-01', '2025-04-01'),"
                 "(2, 'P101', '人事課', 'division', 1, '2025-04-01', '2025-04-01')"))
        run(text("UPDATE org_units SET parent_id = 1 WHERE id = 2"))
        grade = run(text("SELECT id FROM grades ORDER BY id LIMIT 1")).scalar_one()
        run(text("INSERT INTO users (id, body_id, staff_number, name, kana, division_id, grade_id, is_active, "
                 "must_change_password, session_token, created_at, updated_at) VALUES "
                 "(1, 1, '000001', '職員 一郎', '', 2, :grade, 1, 0, 't', '2025-04-01', '2025-04-01')"),
            {"grade": grade})
        run(text("INSERT INTO courses (id, slug, is_active) VALUES (1, 'dx-basics', 1)"))
        run(text("INSERT INTO course_versions (id, course_id, version, content_hash, title, summary, tiers, "
                 "required_for_grades, estimated_minutes, lessons, quiz, synced_at) VALUES "
                 "(1, 1, 1, 'h', 'DXの基礎', '', '[\"all_staff\"]', '[]', 90, '[]', '{}', '2025-04-01')"))
        run(text("INSERT INTO completions (id, user_id, course_id, course_version_id, completed_at, fiscal_year) "
                 "VALUES (1, 1, 1, 1, '2025-06-02 01:00:00', 2025)"))
    migrate.upgrade(url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT body_id, division_id, grade_id FROM completions")).one()
    engine.dispose()
    assert tuple(row) == (1, 2, grade)
