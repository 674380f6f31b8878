"""Completing a course outside the quiz's submit: the last lesson of a course without a quiz, or the review
that accepts a workshop. Passing the quiz completes the rest (services/learning/quiz.py)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from elearn import db
from elearn.clock import utcnow
from elearn.domain.completion import completion_fiscal_year, is_complete
from elearn.domain.notices import NoticeKind
from elearn.models import Completion, Course, User
from elearn.services import certificates, notices
from elearn.services.learning import content, lessons_read
from elearn.services.learning.quiz import has_completed_in, passed_attempt_id
from elearn.services.learning.workshop_records import is_accepted


def complete_if_done(user: User, course_id: int) -> bool:
    """Record the completion and issue its certificate when the course has every step done: lessons, the quiz
    (if it has one) and the workshop (if it has one). True when this call completed it."""
    course = db.session().get(Course, course_id)
    source = content.tree().course(course.slug) if course else None
    if source is None:
        return False
    if not is_complete([lesson.slug for lesson in source.lessons], lessons_read(user.id, course_id), quiz_passed=True):
        return False
    attempt_id = None
    if source.has_quiz:
        attempt_id = passed_attempt_id(user.id, course)
        if attempt_id is None:
            return False
    if source.workshop and not is_accepted(user.id, course_id):
        return False
    now = utcnow()
    year = completion_fiscal_year(now)
    try:
        with db.write_session() as session:
            if has_completed_in(session, user.id, course_id, year):
                return False
            version = session.get(Course, course_id).current_version
            completion = Completion(user_id=user.id, course_id=course_id, course_version_id=version.id,
                                    attempt_id=attempt_id, completed_at=now, fiscal_year=year, body_id=user.body_id,
                                    division_id=user.division_id, grade_id=user.grade_id)
            session.add(completion)
            session.flush()
            certificate = certificates.issue(session, completion, user, version, render_soon=True)
            notices.notify(session, user.id, NoticeKind.CERTIFICATE_ISSUED,
                           {"title": certificate.course_title, "number": certificate.serial})
    except IntegrityError:
        return False  # the same last step finished in another tab a moment earlier
    return True
