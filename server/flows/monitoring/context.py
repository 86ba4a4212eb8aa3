"""Monitoring on the task page: the latest monthly reports with their colours, and the finance decisions —
each decision with the report period it answered, when it was taken and by whom (two decisions alike in
kind and words are still two different months)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.monitoring.models import Correction, MonitoringReport
from server.models import ProcessInstance, Project, User

MAX_REPORTS = 6


@dataclass
class Decision:
    correction: Correction
    fiscal_year: int
    month: int
    decided_by: str | None  # None: the year-end rule, not a person


@dataclass
class MonitoringContext:
    reports: list[MonitoringReport]
    corrections: list[Decision]


def load(project: Project, instance: ProcessInstance) -> MonitoringContext | None:
    reports = list(db.session.scalars(
        select(MonitoringReport).where(MonitoringReport.project_id == project.id)
        .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc()).limit(MAX_REPORTS)
    ))
    if not reports:
        return None
    rows = db.session.execute(
        select(Correction, MonitoringReport.fiscal_year, MonitoringReport.month, User.display_name)
        .join(MonitoringReport, MonitoringReport.id == Correction.report_id)
        .outerjoin(User, User.id == Correction.actor_id)
        .where(Correction.project_id == project.id)
        .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc(), Correction.id.desc())
        .limit(MAX_REPORTS)
    ).tuples()
    return MonitoringContext(reports, [Decision(c, year, month, name) for c, year, month, name in rows])
