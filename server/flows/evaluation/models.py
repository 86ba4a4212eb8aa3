"""绩效评价 · 反馈整改: one evaluation per project and fiscal year, its indicator-by-indicator self-evaluation
scores, the draw of a third-party firm for a key evaluation and the firm's experts' scores, and the rounds of
rectification the unit reports after the result notice.

Written only by the `evaluation.*` service-task operators. Money in 元; scores in points out of 100.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum

if TYPE_CHECKING:
    from server.models import Project


class EvaluationStatus(enum.StrEnum):
    WAITING = "waiting"  # 等待预算年度结束
    SELF = "self"  # 单位自评中（含退回重新自评）
    REVIEWING = "reviewing"  # 绩效管理股审核自评、确定是否重点评价
    DEPT = "dept"  # 主管部门开展部门评价（选入部门评价的项目，自评之后、审核之前）
    KEY = "key"  # 第三方重点评价中
    GRADED = "graded"  # 已定等次，待下达结果通知
    RECTIFYING = "rectifying"  # 整改中
    COMPLETED = "completed"  # 已完成（无须整改）
    RECTIFIED = "rectified"  # 整改到位，已销号
    UNRECTIFIED = "unrectified"  # 多轮整改仍不到位


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        # One live evaluation per project and year is the operators' rule: a cancelled one stays as history.
        Index("ix_evaluations_project", "project_id", "fiscal_year"),
        Index("ix_evaluations_year", "fiscal_year", "grade"),
        Index("ix_evaluations_instance", "instance_id"),
        Index("ix_evaluations_year_status", "fiscal_year", "status", "key_selected", "self_grade", "grade",
              postgresql_include=["id", "project_id", "rectify_due_at", "self_submitted_at"]),  # 驾驶舱
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    project: Mapped[Project] = relationship()
    fiscal_year: Mapped[int]  # 被评价的预算年度
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal_versions.id"))  # 对照的已批复绩效目标
    status: Mapped[EvaluationStatus] = mapped_column(value_enum(EvaluationStatus, 16))
    # 单位自评
    budget: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 全年预算数（含运行监控中的调整）
    spent: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 全年执行数
    execution_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))  # 执行数 ÷ 预算数
    self_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    self_grade: Mapped[str | None] = mapped_column(String(8))
    explanation: Mapped[str | None] = mapped_column(Text)  # 绩效目标完成情况及偏差原因
    self_problems: Mapped[str | None] = mapped_column(Text)  # 存在问题及改进措施
    self_round: Mapped[int] = mapped_column(default=0)  # 自评报送次数（退回后重新报送加一）
    self_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 部门评价: the supervising department's selection read after self-grading (locks it) and its scores
    dept_selected: Mapped[bool] = mapped_column(default=False)  # 主管部门选入部门评价（读取时的选择）
    dept_scope_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 读取选择的时间：此后选择锁定
    dept_scope_basis: Mapped[str | None] = mapped_column(String(200))  # 规则表 evaluation_dept_scope 的依据
    dept_parts: Mapped[dict[str, str] | None] = mapped_column(JSON)  # 预算执行/产出/效益/满意度 各部分得分
    dept_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    dept_grade: Mapped[str | None] = mapped_column(String(8))
    dept_findings: Mapped[str | None] = mapped_column(Text)  # 部门评价发现的主要问题
    dept_opinion: Mapped[str | None] = mapped_column(Text)  # 部门评价意见
    dept_by_id: Mapped[int | None]  # users.id; no foreign key so the column adds and drops in place on SQLite
    dept_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 绩效管理股审核自评、选取重点评价
    review_decision: Mapped[str | None] = mapped_column(String(16))  # accept / key / send_back
    review_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_selected: Mapped[bool] = mapped_column(default=False)
    key_reason: Mapped[str | None] = mapped_column(Text)
    key_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 第三方专家平均分
    # 评价结果（自评得分，或重点评价得分）
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(8))  # 优 / 良 / 中 / 差
    grade_basis: Mapped[str | None] = mapped_column(String(200))
    # 结果通知与应用
    conclusion: Mapped[str | None] = mapped_column(Text)  # 评价结论
    problems: Mapped[str | None] = mapped_column(Text)  # 发现的主要问题
    requirements: Mapped[str | None] = mapped_column(Text)  # 整改要求
    rectify_required: Mapped[bool] = mapped_column(default=False)
    rectify_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 整改报告报送期限
    adjust_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 规则表：下年度预算调整比例
    application_basis: Mapped[str | None] = mapped_column(String(200))
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    noticed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    publish: Mapped[bool] = mapped_column(default=False)  # 评价结果随决算公开
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    indicators: Mapped[list[EvaluationIndicatorScore]] = relationship(
        back_populates="evaluation", order_by="EvaluationIndicatorScore.position", lazy="selectin",
        cascade="all, delete-orphan",
    )
    rectifications: Mapped[list[Rectification]] = relationship(order_by="Rectification.round", lazy="selectin")


class DeptEvaluationSelection(Base):
    """A project the supervising department chose for 部门评价 in a fiscal year (seed 001: 积极推进部门评价).
    Read by the evaluation after self-grading; from then on it is locked (Evaluation.dept_scope_at)."""

    __tablename__ = "dept_evaluation_selections"
    __table_args__ = (UniqueConstraint("project_id", "fiscal_year"),
                      Index("ix_dept_evaluation_selections_department", "department_id", "fiscal_year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    fiscal_year: Mapped[int]
    department_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(Text)  # 选入部门评价的理由
    selected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    selected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvaluationIndicatorScore(Base):
    """One approved indicator in the self-evaluation: the target, the actual value, and its auto-score."""

    __tablename__ = "evaluation_indicator_scores"
    __table_args__ = (Index("ix_evaluation_indicator_scores_evaluation", "evaluation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("goal_indicators.id"))
    position: Mapped[int]
    level1: Mapped[str] = mapped_column(String(16))  # 产出 / 效益 / 满意度
    name: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(100))  # 年度指标值
    unit: Mapped[str | None] = mapped_column(String(20))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 绩效目标表中的权重
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 自评表中的分值
    actual_value: Mapped[str] = mapped_column(String(100))  # 全年实际完成值（定性：达成/部分达成/未达成）
    degree: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # 定性指标的完成程度（%）
    ratio: Mapped[Decimal] = mapped_column(Numeric(6, 4))  # 得分比例 0–1
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    deviation_reason: Mapped[str | None] = mapped_column(Text)  # 偏差原因分析及改进措施

    evaluation: Mapped[Evaluation] = relationship(back_populates="indicators")


class KeyEvaluationDraw(Base):
    """The lot that chose the third-party firm: anyone can recompute it from the stored seed and candidates
    (index = SHA-256 of the seed, as an integer, modulo the number of candidates in the stored order)."""

    __tablename__ = "key_evaluation_draws"
    __table_args__ = (UniqueConstraint("evaluation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    seed: Mapped[str] = mapped_column(String(64))
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"id", "code", "name"}] in draw order
    chosen_index: Mapped[int]
    firm_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    experts: Mapped[list[str]] = mapped_column(JSON)  # usernames of the firm's experts given the task
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KeyEvaluationScore(Base):
    """One expert's key-evaluation score sheet (same four parts as the self-evaluation)."""

    __tablename__ = "key_evaluation_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    execution: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 预算执行
    output: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 产出
    benefit: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 效益
    satisfaction: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 满意度
    total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    findings: Mapped[str] = mapped_column(Text)  # 发现的主要问题
    opinion: Mapped[str] = mapped_column(Text)  # 评价意见
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Rectification(Base):
    """One rectification report by the unit and the performance office's verification of it."""

    __tablename__ = "rectifications"
    __table_args__ = (UniqueConstraint("evaluation_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    round: Mapped[int]  # 第几次报送
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # 本次报送期限
    measures: Mapped[str] = mapped_column(Text)  # 整改措施
    results: Mapped[str] = mapped_column(Text)  # 整改成效
    completion: Mapped[str] = mapped_column(String(16))  # 已完成 / 部分完成
    overdue: Mapped[bool] = mapped_column(default=False)  # 超过期限才报送
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))  # verified / send_back / failed
    opinion: Mapped[str | None] = mapped_column(Text)  # 核查意见
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
