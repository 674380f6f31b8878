"""Typed ORM classes. Importing this package registers every table on Base.metadata."""

from elearn.models.certificates import (
    Certificate,
    CertificateCounter,
    CertificateIssuer,
    CertificatePdf,
    CertificateSeal,
)
from elearn.models.events import (
    EventInvitation,
    EventMaterial,
    EventSession,
    Registration,
    SurveyResponse,
    TrainingEvent,
)
from elearn.models.learning import (
    Completion,
    Course,
    CourseVersion,
    HistoryImport,
    LessonProgress,
    QuizAttempt,
    VideoProgress,
)
from elearn.models.magazine import (
    InboxItem,
    MagazineHelpful,
    MagazineIssue,
    MagazineIssueCourse,
    MagazineIssuePerson,
    MagazineIssueTag,
    MagazinePage,
    MagazinePageImage,
    MagazineRead,
    Sticker,
)
from elearn.models.media import LibraryUpload, ScormAttempt, UploadKind, UploadState
from elearn.models.notices import Announcement, JobRun, Notice, NoticeChoice, OutboxMessage, ReminderSent
from elearn.models.people import Grade, OrgUnit, RoleGrant, StaffTier, User
from elearn.models.reporting import CourseDeadline, KpiReportPdf, KpiRuleRow, KpiTarget
from elearn.models.security import AuditEntry, PasswordResetToken, RateLimitCounter, SignInFailure
from elearn.models.workshops import WorkshopSubmission

__all__ = [
    "Announcement",
    "AuditEntry",
    "Certificate",
    "CertificateCounter",
    "CertificateIssuer",
    "CertificatePdf",
    "CertificateSeal",
    "Completion",
    "CourseDeadline",
    "Course",
    "CourseVersion",
    "LessonProgress",
    "QuizAttempt",
    "EventInvitation",
    "EventMaterial",
    "EventSession",
    "Grade",
    "HistoryImport",
    "InboxItem",
    "JobRun",
    "MagazineHelpful",
    "MagazineIssue",
    "MagazineIssueCourse",
    "MagazineIssuePerson",
    "MagazineIssueTag",
    "MagazinePage",
    "MagazinePageImage",
    "MagazineRead",
    "Sticker",
    "KpiReportPdf",
    "KpiRuleRow",
    "KpiTarget",
    "Notice",
    "NoticeChoice",
    "OrgUnit",
    "OutboxMessage",
    "PasswordResetToken",
    "RateLimitCounter",
    "Registration",
    "ReminderSent",
    "SurveyResponse",
    "TrainingEvent",
    "RoleGrant",
    "SignInFailure",
    "StaffTier",
    "User",
    "VideoProgress",
    "ScormAttempt",
    "UploadKind",
    "UploadState",
    "LibraryUpload",
    "WorkshopSubmission",
]
