"""The ex-ante assessment on the task page: status, conclusion and every opinion given."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.ex_ante.models import Assessment
from server.flows.shared.context import display_names
from server.models import ProcessInstance, Project


@dataclass
class AssessmentContext:
    assessment: Assessment
    people: dict[int, str]


def load(project: Project, instance: ProcessInstance) -> AssessmentContext | None:
    assessment = db.session.scalar(select(Assessment).where(Assessment.project_id == project.id))
    if assessment is None:
        return None
    return AssessmentContext(assessment, display_names(o.actor_id for o in assessment.opinions))
