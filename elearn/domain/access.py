"""Who may see whom: the access rules over plain data. `services/visibility.py` turns them into queries.

The rules, in one place:
- An administrator (and the command line, which acts as one) sees every person, unit and body,
  leavers included.
- A manager sees the current staff of the units they manage and of every unit below them; a person who
  left (deactivated) or moved out of those units is no longer on their team.
- A reporter sees the figures of the body they report for; the prefecture's reporter sees every body.
- Everyone sees themselves and their own certificates.
- A magazine profile shows a current member of staff to colleagues of the same body, to authors, and to
  readers of an issue that credits them; leavers have no profile.
- The inbox is the authors': they open every item; a sender sees their own.
- A training organiser runs the events of their body: creates them, reads their rosters, attendance and
  surveys, and nominates staff of the bodies an event is open to. An event's rosters and surveys are its
  owner body's organisers' (and administrators'); no other body's organiser sees them.
- Staff see the published events their body is invited to; a manager nominates only people of their team.
- A workshop submission is its author's and its reviewers': the author's managers (their team), their body's
  training office (organisers) and administrators. Nobody reviews their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from elearn.domain.people import OrgKind, Permission


@dataclass(frozen=True)
class Grant:
    permission: Permission
    unit_id: int | None


@dataclass(frozen=True)
class Viewer:
    """The person asking, reduced to what access depends on."""

    user_id: int | None  # None: the command line
    body_id: int | None
    is_admin: bool = False
    is_author: bool = False
    managed_unit_ids: frozenset[int] = field(default_factory=frozenset)
    reported_body_ids: frozenset[int] = field(default_factory=frozenset)
    organised_body_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_unit_ids)

    @property
    def is_reporter(self) -> bool:
        return bool(self.reported_body_ids)


COMMAND_LINE = Viewer(user_id=None, body_id=None, is_admin=True)


def viewer_from(user_id: int, body_id: int, grants: Iterable[Grant]) -> Viewer:
    grants = list(grants)
    return Viewer(
        user_id=user_id,
        body_id=body_id,
        is_admin=any(g.permission == Permission.ADMIN for g in grants),
        is_author=any(g.permission == Permission.AUTHOR for g in grants),
        managed_unit_ids=frozenset(g.unit_id for g in grants if g.permission == Permission.MANAGER and g.unit_id),
        reported_body_ids=frozenset(g.unit_id for g in grants if g.permission == Permission.REPORTER and g.unit_id),
        organised_body_ids=frozenset(g.unit_id for g in grants
                                     if g.permission == Permission.ORGANISER and g.unit_id),
    )


def sees_every_staff_member(viewer: Viewer) -> bool:
    return viewer.is_admin


def sees_leavers(viewer: Viewer) -> bool:
    """Leavers stay on the administrators' lists (to reactivate or read their history), off every team."""
    return viewer.is_admin


def visible_body_ids(viewer: Viewer, bodies: Iterable[tuple[int, OrgKind]]) -> list[int]:
    """Bodies whose figures the viewer may read, in the order given."""
    bodies = list(bodies)
    if viewer.is_admin:
        return [body_id for body_id, _ in bodies]
    if any(kind == OrgKind.PREFECTURE and body_id in viewer.reported_body_ids for body_id, kind in bodies):
        return [body_id for body_id, _ in bodies]
    return [body_id for body_id, _ in bodies if body_id in viewer.reported_body_ids]


def may_administer(viewer: Viewer) -> bool:
    """Administration: staff, grants, imports, certificates, signers, KPI rule and targets, deadlines."""
    return viewer.is_admin


def may_author_magazine(viewer: Viewer) -> bool:
    """The magazine's studio and inbox; drafts and previews; anonymous senders' names."""
    return viewer.is_author


def may_manage_media(viewer: Viewer) -> bool:
    """The video library: uploading lesson videos and seeing every upload's state (authors and administrators)."""
    return viewer.is_author or viewer.is_admin


