"""data generations bumped once per transaction on PostgreSQL

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 15:00:00

Migration 0017's triggers bump a counter once per statement. A bulk write that sends one statement per row (psycopg's
executemany, an ORM flush of many changed rows: a staff import's new training tiers and changed people) updated the
same counter row once per row inside one transaction; every update of a row already updated in the transaction walks
the versions before it, so the time grew with the square of the rows (20,000 tier rows: 9.9 s; 300,000: over half
an hour, holding the counter's row lock, which every certificate and completion of the site waits for).

A counter only has to differ after the transaction commits, so each is now bumped the first time a transaction
changes what it counts and not again: the transaction notes the counters it bumped in transaction-local settings
(set_config(..., true): forgotten at commit or rollback, and undone with a rolled-back savepoint, like the update).
SQLite's row triggers update the row in place and were never quadratic: unchanged.
"""
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

BUMP_ONCE = """
CREATE FUNCTION bump_generations(wanted text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  this_transaction text := txid_current()::text;
  fresh text[];
BEGIN
  SELECT array_agg(DISTINCT name) INTO fresh FROM unnest(wanted) AS name
   WHERE name IS NOT NULL AND current_setting('elearn_generation.' || name, true) IS DISTINCT FROM this_transaction;
  IF fresh IS NULL THEN
    RETURN;
  END IF;
  UPDATE data_generations SET generation = generation + 1 WHERE name = ANY (fresh);
  PERFORM set_config('elearn_generation.' || name, this_transaction, true) FROM unnest(fresh) AS name;
END $$"""

ONCE = {
    "bump_changed_tiers": "PERFORM bump_generations(ARRAY(SELECT tier::text FROM changed_rows WHERE tier IS NOT NULL));",
    "bump_moved_tier": "PERFORM bump_generations(ARRAY['people', NEW.tier::text, OLD.tier::text]);",
    "bump_data_generation": "PERFORM bump_generations(ARRAY[TG_ARGV[0]]);",
}
EVERY_STATEMENT = {  # as migration 0017 made them
    "bump_changed_tiers": "UPDATE data_generations SET generation = generation + 1\n"
                          "   WHERE name IN (SELECT DISTINCT tier::text FROM changed_rows WHERE tier IS NOT NULL);",
    "bump_moved_tier": "UPDATE data_generations SET generation = generation + 1 "
                       "WHERE name IN ('people', NEW.tier::text, OLD.tier::text);",
    "bump_data_generation": "UPDATE data_generations SET generation = generation + 1 WHERE name = TG_ARGV[0];",
}


def _replace(bodies: dict[str, str]) -> None:
    for function, body in bodies.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN\n  {body}\n  RETURN NULL;\nEND $$")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BUMP_ONCE)
    _replace(ONCE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace(EVERY_STATEMENT)
    op.execute("DROP FUNCTION bump_generations(text[])")
