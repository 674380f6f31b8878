"""Translated display names for the domain vocabulary."""

from flask_babel import lazy_gettext as _l

from elearn.domain.completion import CourseStatus
from elearn.domain.events import Attendance, Delivery, EventFormat, RegistrationStatus
from elearn.domain.kpi import TrainingMode
from elearn.domain.magazine import Audience, InboxKind, InboxStatus, IssueStatus
from elearn.domain.people import OrgKind, Permission, Tier

TIER_LABELS = {
    Tier.DX_MANAGER: _l("DX manager"),
    Tier.DX_SPECIALIST: _l("DX specialist"),
    Tier.DIGITAL_LEADER: _l("Digital leader"),
    Tier.ALL_STAFF: _l("All staff"),
}

MODE_LABELS = {
    TrainingMode.ELEARNING: _l("E-learning"),
    TrainingMode.SEMINAR: _l("Seminar"),
    TrainingMode.WORKSHOP: _l("Workshop"),
    TrainingMode.ONLINE: _l("Online live"),
    TrainingMode.IMPORTED: _l("Past records (imported)"),
}

EVENT_FORMAT_LABELS = {EventFormat.SEMINAR: _l("Seminar"), EventFormat.WORKSHOP: _l("Workshop")}

DELIVERY_LABELS = {
    Delivery.IN_PERSON: _l("In person"),
    Delivery.ONLINE: _l("Online live"),
    Delivery.HYBRID: _l("Hybrid (in person and online)"),
}

REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.REGISTERED: _l("Registered"),
    RegistrationStatus.WAITING: _l("On the waiting list"),
    RegistrationStatus.NOMINATED: _l("Nominated (awaiting answer)"),
    RegistrationStatus.DECLINED: _l("Declined"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}

ATTENDANCE_LABELS = {
    Attendance.ATTENDED: _l("Attended"),
    Attendance.ABSENT: _l("Absent"),
    Attendance.LEFT_EARLY: _l("Left early"),
}

PERMISSION_LABELS = {
    Permission.LEARNER: _l("Learner"),
    Permission.MANAGER: _l("Manager"),
    Permission.AUTHOR: _l("Author"),
    Permission.REPORTER: _l("Reporter"),
    Permission.ORGANISER: _l("Training organiser"),
    Permission.ADMIN: _l("Administrator"),
}

ORG_KIND_LABELS = {
    OrgKind.PREFECTURE: _l("Prefecture"),
    OrgKind.MUNICIPALITY: _l("Municipality"),
    OrgKind.DEPARTMENT: _l("Department"),
    OrgKind.DIVISION: _l("Division"),
}

COURSE_STATUS_LABELS = {
    CourseStatus.COMPLETED: _l("Completed"),
    CourseStatus.IN_PROGRESS: _l("In progress"),
    CourseStatus.NOT_STARTED: _l("Not started"),
}

ISSUE_STATUS_LABELS = {
    IssueStatus.DRAFT: _l("Draft"),
    IssueStatus.SCHEDULED: _l("Scheduled"),
    IssueStatus.PUBLISHED: _l("Published"),
    IssueStatus.WITHDRAWN: _l("Withdrawn"),
}

AUDIENCE_LABELS = {
    Audience.PREFECTURE: _l("Prefecture staff only"),
    Audience.SHARED: _l("Shared with the municipalities"),
}

INBOX_KIND_LABELS = {
    InboxKind.QUESTION: _l("Question"),
    InboxKind.IDEA: _l("Topic idea"),
}

INBOX_STATUS_LABELS = {
    InboxStatus.NEW: _l("New"),
    InboxStatus.IN_PROGRESS: _l("Being handled"),
    InboxStatus.ANSWERED: _l("Replied"),
    InboxStatus.ADOPTED: _l("Adopted"),
    InboxStatus.DECLINED: _l("Declined"),
}
