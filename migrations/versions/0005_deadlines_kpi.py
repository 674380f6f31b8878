"""course deadlines; KPI rule and targets; certificates indexed by tier and person

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:22:47.839406
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_deadlines_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_deadlines')),
    sa.UniqueConstraint('course_id', 'fiscal_year', name=op.f('uq_course_deadlines_course_id_fiscal_year'))
    )
    with op.batch_alter_table('course_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_deadlines_fiscal_year'), ['fiscal_year'], unique=False)

    op.create_table('kpi_targets',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_kpi_targets_body_id_org_units')),
    sa.PrimaryKeyConstraint('body_id', 'fiscal_year', name=op.f('pk_kpi_targets'))
    )
    op.create_table('kpi_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('since_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('people', 'completions', name='countunit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('municipal_staff_count_for_prefecture', sa.Boolean(), nullable=False),
    sa.Column('updated_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_kpi_rule_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_rule'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_tier_user', ['tier', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_tier_user')
    op.drop_table('kpi_rule')
    op.drop_table('kpi_targets')
    with op.batch_alter_table('course_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_deadlines_fiscal_year'))

    op.drop_table('course_deadlines')
