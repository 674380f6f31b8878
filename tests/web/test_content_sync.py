"""`elearn content sync`: files into the database, versioned, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from elearn import db
from elearn.models import AuditEntry, Course

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "content"


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def content_app(make_app, content_root):
    return make_app(CONTENT_ROOT=str(content_root))


def versions(app) -> dict[str, list[tuple[int, str]]]:
    with app.app_context():
        courses = db.session().scalars(select(Course).options(selectinload(Course.versions))).all()
        return {c.slug: [(v.version, v.title) for v in c.versions] for c in courses if c.is_active}


def sync(app):
    return app.test_cli_runner().invoke(args=["content", "sync"])


def test_sync_creates_the_course_and_a_second_sync_changes_nothing(content_app):
    first = sync(content_app)
    assert first.exit_code == 0, first.output
    assert "created: 1 (sample-course)" in first.output
    assert versions(content_app) == {"sample-course": [(2, "テスト用コース")]}
    second = sync(content_app)
    assert "unchanged: 1" in second.output and "created: 0" in second.output
    with content_app.app_context():
        assert len(db.session().scalars(select(AuditEntry).where(AuditEntry.action == "content.sync")).all()) == 1


def test_an_edit_keeping_the_version_updates_it_and_a_new_version_is_added_beside_it(content_app, content_root):
    sync(content_app)
    course_md = content_root / "courses/sample-course/course.md"
    course_md.write_text(course_md.read_text(encoding="utf-8").replace("title: テスト用コース", "title: 改訂コース"),
                         encoding="utf-8")
    assert "updated: 1" in sync(content_app).output
    assert versions(content_app) == {"sample-course": [(2, "改訂コース")]}
    course_md.write_text(course_md.read_text(encoding="utf-8").replace("version: 2", "version: 3"), encoding="utf-8")
    assert "new_versions: 1 (sample-course v3)" in sync(content_app).output
    assert versions(content_app) == {"sample-course": [(2, "改訂コース"), (3, "改訂コース")]}


def test_an_invalid_tree_changes_nothing_and_names_file_and_line(content_app, content_root):
    sync(content_app)
    course_md = content_root / "courses/sample-course/course.md"
    course_md.write_text(course_md.read_text(encoding="utf-8").replace("version: 2", "version: 3")
                         .replace("passing_score: 75", "passing_score: 175"), encoding="utf-8")
    result = sync(content_app)
    assert result.exit_code != 0
    assert "courses/sample-course/course.md:13: 'passing_score' must be between 1 and 100, not 175" in result.output
    assert versions(content_app) == {"sample-course": [(2, "テスト用コース")]}


def test_a_version_that_goes_down_is_refused(content_app, content_root):
    sync(content_app)
    course_md = content_root / "courses/sample-course/course.md"
    course_md.write_text(course_md.read_text(encoding="utf-8").replace("version: 2", "version: 1"), encoding="utf-8")
    result = sync(content_app)
    assert result.exit_code != 0 and "lower than the synced 2" in result.output
    assert versions(content_app) == {"sample-course": [(2, "テスト用コース")]}


def test_a_removed_course_is_deactivated_not_deleted(content_app, content_root):
    sync(content_app)
    shutil.rmtree(content_root / "courses/sample-course")
    assert "deactivated: 1 (sample-course)" in sync(content_app).output
    with content_app.app_context():
        assert db.session().scalars(select(Course)).one().is_active is False


def check(app):
    return app.test_cli_runner().invoke(args=["content", "sync", "--check"])


@pytest.mark.parametrize(("old", "new", "line", "key"), [
    ("explanation: Robotic Process Automation です。", 'explanation: "Robotic\\0 Process"', 33, "explanation"),
    ("answers: [RPA, アールピーエー]", 'answers: [RPA, "R\\x01PA"]', 32, "answers"),
    ("      - text: デジタライゼーション", '      - text: "デジタライ\\x7fゼーション"', 11, "text"),
])
def test_a_control_character_written_as_a_yaml_escape_is_refused_with_file_and_line(
        content_app, content_root, old, new, line, key):
    bank = content_root / "quizzes/sample-bank.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = check(content_app)
    assert result.exit_code != 0
    assert f"quizzes/sample-bank.yaml:{line}: {key!r} contains the control character U+00" in result.output
    assert versions(content_app) == {}


def test_a_raw_nul_byte_in_a_bank_is_refused_on_its_own_line(content_app, content_root):
    bank = content_root / "quizzes/sample-bank.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("英字3文字で。", "英字3文字で。\x00"), encoding="utf-8")
    result = check(content_app)
    assert result.exit_code != 0
    assert "quizzes/sample-bank.yaml:31: YAML: control character U+0000 is not allowed" in result.output
