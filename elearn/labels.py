"""Translated display names for the domain vocabulary."""

from flask_babel import lazy_gettext as _l

from elearn.domain.completion import CourseStatus
from elearn.domain.events import Attendance, Delivery, EventFormat, RegistrationStatus
from elearn.domain.kpi import TrainingMode
from elearn.domain.magazine import Audience, InboxKind, InboxStatus, IssueStatus
from elearn.domain.notices import Channel, NoticeKind, Topic
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


TOPIC_LABELS = {
    Topic.COURSES: _l("Required courses and their deadlines"),
    Topic.OVERDUE: _l("Overdue required courses"),
    Topic.EVENTS: _l("Seminars and workshops you registered for or were nominated for"),
    Topic.CERTIFICATES: _l("Certificates issued to you"),
    Topic.INBOX: _l("Answers to your questions and ideas"),
    Topic.ANNOUNCEMENTS: _l("Announcements from the training office"),
    Topic.MAGAZINE: _l("New issues of the digital magazine"),
    Topic.DIGEST: _l("Weekly digest of your team"),
    Topic.IMPORTS: _l("Results of the imports you started"),
}

CHANNEL_LABELS = {
    Channel.MAIL: _l("By mail and in the app"),
    Channel.APP: _l("In the app only"),
    Channel.OFF: _l("Not at all"),
}

WEEKDAY_LABELS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday")]

NOTICE_KIND_LABELS = {
    NoticeKind.COURSE_REMINDER: _l("Course reminder"),
    NoticeKind.OVERDUE: _l("Overdue reminder"),
    NoticeKind.TEAM_DIGEST: _l("Team digest"),
    NoticeKind.EVENT_REGISTERED: _l("Registration confirmed"),
    NoticeKind.EVENT_WAITING: _l("Waiting list"),
    NoticeKind.EVENT_PROMOTED: _l("Moved up from the waiting list"),
    NoticeKind.EVENT_NOMINATED: _l("Nomination"),
    NoticeKind.EVENT_TOMORROW: _l("Session tomorrow"),
    NoticeKind.EVENT_ATTENDED: _l("Attendance recorded"),
    NoticeKind.EVENT_SURVEY: _l("Survey open"),
    NoticeKind.MAGAZINE_ISSUE: _l("New magazine issue"),
    NoticeKind.INBOX_REPLY: _l("Answer from the magazine team"),
    NoticeKind.IDEA_ADOPTED: _l("Idea adopted"),
    NoticeKind.CERTIFICATE_ISSUED: _l("Certificate issued"),
    NoticeKind.ANNOUNCEMENT: _l("Announcement"),
    NoticeKind.WORKSHOP_SUBMITTED: _l("Workshop to review"),
    NoticeKind.WORKSHOP_REVIEWED: _l("Workshop reviewed"),
    NoticeKind.IMPORT_FINISHED: _l("Import finished"),
}

MAIL_STATE_LABELS = {
    "queued": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}

JOB_STATE_LABELS = {
    "running": _l("Running"),
    "complete": _l("Finished without error"),
    "retrying": _l("Failed, will be retried"),
    "failed": _l("Failed"),
    "interrupted": _l("Interrupted"),
}

TASK_LABELS = {
    "send_mail": _l("Sending mail"),
    "mail_tick": _l("Sending mail (every minute)"),
    "notice_scan": _l("Notice scan (hourly)"),
    "deliver_announcement": _l("Delivering an announcement"),
    "render_certificates": _l("Making certificate PDFs"),
    "render_new_certificates": _l("Making the PDFs of new certificates"),
    "kpi_warm": _l("Working out the KPI report after a change (every minute)"),
    "check_video_upload": _l("Checking an uploaded video"),
    "import_scorm_upload": _l("Unpacking an uploaded SCORM package"),
    "storage_sweep": _l("Removing stored files nothing owns (nightly)"),
    "apply_import": _l("Applying a large import file"),
}
