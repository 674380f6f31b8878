"""Organisation units, grades and staff."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.people import BODY_KINDS, OrgKind, Permission, Tier, training_tiers
from elearn.models.types import UTCDateTime, str_enum


class OrgUnit(Base):
    """A node of the organisation tree: a body (prefecture, municipality), a department or a division.

    The code is the stable identifier; the name may change without losing history.
    """

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")

    @property
    def is_body(self) -> bool:
        return self.kind in BODY_KINDS

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.name}>"


class Grade(Base):
    """A job grade (職位). The list is configurable; the defaults come from DEFAULT_GRADES."""

    __tablename__ = "grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """A member of staff. Never deleted: leavers are deactivated so their history still counts."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("body_id", "staff_number"),)
    # Not a column: the notice bell's count, read with the person at the start of a request (load_user).
    unread_notices_at_load = None

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    staff_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100), default="")
    # Stored lower-cased; unique across bodies because it is a sign-in name.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    grade_id: Mapped[int | None] = mapped_column(ForeignKey("grades.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language mail is written in ("ja" when never chosen); set by the language switch.
    locale: Mapped[str | None] = mapped_column(String(8))
    # Managers: the day (0 = Monday) their team digest comes; None: the default day.
    digest_weekday: Mapped[int | None] = mapped_column(Integer)

    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the Flask-Login id: changing it ends every session and remember-me cookie.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(32))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    body: Mapped[OrgUnit] = relationship(foreign_keys=[body_id])
    division: Mapped[OrgUnit] = relationship(foreign_keys=[division_id])
    grade: Mapped[Grade | None] = relationship()
    tier_rows: Mapped[list[StaffTier]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )
    grants: Mapped[list[RoleGrant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user",
        foreign_keys="RoleGrant.user_id",
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(32)

    @property
    def tiers(self) -> frozenset[Tier]:
        return training_tiers(row.tier for row in self.tier_rows)

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset({Permission.LEARNER, *(grant.permission for grant in self.grants)})

    def has_permission(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def is_magazine_editor(self) -> bool:
        return any(grant.permission == Permission.AUTHOR and grant.is_editor for grant in self.grants)

    def __repr__(self) -> str:
        return f"<User {self.staff_number} {self.name}>"


class StaffTier(Base):
    __tablename__ = "staff_tiers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[Tier] = mapped_column(str_enum(Tier), primary_key=True)

    user: Mapped[User] = relationship(back_populates="tier_rows")


class RoleGrant(Base):
    """A permission held by a person; manager and reporter grants name the unit they cover."""

    __tablename__ = "role_grants"
    # One grant per person, permission and unit; unscoped grants (NULL unit) count as unit 0.
    __table_args__ = (
        Index("uq_role_grants_scope", "user_id", "permission", text("coalesce(org_unit_id, 0)"), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    permission: Mapped[Permission] = mapped_column(str_enum(Permission))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # Only for AUTHOR: an editor approves, schedules and withdraws magazine issues.
    is_editor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    org_unit: Mapped[OrgUnit | None] = relationship()
