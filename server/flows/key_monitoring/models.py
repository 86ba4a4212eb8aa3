"""重点绩效监控 · 跟踪整改: one key monitoring per selected project and instance, the monitor's tracking
findings (跟踪发现), and the rounds of rectification the unit reports and the performance office verifies.

Written only by the `key_monitoring.*` service-task operators.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum

if TYPE_CHECKING:
    from server.models import Organisation, Project

SEVERITIES = ("一般", "较重", "严重")


class KeyMonitoringStatus(enum.StrEnum):
    ASSIGNING = "assigning"  # 绩效管理股确定监控主体
    TRACKING = "tracking"  # 跟踪监控中
    REQUESTING = "requesting"  # 有跟踪发现，待下达整改要求
    RECTIFYING = "rectifying"  # 单位整改中
    NO_ISSUE = "no_issue"  # 跟踪未发现问题，已办结
    RECTIFIED = "rectified"  # 整改到位，已销号


class KeyMonitoring(Base):
    __tablename__ = "key_monitorings"
    __table_args__ = (
        Index("ix_key_monitorings_project", "project_id", "fiscal_year"),
        Index("ix_key_monitorings_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    project: Mapped[Project] = relationship()
    fiscal_year: Mapped[int]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    status: Mapped[KeyMonitoringStatus] = mapped_column(value_enum(KeyMonitoringStatus, 16))
    monitor: Mapped[str | None] = mapped_column(String(16))  # office / third_party
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # 受托第三方机构
    firm: Mapped[Organisation | None] = relationship()
    expert: Mapped[str | None] = mapped_column(String(64))  # the firm's expert given the tracking task
    reason: Mapped[str | None] = mapped_column(Text)  # 选取理由
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str | None] = mapped_column(Text)  # 跟踪情况
    tracked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    tracked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requirements: Mapped[str | None] = mapped_column(Text)  # 整改要求
    rectify_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 当前整改报送期限
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 逾期升级督办的时间
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    findings: Mapped[list[KeyMonitoringFinding]] = relationship(
        order_by="KeyMonitoringFinding.position", lazy="selectin", cascade="all, delete-orphan")
    rectifications: Mapped[list[KeyMonitoringRectification]] = relationship(
        order_by="KeyMonitoringRectification.round", lazy="selectin")


class KeyMonitoringFinding(Base):
    """One tracking finding: the issue, its evidence and how severe it is."""

    __tablename__ = "key_monitoring_findings"
    __table_args__ = (Index("ix_key_monitoring_findings_monitoring", "monitoring_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monitoring_id: Mapped[int] = mapped_column(ForeignKey("key_monitorings.id", ondelete="CASCADE"))
    position: Mapped[int]
    issue: Mapped[str] = mapped_column(Text)  # 发现的问题
    evidence: Mapped[str] = mapped_column(Text)  # 依据（核查的资料、现场情况）
    severity: Mapped[str] = mapped_column(String(8))  # 一般 / 较重 / 严重


class KeyMonitoringRectification(Base):
    """One rectification report by the unit and the performance office's verification of it."""

    __tablename__ = "key_monitoring_rectifications"
    __table_args__ = (UniqueConstraint("monitoring_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monitoring_id: Mapped[int] = mapped_column(ForeignKey("key_monitorings.id"))
    round: Mapped[int]
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    measures: Mapped[str] = mapped_column(Text)  # 整改措施
    results: Mapped[str] = mapped_column(Text)  # 整改成效
    completion: Mapped[str] = mapped_column(String(16))  # 已完成 / 部分完成
    overdue: Mapped[bool] = mapped_column(default=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))  # verified / send_back
    opinion: Mapped[str | None] = mapped_column(Text)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
