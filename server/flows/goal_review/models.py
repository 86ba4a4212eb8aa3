"""绩效目标 (performance goals): one goal table per version, its indicator rows, and every review opinion.

A project's first goal table is version 1 (kind `original`); each approved adjustment request adds the next
version (kind `adjusted`) and the version it replaces becomes `superseded` but stays readable. Send-back
rounds during review edit the same version (`round` + 1); the opinions of every round are kept.
The quality warnings (seed 004 defects) found at the last save are stored with the version.
Written only by the `goals.*` service-task operators. Money in 元; weights in points out of 100.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum


class GoalKind(enum.StrEnum):
    ORIGINAL = "original"  # 申报批复的绩效目标
    ADJUSTED = "adjusted"  # 经调整申请批准的绩效目标


class GoalVersionStatus(enum.StrEnum):
    DRAFT = "draft"  # 编制中
    SUBMITTED = "submitted"  # 已提交审核
    RETURNED = "returned"  # 退回修改
    APPROVED = "approved"  # 已批复（现行）
    SUPERSEDED = "superseded"  # 已被调整后的版本替代
    REFUSED = "refused"  # 审核未通过 / 调整申请未获批准


class GoalStage(enum.StrEnum):
    DEPT = "dept"  # 主管部门审核
    FINANCE = "finance"  # 财政业务股室审核
    FIX = "fix"  # 良：确认修改


class GoalVersion(Base):
    __tablename__ = "goal_versions"
    __table_args__ = (
        UniqueConstraint("project_id", "version"),
        Index("ix_goal_versions_status", "status", "fiscal_year"),
        Index("ix_goal_versions_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    version: Mapped[int]  # 1, 2, ... per project
    kind: Mapped[GoalKind] = mapped_column(value_enum(GoalKind, 16))
    status: Mapped[GoalVersionStatus] = mapped_column(value_enum(GoalVersionStatus, 16))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("goal_versions.id"))  # 调整前的版本
    fiscal_year: Mapped[int | None]
    round: Mapped[int] = mapped_column(default=1)  # 报审轮次（每次退回修改后加一）
    long_term_goal: Mapped[str | None] = mapped_column(Text)  # 中长期目标
    annual_goal: Mapped[str | None] = mapped_column(Text)  # 年度目标
    contact: Mapped[str | None] = mapped_column(String(100))
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 年度资金总额（元，核定入库金额）
    adjust_reasons: Mapped[str | None] = mapped_column(Text)  # 调整理由
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # 质量检查提示 [{"field","message"}]
    grade: Mapped[str | None] = mapped_column(String(8))  # 财政审核等次：优 / 良 / 中 / 差
    outcome_basis: Mapped[str | None] = mapped_column(String(200))  # 规则表给出的处理依据
    publish: Mapped[bool] = mapped_column(default=False)  # 随预算批复同步公开
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    indicators: Mapped[list[GoalIndicator]] = relationship(
        back_populates="goal", order_by="GoalIndicator.position", lazy="selectin", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[GoalReview]] = relationship(
        back_populates="goal", order_by="GoalReview.id", lazy="selectin"
    )


class GoalIndicator(Base):
    """One row of the goal table: 一级/二级/三级指标, 计算符号, 指标值, 计量单位, 设定依据, 权重."""

    __tablename__ = "goal_indicators"
    __table_args__ = (Index("ix_goal_indicators_goal", "goal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal_versions.id", ondelete="CASCADE"))
    position: Mapped[int]
    level1: Mapped[str] = mapped_column(String(16))  # 产出 / 效益 / 满意度
    level2: Mapped[str] = mapped_column(String(16))  # 数量 / 质量 / ... / 服务对象满意度
    name: Mapped[str] = mapped_column(String(100))  # 三级指标
    operator: Mapped[str] = mapped_column(String(8))  # ≥ > = < ≤ 定性
    value: Mapped[str] = mapped_column(String(100))  # 指标值（定量为数字）
    unit: Mapped[str | None] = mapped_column(String(20))  # 计量单位（定性可空）
    basis: Mapped[str | None] = mapped_column(String(16))  # 计划标准 / 行业标准 / 历史标准 / 其他标准
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    goal: Mapped[GoalVersion] = relationship(back_populates="indicators")


class GoalReview(Base):
    """One review opinion: who, at which stage and round, the decision (pass / send_back / 优良中差 / ...)."""

    __tablename__ = "goal_reviews"
    __table_args__ = (Index("ix_goal_reviews_goal", "goal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal_versions.id"))
    stage: Mapped[GoalStage] = mapped_column(value_enum(GoalStage, 16))
    round: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))  # approve / fix / revise / refuse（规则表结论）
    opinion: Mapped[str | None] = mapped_column(Text)
    fixes: Mapped[str | None] = mapped_column(Text)  # 修改意见
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    goal: Mapped[GoalVersion] = relationship(back_populates="reviews")
