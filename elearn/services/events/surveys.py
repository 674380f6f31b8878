"""The survey after a training event (受講後アンケート): 5-point questions and free text, answered once by
those who attended; results per event or session for its organisers, never with names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from elearn import db
from elearn.domain.events import Attendance
from elearn.models import EventSession, OrgUnit, Registration, SurveyResponse, TrainingEvent, User
from elearn.services import audit, visibility
from elearn.services.events import attendance
from elearn.services.visibility import Viewer

TEXT_MAX = 2000


class SurveyRefused(Exception):
    pass


def answered(event_id: int, user_id: int) -> bool:
    return attendance.survey_answered(db.session(), event_id, user_id)


def _attended_registration(session, event_id: int, user_id: int) -> Registration | None:  # type: ignore[no-untyped-def]
    return session.scalar(select(Registration).join(EventSession).where(
        EventSession.event_id == event_id, Registration.user_id == user_id,
        Registration.attendance == Attendance.ATTENDED))


def may_answer(event_id: int, user_id: int) -> bool:
    return _attended_registration(db.session(), event_id, user_id) is not None and not answered(event_id, user_id)


def read_answers(questions: list[dict], form: Mapping[str, str]) -> tuple[list, dict[int, str]]:
    """Answers from the posted form, or the questions left unanswered (by index): every 5-point question
    must be answered 1-5; free text may stay empty."""
    answers: list = []
    errors: dict[int, str] = {}
    for index, question in enumerate(questions):
        value = (form.get(f"q{index}") or "").strip()
        if question["kind"] == "scale":
            if value not in {"1", "2", "3", "4", "5"}:
                errors[index] = "scale"
                answers.append(None)
            else:
                answers.append(int(value))
        else:
            answers.append(value[:TEXT_MAX])
    return answers, errors


def submit(user: User, event_id: int, answers: list, now: datetime) -> None:
    """Store the answers once; where the survey is part of completing, the event is completed now."""
    with db.write_session() as session:
        registration = _attended_registration(session, event_id, user.id)
        if registration is None:
            raise SurveyRefused("not_attended")
        if attendance.survey_answered(session, event_id, user.id):
            return
        person = session.get(User, user.id)
        session.add(SurveyResponse(event_id=event_id, session_id=registration.session_id, user_id=user.id,
                                   body_id=person.body_id, answers=answers, submitted_at=now))
        session.flush()
        attendance.settle(session, session.get(EventSession, registration.session_id), registration, now)
        audit.record(session, user, "event.survey", session.get(TrainingEvent, event_id).code)


@dataclass(frozen=True)
class QuestionResult:
    text: str
    kind: str
    counts: list[int]  # answers 1..5 (scale)
    answered: int
    mean: float | None
    texts: list[str]  # free-text answers, without names, in the order given


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    questions: list[QuestionResult]
    by_body: dict[str, int]  # responses per body


def results(viewer: Viewer, event: TrainingEvent, session_id: int | None = None) -> SurveyResults:
    """For the event's organisers only; free text never carries a name."""
    if not visibility.may_run_event(viewer, event):
        raise SurveyRefused("not_organiser")
    query = select(SurveyResponse.answers, OrgUnit.name).join(OrgUnit, OrgUnit.id == SurveyResponse.body_id) \
        .where(SurveyResponse.event_id == event.id).order_by(SurveyResponse.id)
    if session_id is not None:
        query = query.where(SurveyResponse.session_id == session_id)
    rows = db.session().execute(query).all()
    by_body: dict[str, int] = {}
    for _answers, body in rows:
        by_body[body] = by_body.get(body, 0) + 1
    questions = []
    for index, question in enumerate(event.survey_questions):
        values = [answers[index] for answers, _body in rows if index < len(answers) and answers[index] not in
                  (None, "")]
        if question["kind"] == "scale":
            counts = [sum(1 for value in values if value == point) for point in range(1, 6)]
            mean = sum(values) / len(values) if values else None
            questions.append(QuestionResult(question["text"], "scale", counts, len(values), mean, []))
        else:
            questions.append(QuestionResult(question["text"], "text", [], len(values), None, list(values)))
    return SurveyResults(len(rows), questions, by_body)
