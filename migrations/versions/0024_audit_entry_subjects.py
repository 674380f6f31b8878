"""audit entries keep the person their target names

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 20:00:00

The audit log's search by person matched each entry's target text ("user:<id> ...") against every person found,
which read all staff once per entry. The id is now kept in its own indexed column, filled from the target for the
entries already written.
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

BATCH = 5_000
# As elearn.domain.audit reads a target, kept here as it was when this migration was written.
USER_TARGET = re.compile(r"user:(\d+)(?: |$)")


def upgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_subject_user_id'), ['subject_user_id'], unique=False)
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        # The same pattern as USER_TARGET: "user:<digits>" then a space or the end.
        connection.execute(sa.text(
            "UPDATE audit_entries SET subject_user_id = CAST(substring(target FROM '^user:([0-9]+)(?: |$)') AS integer) "
            "WHERE target LIKE 'user:%'"))
        return
    rows = connection.execute(sa.text("SELECT id, target FROM audit_entries WHERE target LIKE 'user:%'")).all()
    found = [{"entry": entry_id, "person": int(match.group(1))} for entry_id, target in rows
             if (match := USER_TARGET.match(target))]
    for start in range(0, len(found), BATCH):
        connection.execute(sa.text("UPDATE audit_entries SET subject_user_id = :person WHERE id = :entry"),
                           found[start:start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_subject_user_id'))
        batch_op.drop_column('subject_user_id')
