"""The application's draft goal table (绩效目标草案): goals are a condition of entering the library (000, 001, 004).

The unit writes 中长期目标, 年度目标 and the indicator rows in the 申报书 with the same fields as the goal table
(forms/goal_review/goal_table.json); they are kept in `Project.application` with the quality warnings of the
last save (goal_review/quality.py, with the county's indicator library). The assessment's reviewers see them
on their task pages — it is what they score under 绩效目标合理性 — and when the project enters the library the
draft becomes goal version 1, which the unit confirms or edits in 绩效目标编审 instead of retyping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.db import db
from server.flows.goal_review import quality as goal_quality
from server.flows.goal_review.models import GoalKind, GoalVersion, GoalVersionStatus
from server.flows.goal_review.operators import indicator_row
from server.flows.shared.support import text
from server.models import ProcessInstance, Project
from server.services import indicator_library

GOAL_KEYS = ("long_term_goal", "annual_goal", "indicators")
WARNINGS = "goal_warnings"  # where the application keeps the warnings of its last save


def warnings(application: dict[str, Any], sector: str | None) -> list[dict[str, str]]:
    """The goal-quality warnings for the application's draft (none when it carries no draft, e.g. an old
    application started before the draft was asked for)."""
    if not any(application.get(k) for k in GOAL_KEYS):
        return []
    return goal_quality.warnings(application.get("long_term_goal"), application.get("annual_goal"),
                                 application.get("indicators") or [],
                                 typical=indicator_library.typical_ranges(sector),
                                 describe=indicator_library.range_text,
                                 expected_outputs=indicator_library.output_properties(sector))


def to_goal_version(project: Project, now) -> GoalVersion | None:
    """At admission: the draft becomes the project's goal version 1 (a draft, bound to no flow yet), which
    the unit's 绩效目标编审 takes over. Nothing when there is no draft or the project already has goals."""
    app = project.application or {}
    rows = app.get("indicators")
    if not isinstance(rows, list) or not rows:
        return None
    if db.session.scalar(select(GoalVersion.id).where(GoalVersion.project_id == project.id).limit(1)) is not None:
        return None
    version = GoalVersion(
        project_id=project.id, version=1, kind=GoalKind.ORIGINAL, status=GoalVersionStatus.DRAFT, round=1,
        fiscal_year=project.fiscal_year, budget_amount=project.amount, created_at=now, updated_at=now,
        long_term_goal=text(app.get("long_term_goal"), 4000), annual_goal=text(app.get("annual_goal"), 4000),
        contact=text(app.get("contact"), 100), warnings=list(app.get(WARNINGS) or []),
        indicators=[indicator_row(i, r) for i, r in enumerate(rows)],
    )
    db.session.add(version)
    return version


@dataclass
class DraftGoals:
    """What the task page shows: the draft as the unit wrote it and what the quality checks found."""

    long_term_goal: str
    annual_goal: str
    indicators: list[dict[str, Any]]
    warnings: list[dict[str, str]]

    def by_field(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for w in self.warnings:
            if isinstance(w, dict):
                out.setdefault(str(w.get("field", "")), []).append(goal_quality.message_of(w))
        return out


def load(project: Project, instance: ProcessInstance) -> DraftGoals | None:
    """Only on the application's own flow: later flows show the goal versions themselves."""
    if instance.process_key != "ex_ante":
        return None
    app = project.application or {}
    rows = app.get("indicators")
    if not isinstance(rows, list) or not rows:
        return None
    return DraftGoals(str(app.get("long_term_goal") or ""), str(app.get("annual_goal") or ""),
                      [r for r in rows if isinstance(r, dict)], list(app.get(WARNINGS) or []))
