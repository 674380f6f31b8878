"""default grades (職位): the list every body starts with; edit it with `elearn grades`

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy: a migration must not change when elearn.domain.people.DEFAULT_GRADES does.
DEFAULT_GRADES = ("部長級", "課長級", "課長補佐級", "係長・主査級", "主任・主事級", "新規採用")

grades = sa.table("grades", sa.column("name", sa.String), sa.column("sort_order", sa.Integer))


def upgrade() -> None:
    existing = {row[0] for row in op.get_bind().execute(sa.select(grades.c.name))}
    rows = [{"name": name, "sort_order": position} for position, name in enumerate(DEFAULT_GRADES)
            if name not in existing]
    if rows:
        op.bulk_insert(grades, rows)


def downgrade() -> None:
    pass  # grades may be in use by staff rows; leave them
