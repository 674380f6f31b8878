"""Training tiers, permissions and organisation kinds: plain vocabulary shared by every layer."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Tier(StrEnum):
    """Training tiers of the Akita programme. Everyone is in ALL_STAFF; the others are assigned."""

    DX_MANAGER = "dx_manager"
    DX_SPECIALIST = "dx_specialist"
    DIGITAL_LEADER = "digital_leader"
    ALL_STAFF = "all_staff"


ASSIGNABLE_TIERS = (Tier.DX_MANAGER, Tier.DX_SPECIALIST, Tier.DIGITAL_LEADER)


def training_tiers(assigned: Iterable[Tier]) -> frozenset[Tier]:
    """A person's tiers: the assigned ones (stored) and all staff, which everyone is in and nobody stores."""
    return frozenset({Tier.ALL_STAFF, *assigned})

# Names as they appear in Japanese staff lists; keys are accepted too.
TIER_NAMES_JA = {
    Tier.DX_MANAGER: "DXマネージャー",
    Tier.DX_SPECIALIST: "DXスペシャリスト",
    Tier.DIGITAL_LEADER: "デジタル化リーダー",
    Tier.ALL_STAFF: "全職員",
}


class Permission(StrEnum):
    """What a person may do. Learner is everyone's and is never stored."""

    LEARNER = "learner"
    MANAGER = "manager"
    AUTHOR = "author"
    REPORTER = "reporter"
    ORGANISER = "organiser"  # 研修担当: runs a body's training events
    ADMIN = "admin"


# Permissions granted over an organisation unit (manager of a division subtree, reporter or organiser of a body).
SCOPED_PERMISSIONS = frozenset({Permission.MANAGER, Permission.REPORTER, Permission.ORGANISER})
# Those whose unit must be a whole body.
BODY_PERMISSIONS = frozenset({Permission.REPORTER, Permission.ORGANISER})


class OrgKind(StrEnum):
    PREFECTURE = "prefecture"
    MUNICIPALITY = "municipality"
    DEPARTMENT = "department"
    DIVISION = "division"


BODY_KINDS = frozenset({OrgKind.PREFECTURE, OrgKind.MUNICIPALITY})

ORG_KIND_NAMES_JA = {
    OrgKind.PREFECTURE: "都道府県",
    OrgKind.MUNICIPALITY: "市区町村",
    OrgKind.DEPARTMENT: "部局",
    OrgKind.DIVISION: "課室",
}

DEFAULT_GRADES = ("部長級", "課長級", "課長補佐級", "係長・主査級", "主任・主事級", "新規採用")
