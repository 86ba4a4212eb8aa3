"""预算安排: next year's budget line of every project in a sector, as the arrangement flow drafted it from the
library and last year's results, reviewed by the sector's finance section and confirmed by the office. A
department of the sector whose 部门整体绩效 was evaluated last year has one more line, kind "department": its
部门公用经费 moved by that evaluation's result (004: 相应调整部门公用经费), with no project.

Written only by the `arrangement.*` service-task operators. Money in 元. `reasons` keeps each consequence as a
code with its figures and source evaluation (services render the words, so they follow the reader's language);
a payment suspension is not copied here but read live, so a verified rectification shows at once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models import Project
from server.models.common import UTCDateTime, utcnow, value_enum


class ArrangementStatus(enum.StrEnum):
    DRAFT = "draft"  # 已测算，待财政业务股室审核
    REVIEWED = "reviewed"  # 业务股室已审核，待绩效管理股确认
    CONFIRMED = "confirmed"  # 已确认


class LineKind(enum.StrEnum):
    PROJECT = "project"  # 项目支出
    DEPARTMENT = "department"  # 部门公用经费（部门整体绩效评价结果）


class BudgetArrangement(Base):
    __tablename__ = "budget_arrangements"
    __table_args__ = (
        UniqueConstraint("project_id", "fiscal_year"),
        # The lists' order: a page of a year (or of a sector) is read in index order, never a sort of the year.
        Index("ix_budget_arrangements_year", "fiscal_year", "sector", "kind", "organisation_id", "project_id"),
        Index("ix_budget_arrangements_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]  # 安排的预算年度
    kind: Mapped[LineKind] = mapped_column(value_enum(LineKind, 16), default=LineKind.PROJECT,
                                           server_default=LineKind.PROJECT.value)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))  # None on a department line
    project: Mapped[Project | None] = relationship(lazy="joined")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # 实施单位；部门公用经费行为该部门
    sector: Mapped[str] = mapped_column(String(32))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    status: Mapped[ArrangementStatus] = mapped_column(value_enum(ArrangementStatus, 16))
    base: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 基数：本项目的核定（延续项目为上年核定）金额
    adjustment: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 结果应用调整（元，调减为负）
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 安排金额
    new_demand: Mapped[bool] = mapped_column(default=False)  # 新增需求（本年度新增项目）
    priority: Mapped[bool | None]  # True 优先安排；False 不再具备优先保障资格；None 无
    execution_stopped: Mapped[bool] = mapped_column(default=False)  # 中止预算执行
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    section_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    office_opinion: Mapped[str | None] = mapped_column(Text)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
