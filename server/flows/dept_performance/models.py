"""部门整体绩效: a department's goal table for a fiscal year (its functions, annual plan and indicators, with the
actual values of its self-evaluation), and the year's evaluation with its result applied to the department's
budget (DOMAIN §4c; seeds 000, 004).

Written only by the `dept.*` service-task operators. Money in 元; scores in points out of 100.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.flows.monitoring.models import Colour
from server.models.common import UTCDateTime, value_enum


class DeptGoalStatus(enum.StrEnum):
    DRAFT = "draft"  # 部门编制中（含退回修改）
    SUBMITTED = "submitted"  # 财政业务股室审核中
    APPROVED = "approved"  # 已批复


class DeptGoal(Base):
    """One version of a department's 年度部门整体绩效目标; a returned table is edited in place, round by round."""

    __tablename__ = "dept_goals"
    __table_args__ = (
        Index("ix_dept_goals_department", "department_id", "fiscal_year"),
        Index("ix_dept_goals_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    fiscal_year: Mapped[int]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    status: Mapped[DeptGoalStatus] = mapped_column(value_enum(DeptGoalStatus, 16))
    round: Mapped[int] = mapped_column(default=1)
    functions: Mapped[str | None] = mapped_column(Text)  # 部门职责
    work_plan: Mapped[str | None] = mapped_column(Text)  # 年度工作计划
    annual_goal: Mapped[str | None] = mapped_column(Text)  # 年度整体绩效目标
    warnings: Mapped[list[dict] | None] = mapped_column(JSON)  # 质量检查提示 (goal_review.quality)
    review_grade: Mapped[str | None] = mapped_column(String(8))  # 财政审核等次 优/良/中/差
    review_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 运行监控 (mid-year, DOMAIN §3): the department's report on how the year is going
    monitor_summary: Mapped[str | None] = mapped_column(Text)
    monitored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    monitor_colour: Mapped[Colour | None] = mapped_column(value_enum(Colour, 8))  # the worst indicator's colour

    indicators: Mapped[list[DeptGoalIndicator]] = relationship(
        cascade="all, delete-orphan", order_by="DeptGoalIndicator.position", lazy="selectin"
    )
    follow_ups: Mapped[list[DeptMonitorFollowUp]] = relationship(order_by="DeptMonitorFollowUp.round")


class DeptGoalIndicator(Base):
    """A goal indicator (three levels, as a project's) and, after the year, its actual value and score."""

    __tablename__ = "dept_goal_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("dept_goals.id"), index=True)
    position: Mapped[int]
    level1: Mapped[str] = mapped_column(String(16))
    level2: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(20))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # 运行监控
    monitor_value: Mapped[str | None] = mapped_column(String(100))  # 截至监控时的完成值
    monitor_deviation: Mapped[str | None] = mapped_column(Text)  # 偏差原因及纠偏措施
    monitor_progress: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))  # (完成值 ÷ 指标值) ÷ (7 ÷ 12)
    monitor_colour: Mapped[Colour | None] = mapped_column(value_enum(Colour, 8))
    original_value: Mapped[str | None] = mapped_column(String(100))  # 监控纠偏调整目标前批复的指标值
    # 部门自评
    actual_value: Mapped[str | None] = mapped_column(String(100))
    degree: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 定性指标的完成程度 %
    points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 该指标满分
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    deviation_reason: Mapped[str | None] = mapped_column(Text)


class FollowUpDecision(enum.StrEnum):
    ACCEPT = "accept"  # 认可（继续执行）
    CORRECT = "correct"  # 要求纠偏：部门限期报送纠偏措施
    ADJUST_GOALS = "adjust_goals"  # 调整目标：部门限期提出调整后的指标值，财政再审


class DeptMonitorFollowUp(Base):
    """One round of the finance section's follow-up (及时纠偏) of a department's mid-year warning: its decision
    and, when it asked for corrections, the department's measures by the deadline."""

    __tablename__ = "dept_monitor_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("dept_goals.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    round: Mapped[int]
    colour: Mapped[Colour] = mapped_column(value_enum(Colour, 8))  # the department's colour it followed up
    decision: Mapped[FollowUpDecision] = mapped_column(value_enum(FollowUpDecision, 16))
    opinion: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 纠偏措施报送期限 (end of that county day)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    measures: Mapped[str | None] = mapped_column(Text)  # 部门报送的纠偏措施（调整目标：调整内容及理由）
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue: Mapped[bool | None]

    @property
    def last_day(self) -> datetime | None:
        """The deadline as the day people read (due_at is the midnight that ends it)."""
        return None if self.due_at is None else self.due_at - timedelta(seconds=1)


class DeptEvaluationStatus(enum.StrEnum):
    WAITING = "waiting"  # 等待预算年度结束
    SELF = "self"  # 部门自评中
    OFFICE = "office"  # 财政评价中
    COMPLETED = "completed"  # 已定等次，结果已应用


class DeptEvaluation(Base):
    """部门整体支出绩效评价 of one department and year, and its result applied to the department's 公用经费:
    the budget effect, with the rule table's reason, is what the department page shows."""

    __tablename__ = "dept_evaluations"
    __table_args__ = (
        Index("ix_dept_evaluations_department", "department_id", "fiscal_year"),
        Index("ix_dept_evaluations_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    fiscal_year: Mapped[int]
    goal_id: Mapped[int] = mapped_column(ForeignKey("dept_goals.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    status: Mapped[DeptEvaluationStatus] = mapped_column(value_enum(DeptEvaluationStatus, 16))
    self_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    self_summary: Mapped[str | None] = mapped_column(Text)  # 目标完成情况及存在问题
    office_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(8))
    grade_basis: Mapped[str | None] = mapped_column(String(200))
    office_opinion: Mapped[str | None] = mapped_column(Text)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 结果应用: the next year's 公用经费 moves by adjust_percent of the figure the office entered
    public_funds: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    adjust_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    adjustment: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    rectify_required: Mapped[bool | None]
    reason: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
