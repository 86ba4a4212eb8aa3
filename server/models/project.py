"""The project library (项目库): every project a unit applies for, and the source of truth for project lists.

Money is in 元 (yuan), two decimals. A project is written only by the `library.*` service-task operators.
Life cycle (先评估后入库): applied (已申报) → assessing (事前评估中) → in_library (已入库) | rejected (不予支持);
a project that the rule table exempts from assessment goes from applied straight to in_library.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum
from server.models.identity import Organisation


class ProjectStatus(enum.StrEnum):
    APPLIED = "applied"  # 已申报（待评估或待入库）
    ASSESSING = "assessing"  # 事前绩效评估中
    IN_LIBRARY = "in_library"  # 已入库
    REJECTED = "rejected"  # 不予支持，不得安排预算
    WITHDRAWN = "withdrawn"  # 已退出


class ProjectType(enum.StrEnum):
    NEW = "new"  # 新增项目
    CONTINUING = "continuing"  # 延续项目


class ProjectCategory(enum.StrEnum):
    """支出类别 (seed 002: 人员类、运转类、特定目标类 all fill goals; the rule table ex_ante_category decides which
    of them go through the ex-ante assessment)."""

    PERSONNEL = "personnel"  # 人员类
    OPERATING = "operating"  # 运转类
    SPECIFIC = "specific"  # 特定目标类


class FundSource(enum.StrEnum):
    """资金来源, a closed list (seeds 000, 002, 003): county money, transfers from above, the transfers under the
    direct-allocation mechanism that 002 monitors closely, and earmarked special funds."""

    LOCAL = "local"  # 本级财政资金
    TRANSFER = "transfer"  # 上级转移支付
    DIRECT = "direct"  # 直达资金（重点监控）
    SPECIAL = "special"  # 专项资金


class GoalStatus(enum.StrEnum):
    """Where the project stands in 绩效目标编审 (the goal flow comes after admission)."""

    AWAITING = "awaiting"  # 已入库，待编制绩效目标
    DRAFTING = "drafting"  # 编制中（含退回修改）
    REVIEWING = "reviewing"  # 主管部门 / 财政审核中
    APPROVED = "approved"  # 已批复，随预算公开
    REFUSED = "refused"  # 审核为差（或修改轮次用尽），不得安排预算
    ADJUSTING = "adjusting"  # 已批复，调整申请审核中


def _with_amounts(name: str, *columns: str) -> Index:
    return Index(name, *columns, postgresql_include=["amount", "budget_now"])


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        # Scopes, the project library's filters and its default sort (newest first). On PostgreSQL they carry the
        # amounts too, so the totals of a filtered set are an index-only scan rather than a read of every row.
        _with_amounts("ix_projects_org", "organisation_id", "created_at"),
        _with_amounts("ix_projects_sector", "sector", "created_at"),
        Index("ix_projects_year_status", "fiscal_year", "status"),
        _with_amounts("ix_projects_created", "created_at", "id"),
        _with_amounts("ix_projects_goal_status", "goal_status", "created_at"),
        _with_amounts("ix_projects_colour", "monitoring_colour", "created_at"),
        _with_amounts("ix_projects_grade", "last_grade", "created_at"),
        Index("ix_projects_year_goal", "fiscal_year", "status", "goal_status",  # 驾驶舱 (migration 0020)
              postgresql_include=["amount", "requested_amount", "organisation_id", "department_id", "sector",
                                  "monitoring_colour"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[str | None] = mapped_column(String(32))
    fiscal_year: Mapped[int | None]  # 预算年度
    project_type: Mapped[ProjectType | None] = mapped_column(value_enum(ProjectType, 16))
    category: Mapped[ProjectCategory] = mapped_column(value_enum(ProjectCategory, 16), default=ProjectCategory.SPECIFIC,
                                                      server_default=ProjectCategory.SPECIFIC.value)
    fund_source: Mapped[FundSource] = mapped_column(value_enum(FundSource, 16), default=FundSource.LOCAL,
                                                    server_default=FundSource.LOCAL.value)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())  # 保密项目：不公开
    start_year: Mapped[int | None]  # 实施期限：起始年度
    end_year: Mapped[int | None]  # 实施期限：截止年度
    requested_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 申报金额（元）= 财政拨款 + 其他资金
    fiscal_funds: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 其中：财政拨款（元）
    other_funds: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 其中：其他资金（元）
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 核定入库金额（元）; None until admitted
    cut_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 审减金额（元）= 申报 − 核定
    status: Mapped[ProjectStatus] = mapped_column(value_enum(ProjectStatus, 16))
    goal_status: Mapped[GoalStatus | None] = mapped_column(value_enum(GoalStatus, 16))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    application: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # 申报书：必要性、实施方案、预算测算、材料清单
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 入库时间
    # Facts other flows establish, copied here in the same transaction (server/services/project_facts.py) so
    # the library filters and sorts 200,000 projects without a subquery per row.
    monitoring_colour: Mapped[str | None] = mapped_column(String(8))  # 最近一期监控的颜色
    monitoring_month: Mapped[int | None]  # 最近一期监控的报告期 YYYYMM
    last_grade: Mapped[str | None] = mapped_column(String(8))  # 最近一次绩效评价等次
    last_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 最近一次绩效评价得分
    budget_now: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 执行中的预算（元）; None: = amount

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], lazy="joined")
