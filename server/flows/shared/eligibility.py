"""Which projects of a fiscal year the year-wide flows are batch-started for (services/batch_start.py)."""

from __future__ import annotations

from sqlalchemy import Select, select

from server.models import GoalStatus, Project, ProjectStatus


def with_approved_goals(year: int) -> Select[tuple[Project]]:
    """The year's projects in the library whose goals were approved (or are being adjusted)."""
    return select(Project).where(
        Project.fiscal_year == year,
        Project.status == ProjectStatus.IN_LIBRARY,
        Project.goal_status.in_((GoalStatus.APPROVED, GoalStatus.ADJUSTING)),
        Project.amount.is_not(None),
    )
