"""How the audit log reads to an administrator: action names, detail names and values, targets.

Every action code the app writes has a label (tests/web/test_audit_log.py reads the code to check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from elearn.dates import datetime_text
from elearn.domain.audit import target_user_id
from elearn.labels import INBOX_STATUS_LABELS, PERMISSION_LABELS
from elearn.models import AuditEntry, User

ACTION_LABELS = {
    "admin.create": _l("Administrator created (command line)"),
    "admin.grant": _l("Administrator rights granted (command line)"),
    "certificate.issue_for_record": _l("Certificate issued from a past record"),
    "certificate.issuer": _l("Certificate signer changed"),
    "certificate.reissue": _l("Certificate reissued"),
    "certificate.revoke": _l("Certificate revoked"),
    "content.sync": _l("Courses synced"),
    "deadlines.save": _l("Course deadlines changed"),
    "media.upload": _l("Lesson video uploaded"),
    "media.ready": _l("Lesson video checked and filed"),
    "media.refused": _l("Lesson video refused by the check"),
    "grade.add": _l("Grade added"),
    "grade.rename": _l("Grade renamed"),
    "event.attendance": _l("Attendance marked"),
    "event.cancel": _l("Training registration cancelled"),
    "event.checkin": _l("Checked in at the venue"),
    "event.checkin_key": _l("Check-in codes voided"),
    "event.create": _l("Training event created"),
    "event.material": _l("Training material attached"),
    "workshop.submit": _l("Workshop submitted"),
    "workshop.accept": _l("Workshop accepted"),
    "workshop.return": _l("Workshop returned for revision"),
    "event.material.remove": _l("Training material removed"),
    "event.nominate": _l("Staff nominated for training"),
    "event.nomination.confirm": _l("Nomination accepted"),
    "event.nomination.decline": _l("Nomination declined"),
    "event.publish": _l("Training event published"),
    "announcement.send": _l("Announcement sent"),
    "event.register": _l("Registered for training"),
    "event.session": _l("Training session added"),
    "event.session.update": _l("Training session changed"),
    "event.survey": _l("Training survey answered"),
    "event.update": _l("Training event changed"),
    "grant.add": _l("Permission granted"),
    "grant.remove": _l("Permission removed"),
    "import.history": _l("Past training records imported"),
    "import.history.undo": _l("Past training import undone"),
    "import.orgs": _l("Organisations imported"),
    "import.staff": _l("Staff imported"),
    "inbox.update": _l("Inbox item updated"),
    "kpi.rule": _l("KPI counting rule changed"),
    "kpi.targets": _l("KPI targets changed"),
    "magazine.create": _l("Magazine issue created"),
    "magazine.restore": _l("Magazine issue restored"),
    "magazine.schedule": _l("Magazine issue scheduled"),
    "magazine.submit": _l("Magazine issue submitted for approval"),
    "magazine.unschedule": _l("Magazine issue unscheduled"),
    "magazine.withdraw": _l("Magazine issue withdrawn"),
    "password.reissue": _l("Initial passwords reissued"),
    "password.reset_link": _l("Password reset link issued"),
    "password.temporary": _l("Temporary password issued"),
    "staff.activate": _l("Staff member reactivated"),
    "staff.deactivate": _l("Staff member deactivated"),
    "sticker.award": _l("Sticker awarded"),
    "sticker.remove": _l("Sticker taken back"),
}

DETAIL_LABELS = {
    "create": _l("created"),
    "created": _l("created"),
    "deactivate": _l("deactivated"),
    "deactivate_missing": _l("Deactivate staff missing from the file"),
    "deactivated": _l("deactivated"),
    "editor": _l("Magazine editor"),
    "error": _l("bad rows"),
    "holder": _l("Holder"),
    "issue_passwords": _l("Initial passwords issued"),
    "move": _l("moved"),
    "name": _l("Name"),
    "new": _l("New name"),
    "new_name": _l("New name"),
    "new_serial": _l("New serial number"),
    "new_versions": _l("new versions"),
    "old_name": _l("Old name"),
    "permission": _l("Permission"),
    "publish_at": _l("Publication"),
    "reactivate": _l("reactivated"),
    "reason": _l("Reason"),
    "rename": _l("renamed"),
    "reparent": _l("moved"),
    "seal": _l("Seal"),
    "status": _l("Status"),
    "title": _l("Title"),
    "unchanged": _l("unchanged"),
    "unit": _l("Unit"),
    "update": _l("updated"),
    "updated": _l("updated"),
    "accounts": _l("Accounts"),
}

# Coded values by detail name.
VALUE_LABELS = {
    "permission": {permission.value: label for permission, label in PERMISSION_LABELS.items()},
    "status": {status.value: label for status, label in INBOX_STATUS_LABELS.items()},
    "seal": {"new": _l("new seal"), "removed": _l("removed"), "kept": _l("unchanged")},
}


@dataclass(frozen=True)
class Target:
    text: str
    url: str | None = None


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label else code  # codes from older versions still show


def _value(key: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) if value else "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    labels = VALUE_LABELS.get(key, {})
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    if key == "publish_at" and isinstance(value, str):
        try:
            return datetime_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def details(entry: AuditEntry) -> list[tuple[str, str]]:
    """(name, value) pairs in the reader's language; unknown keys keep their code as the name. Counts of zero
    and empty lists (an import's or a sync's untouched categories) are left out: they say nothing."""
    return [(str(DETAIL_LABELS.get(key, key)), _value(key, value)) for key, value in (entry.details or {}).items()
            if not (type(value) is int and value == 0) and value != []]


def target(entry: AuditEntry, people: dict[int, User]) -> Target:
    """Who or what the entry is about: a person by their current name, linked to their staff page."""
    user_id = target_user_id(entry.target)
    if user_id is not None:
        person = people.get(user_id)
        if person is None:
            return Target(entry.target)
        return Target(f"{person.name} ({person.staff_number})", url_for("admin.staff_detail", staff_id=person.id))
    kind, _sep, ref = entry.target.partition(":")
    if kind == "issue" and ref.isdigit():
        return Target(_("Magazine issue No. %(number)s", number=ref))
    if kind == "inbox" and ref.isdigit():
        return Target(_("Inbox item %(number)s", number=ref))
    return Target(entry.target)


def actor_name(entry: AuditEntry) -> str:
    return f"{entry.actor.name} ({entry.actor.staff_number})" if entry.actor else _("command line")
