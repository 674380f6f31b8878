"""Certificate vocabulary: serial numbers, verification codes, state, and when a certificate counts."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Collection
from datetime import date
from enum import StrEnum

from elearn.domain.fiscal import fiscal_year_label
from elearn.domain.people import Tier

# One letter per tier in serial numbers: R7-L-000123 is the 123rd digital-leader certificate of FY2025.
TIER_LETTERS = {
    Tier.DX_MANAGER: "M",
    Tier.DX_SPECIALIST: "S",
    Tier.DIGITAL_LEADER: "L",
    Tier.ALL_STAFF: "A",
}

CODE_BYTES = 15  # 120 bits of randomness; the issue asks for at least 80
CODE_GROUP = 4
_CODE_CHARS = re.compile(r"[^A-Z2-7]")


class CertificateState(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


def certificate_tier(course_tiers: Collection[Tier]) -> Tier:
    """The tier a course certifies: the most senior of the tiers it is written for."""
    ranked = [tier for tier in Tier if tier in set(course_tiers)]
    return ranked[0] if ranked else Tier.ALL_STAFF


def serial_number(fiscal_year: int, tier: Tier, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return f"{fiscal_year_label(fiscal_year)}-{TIER_LETTERS[tier]}-{sequence:06d}"


def new_verification_code() -> str:
    """24 characters of RFC 4648 base32 (no 0/1/8/9 to misread), 120 random bits."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalise_code(typed: str) -> str:
    """What a person typed or scanned, as stored: case, spaces and hyphens do not matter."""
    return _CODE_CHARS.sub("", typed.upper())


def grouped_code(code: str) -> str:
    """ABCD-EFGH-... for reading aloud and typing."""
    return "-".join(code[i:i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def state(revoked_on: date | None, superseded: bool) -> CertificateState:
    """Revocation wins: a revoked certificate stays revoked even if a later one replaced it."""
    if revoked_on is not None:
        return CertificateState.REVOKED
    if superseded:
        return CertificateState.SUPERSEDED
    return CertificateState.VALID


def study_time_ja(minutes: int) -> str:
    """1時間30分, 45分, 2時間."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}分"
    return f"{hours}時間{rest}分" if rest else f"{hours}時間"
