"""The key monitoring on the task page: who tracks the project, the findings, the rectification request and
each rectification report with its verification — what the office judges when it requests and verifies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.key_monitoring.models import KeyMonitoring
from server.flows.shared.context import display_names
from server.models import ProcessInstance, Project


@dataclass
class KeyMonitoringContext:
    monitoring: KeyMonitoring
    people: dict[int, str]


def load(project: Project, instance: ProcessInstance) -> KeyMonitoringContext | None:
    row = db.session.scalar(
        select(KeyMonitoring).where(KeyMonitoring.project_id == project.id)
        .order_by((KeyMonitoring.instance_id == instance.id).desc(), KeyMonitoring.id.desc()).limit(1))
    if row is None:
        return None
    people = display_names([row.tracked_by_id, *(r.submitted_by_id for r in row.rectifications),
                            *(r.verified_by_id for r in row.rectifications)])
    return KeyMonitoringContext(row, people)
