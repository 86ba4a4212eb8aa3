"""The project library (项目库): projects admitted by a flow, the source of truth for project lists."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum
from server.models.identity import Organisation


class ProjectStatus(enum.StrEnum):
    IN_LIBRARY = "in_library"  # 已入库
    WITHDRAWN = "withdrawn"  # 已退出


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_org", "organisation_id", "created_at"),
        Index("ix_projects_sector", "sector", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # approved amount (元)
    status: Mapped[ProjectStatus] = mapped_column(value_enum(ProjectStatus, 16))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], lazy="joined")
