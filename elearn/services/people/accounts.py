"""Sign-in, sign-out, password changes and resets."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from elearn import db
from elearn.clock import utcnow
from elearn.domain.passwords import random_password
from elearn.domain.throttle import FailureRecord, ThrottlePolicy, after_failure, is_locked
from elearn.models import Notice, OrgUnit, PasswordResetToken, SignInFailure, User
from elearn.services import audit
from elearn.services.people.passwords import hash_password, needs_rehash, verify_password


class SignInOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # unknown account, wrong password or deactivated: one answer for all
    LOCKED = "locked"
    EXPIRED_INITIAL_PASSWORD = "expired_initial_password"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


def normalise_sign_in_name(name: str) -> str:
    # Staff numbers typed with full-width digits are the same number.
    return unicodedata.normalize("NFKC", name).strip().lower()


def account_key(body_code: str, sign_in_name: str, user: User | None = None) -> str:
    """The failure counter a sign-in counts against: one per account whatever identifier was typed
    (staff number or e-mail), and one per typed name when no account has it, so unknown names are
    throttled like real ones."""
    if user is not None:
        return f"account:{user.id}"
    name = normalise_sign_in_name(sign_in_name)
    return f"email:{name}" if "@" in name else f"{body_code}:{name}"


def find_account(body_code: str, sign_in_name: str) -> User | None:
    name = normalise_sign_in_name(sign_in_name)
    if "@" in name:
        query = select(User).where(User.email == name)
    else:
        query = select(User).join(OrgUnit, User.body_id == OrgUnit.id).where(
            OrgUnit.code == body_code, User.staff_number == name
        )
    return db.session().scalars(query).one_or_none()


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(
        max_failures=config["SIGN_IN_ACCOUNT_MAX_FAILURES"],
        lock_for=timedelta(minutes=config["SIGN_IN_ACCOUNT_LOCK_MINUTES"]),
    )


def sign_in(body_code: str, sign_in_name: str, password: str) -> SignInResult:
    try:
        return _sign_in_once(body_code, sign_in_name, password)
    except IntegrityError:
        # Two first failures for one name raced to insert its counter row; the second try updates it.
        return _sign_in_once(body_code, sign_in_name, password)


def _sign_in_once(body_code: str, sign_in_name: str, password: str) -> SignInResult:
    now = utcnow()
    # The password is checked before the write transaction, not inside it: a full-cost hash takes about 120 ms,
    # and on SQLite the write lock is the whole database's. The check counts only in the short transaction after
    # it, which reads the failure counter again: a guess that finds the account locked by then is answered
    # "locked" whatever it was, so guesses sent in parallel learn no more than guesses sent one by one.
    user = find_account(body_code, sign_in_name)
    key = account_key(body_code, sign_in_name, user)
    if is_locked(_as_record(db.session().get(SignInFailure, key)), now):
        return SignInResult(SignInOutcome.LOCKED)
    checked_hash = user.password_hash if user else None
    password_ok = verify_password(checked_hash, password)
    new_hash = hash_password(password) if user and password_ok and needs_rehash(checked_hash or "") else None
    with db.write_session() as session:
        if user is not None:
            session.refresh(user)
            # A password changed while this one was checked: the check says nothing about the new one.
            password_ok = password_ok and user.password_hash == checked_hash
        # FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises writers.
        failure = session.get(SignInFailure, key, with_for_update=True, populate_existing=True)
        record = _as_record(failure)
        if is_locked(record, now):
            return SignInResult(SignInOutcome.LOCKED)
        if not (user and user.is_active and password_ok):
            record = after_failure(record, now, _policy())
            if failure is None:
                failure = SignInFailure(account_key=key)
                session.add(failure)
            failure.failures = record.failures
            failure.first_failed_at = record.first_failed_at
            failure.locked_until = record.locked_until
            return SignInResult(SignInOutcome.LOCKED if is_locked(record, now) else SignInOutcome.INVALID)
        if failure is not None:
            session.delete(failure)
        if user.must_change_password and user.password_expires_at and user.password_expires_at < now:
            return SignInResult(SignInOutcome.EXPIRED_INITIAL_PASSWORD)
        if new_hash:
            user.password_hash = new_hash
        user.last_sign_in_at = now
        return SignInResult(SignInOutcome.OK, user)


def _as_record(failure: SignInFailure | None) -> FailureRecord | None:
    if failure is None:
        return None
    return FailureRecord(failure.failures, failure.first_failed_at, failure.locked_until)


# Built once: building this statement and its cache key cost about half a millisecond, on every request.
_USER_AS_LOADED = (
    select(User, select(func.count()).select_from(Notice)
           .where(Notice.user_id == User.id, Notice.read_at.is_(None)).scalar_subquery())
    .where(User.id == bindparam("user_id"))
    .options(joinedload(User.tier_rows), joinedload(User.grants), joinedload(User.grade), joinedload(User.body),
             joinedload(User.division).joinedload(OrgUnit.parent).joinedload(OrgUnit.parent)))


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session token, so a rotated token ends the session."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    # Every request runs this: one statement, with what pages read of the person (tiers, grants, grade, body, and
    # the division with two levels above it: the usual body / department / division path) and the count on the
    # notice bell of every page.
    row = db.session().execute(_USER_AS_LOADED, {"user_id": int(raw_id)}).unique().first()
    if row is None:
        return None
    user, user.unread_notices_at_load = row
    if not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_all_sessions(user_id: int) -> None:
    with db.write_session() as session:
        user = session.get(User, user_id)
        if user is not None:
            user.rotate_session_token()


def set_password(user_id: int, new_password: str) -> User:
    """The person's own change: clears the forced change and ends every other session."""
    with db.write_session() as session:
        user = session.get(User, user_id)
        _set_own_password(user, new_password)
        void_reset_links(session, user)
        return user


