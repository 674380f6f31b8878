"""training events: sessions, registrations, surveys, materials; organiser permission

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 12:00:00
"""
import warnings

from alembic import op
import sqlalchemy as sa
import elearn.models.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


PERMISSIONS = ('learner', 'manager', 'author', 'reporter', 'admin')
WITH_ORGANISER = ('learner', 'manager', 'author', 'reporter', 'organiser', 'admin')


def _permissions(allowed: tuple[str, ...]) -> None:
    """Replace role_grants' CHECK on permission. SQLite rebuilds the table, which drops the expression
    index it cannot reflect; it is created again."""
    check = "permission IN (" + ", ".join(f"'{value}'" for value in allowed) + ")"
    if op.get_bind().dialect.name == 'sqlite':
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', 'Skipped unsupported reflection', sa.exc.SAWarning)
            with op.batch_alter_table('role_grants', recreate='always') as batch_op:
                batch_op.drop_constraint(op.f('ck_role_grants_permission'), type_='check')
                batch_op.create_check_constraint(op.f('ck_role_grants_permission'), sa.text(check))
        op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_role_grants_scope "
                   "ON role_grants (user_id, permission, coalesce(org_unit_id, 0))")
    else:
        op.drop_constraint(op.f('ck_role_grants_permission'), 'role_grants', type_='check')
        op.create_check_constraint(op.f('ck_role_grants_permission'), 'role_grants', sa.text(check))


def upgrade() -> None:
    _permissions(WITH_ORGANISER)
    op.create_table('training_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('format', sa.Enum('seminar', 'workshop', name='eventformat', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('delivery', sa.Enum('in_person', 'online', 'hybrid', name='delivery', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target_tiers', sa.JSON(), nullable=False),
    sa.Column('target_grades', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('kpi_tier', sa.Enum('dx_manager', 'dx_specialist', 'digital_leader', 'all_staff', name='tier', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('survey_required', sa.Boolean(), nullable=False),
    sa.Column('survey_questions', sa.JSON(), nullable=False),
    sa.Column('owner_body_id', sa.Integer(), nullable=False),
    sa.Column('published_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_body_id'], ['org_units.id'], name=op.f('fk_training_events_owner_body_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_events')),
    sa.UniqueConstraint('code', name=op.f('uq_training_events_code'))
    )
    with op.batch_alter_table('training_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_events_owner_body_id'), ['owner_body_id'], unique=False)

    op.create_table('event_invitations',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_event_invitations_body_id_org_units')),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'], name=op.f('fk_event_invitations_event_id_training_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'body_id', name=op.f('pk_event_invitations'))
    )
    op.create_table('event_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'], name=op.f('fk_event_materials_event_id_training_events')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_event_materials_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_materials'))
    )
    with op.batch_alter_table('event_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_materials_event_id'), ['event_id'], unique=False)

    op.create_table('event_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('meeting_url', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registration_opens_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registration_closes_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancellation_deadline', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checkin_key', sa.String(length=64), nullable=False),
    sa.Column('cancelled_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'], name=op.f('fk_event_sessions_event_id_training_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_sessions'))
    )
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_sessions_event_id'), ['event_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waiting', 'nominated', 'declined', 'cancelled', name='registrationstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('queued_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registered_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('promoted_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=False),
    sa.Column('attendance', sa.Enum('attended', 'absent', 'left_early', name='attendance', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('attendance_marked_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_marked_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', elearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attendance_marked_by_id'], ['users.id'], name=op.f('fk_event_registrations_attendance_marked_by_id_users')),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['users.id'], name=op.f('fk_event_registrations_nominated_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_event_registrations_session_id_event_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_event_registrations_session_id_user_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_event_registrations_session_status', ['session_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('event_survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('submitted_at', elearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['org_units.id'], name=op.f('fk_event_survey_responses_body_id_org_units')),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'], name=op.f('fk_event_survey_responses_event_id_training_events')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_event_survey_responses_session_id_event_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_survey_responses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_survey_responses')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_survey_responses_event_id_user_id'))
    )
    with op.batch_alter_table('event_survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_survey_responses_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_completions_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_completions_user_event', ['user_id', 'event_id'], unique=True, sqlite_where=sa.text('event_id IS NOT NULL'), postgresql_where=sa.text('event_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_completions_event_id_training_events'), 'training_events', ['event_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_completions_event_session_id_event_sessions'), 'event_sessions', ['event_session_id'], ['id'])



def downgrade() -> None:
    op.execute("DELETE FROM role_grants WHERE permission = 'organiser'")
    _permissions(PERMISSIONS)
    # Event completions go with the events (and the certificates issued for them).
    op.execute("DELETE FROM certificate_pdfs WHERE certificate_id IN (SELECT id FROM certificates WHERE "
               "completion_id IN (SELECT id FROM completions WHERE event_id IS NOT NULL))")
    op.execute("DELETE FROM certificates WHERE completion_id IN (SELECT id FROM completions WHERE event_id IS NOT NULL)")
    op.execute("DELETE FROM completions WHERE event_id IS NOT NULL")
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_completions_event_session_id_event_sessions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_completions_event_id_training_events'), type_='foreignkey')
        batch_op.drop_index('uq_completions_user_event', sqlite_where=sa.text('event_id IS NOT NULL'), postgresql_where=sa.text('event_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_completions_event_id'))
        batch_op.drop_column('event_session_id')
        batch_op.drop_column('event_id')

    with op.batch_alter_table('event_survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_survey_responses_event_id'))

    op.drop_table('event_survey_responses')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_user_id'))
        batch_op.drop_index('ix_event_registrations_session_status')

    op.drop_table('event_registrations')
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_sessions_event_id'))

    op.drop_table('event_sessions')
    with op.batch_alter_table('event_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_materials_event_id'))

    op.drop_table('event_materials')
    op.drop_table('event_invitations')
    with op.batch_alter_table('training_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_events_owner_body_id'))

    op.drop_table('training_events')
