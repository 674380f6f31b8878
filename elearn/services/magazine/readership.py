"""Who read the magazine: readers per issue for the studio's list, readers per body for one issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from elearn import db
from elearn.domain.magazine import Audience, IssueStatus
from elearn.models import MagazineIssue, MagazineRead, OrgUnit, User
from elearn.services.people import orgs


def all_issues(now: datetime) -> list[tuple[MagazineIssue, IssueStatus, int]]:
    """Every issue, newest number first, with its status now and how many have read it (two queries)."""
    session = db.session()
    reads = dict(session.execute(select(MagazineRead.issue_id, func.count()).group_by(MagazineRead.issue_id)).all())
    issues = session.scalars(select(MagazineIssue).order_by(MagazineIssue.number.desc()))
    return [(issue, issue.status_at(now), reads.get(issue.id, 0)) for issue in issues]


@dataclass(frozen=True)
class BodyReadership:
    body: OrgUnit
    readers: int
    staff: int  # active staff of the body now

    @property
    def rate(self) -> float | None:
        return self.readers / self.staff if self.staff else None


def readership(issue: MagazineIssue) -> list[BodyReadership]:
    """Readers of an issue per body (the body they were in when they read it) against today's staff.
    Bodies outside the issue's audience are left out."""
    session = db.session()
    readers = dict(session.execute(select(MagazineRead.body_id, func.count())
                                   .where(MagazineRead.issue_id == issue.id).group_by(MagazineRead.body_id)).all())
    staff = dict(session.execute(select(User.body_id, func.count()).where(User.is_active.is_(True))
                                 .group_by(User.body_id)).all())
    bodies = [body for body in orgs.bodies()
              if issue.audience is Audience.SHARED or body.kind == "prefecture" or readers.get(body.id)]
    return [BodyReadership(body, readers.get(body.id, 0), staff.get(body.id, 0)) for body in bodies]
