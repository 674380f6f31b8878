"""Argon2id hashing (argon2-cffi), with rehash when the parameters change."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id as OWASP's Password Storage Cheat Sheet recommends: 19 MiB, 2 passes, 1 lane. About 23 ms of one core
# each. The library's default (RFC 9106's second profile: 64 MiB, 3 passes, 4 lanes) took 134 ms and 193 ms of CPU
# on two cores, so the sign-ins of an all-staff course's opening morning took every core from the pages of people
# already signed in (bench-week, 100 learners: p95 280 ms and p99 2.2 s with it, 60 ms and 210 ms with this). One
# lane: a sign-in takes one core, never all of them. Hashes made with other parameters are redone at the next
# sign-in (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Machine-generated initial passwords carry ~70 bits of entropy, so a cheap argon2id is enough for them,
# and a 10,000-person April import does not hold the write lock for twenty minutes. They are rehashed
# with the full parameters at first sign-in (needs_rehash) and replaced by the person's own password.
_random_password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# One full-cost hash at a time per process. Each takes some tens of milliseconds of CPU; when a hundred people
# sign in at the start of a session every thread of a worker would hash at once and the pages of everyone already
# signed in would wait for a share of the CPU behind them. Queued here, sign-ins wait for sign-ins only.
_full_cost_hashing = threading.Lock()

# Verified against when the account is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    with _full_cost_hashing:
        return _hasher.hash(password)


def hash_random_password(password: str) -> str:
    """For passwords from elearn.domain.passwords.random_password only, never for chosen ones."""
    return _random_password_hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        with _full_cost_hashing:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
