"""notices of a finished background import

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 18:00:00

Notices gain a kind (a background import has ended: to the administrator who started it) and a topic its channel is
chosen under; the CHECK constraints of the tables that store a kind or a topic list them.
"""
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

EARLIER_KINDS = ('course_reminder', 'overdue', 'team_digest', 'event_registered', 'event_waiting', 'event_promoted',
                 'event_nominated', 'event_tomorrow', 'event_attended', 'event_survey', 'magazine_issue',
                 'inbox_reply', 'idea_adopted', 'certificate_issued', 'announcement', 'workshop_submitted',
                 'workshop_reviewed')
KINDS = EARLIER_KINDS + ('import_finished',)
EARLIER_TOPICS = ('courses', 'overdue', 'events', 'certificates', 'inbox', 'announcements', 'magazine', 'digest')
TOPICS = EARLIER_TOPICS + ('imports',)


def _allow(kinds: tuple[str, ...], topics: tuple[str, ...]) -> None:
    for table, constraint, column, values in (("notices", "noticekind", "kind", kinds),
                                              ("outbox_messages", "noticekind", "kind", kinds),
                                              ("notice_choices", "topic", "topic", topics)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{constraint}"), type_="check")
            batch_op.create_check_constraint(constraint, f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")")


def upgrade() -> None:
    _allow(KINDS, TOPICS)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_messages WHERE kind = 'import_finished'")
    op.execute("DELETE FROM notices WHERE kind = 'import_finished'")
    op.execute("DELETE FROM notice_choices WHERE topic = 'imports'")
    _allow(EARLIER_KINDS, EARLIER_TOPICS)
