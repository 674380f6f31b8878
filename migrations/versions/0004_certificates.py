"""certificates; where completions were earned

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:23:41.238886
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_counters',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('dx_manager', 'dx_specialist', 'digital_leader', 'all_staff', name='tier', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last_sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_certificate_counters_body_id_org_units')),
    sa.PrimaryKeyConstraint('body_id', 'fiscal_year', 'tier', name=op.f('pk_certificate_counters'))
    )
    op.create_table('certificate_seals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_certificate_seals_body_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_seals'))
    )
    with op.batch_alter_table('certificate_seals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_seals_body_id'), ['body_id'], unique=False)

    op.create_table('certificate_issuers',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_certificate_issuers_body_id_org_units')),
    sa.ForeignKeyConstraint(['seal_id'], ['certificate_seals.id'], name=op.f('fk_certificate_issuers_seal_id_certificate_seals')),
    sa.PrimaryKeyConstraint('body_id', name=op.f('pk_certificate_issuers'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=20), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('dx_manager', 'dx_specialist', 'digital_leader', 'all_staff', name='tier', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('holder_name', sa.String(length=100), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('body_name', sa.String(length=200), nullable=False),
    sa.Column('issuer_title', sa.String(length=100), nullable=False),
    sa.Column('issuer_name', sa.String(length=100), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=500), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_certificates_body_id_org_units')),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_certificates_completion_id_completions')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['seal_id'], ['certificate_seals.id'], name=op.f('fk_certificates_seal_id_certificate_seals')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('body_id', 'serial', name=op.f('uq_certificates_body_id_serial')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificates_verification_code'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_completion_id'), ['completion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_fiscal_year'), ['fiscal_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_certificates_current', ['completion_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('certificate_pdfs',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('template_key', sa.String(length=64), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_pdfs_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_pdfs'))
    )
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('division_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('grade_id', sa.Integer(), nullable=True))
    # Completions made before this revision take the person's current place: the best there is.
    op.execute("""
        UPDATE completions SET
            body_id = (SELECT users.body_id FROM users WHERE users.id = completions.user_id),
            division_id = (SELECT users.division_id FROM users WHERE users.id = completions.user_id),
            grade_id = (SELECT users.grade_id FROM users WHERE users.id = completions.user_id)
    """)
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.alter_column('body_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('division_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_completions_body_id'), ['body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_completions_body_id_org_units'), 'org_units', ['body_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_completions_division_id_org_units'), 'org_units', ['division_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_completions_grade_id_grades'), 'grades', ['grade_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_completions_grade_id_grades'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_completions_division_id_org_units'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_completions_body_id_org_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_completions_body_id'))
        batch_op.drop_column('grade_id')
        batch_op.drop_column('division_id')
        batch_op.drop_column('body_id')

    op.drop_table('certificate_pdfs')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_current', sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_fiscal_year'))
        batch_op.drop_index(batch_op.f('ix_certificates_completion_id'))

    op.drop_table('certificates')
    op.drop_table('certificate_issuers')
    with op.batch_alter_table('certificate_seals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_seals_body_id'))

    op.drop_table('certificate_seals')
    op.drop_table('certificate_counters')
