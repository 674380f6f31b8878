"""import runs: large staff and past-training files applied by the worker

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('upload_id', sa.String(length=64), nullable=False),
    sa.Column('deactivate_missing', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'rejected', 'failed', name='importrunstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_import_runs_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )


def downgrade() -> None:
    op.drop_table('import_runs')
