"""Courses without a quiz: finishing the last lesson completes the course, as passing the quiz does others."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from elearn import db
from elearn.clock import utcnow
from elearn.domain.completion import completion_fiscal_year, is_complete
from elearn.domain.notices import NoticeKind
from elearn.models import Completion, Course, User
from elearn.services import certificates, notices
from elearn.services.learning import content, lessons_read
from elearn.services.learning.quiz import has_completed_in


def complete_if_done(user: User, course_id: int) -> bool:
    """Record the completion and issue its certificate when a course without a quiz has every lesson done;
    True when this call completed it."""
    course = db.session().get(Course, course_id)
    source = content.tree().course(course.slug) if course else None
    if source is None or source.has_quiz:
        return False
    if not is_complete([lesson.slug for lesson in source.lessons], lessons_read(user.id, course_id), quiz_passed=True):
        return False
    now = utcnow()
    year = completion_fiscal_year(now)
    try:
        with db.write_session() as session:
            if has_completed_in(session, user.id, course_id, year):
                return False
            version = session.get(Course, course_id).current_version
            completion = Completion(user_id=user.id, course_id=course_id, course_version_id=version.id,
                                    completed_at=now, fiscal_year=year, body_id=user.body_id,
                                    division_id=user.division_id, grade_id=user.grade_id)
            session.add(completion)
            session.flush()
            certificate = certificates.issue(session, completion, user, version)
            notices.notify(session, user.id, NoticeKind.CERTIFICATE_ISSUED,
                           {"title": certificate.course_title, "number": certificate.serial})
    except IntegrityError:
        return False  # the same last lesson finished in another tab a moment earlier
    return True
