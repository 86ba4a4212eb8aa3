"""绩效运行监控·纠偏 ("double monitoring"): monitoring reports with their per-indicator rows, the key-attention
ledger (重点关注台账), and the finance section's corrections
(its reminders go to the shared `notifications` table, server/models/notification.py).

One report per project and reporting month (budget execution + goal achievement, coloured by the rule table
`monitoring_rules`); a yellow or red report carries the unit's cause and measures and is followed by one
correction row per finance decision (accept / adjust_goals / adjust_budget / suspend_payment / recover_balance;
the year-end recovery of money the unit declares unpayable is a `recover_balance` row without an actor).
Written only by the `monitoring.*` service-task operators. Money in 元.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum


class Colour(enum.StrEnum):
    BLUE = "blue"  # 超额（≥ 120%）
    GREEN = "green"  # 正常
    YELLOW = "yellow"  # 轻度偏离
    RED = "red"  # 严重偏离


class CorrectionKind(enum.StrEnum):
    ACCEPT = "accept"  # 认可原因和措施
    ADJUST_GOALS = "adjust_goals"  # 调整绩效目标（单位另行提出调整申请）
    ADJUST_BUDGET = "adjust_budget"  # 调整预算（amount = 调整后预算）
    SUSPEND_PAYMENT = "suspend_payment"  # 暂缓拨付
    RECOVER_BALANCE = "recover_balance"  # 收回结余资金统筹使用（amount = 收回金额）


# The reports the warnings board lists; queries state it with these literals so both planners match the index.
WARNING_PREDICATE = "colour IN ('yellow', 'red')"


class MonitoringReport(Base):
    __tablename__ = "monitoring_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "fiscal_year", "month"),
        Index("ix_monitoring_reports_year", "fiscal_year", "month", "colour"),
        Index("ix_monitoring_reports_instance", "instance_id"),
        # 预警看板 on PostgreSQL: the yellow and red reports only, in the board's order read backwards (newest
        # month first, within it 'red' before 'yellow', hence colour DESC), so a page is the first rows of one
        # index scan. SQLite (small counties) sorts the month's rows from ix_monitoring_reports_year.
        Index("ix_monitoring_reports_warnings", "fiscal_year", "month", text("colour DESC"), "id",
              postgresql_where=text(WARNING_PREDICATE)).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal_versions.id"))  # 对照的已批复绩效目标
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    fiscal_year: Mapped[int]
    month: Mapped[int]  # 报告期（截至该月末）
    budget: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 报告时的预算（元）
    spent: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 累计支出（元）
    execution_ratio: Mapped[Decimal] = mapped_column(Numeric(10, 4))  # (支出 ÷ 预算) ÷ (月份 ÷ 12)
    execution_colour: Mapped[Colour] = mapped_column(value_enum(Colour, 8))
    goal_colour: Mapped[Colour] = mapped_column(value_enum(Colour, 8))  # 最差的指标颜色
    colour: Mapped[Colour] = mapped_column(value_enum(Colour, 8))  # 执行与目标中较差者
    unpayable_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 预计年底确实无法支付（元）
    note: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)  # 黄/红：偏离原因
    measures: Mapped[str | None] = mapped_column(Text)  # 黄/红：纠偏措施
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    indicators: Mapped[list[MonitoringIndicator]] = relationship(
        back_populates="report", order_by="MonitoringIndicator.position", lazy="selectin",
        cascade="all, delete-orphan",
    )


class MonitoringIndicator(Base):
    """One approved indicator measured in one report: current value, progress, colour, likelihood, cause."""

    __tablename__ = "monitoring_indicators"
    __table_args__ = (Index("ix_monitoring_indicators_report", "report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("goal_indicators.id"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(100))
    current_value: Mapped[str] = mapped_column(String(100))
    progress: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))  # 定量：(当前 ÷ 目标) ÷ (月份 ÷ 12)
    colour: Mapped[Colour] = mapped_column(value_enum(Colour, 8))
    likelihood: Mapped[str] = mapped_column(String(16))  # 能够完成 / 可能无法完成 / 无法完成
    cause: Mapped[str | None] = mapped_column(Text)

    report: Mapped[MonitoringReport] = relationship(back_populates="indicators")


class KeyAttention(Base):
    """重点关注台账: projects still at zero spending at the end of October (seed 002)."""

    __tablename__ = "key_attention"
    __table_args__ = (UniqueConstraint("project_id", "fiscal_year"), Index("ix_key_attention_year", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id"))
    fiscal_year: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Correction(Base):
    """One finance decision on a deviating report (纠偏), or the year-end recovery."""

    __tablename__ = "monitoring_corrections"
    __table_args__ = (
        Index("ix_monitoring_corrections_project", "project_id", "id"),
        Index("ix_monitoring_corrections_report", "report_id", "id"),  # the warnings board's decision column
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id"))
    kind: Mapped[CorrectionKind] = mapped_column(value_enum(CorrectionKind, 16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    opinion: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: by the year-end rule
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

