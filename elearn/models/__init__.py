"""Typed ORM classes. Importing this package registers every table on Base.metadata."""

from elearn.models.people import Grade, OrgUnit, RoleGrant, StaffTier, User
from elearn.models.security import AuditEntry, PasswordResetToken, SignInFailure

__all__ = [
    "AuditEntry",
    "Grade",
    "OrgUnit",
    "PasswordResetToken",
    "RoleGrant",
    "SignInFailure",
    "StaffTier",
    "User",
]
