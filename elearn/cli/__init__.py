"""The `elearn` command group (also `flask --app elearn ...`). Commands print plain lines and exit
non-zero on failure; configuration comes from ELEARN_* environment variables. Each area's commands live in
a module of this package; `register_commands` adds them to the app."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def main() -> None:
    from elearn import create_app

    group = FlaskGroup(
        name="elearn",
        create_app=lambda: create_app(),
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        help="elearn: digital-literacy e-learning. Configure with ELEARN_* environment variables.",
    )
    group.main(prog_name="elearn")


def register_commands(app: Flask) -> None:
    # Imported here, not at the top: the command modules import elearn.cli.schema, which loads this package.
    from elearn.cli import (
        backup,
        certificates,
        content,
        database,
        history,
        jobs,
        people,
        reports,
        scorm,
        server,
        storage,
    )

    for command in (database.db_group, content.content_group, content.import_quiz, people.grades_group,
                    people.create_admin, people.import_orgs, people.import_staff, history.import_history,
                    history.history_imports, history.undo_history_import, certificates.certificates_group,
                    reports.report_group, server.demo, server.serve, jobs.worker, jobs.jobs_command,
                    jobs.mail_group, jobs.notices_group, scorm.scorm_group, backup.backup_command,
                    backup.restore_command, storage.storage_group):
        app.cli.add_command(command)
