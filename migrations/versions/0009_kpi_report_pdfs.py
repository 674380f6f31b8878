"""kpi_report_pdfs: KPI report PDFs printed once per report content and served again from here

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 07:30:00
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_report_pdfs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_key', sa.String(length=64), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_kpi_report_pdfs_body_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_report_pdfs')),
    sa.UniqueConstraint('content_key', name=op.f('uq_kpi_report_pdfs_content_key'))
    )
    with op.batch_alter_table('kpi_report_pdfs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_report_pdfs_body_id'), ['body_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_report_pdfs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_report_pdfs_body_id'))

    op.drop_table('kpi_report_pdfs')
