"""history_imports: past training records read from a file, and completions without a course version

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 11:30:00
"""
from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('history_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('undone_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_history_imports_imported_by_id_users')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_history_imports_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history_imports'))
    )
    with op.batch_alter_table('history_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_imports_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_record', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history_import_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_line', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tier', sa.Enum('dx_manager', 'dx_specialist', 'digital_leader', 'all_staff', name='tier', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=True))
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
        batch_op.alter_column('course_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('course_version_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_completions_history_import_id'), ['history_import_id'], unique=False)
        batch_op.create_index('ix_completions_imported', ['tier', 'user_id'], unique=False,
                              sqlite_where=sa.text('history_import_id IS NOT NULL'),
                              postgresql_where=sa.text('history_import_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_completions_history_import_id_history_imports'), 'history_imports', ['history_import_id'], ['id'])



def downgrade() -> None:
    # Imported records have no course version and may name no course: they go with the table that
    # explains them (certificates asked for them first).
    op.execute("DELETE FROM certificate_pdfs WHERE certificate_id IN (SELECT id FROM certificates WHERE "
               "completion_id IN (SELECT id FROM completions WHERE history_import_id IS NOT NULL))")
    op.execute("DELETE FROM certificates WHERE completion_id IN "
               "(SELECT id FROM completions WHERE history_import_id IS NOT NULL)")
    op.execute("DELETE FROM completions WHERE history_import_id IS NOT NULL")
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_completions_history_import_id_history_imports'), type_='foreignkey')
        batch_op.drop_index('ix_completions_imported')
        batch_op.drop_index(batch_op.f('ix_completions_history_import_id'))
        batch_op.alter_column('course_version_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('course_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('completed_on')
        batch_op.drop_column('hours')
        batch_op.drop_column('tier')
        batch_op.drop_column('source_line')
        batch_op.drop_column('history_import_id')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('from_record')

    with op.batch_alter_table('history_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_imports_sha256'))

    op.drop_table('history_imports')