def issue_temporary_password(actor: User, user_id: int) -> str:
    """Admin reset: a random password shown once, to be changed at the next sign-in."""
    password = random_password()
    with db.write_session() as session:
        user = session.get(User, user_id)
        _set_initial_password(user, password)
        void_reset_links(session, user)
        audit.record(session, actor, "password.temporary", _target(user))
    return password


def _set_initial_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_expires_at = utcnow() + timedelta(days=current_app.config["INITIAL_PASSWORD_DAYS"])
    user.rotate_session_token()


def create_reset_link_token(actor: User, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    with db.write_session() as session:
        user = session.get(User, user_id)
        session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=_token_hash(token),
                expires_at=utcnow() + timedelta(hours=current_app.config["RESET_LINK_HOURS"]),
            )
        )
        audit.record(session, actor, "password.reset_link", _target(user))
    return token


def _usable_reset_token(session, token: str) -> PasswordResetToken | None:  # type: ignore[no-untyped-def]
    row = session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    ).one_or_none()
    if row is None or row.used_at is not None or row.expires_at < utcnow() or not row.user.is_active:
        return None
    return row


def user_for_reset_token(token: str) -> User | None:
    row = _usable_reset_token(db.session(), token)
    return row.user if row else None


def consume_reset_token(token: str, new_password: str) -> User | None:
    """Set a password through a one-time link; the link cannot be used twice."""
    with db.write_session() as session:
        row = _usable_reset_token(session, token)
        if row is None:
            return None
        row.used_at = utcnow()
        _set_own_password(row.user, new_password)
        void_reset_links(session, row.user)
        return row.user


def void_reset_links(session: Session, user: User) -> None:
    """Every open reset link of the person stops working: call wherever a password is set, by any path."""
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _set_own_password(user: User, password: str) -> None:
    """A password the person chose: no forced change, no expiry, every other session ended."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.password_expires_at = None
    user.rotate_session_token()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _target(user: User) -> str:
    return f"user:{user.id} {user.staff_number} {user.name}"
