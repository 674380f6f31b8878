"""Course deadlines per fiscal year, set by admins."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from elearn import db
from elearn.models import CourseDeadline, User
from elearn.services import audit
from elearn.services.learning import reference


def for_year(fiscal_year: int) -> dict[int, date]:
    """Course id -> deadline."""
    return dict(db.session().execute(select(CourseDeadline.course_id, CourseDeadline.due_on)
                                     .where(CourseDeadline.fiscal_year == fiscal_year)).all())


def save(actor: User | None, fiscal_year: int, wanted: dict[int, date | None]) -> list[str]:
    """Set (or, with None, clear) the deadlines of the given courses in one transaction; returns the
    changes made, for the audit log and the confirmation message."""
    changes: list[str] = []
    with db.write_session() as session:
        existing = {row.course_id: row for row in session.scalars(
            select(CourseDeadline).where(CourseDeadline.fiscal_year == fiscal_year,
                                         CourseDeadline.course_id.in_(list(wanted))))}
        for course_id, due_on in wanted.items():
            row = existing.get(course_id)
            if due_on is None and row is not None:
                session.execute(delete(CourseDeadline).where(CourseDeadline.id == row.id))
                changes.append(f"course:{course_id} FY{fiscal_year} -")
            elif due_on is not None and row is None:
                session.add(CourseDeadline(course_id=course_id, fiscal_year=fiscal_year, due_on=due_on))
                changes.append(f"course:{course_id} FY{fiscal_year} {due_on.isoformat()}")
            elif due_on is not None and row is not None and row.due_on != due_on:
                row.due_on = due_on
                changes.append(f"course:{course_id} FY{fiscal_year} {due_on.isoformat()}")
        if changes:
            # The changes go in the details: a year's worth of courses is longer than an audit target may be.
            audit.record(session, actor, "deadlines.save", f"FY{fiscal_year}", changes=changes)
    reference.forget()
    return changes
