"""The goal table on the task page: this instance's version (else the newest), its indicators and reviews."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.goal_review.models import GoalVersion
from server.flows.shared.context import display_names
from server.models import ProcessInstance, Project


@dataclass
class GoalContext:
    goal: GoalVersion
    people: dict[int, str]


def load(project: Project, instance: ProcessInstance) -> GoalContext | None:
    goal = db.session.scalar(
        select(GoalVersion).where(GoalVersion.project_id == project.id)
        .order_by((GoalVersion.instance_id == instance.id).desc(), GoalVersion.version.desc()).limit(1)
    )
    if goal is None:
        return None
    return GoalContext(goal, display_names(r.actor_id for r in goal.reviews))
