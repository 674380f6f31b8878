"""data generations: counters the database bumps when what the KPI report reads changes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TIERS = ("dx_manager", "dx_specialist", "digital_leader", "all_staff")
# A certificate or imported record changes its tier's counter only: the all-staff course's thousands of
# certificates leave a report of tiers 1-3 as it was.
TIER_TABLES = {
    "certificates": "tier, user_id, body_id, fiscal_year, completed_on, revoked_on, superseded_at, completion_id",
    "completions": "tier, user_id, body_id, division_id, grade_id, fiscal_year, completed_on, event_id, "
                   "history_import_id",
}
# Who is where, and the report's settings: one counter each. Users only for the columns the report reads
# (a sign-in writes others).
OTHER_TABLES = {
    "users": ("people", "is_active, body_id, division_id, grade_id, name, staff_number"),
    "staff_tiers": ("people", None),
    "org_units": ("people", None),
    "grades": ("people", None),
    "training_events": ("people", "format, delivery"),
    "kpi_rule": ("kpi_settings", None),
    "kpi_targets": ("kpi_settings", None),
}
NAMES = (*TIERS, "people", "kpi_settings")
# SQLite drops a table's triggers when a batch migration rebuilds the table ("move and copy"): a later
# migration that batch-alters one of these tables must create its triggers again
# (tests/web/test_kpi_cache.py fails if one is missing).


def _bump(names: str) -> str:
    return f"UPDATE data_generations SET generation = generation + 1 WHERE name IN ({names});"


def upgrade() -> None:
    table = op.create_table(
        'data_generations',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_generations')),
    )
    op.bulk_insert(table, [{"name": name, "generation": 1} for name in NAMES])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table, columns in TIER_TABLES.items():
        op.execute(f"CREATE TRIGGER gen_{table}_insert AFTER INSERT ON {table} BEGIN {_bump('NEW.tier')} END")
        op.execute(f"CREATE TRIGGER gen_{table}_delete AFTER DELETE ON {table} BEGIN {_bump('OLD.tier')} END")
        # A changed row may move between groups of any kind: the people counter goes too.
        moved = _bump("'people', NEW.tier, OLD.tier")
        op.execute(f"CREATE TRIGGER gen_{table}_update AFTER UPDATE OF {columns} ON {table} BEGIN {moved} END")
    for table, (name, columns) in OTHER_TABLES.items():
        changed = f"UPDATE OF {columns}" if columns else "UPDATE"
        for event in ("INSERT", "DELETE", changed):
            label = event.split()[0].lower()
            op.execute(f"CREATE TRIGGER gen_{table}_{label} AFTER {event} ON {table} BEGIN {_bump(repr(name))} END")


def _postgresql_triggers() -> None:
    # Inserts and deletes once per statement over the transition table: a COPY or a bulk import of a million
    # rows bumps each counter once (a row trigger would write a million versions of one row). PostgreSQL
    # allows no transition table on a trigger with a column list, so updates (revocations, rare) go per row.
    op.execute("""
CREATE FUNCTION bump_changed_tiers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_generations SET generation = generation + 1
   WHERE name IN (SELECT DISTINCT tier::text FROM changed_rows WHERE tier IS NOT NULL);
  RETURN NULL;
END $$""")
    op.execute("""
CREATE FUNCTION bump_moved_tier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_generations SET generation = generation + 1 WHERE name IN ('people', NEW.tier::text, OLD.tier::text);
  RETURN NULL;
END $$""")
    op.execute("""
CREATE FUNCTION bump_data_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_generations SET generation = generation + 1 WHERE name = TG_ARGV[0];
  RETURN NULL;
END $$""")
    for table, columns in TIER_TABLES.items():
        op.execute(f"CREATE TRIGGER gen_{table}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_changed_tiers()")
        op.execute(f"CREATE TRIGGER gen_{table}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_changed_tiers()")
        op.execute(f"CREATE TRIGGER gen_{table}_update AFTER UPDATE OF {columns} ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION bump_moved_tier()")
    for table, (name, columns) in OTHER_TABLES.items():
        changed = f"UPDATE OF {columns}" if columns else "UPDATE"
        # Once per statement: a staff import of 300,000 rows bumps the counter once, not 300,000 times.
        op.execute(f"CREATE TRIGGER gen_{table}_change AFTER INSERT OR DELETE OR {changed} ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION bump_data_generation('{name}')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in (*TIER_TABLES, *OTHER_TABLES):
            for label in ("insert", "delete", "update", "change"):
                op.execute(f"DROP TRIGGER IF EXISTS gen_{table}_{label} ON {table}")
        for function in ("bump_changed_tiers", "bump_moved_tier", "bump_data_generation"):
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for table in (*TIER_TABLES, *OTHER_TABLES):
            for label in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS gen_{table}_{label}")
    op.drop_table('data_generations')
