"""Organisations, users, their roles and covered sectors, and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum


class Role(enum.StrEnum):
    UNIT_STAFF = "unit_staff"
    DEPT_REVIEWER = "dept_reviewer"
    FINANCE_SECTION = "finance_section"
    PERFORMANCE_OFFICE = "performance_office"
    EXPERT = "expert"
    ADMIN = "admin"


ROLE_CODES = frozenset(r.value for r in Role)


class OrgKind(enum.StrEnum):
    FINANCE_BUREAU = "finance_bureau"  # 县财政局
    FINANCE_OFFICE = "finance_office"  # 财政局内设股室
    DEPARTMENT = "department"  # 主管部门
    UNIT = "unit"  # 实施单位
    THIRD_PARTY = "third_party"  # 第三方机构


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(value_enum(OrgKind, 32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The sector (归口领域) a department and its units belong to, e.g. 教育, 水利.
    sector: Mapped[str | None] = mapped_column(String(32))

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    @property
    def department_id(self) -> int | None:
        """The supervising department (主管部门) whose reviewers see this organisation's work."""
        if self.kind == OrgKind.DEPARTMENT:
            return self.id
        if self.kind == OrgKind.UNIT and self.parent is not None:
            return self.parent.id
        return None


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The interface language the user picked with the switch (server.web.i18n); None: never picked (Chinese).
    language: Mapped[str | None] = mapped_column(String(16))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", back_populates="user"
    )
    sector_rows: Mapped[list[UserSector]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    @property
    def sectors(self) -> frozenset[str]:
        """Sectors a finance section user covers (谁安排资金谁审核)."""
        return frozenset(s.sector for s in self.sector_rows)

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSector(Base):
    __tablename__ = "user_sectors"
    __table_args__ = (UniqueConstraint("user_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sector: Mapped[str] = mapped_column(String(32))


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored so a database leak does not leak sessions."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")
