"""The `elearn` command group."""

from __future__ import annotations

import subprocess
import sys
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SAWarning

from elearn import db
from elearn.db import Base
from elearn.domain.notices import NoticeKind
from elearn.domain.people import DEFAULT_GRADES, Permission
from elearn.models import Notice, OrgUnit, User


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the expression index on role_grants; it is created by hand.
        warnings.filterwarnings("ignore", message=".*expression-based index", category=SAWarning)
        warnings.filterwarnings("ignore", message=".*expression-based index", category=UserWarning)
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in differences if "uq_role_grants_scope" not in str(d)] == []


def test_create_admin_makes_a_new_admin_who_can_sign_in(app, runner, org, client):
    result = runner.invoke(args=[
        "create-admin", "--body", "P000", "--staff-number", "９００００１", "--name", "管理 太郎",
        "--division", "P102", "--email", "Admin@Example.lg.jp", "--password", "kanri-secret-123",
    ])
    assert result.exit_code == 0, result.output
    assert "created admin: P000 900001" in result.output
    with app.app_context():
        admin = db.session().scalars(select(User).where(User.staff_number == "900001")).one()
        assert admin.has_permission(Permission.ADMIN)
        assert admin.email == "admin@example.lg.jp"
    signed_in = client.post("/sign-in", data={"body": "P000", "sign_in_name": "900001",
                                              "password": "kanri-secret-123"})
    assert signed_in.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_admin_fails_clearly_without_organisations(runner, app):
    result = runner.invoke(args=["create-admin", "--body", "P000", "--staff-number", "1", "--name", "x",
                                 "--division", "P102", "--password", "kanri-secret-123"])
    assert result.exit_code != 0
    assert "import-orgs" in result.output


def test_create_admin_refuses_a_weak_password(runner, org):
    result = runner.invoke(args=["create-admin", "--body", "P000", "--staff-number", "1", "--name", "x",
                                 "--division", "P102", "--password", "short"])
    assert result.exit_code != 0
    assert "too_short" in result.output


def test_demo_command_prints_every_permission_and_is_idempotent(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for permission in ("learner", "manager", "author", "reporter", "admin"):
        assert permission in first.output
    with app.app_context():
        count = len(db.session().scalars(select(User.id)).all())
        notices = db.session().scalar(select(func.count()).select_from(Notice))
        learner_kinds = set(db.session().scalars(
            select(Notice.kind).join(User, User.id == Notice.user_id).join(OrgUnit, OrgUnit.id == User.body_id)
            .where(OrgUnit.code == "P000", User.staff_number == "100001")))
    # The demo's notices: the learner's bell has the announcement and the newest issue (opted in).
    assert {NoticeKind.ANNOUNCEMENT, NoticeKind.MAGAZINE_ISSUE} <= learner_kinds
    assert f"Notices: {notices} under the bells" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert second.output == first.output
    with app.app_context():
        assert len(db.session().scalars(select(User.id)).all()) == count
        assert db.session().scalar(select(func.count()).select_from(Notice)) == notices


def test_console_script_help_lists_the_commands():
    result = subprocess.run([sys.executable, "-c", "from elearn.cli import main; main()", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for command in ("db", "create-admin", "import-orgs", "import-staff", "import-quiz", "content", "grades", "demo",
                    "serve"):
        assert command in result.stdout


def test_a_fresh_database_has_the_default_grades_and_admins_can_add_more(runner, app):
    listed = runner.invoke(args=["grades", "list"])
    assert [line.split("\t")[0] for line in listed.output.splitlines()] == list(DEFAULT_GRADES)
    assert runner.invoke(args=["grades", "add", "会計年度任用職員"]).exit_code == 0
    duplicate = runner.invoke(args=["grades", "add", "課長級"])
    assert duplicate.exit_code != 0 and "exists" in duplicate.output
    assert runner.invoke(args=["grades", "rename", "新規採用", "新規採用職員"]).exit_code == 0
    names = [line.split("\t")[0] for line in runner.invoke(args=["grades", "list"]).output.splitlines()]
    assert names[-2:] == ["新規採用職員", "会計年度任用職員"]


def test_commands_refuse_an_unmigrated_database_with_the_fix(make_app, tmp_path):
    empty = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    for args in (["demo"], ["content", "sync"], ["serve", "--port", "1"], ["grades", "list"]):
        result = empty.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0, args
        assert "run `elearn db upgrade` first" in result.output


def test_serve_refuses_invalid_content_with_the_command_that_explains_it(make_app, tmp_path):
    import shutil

    from support import SAMPLE_CONTENT

    broken = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, broken)
    (broken / "quizzes/sample-bank.yaml").write_text("bank: [", encoding="utf-8")
    result = make_app(CONTENT_ROOT=str(broken)).test_cli_runner().invoke(args=["serve", "--port", "1"])
    assert result.exit_code != 0
    assert "elearn content sync --check" in result.output


def test_a_fiscal_year_before_reiwa_1_is_refused_with_the_reason(runner, app):
    for command in ("list", "render"):
        for typed in ("R0", "R-1", "令和0年度", "2018"):
            result = runner.invoke(args=["certificates", command, "--fiscal-year", typed])
            assert result.exit_code == 2, (command, typed, result.output)
            assert "Invalid value for '--fiscal-year'" in result.output
            assert "start at" in result.output and "R1" in result.output, result.output
    assert runner.invoke(args=["certificates", "list", "--fiscal-year", "Ｒ７"]).exit_code == 0
