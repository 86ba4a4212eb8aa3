"""Monitoring on the task page: the latest monthly reports with their colours, and the finance decisions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.monitoring.models import Correction, MonitoringReport
from server.models import ProcessInstance, Project

MAX_REPORTS = 6


@dataclass
class MonitoringContext:
    reports: list[MonitoringReport]
    corrections: list[Correction]


def load(project: Project, instance: ProcessInstance) -> MonitoringContext | None:
    reports = list(db.session.scalars(
        select(MonitoringReport).where(MonitoringReport.project_id == project.id)
        .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc()).limit(MAX_REPORTS)
    ))
    if not reports:
        return None
    corrections = list(db.session.scalars(
        select(Correction).where(Correction.project_id == project.id).order_by(Correction.id.desc()).limit(MAX_REPORTS)
    ))
    return MonitoringContext(reports, corrections)
