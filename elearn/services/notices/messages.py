"""The words of each kind of notice, made from its stored params in a given language: the bell's list and the
mail say the same thing. Params hold plain values (titles, ISO dates and moments, ids), never objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from elearn.dates import date_text, datetime_text
from elearn.domain.notices import NoticeKind, ReminderStep


@dataclass(frozen=True)
class Composed:
    subject: str
    lines: list[str] = field(default_factory=list)
    endpoint: str = "learn.home"
    values: dict = field(default_factory=dict)
    link_label: str = ""


def compose(kind: NoticeKind, params: dict, locale: str | None = None) -> Composed:
    """The notice's words; without a locale, in the request's language."""
    if locale is None:
        return _COMPOSERS[kind](params)
    with force_locale(locale):
        return _COMPOSERS[kind](params)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _reminder_line(item: dict) -> str:
    due_on = _day(item.get("due_on"))
    if due_on is None:
        return _("%(title)s (no deadline)", title=item["title"])
    step = ReminderStep(item["step"])
    if step is ReminderStep.OVERDUE:
        return _("%(title)s (deadline %(day)s, passed)", title=item["title"], day=date_text(due_on))
    return _("%(title)s (deadline %(day)s)", title=item["title"], day=date_text(due_on))


def _reminder(params: dict) -> Composed:
    items = params["items"]
    overdue = [item for item in items if item["step"] == ReminderStep.OVERDUE]
    near = [item for item in items if item["step"] in (ReminderStep.DUE_3, ReminderStep.DUE_14)]
    newly = [item for item in items if item.get("newly") and item not in overdue and item not in near]
    lines: list[str] = []
    if overdue:
        subject = ngettext("%(num)d course is past its deadline", "%(num)d courses are past their deadline",
                           len(overdue))
        lines.append(_("Past the deadline:"))
        lines.extend("・" + _reminder_line(item) for item in overdue)
    elif near:
        subject = ngettext("%(num)d course is due soon", "%(num)d courses are due soon", len(near))
    else:
        subject = ngettext("%(num)d course is now required of you", "%(num)d courses are now required of you",
                           len(newly))
    if near:
        lines.append(_("Due soon:"))
        lines.extend("・" + _reminder_line(item) for item in near)
    if newly:
        lines.append(_("Newly required, or with a new deadline:"))
        lines.extend("・" + _reminder_line(item) for item in newly)
    return Composed(subject, lines, "learn.home", {}, _("Open my courses"))


def _digest(params: dict) -> Composed:
    subject = _("Your team this week: %(overdue)d overdue, %(soon)d due soon",
                overdue=params["overdue"], soon=params["due_soon"])
    lines = [_("Staff with a required course past its deadline: %(num)d", num=params["overdue"]),
             _("Staff with a deadline within 14 days: %(num)d", num=params["due_soon"])]
    for person in params.get("people", []):
        lines.append("・" + _("%(name)s (%(unit)s): %(overdue)d overdue, %(soon)d due soon",
                             name=person["name"], unit=person["unit"], overdue=person["overdue"],
                             soon=person["due_soon"]))
    if params.get("more"):
        lines.append(_("and %(num)d more on the team page", num=params["more"]))
    return Composed(subject, lines, "reports.team", {"status": "outstanding"}, _("Open the team page"))


def _session_lines(params: dict) -> list[str]:
    lines = [_("When: %(when)s", when=datetime_text(_moment(params["starts_at"])))]
    if params.get("venue"):
        lines.append(_("Where: %(venue)s", venue=params["venue"]))
    if params.get("online"):
        lines.append(_("Online: the link to join is on the event page."))
    return lines


def _event(subject: Callable[[dict], str], link_label: Callable[[], str] | None = None,
           extra: Callable[[dict], list[str]] | None = None) -> Callable[[dict], Composed]:
    """A training event notice: the title and session, then what this kind adds."""
    def composer(params: dict) -> Composed:
        lines = [params["title"], *(_session_lines(params) if params.get("starts_at") else []),
                 *(extra(params) if extra else [])]
        return Composed(subject(params), lines, "events.event_page", {"event_id": params["event_id"]},
                        link_label() if link_label else _("Open the event"))
    return composer


def _survey(params: dict) -> Composed:
    return Composed(_("Please answer the survey of %(title)s", title=params["title"]), [params["title"]],
                    "events.survey", {"event_id": params["event_id"]}, _("Answer the survey"))


def _magazine(params: dict) -> Composed:
    return Composed(_("Digital magazine No. %(number)d is out: %(title)s", number=params["number"],
                      title=params["title"]),
                    [params.get("summary", "")] if params.get("summary") else [],
                    "magazine.read", {"number": params["number"]}, _("Read it (3 minutes)"))


def _inbox_reply(params: dict) -> Composed:
    return Composed(_("The magazine team answered your message"), [params.get("excerpt", "")],
                    "magazine.mine", {}, _("Read the answer"))


def _idea_adopted(params: dict) -> Composed:
    return Composed(_("Your idea became issue No. %(number)s!", number=params["number"]),
                    [params.get("excerpt", "")], "magazine.read", {"number": params["number"]}, _("Read the issue"))


def _workshop_submitted(params: dict) -> Composed:
    return Composed(_("%(name)s submitted a workshop for review", name=params["name"]), [params["title"]],
                    "workshops.review", {"submission_id": params["submission"]}, _("Review the submission"))


def _workshop_reviewed(params: dict) -> Composed:
    if params.get("accepted"):
        subject = _("Your workshop for %(title)s was accepted", title=params["title"])
    else:
        subject = _("Your workshop for %(title)s was returned: please revise it", title=params["title"])
    lines = [params["comment"]] if params.get("comment") else []
    return Composed(subject, lines, "workshops.mine", {"slug": params["slug"]}, _("Open the workshop"))


def _import_finished(params: dict) -> Composed:
    """A background import's end. Params: run (its id), filename, state (done, rejected or failed), summary (the
    plan's counts) and errors (how many bad rows)."""
    filename, state = params["filename"], params["state"]
    if state == "done":
        subject = _("Your import of %(filename)s has been applied", filename=filename)
        counts = {key: f"{count:,}" for key, count in params.get("summary", {}).items()}
        if params["kind"] == "staff":
            lines = [_("New: %(create)s, updated: %(update)s, moved: %(move)s, reactivated: %(reactivate)s, "
                       "deactivated: %(deactivate)s", **counts)]
        else:
            lines = [_("%(records)s records of %(people)s people added", **counts)]
    elif state == "rejected":
        subject = _("Your import of %(filename)s was refused: nothing was changed", filename=filename)
        lines = [ngettext("%(num)d row has a problem; the import page lists them.",
                          "%(num)d rows have problems; the import page lists them.", params.get("errors", 0))]
    else:
        subject = _("Your import of %(filename)s failed: nothing was changed", filename=filename)
        lines = [_("The file can be applied again from the import page.")]
    return Composed(subject, lines, "admin.import_run", {"run_id": params["run"]}, _("Open the import"))


