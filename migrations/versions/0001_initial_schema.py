"""initial schema: organisations, staff, permissions, security

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 10:54:33.136729
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grades')),
    sa.UniqueConstraint('name', name=op.f('uq_grades_name'))
    )
    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('prefecture', 'municipality', 'department', 'division', name='orgkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('code', name=op.f('uq_org_units_code'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('sign_in_failures',
    sa.Column('account_key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('account_key', name=op.f('pk_sign_in_failures'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('staff_number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kana', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('password_expires_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('last_sign_in_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_users_body_id_org_units')),
    sa.ForeignKeyConstraint(['division_id'], ['org_units.id'], name=op.f('fk_users_division_id_org_units')),
    sa.ForeignKeyConstraint(['grade_id'], ['grades.id'], name=op.f('fk_users_grade_id_grades')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('body_id', 'staff_number', name=op.f('uq_users_body_id_staff_number')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_division_id'), ['division_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('permission', sa.Enum('learner', 'manager', 'author', 'reporter', 'admin', name='permission', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_role_grants_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants'))
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grants_user_id'), ['user_id'], unique=False)
    # Unscoped grants have a NULL unit; count it as 0 so they are unique too.
    op.create_index('uq_role_grants_scope', 'role_grants',
                    ['user_id', 'permission', sa.text('coalesce(org_unit_id, 0)')], unique=True)

    op.create_table('staff_tiers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('dx_manager', 'dx_specialist', 'digital_leader', 'all_staff', name='tier', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_tiers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'tier', name=op.f('pk_staff_tiers'))
    )


def downgrade() -> None:
    op.drop_table('staff_tiers')
    op.drop_index('uq_role_grants_scope', table_name='role_grants')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grants_user_id'))

    op.drop_table('role_grants')
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_user_id'))

    op.drop_table('password_reset_tokens')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_division_id'))
        batch_op.drop_index(batch_op.f('ix_users_body_id'))

    op.drop_table('users')
    op.drop_table('sign_in_failures')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))

    op.drop_table('org_units')
    op.drop_table('grades')
