"""one completion per person, course and fiscal year, whatever the course version

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 04:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Before this rule a raised course version let a learner complete a course twice in one fiscal
    # year (two certificates). Such rows are not deleted here: each carries a certificate, and which
    # one to keep is a decision for an administrator. Refuse, naming them, so nothing is lost.
    duplicates = op.get_bind().execute(sa.text(
        "SELECT user_id, course_id, fiscal_year, count(*) FROM completions "
        "GROUP BY user_id, course_id, fiscal_year HAVING count(*) > 1 ORDER BY user_id, course_id, fiscal_year"
    )).all()
    if duplicates:
        listed = "; ".join(f"user {u}, course {c}, fiscal year {y}: {n} completions" for u, c, y, n in duplicates)
        raise RuntimeError(
            "completions: more than one completion per person, course and fiscal year "
            f"({listed}). Revoke and remove the extra completions and their certificates, then upgrade again."
        )
    op.create_index('uq_completions_user_course_year', 'completions', ['user_id', 'course_id', 'fiscal_year'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_completions_user_course_year', table_name='completions')
