"""The configurable list of grades (職位)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elearn import db
from elearn.models import Grade, User
from elearn.services import audit


class GradeError(ValueError):
    pass


def all_grades() -> list[tuple[Grade, int]]:
    """Each grade with the number of staff holding it, in display order (one query)."""
    counts = (
        select(Grade, func.count(User.id))
        .outerjoin(User, User.grade_id == Grade.id)
        .group_by(Grade.id)
        .order_by(Grade.sort_order, Grade.id)
    )
    return [(grade, count) for grade, count in db.session().execute(counts)]


def add_grade(name: str, actor=None) -> Grade:  # type: ignore[no-untyped-def]
    name = name.strip()
    if not name:
        raise GradeError("a grade needs a name")
    try:
        with db.write_session() as session:
            last = session.scalar(select(func.max(Grade.sort_order))) or 0
            grade = Grade(name=name, sort_order=last + 1)
            session.add(grade)
            session.flush()
            audit.record(session, actor, "grade.add", name)
    except IntegrityError as error:
        raise GradeError(f"grade {name!r} exists already") from error
    return grade


def rename_grade(old: str, new: str, actor=None) -> None:  # type: ignore[no-untyped-def]
    """Staff keep their grade row, so a rename changes what every holder shows."""
    try:
        with db.write_session() as session:
            grade = session.scalars(select(Grade).where(Grade.name == old)).first()
            if grade is None:
                raise GradeError(f"no grade is called {old!r}")
            grade.name = new.strip()
            audit.record(session, actor, "grade.rename", old, new=grade.name)
    except IntegrityError as error:
        raise GradeError(f"grade {new!r} exists already") from error
