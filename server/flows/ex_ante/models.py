"""事前绩效评估: one assessment per project application, and every opinion given on it.

An assessment is opened when the rule table has decided (exempt or required); each step of the flow —
the unit's self-assessment, the supervising department's review, each expert's scores, the performance
office's assessment — appends an `AssessmentOpinion`, so send-back rounds stay visible. The conclusion
(予以支持 / 调整后支持 / 不予支持) with approved and cut amounts sits on the assessment itself.
Written only by the `assessment.*` service-task operators. Money in 元; scores out of 20 per dimension.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum

# The five dimensions of the public sample form (20 points each, 100 in all).
DIMENSIONS: dict[str, str] = {
    "necessity": "立项必要性",
    "economy": "投入经济性",
    "goals": "绩效目标合理性",
    "feasibility": "实施方案可行性",
    "compliance": "筹资合规性",
}


class AssessmentStatus(enum.StrEnum):
    EXEMPT = "exempt"  # 规则表判定免于事前评估
    IN_PROGRESS = "in_progress"  # 评估中
    RETURNED = "returned"  # 已退回单位修改
    CONCLUDED = "concluded"  # 已出具评估结论


class Conclusion(enum.StrEnum):
    SUPPORT = "support"  # 予以支持
    ADJUST = "adjust"  # 调整后支持（部分支持，核减金额）
    REJECT = "reject"  # 不予支持


class Stage(enum.StrEnum):
    SELF = "self"  # 单位自评
    DEPT = "dept"  # 主管部门审核
    EXPERT = "expert"  # 专家评审
    OFFICE = "office"  # 财政（绩效管理股）评估


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_year", "fiscal_year", "status"),
                      Index("ix_assessments_year_conclusion", "fiscal_year", "status", "conclusion",  # 驾驶舱
                            postgresql_include=["project_id", "requested_amount", "approved_amount", "cut_amount"]),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    fiscal_year: Mapped[int | None]
    required: Mapped[bool]  # 规则表结论：是否需要事前评估
    basis: Mapped[str | None] = mapped_column(String(200))  # 判定依据（规则表输出）
    major: Mapped[bool | None]  # 重大项目：财政评估并组织专家评审
    status: Mapped[AssessmentStatus] = mapped_column(value_enum(AssessmentStatus, 16))
    stage: Mapped[Stage | None] = mapped_column(value_enum(Stage, 16))  # last step recorded
    rounds: Mapped[int] = mapped_column(default=1)  # 申报轮次（每次退回修改后加一）
    self_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    expert_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # 专家平均分
    office_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    conclusion: Mapped[Conclusion | None] = mapped_column(value_enum(Conclusion, 16))
    requested_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 申报金额（元）
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 核定金额（元）
    cut_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 审减金额（元）
    cut_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))  # 审减率 = 审减金额 ÷ 申报金额
    reasons: Mapped[str | None] = mapped_column(Text)  # 不予支持理由 / 调整说明
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    opinions: Mapped[list[AssessmentOpinion]] = relationship(
        back_populates="assessment", order_by="AssessmentOpinion.id", lazy="selectin"
    )


class AssessmentOpinion(Base):
    """One step's opinion: who, at which stage and round, what they decided, and their scores if any."""

    __tablename__ = "assessment_opinions"
    __table_args__ = (Index("ix_assessment_opinions_assessment", "assessment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    stage: Mapped[Stage] = mapped_column(value_enum(Stage, 16))
    round: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16))  # submit / pass / send_back / score / support / adjust / reject
    necessity: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    economy: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    goals: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    feasibility: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    compliance: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    total: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    opinion: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="opinions")
