"""A person's training history: every completion (e-learning, training events, past-training files), with
its certificate if one was issued and, for an imported record, the file and line it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.certificates import CertificateState
from elearn.domain.events import training_mode
from elearn.domain.kpi import TrainingMode
from elearn.domain.people import Tier
from elearn.models import Certificate, Completion, Course, CourseVersion, HistoryImport, TrainingEvent, User


@dataclass(frozen=True)
class TrainingRecord:
    completion_id: int
    title: str
    completed_on: date
    fiscal_year: int
    tier: Tier | None  # the certificate's tier, or the imported record's
    hours: Decimal | None
    mode: TrainingMode
    certificate_id: int | None
    certificate_serial: str | None
    certificate_state: CertificateState | None
    source_file: str | None  # imported: the file, its line, who imported it and when
    source_line: int | None
    imported_by: str | None
    imported_at: datetime | None

    @property
    def is_imported(self) -> bool:
        return self.mode is TrainingMode.IMPORTED


def of_person(user_id: int) -> list[TrainingRecord]:
    """Newest first; three queries whatever the history's length."""
    session = db.session()
    importer = aliased(User)
    rows = session.execute(
        select(Completion, Course.slug, func.coalesce(CourseVersion.title, TrainingEvent.title), HistoryImport.filename,
               HistoryImport.imported_at, importer.name, TrainingEvent.format, TrainingEvent.delivery)
        .outerjoin(Course, Course.id == Completion.course_id)
        .outerjoin(TrainingEvent, TrainingEvent.id == Completion.event_id)
        .outerjoin(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .outerjoin(HistoryImport, HistoryImport.id == Completion.history_import_id)
        .outerjoin(importer, importer.id == HistoryImport.imported_by_id)
        .where(Completion.user_id == user_id)
        .order_by(Completion.completed_at.desc(), Completion.id.desc())).all()
    ids = [row[0].id for row in rows]
    certificates = {certificate.completion_id: certificate for certificate in session.scalars(
        select(Certificate).where(Certificate.completion_id.in_(ids), Certificate.superseded_at.is_(None)))} \
        if ids else {}
    latest_titles = _latest_titles({row[0].course_id for row in rows if row[2] is None and row[0].course_id})
    records = []
    for completion, slug, version_title, filename, imported_at, imported_by, event_format, delivery in rows:
        certificate = certificates.get(completion.id)
        imported = completion.history_import_id is not None
        records.append(TrainingRecord(
            completion_id=completion.id,
            title=version_title or latest_titles.get(completion.course_id or 0) or slug or "",
            completed_on=completion.completed_on or completion.completed_at.astimezone(TOKYO).date(),
            fiscal_year=completion.fiscal_year,
            tier=certificate.tier if certificate else completion.tier,
            hours=completion.hours,
            mode=(TrainingMode.IMPORTED if imported else training_mode(event_format, delivery) if event_format
                  else TrainingMode.ELEARNING),
            certificate_id=certificate.id if certificate else None,
            certificate_serial=certificate.serial if certificate else None,
            certificate_state=certificate.state if certificate else None,
            source_file=filename, source_line=completion.source_line,
            imported_by=imported_by if imported else None, imported_at=imported_at,
        ))
    return records


def _latest_titles(course_ids: set[int]) -> dict[int, str]:
    if not course_ids:
        return {}
    titles: dict[int, str] = {}
    for course_id, title in db.session().execute(
            select(CourseVersion.course_id, CourseVersion.title).where(CourseVersion.course_id.in_(course_ids))
            .order_by(CourseVersion.course_id, CourseVersion.version)):
        titles[course_id] = title  # the highest version comes last
    return titles
