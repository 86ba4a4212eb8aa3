"""The goal table on the task page: this instance's version (else the newest), its indicators and reviews;
an adjusted version also against the version it replaces, changed cells marked (issue 12)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.goal_review.diff import GoalDiff, diff_goals
from server.flows.goal_review.models import GoalKind, GoalVersion
from server.flows.shared.context import display_names
from server.models import ProcessInstance, Project


@dataclass
class GoalContext:
    goal: GoalVersion
    people: dict[int, str]
    base: GoalVersion | None = None  # the approved version an adjustment would replace
    diff: GoalDiff | None = None


def load(project: Project, instance: ProcessInstance) -> GoalContext | None:
    goal = db.session.scalar(
        select(GoalVersion).where(GoalVersion.project_id == project.id)
        .order_by((GoalVersion.instance_id == instance.id).desc(), GoalVersion.version.desc()).limit(1)
    )
    if goal is None:
        return None
    base = None
    if goal.kind == GoalKind.ADJUSTED and goal.based_on_id is not None:
        base = db.session.get(GoalVersion, goal.based_on_id)
    return GoalContext(goal, display_names(r.actor_id for r in goal.reviews), base,
                       diff_goals(base, goal) if base is not None else None)