def may_see_quiz_statistics(viewer: Viewer) -> bool:
    return viewer.is_author or viewer.is_admin


def may_see_team(viewer: Viewer) -> bool:
    """The team page, its exports and its certificate archive: managers (their units) and administrators
    (every body)."""
    return viewer.is_admin or viewer.is_manager


def may_read_kpi(viewer: Viewer) -> bool:
    return viewer.is_admin or viewer.is_reporter


def may_open_staff_page(viewer: Viewer, on_team: bool) -> bool:
    """A staff member's page (their courses and progress): administrators, and managers for their team."""
    return viewer.is_admin or (viewer.is_manager and on_team)


def may_download_certificate(viewer: Viewer, holder_id: int, holder_on_team: bool) -> bool:
    return viewer.user_id == holder_id or may_open_staff_page(viewer, holder_on_team)


def may_see_profile(viewer: Viewer, person_id: int, person_body_id: int, person_is_active: bool,
                    credited_in_readable_issue: bool) -> bool:
    if viewer.user_id == person_id:
        return True
    if not person_is_active:
        return False
    return (viewer.is_admin or viewer.is_author or viewer.body_id == person_body_id
            or credited_in_readable_issue)


def may_open_inbox_item(viewer: Viewer, sender_id: int) -> bool:
    return viewer.is_author or viewer.user_id == sender_id


# --- training events ------------------------------------------------------------------------------------------


def may_organise(viewer: Viewer) -> bool:
    """The organisers' pages: their bodies' events, new events."""
    return viewer.is_admin or bool(viewer.organised_body_ids)


def may_run_event(viewer: Viewer, owner_body_id: int) -> bool:
    """Edit an event, read and mark its rosters, read its survey results and reports, attach materials."""
    return viewer.is_admin or owner_body_id in viewer.organised_body_ids


def may_see_event(viewer: Viewer, invited_body_ids: frozenset[int], is_published: bool, owner_body_id: int) -> bool:
    """An event's page: staff of an invited body once it is published; its organisers always."""
    return may_run_event(viewer, owner_body_id) or (is_published and viewer.body_id in invited_body_ids)


def may_nominate(viewer: Viewer, owner_body_id: int, person_body_id: int, invited_body_ids: frozenset[int],
                 person_on_team: bool) -> bool:
    """Name someone for a session: the event's organisers for anyone of an invited body; a manager for people of
    their own team whose body is invited."""
    if person_body_id not in invited_body_ids:
        return False
    return may_run_event(viewer, owner_body_id) or (viewer.is_manager and person_on_team)


# --- notices ----------------------------------------------------------------------------------------------------


def may_announce(viewer: Viewer) -> bool:
    """The announcements page: a training office (its body's organisers) and administrators."""
    return may_organise(viewer)


def may_announce_to(viewer: Viewer, body_id: int) -> bool:
    """Send an announcement to staff of this body (and see its recipient count and delivery)."""
    return may_run_event(viewer, body_id)


def may_read_mail_log(viewer: Viewer) -> bool:
    """The outbox and the job log: every message's recipient, subject and text. Administrators only."""
    return viewer.is_admin


# --- workshop assignments ---------------------------------------------------------------------------------------


def may_review_workshops(viewer: Viewer) -> bool:
    """The review queue: managers, training offices and administrators (each sees only what they may review)."""
    return viewer.is_admin or viewer.is_manager or bool(viewer.organised_body_ids)


def may_review_submission(viewer: Viewer, author_id: int, author_body_id: int, author_on_team: bool) -> bool:
    """Read, accept or return someone's workshop submission."""
    if viewer.user_id == author_id:
        return False
    return viewer.is_admin or author_on_team or author_body_id in viewer.organised_body_ids


def may_read_submission(viewer: Viewer, author_id: int, author_body_id: int, author_on_team: bool) -> bool:
    """A submission and its file: the author and their reviewers."""
    return viewer.user_id == author_id or may_review_submission(viewer, author_id, author_body_id, author_on_team)
