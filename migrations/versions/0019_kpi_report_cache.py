"""kpi report cache: worked-out KPI reports shared by every server

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 02:20:00
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kpi_report_cache',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('computed_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_kpi_report_cache')),
    )
    with op.batch_alter_table('kpi_report_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_report_cache_computed_at'), ['computed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_report_cache', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_report_cache_computed_at'))
    op.drop_table('kpi_report_cache')
