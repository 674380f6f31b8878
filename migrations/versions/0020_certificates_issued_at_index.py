"""certificates issued at indexes: the administrators' certificate list, newest first, of every year or of one,
reads one page by index

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 06:00:00
"""
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A few seconds on PostgreSQL for a prefecture's 1.5 million certificates.
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_issued_at', ['issued_at', 'id'], unique=False)
        batch_op.create_index('ix_certificates_year_issued_at', ['fiscal_year', 'issued_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_year_issued_at')
        batch_op.drop_index('ix_certificates_issued_at')
