"""Per-account sign-in throttling: how failures add up and when an account name is locked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FailureRecord:
    failures: int
    first_failed_at: datetime
    locked_until: datetime | None = None


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


def is_locked(record: FailureRecord | None, now: datetime) -> bool:
    return record is not None and record.locked_until is not None and now < record.locked_until


def after_failure(record: FailureRecord | None, now: datetime, policy: ThrottlePolicy) -> FailureRecord:
    """Count one more failure; failures older than the lock window are forgotten."""
    if record is None or now - record.first_failed_at > policy.lock_for:
        record = FailureRecord(failures=0, first_failed_at=now)
    failures = record.failures + 1
    locked_until = now + policy.lock_for if failures >= policy.max_failures else record.locked_until
    return replace(record, failures=failures, locked_until=locked_until)
