"""Budget consequences of performance results: adjustments of a project's budget and payment suspensions.

Any flow may write these through the `budget.*` service-task operators (the evaluation flow's result
application today, monitoring's corrections later); each row names the flow and the domain row it came from
(`source_flow`, `source_id`), so a budget section can trace every change back to its reason. Money in 元.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum


class AdjustmentKind(enum.StrEnum):
    INCREASE = "increase"  # 调增预算（如评价结果为优、良）
    DECREASE = "decrease"  # 调减预算（如评价结果为差）
    RECOVER = "recover"  # 收回结余统筹使用


class BudgetAdjustment(Base):
    """One change to a project's budget for a fiscal year: `amount` is the change in 元 (negative for a cut);
    when it was computed as a percentage, `percent` and the `base_amount` it was applied to are kept."""

    __tablename__ = "budget_adjustments"
    __table_args__ = (
        Index("ix_budget_adjustments_project", "project_id", "fiscal_year"),
        Index("ix_budget_adjustments_year", "fiscal_year", "kind"),
        Index("ix_budget_adjustments_source", "source_flow", "source_id"),
        Index("ix_budget_adjustments_results", "fiscal_year", "kind", postgresql_include=["project_id", "amount"],
              postgresql_where=text("source_flow = 'evaluation'"), sqlite_where=text("source_flow = 'evaluation'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    fiscal_year: Mapped[int]  # 调整适用的预算年度
    kind: Mapped[AdjustmentKind] = mapped_column(value_enum(AdjustmentKind, 16))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 调整比例（%，调减为负）
    base_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 按比例调整时的基数（元）
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 调整金额（元，调减为负）
    reason: Mapped[str] = mapped_column(Text)
    source_flow: Mapped[str] = mapped_column(String(64))  # 产生调整的流程，如 evaluation
    source_id: Mapped[int | None]  # 该流程的业务记录编号，如 evaluations.id
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaymentSuspension(Base):
    """暂缓拨付: payments to a project are held from `since` until `lifted_at` (None: still suspended)."""

    __tablename__ = "payment_suspensions"
    __table_args__ = (
        Index("ix_payment_suspensions_project", "project_id", "lifted_at"),
        Index("ix_payment_suspensions_source", "source_flow", "source_id"),
        Index("ix_payment_suspensions_results", "source_id", postgresql_include=["project_id", "lifted_at"],
              postgresql_where=text("source_flow = 'evaluation'"), sqlite_where=text("source_flow = 'evaluation'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lift_reason: Mapped[str | None] = mapped_column(Text)
    source_flow: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[int | None]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
