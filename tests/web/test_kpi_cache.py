"""The KPI report kept per process under the database's data generations: worked out again after any change it
reads, whoever made it (another server, a command, SQL), and not after changes it does not read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select, text, update
from support import complete

from elearn import db
from elearn.domain.people import Permission, Tier
from elearn.models import Certificate, DataGeneration, OrgUnit, User
from elearn.services import certificates
from elearn.services.reports import kpi

AS_OF = date(2027, 3, 31)  # after today: a revocation made now counts against it


def generations(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session().execute(select(DataGeneration.name, DataGeneration.generation)).all())


def prefecture_figure(app, org) -> tuple[int | None, int]:
    """The prefecture's cumulative figure, and how many SQL statements building the report ran."""
    seen = []
    engine = app.extensions["elearn.engine"]

    def record(*_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(1)

    with app.app_context():
        prefecture = db.session().get(OrgUnit, org["P000"].id)
        event.listen(engine, "before_cursor_execute", record)
        try:
            report = kpi.build(prefecture, [prefecture], AS_OF)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return report.years[-1].cumulative, len(seen)


@pytest.fixture
def trained(synced, make_user):
    people = [make_user(division="P101"), make_user(division="P201")]
    for person in people:
        complete(synced, person, when=datetime(2025, 6, 1, 3, tzinfo=UTC))
    return people


def test_the_report_is_kept_until_a_revocation_on_another_server_and_then_worked_out_again(
        synced, make_app, trained, org, make_user):
    first, cold = prefecture_figure(synced, org)
    again, warm = prefecture_figure(synced, org)
    assert first == again == 2
    assert warm == 2 < cold  # the rule and the counters, nothing more
    other_server = make_app()
    admin = make_user(permissions=[(Permission.ADMIN, None)])
    with other_server.app_context():
        revoked = certificates.of_holder(trained[0].id)[0]
        certificates.revoke(admin, revoked.id, "誤登録")
    after, statements = prefecture_figure(synced, org)
    assert after == 1 and statements > 2  # never stale: the revocation bumped the counter with it


def test_changes_the_report_does_not_read_leave_it_kept(synced, trained, org, make_user):
    prefecture_figure(synced, org)
    before = generations(synced)
    with synced.app_context(), db.write_session() as session:
        # What a sign-in writes.
        session.execute(update(User).where(User.id == trained[0].id)
                        .values(last_sign_in_at=datetime(2026, 12, 5, tzinfo=UTC), session_token="rotated"))
    assert generations(synced) == before
    _, statements = prefecture_figure(synced, org)
    assert statements == 2
    make_user(division="P101")  # a new person: coverage reads staff, so the report is worked out again
    assert generations(synced)["people"] > before["people"]
    _, statements = prefecture_figure(synced, org)
    assert statements > 2


@pytest.mark.parametrize(("tier", "kept"), [(Tier.ALL_STAFF, True), (Tier.DIGITAL_LEADER, False)])
def test_a_certificate_of_a_tier_outside_the_rule_leaves_the_report_kept(synced, trained, org, tier, kept):
    """The all-staff course's thousands of certificates in its busy week do not make the report of tiers 1-3
    be worked out again."""
    prefecture_figure(synced, org)
    with synced.app_context(), db.write_session() as session:
        session.execute(update(DataGeneration).where(DataGeneration.name == tier.value)
                        .values(generation=DataGeneration.generation + 1))
    _, statements = prefecture_figure(synced, org)
    assert (statements == 2) is kept


@pytest.mark.parametrize(("change", "counter"), [
    ("UPDATE certificates SET revoked_on = '2026-01-01'", "tier"),
    ("UPDATE completions SET division_id = division_id", "people"),  # course completions carry no tier
    ("UPDATE certificates SET holder_name = holder_name", None),
    ("DELETE FROM certificate_pdfs; DELETE FROM certificates", "tier only"),
    ("UPDATE users SET division_id = division_id", "people"),
    ("UPDATE users SET locale = 'en'", None),
    ("UPDATE org_units SET name = name || ' '", "people"),
    ("INSERT INTO staff_tiers (user_id, tier) SELECT id, 'dx_manager' FROM users", "people"),
    ("UPDATE grades SET sort_order = sort_order + 1", "people"),
    ("INSERT INTO kpi_targets (body_id, fiscal_year, target) SELECT id, 2030, 5 FROM org_units WHERE code = 'P000'",
     "kpi_settings"),
    ("UPDATE training_events SET title = title", None),
])
def test_every_table_the_report_reads_bumps_its_counter_and_others_do_not(synced, trained, change, counter):
    """The triggers of migration 0017 are in place (a later migration rebuilding a table must keep them)."""
    with synced.app_context():
        tiers = {row.tier.value for row in db.session().scalars(select(Certificate))}
    before = generations(synced)
    with synced.app_context(), db.write_session() as session:
        for statement in change.split("; "):
            session.execute(text(statement))
    after = generations(synced)
    changed = {name for name in after if after[name] != before[name]}
    expected = {"tier": tiers | {"people"}, "tier only": tiers, None: set()}.get(counter, {counter})
    assert changed == expected


def test_a_transaction_bumps_a_counter_once_however_many_statements_and_the_next_transaction_again(synced, trained):
    """A bulk write sends a statement per row (executemany); on PostgreSQL each statement's trigger updating the
    same counter row made such a transaction quadratic (migration 0022). A bump undone with its savepoint must not
    count as made."""
    with synced.app_context():
        ids = db.session().scalars(select(User.id)).all()
        on_postgresql = db.engine().dialect.name == "postgresql"
    assert len(ids) >= 2
    before = generations(synced)["people"]
    with synced.app_context(), db.write_session() as session:
        session.execute(text("UPDATE users SET division_id = division_id WHERE id = :id"), [{"id": i} for i in ids])
    middle = generations(synced)["people"]
    with synced.app_context(), db.write_session() as session:
        undone = session.begin_nested()
        session.execute(text("UPDATE users SET division_id = division_id"))
        undone.rollback()
        session.execute(text("UPDATE org_units SET name = name"))
    after = generations(synced)["people"]
    assert before < middle < after
    if on_postgresql:  # SQLite's row triggers bump once per row, in place: never quadratic, left as they were
        assert (middle - before, after - middle) == (1, 1)


def every_body_report(app) -> tuple[str, int]:
    """The prefecture's report with every body side by side (what its reporters open) as JSON, and the SQL
    statements building it ran."""
    from elearn.services.people import orgs
    from elearn.services.reports import kpi_export

    seen = []
    engine = app.extensions["elearn.engine"]

    def record(*_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(1)

    with app.app_context():
        bodies = orgs.bodies()
        event.listen(engine, "before_cursor_execute", record)
        try:
            report = kpi.build(bodies[0], bodies, AS_OF)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return kpi_export.as_json(report), len(seen)


def test_a_report_one_server_worked_out_is_read_by_the_others_until_a_change(synced, make_app, trained, make_user):
    worked_out, cold = every_body_report(synced)
    second_server = make_app()
    shared, statements = every_body_report(second_server)
    assert shared == worked_out and statements == 3 < cold  # the rule, the counters, the stored report
    make_user(permissions=[(Permission.ADMIN, None)])  # a new person: coverage reads people
    _, statements = every_body_report(make_app())
    assert statements > 3  # worked out again, not read from the store


def test_the_worker_works_the_prefecture_report_out_after_a_change_before_anyone_opens_it(synced, make_app, trained,
                                                                                       make_user):
    with synced.app_context():
        assert kpi.warm(AS_OF) is True
        assert kpi.warm(AS_OF) is False  # nothing changed: nothing to do
    admin = make_user(permissions=[(Permission.ADMIN, None)])
    with synced.app_context():
        revoked = certificates.of_holder(trained[0].id)[0]
        certificates.revoke(admin, revoked.id, "誤登録")
        assert kpi.warm(AS_OF) is True
    report, statements = every_body_report(make_app())
    assert statements == 3 and '"cumulative": 1' in report
