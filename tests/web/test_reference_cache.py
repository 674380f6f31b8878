"""Reference data kept per process (elearn.services.learning.reference): a change made through the app is seen at
once; one made elsewhere (another server, a command) within REFERENCE_CACHE_SECONDS; and learner pages read it
without a query."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from elearn import db
from elearn.services.learning import deadlines, reference


def _course_id(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return reference.active_courses()["sample-course"]


def test_a_deadline_saved_here_is_seen_at_once_one_saved_elsewhere_after_the_cache_time(synced, make_app):
    course_id = _course_id(synced)
    with synced.app_context():
        assert reference.deadlines(2026) == {}
        deadlines.save(None, 2026, {course_id: date(2026, 12, 18)})  # through the app: forgotten at once
        assert reference.deadlines(2026) == {course_id: date(2026, 12, 18)}
        with db.write_session() as session:  # as another server would: straight into the database
            session.execute(text("UPDATE course_deadlines SET due_on = '2027-01-15'"))
        assert reference.deadlines(2026) == {course_id: date(2026, 12, 18)}  # within the cache time
    fresh = make_app(REFERENCE_CACHE_SECONDS=0)
    with fresh.app_context():
        assert reference.deadlines(2026) == {course_id: date(2027, 1, 15)}  # a cache time of 0 reads every time


def test_a_content_sync_here_forgets_the_courses_and_versions(synced):
    from elearn.services.learning import content

    course_id = _course_id(synced)
    with synced.app_context():
        version = reference.current_version(course_id)
        assert version is not None and version.quiz is not None
        with db.write_session() as session:
            session.execute(text("UPDATE courses SET is_active = false"))
        assert "sample-course" in reference.active_courses()  # cached
        reference.forget()
        assert reference.active_courses() == {}  # read again: the database says inactive
        content.sync(content.tree())  # the sync makes it active again, and forgets what was kept
        assert reference.active_courses() == {"sample-course": course_id}
        assert reference.current_version(course_id) == version
