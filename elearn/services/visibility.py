"""The access policy: which staff, units and bodies a viewer may see, and whether they may open one
certificate, staff page, team archive, profile or inbox item. Every page, download, export and command
that shows people or a body's figures asks here; the rules themselves are `domain/access.py`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, select, true
from sqlalchemy.orm import aliased

from elearn import db
from elearn.domain import access
from elearn.domain.access import COMMAND_LINE, Grant, Viewer  # noqa: F401 (the policy's vocabulary)
from elearn.models import Certificate, InboxItem, OrgUnit, TrainingEvent, User, WorkshopSubmission
from elearn.services import magazine
from elearn.services.people import orgs


def viewer_of(user: User) -> Viewer:
    """No query: grants are loaded with the user."""
    return access.viewer_from(user.id, user.body_id,
                              (Grant(grant.permission, grant.org_unit_id) for grant in user.grants))


def subtree_ids(root_ids: Iterable[int]) -> Select:
    """SELECT of the ids of the given units and everything below them (recursive CTE)."""
    tree = (
        select(OrgUnit.id.label("id"), literal(0).label("depth"))
        .where(OrgUnit.id.in_(list(root_ids)))
        .cte("subtree", recursive=True)
    )
    child = aliased(OrgUnit)
    tree = tree.union_all(select(child.id, tree.c.depth + 1).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def managed_unit_ids(viewer: Viewer) -> list[int]:
    """The units a manager's grants cover, with everything below them: read once per request and handed to
    the database as a list. Given the recursive query itself, PostgreSQL guesses some thirty times too many
    units, so too many people, and scans every completion and certificate; with the list it reads the team's
    rows by index (a 5,000-person department among 300,000 staff: its certificate count 357 to 14 ms)."""
    roots = frozenset(viewer.managed_unit_ids)
    if not has_request_context():
        return subtree_list(roots)
    known = g.setdefault("managed_unit_ids", {})
    if roots not in known:
        known[roots] = subtree_list(roots)
    return known[roots]


def subtree_list(root_ids: Iterable[int]) -> list[int]:
    """The ids of subtree_ids, read now: a list the planner can weigh, where the recursive query misleads it."""
    return list(db.session().scalars(subtree_ids(root_ids)))


# --- staff and units -------------------------------------------------------------------------------------------


def unit_condition(viewer: Viewer) -> ColumnElement[bool]:
    """On OrgUnit: the units whose people the viewer sees (a manager's subtrees; every unit for admins)."""
    if access.sees_every_staff_member(viewer):
        return true()
    if not viewer.managed_unit_ids:
        return false()
    return OrgUnit.id.in_(managed_unit_ids(viewer))


def staff_condition(viewer: Viewer, include_leavers: bool = False) -> ColumnElement[bool]:
    """On User: the staff the viewer sees. Leavers only for those who may see them, and only if asked."""
    if access.sees_every_staff_member(viewer):
        scope: ColumnElement[bool] = true()
    elif viewer.managed_unit_ids:
        scope = User.division_id.in_(managed_unit_ids(viewer))
    else:
        return false()
    if include_leavers and access.sees_leavers(viewer):
        return scope
    return and_(scope, User.is_active.is_(True))


def staff_query(viewer: Viewer, include_leavers: bool = False) -> Select:
    return select(User).where(staff_condition(viewer, include_leavers))


def staff_ids(viewer: Viewer, include_leavers: bool = False) -> Select:
    return select(User.id).where(staff_condition(viewer, include_leavers))


def records_condition(viewer: Viewer, person_column: ColumnElement[int],
                      include_leavers: bool = False) -> ColumnElement[bool]:
    """On any table with a person column (certificates, completions): the rows of people the viewer sees."""
    if access.sees_every_staff_member(viewer) and include_leavers and access.sees_leavers(viewer):
        return true()  # no subquery over every member of staff
    return person_column.in_(staff_ids(viewer, include_leavers))


def is_on_team(viewer: Viewer, staff_id: int) -> bool:
    """The person is among the staff the viewer sees (leavers count for those who see leavers)."""
    return db.session().scalar(
        staff_ids(viewer, include_leavers=True).where(User.id == staff_id).limit(1)) is not None


def may_open_staff_page(viewer: Viewer, staff_id: int) -> bool:
    return access.may_open_staff_page(viewer, is_on_team(viewer, staff_id))


def may_download_certificate(viewer: Viewer, certificate: Certificate) -> bool:
    holder = certificate.user_id
    on_team = viewer.user_id != holder and (viewer.is_admin or viewer.is_manager) and is_on_team(viewer, holder)
    return access.may_download_certificate(viewer, holder, on_team)


# Page-level rules, for @permitted(...) on views.
may_administer = access.may_administer
may_author_magazine = access.may_author_magazine
may_manage_media = access.may_manage_media
may_see_quiz_statistics = access.may_see_quiz_statistics
may_see_team = access.may_see_team
may_read_kpi = access.may_read_kpi


# --- bodies ----------------------------------------------------------------------------------------------------


def bodies(viewer: Viewer) -> list[OrgUnit]:
    """Bodies whose figures the viewer may read: the prefecture first, then municipalities by code."""
    every = orgs.bodies()
    allowed = set(access.visible_body_ids(viewer, ((body.id, body.kind) for body in every)))
    return [body for body in every if body.id in allowed]


# --- the magazine's people and inbox ---------------------------------------------------------------------------


def profile(viewer: Viewer, person_id: int, now: datetime) -> User | None:
    """The person whose magazine profile the viewer may open, else None (the view answers 404, so ids
    of people one may not see cannot be told from ids of nobody)."""
    person = db.session().get(User, person_id)
    if person is None:
        return None
    plainly_visible = access.may_see_profile(viewer, person.id, person.body_id, person.is_active, False)
    if plainly_visible:
        return person
    credited = person.is_active and magazine.is_credited(person.id, viewer.body_id, now)
    return person if access.may_see_profile(viewer, person.id, person.body_id, person.is_active, credited) else None


def may_open_inbox_item(viewer: Viewer, item: InboxItem) -> bool:
    return access.may_open_inbox_item(viewer, item.sender_id)



# --- training events ------------------------------------------------------------------------------------------


def may_organise(viewer: Viewer) -> bool:
    return access.may_organise(viewer)


def may_run_event(viewer: Viewer, event: TrainingEvent) -> bool:
    return access.may_run_event(viewer, event.owner_body_id)


def may_run_events_of(viewer: Viewer, body_id: int) -> bool:
    """Create events owned by this body."""
    return access.may_run_event(viewer, body_id)


def may_see_event(viewer: Viewer, event: TrainingEvent) -> bool:
    return access.may_see_event(viewer, event.invited_body_ids, event.published_at is not None, event.owner_body_id)


def may_nominate(viewer: Viewer, event: TrainingEvent, person: User) -> bool:
    on_team = viewer.is_manager and is_on_team(viewer, person.id)
    return person.is_active and access.may_nominate(viewer, event.owner_body_id, person.body_id,
                                                    event.invited_body_ids, on_team)


def may_announce(viewer: Viewer) -> bool:
    return access.may_announce(viewer)


def may_announce_to(viewer: Viewer, body_id: int) -> bool:
    return access.may_announce_to(viewer, body_id)


def may_read_mail_log(viewer: Viewer) -> bool:
    return access.may_read_mail_log(viewer)


def organised_body_condition(viewer: Viewer, body_column: ColumnElement[int]) -> ColumnElement[bool]:
    """On any table with an owner body: the events the viewer runs."""
    if viewer.is_admin:
        return true()
    if not viewer.organised_body_ids:
        return false()
    return body_column.in_(sorted(viewer.organised_body_ids))


# --- workshop assignments ---------------------------------------------------------------------------------------

may_review_workshops = access.may_review_workshops


def may_review_submission(viewer: Viewer, submission: WorkshopSubmission) -> bool:
    return access.may_review_submission(viewer, submission.user_id, submission.user.body_id,
                                        _author_on_team(viewer, submission))


def may_read_submission(viewer: Viewer, submission: WorkshopSubmission) -> bool:
    return access.may_read_submission(viewer, submission.user_id, submission.user.body_id,
                                      _author_on_team(viewer, submission))


def _author_on_team(viewer: Viewer, submission: WorkshopSubmission) -> bool:
    author = submission.user_id
    return viewer.user_id != author and viewer.is_manager and is_on_team(viewer, author)


def reviewable_condition(viewer: Viewer) -> ColumnElement[bool]:
    """On WorkshopSubmission joined to its author (User): the submissions the viewer may review."""
    not_own = WorkshopSubmission.user_id != (viewer.user_id or 0)
    if viewer.is_admin:
        return not_own
    scopes: list[ColumnElement[bool]] = []
    if viewer.managed_unit_ids:
        scopes.append(staff_condition(viewer))
    if viewer.organised_body_ids:
        scopes.append(and_(User.body_id.in_(sorted(viewer.organised_body_ids)), User.is_active.is_(True)))
    if not scopes:
        return false()
    return and_(not_own, or_(*scopes))
