"""event materials in the file store

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New materials go to the file store (elearn.storage) and name it here; earlier ones keep their bytes.
    with op.batch_alter_table('event_materials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('storage_key', sa.String(length=200), nullable=True))
        batch_op.alter_column('content', existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    # Materials kept only in the store cannot go back into the row: refuse rather than lose them.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM event_materials WHERE content IS NULL")).scalar():
        raise RuntimeError("event materials are kept in the file store: copy them into the database first")
    with op.batch_alter_table('event_materials', schema=None) as batch_op:
        batch_op.alter_column('content', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('storage_key')