def _certificate(params: dict) -> Composed:
    return Composed(_("Your certificate for %(title)s is ready", title=params["title"]),
                    [_("Certificate number: %(number)s", number=params["number"])],
                    "certificates.mine", {}, _("Download the certificate"))


def _announcement(params: dict) -> Composed:
    lines = [_("From: %(body)s", body=params["from"]), *params["text"].splitlines()]
    return Composed(params["subject"], lines, "notices.index", {}, _("Open the notices"))


_COMPOSERS = {
    NoticeKind.COURSE_REMINDER: _reminder,
    NoticeKind.OVERDUE: _reminder,
    NoticeKind.TEAM_DIGEST: _digest,
    NoticeKind.EVENT_REGISTERED: _event(lambda p: _("Registration confirmed: %(title)s", title=p["title"])),
    NoticeKind.EVENT_WAITING: _event(lambda p: _("You are on the waiting list: %(title)s", title=p["title"]),
                                     extra=lambda p: [_("You will be told if a place comes free.")]),
    NoticeKind.EVENT_PROMOTED: _event(
        lambda p: _("A place came free: you are registered for %(title)s", title=p["title"])),
    NoticeKind.EVENT_NOMINATED: _event(
        lambda p: _("You have been nominated for %(title)s", title=p["title"]),
        link_label=lambda: _("Confirm or decline"),
        extra=lambda p: [_("Nominated by %(name)s. Please confirm or decline on the event page.",
                           name=p.get("by", ""))]),
    NoticeKind.EVENT_TOMORROW: _event(lambda p: _("Tomorrow: %(title)s", title=p["title"]),
                                      extra=lambda p: [_("The calendar file is attached.")]),
    NoticeKind.EVENT_ATTENDED: _event(
        lambda p: _("Attendance recorded: %(title)s", title=p["title"]),
        extra=lambda p: [_("Your certificate is ready: number %(number)s", number=p["certificate"])]
        if p.get("certificate") else [_("The training is complete once you answer its survey.")]
        if p.get("survey_required") else []),
    NoticeKind.EVENT_SURVEY: _survey,
    NoticeKind.MAGAZINE_ISSUE: _magazine,
    NoticeKind.INBOX_REPLY: _inbox_reply,
    NoticeKind.IDEA_ADOPTED: _idea_adopted,
    NoticeKind.CERTIFICATE_ISSUED: _certificate,
    NoticeKind.ANNOUNCEMENT: _announcement,
    NoticeKind.WORKSHOP_SUBMITTED: _workshop_submitted,
    NoticeKind.WORKSHOP_REVIEWED: _workshop_reviewed,
    NoticeKind.IMPORT_FINISHED: _import_finished,
}
