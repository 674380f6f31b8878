"""Password rules for staff accounts."""

from __future__ import annotations

import secrets
import string

MIN_LENGTH = 10
# No look-alikes (0/O, 1/l/I) in passwords that are read off paper.
_READABLE = "".join(ch for ch in string.ascii_letters + string.digits if ch not in "0O1lI")


def password_problems(password: str, *, staff_number: str = "", email: str = "") -> list[str]:
    """Reasons a new password is refused, as message keys; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(set(password)) < 4:
        problems.append("too_simple")
    lowered = password.lower()
    if len(staff_number) >= 4 and staff_number.lower() in lowered:
        problems.append("contains_staff_number")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append("contains_email")
    return problems


def random_password(length: int = 12) -> str:
    while True:
        candidate = "".join(secrets.choice(_READABLE) for _ in range(length))
        has_classes = (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
        )
        if has_classes:
            return candidate
