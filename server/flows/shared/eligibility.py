"""Which projects the project-based flows may be started for: a year's batch (services/batch_start.py) and a
unit's own start on 发起 (services/start_options.py). Each flow names its rules in its flow.py; the opening
operator of its diagram still checks the one project it is given."""

from __future__ import annotations

from sqlalchemy import Select, select

from server.models import GoalStatus, Project, ProjectStatus

APPROVED = (GoalStatus.APPROVED, GoalStatus.ADJUSTING)


def with_approved_goals(year: int) -> Select[tuple[Project]]:
    """The year's projects in the library whose goals were approved (or are being adjusted)."""
    return select(Project).where(
        Project.fiscal_year == year,
        Project.status == ProjectStatus.IN_LIBRARY,
        Project.goal_status.in_(APPROVED),
        Project.amount.is_not(None),
    )


def awaiting_goals(_year: int) -> Select[tuple[Project]]:
    """Projects in the library whose goal table is still to be written, whatever their budget year: admitted
    projects wait for goals (a goal flow that was cancelled left them drafting; a new one takes the draft over)."""
    return select(Project).where(
        Project.status == ProjectStatus.IN_LIBRARY,
        Project.goal_status.in_((GoalStatus.AWAITING, GoalStatus.DRAFTING, GoalStatus.REVIEWING)),
    )


def goals_in_force(year: int) -> Select[tuple[Project]]:
    """Projects of this or a later budget year whose approved goals may still be adjusted."""
    return select(Project).where(
        Project.fiscal_year >= year,
        Project.status == ProjectStatus.IN_LIBRARY,
        Project.goal_status == GoalStatus.APPROVED,
    )


def after_the_year(year: int) -> Select[tuple[Project]]:
    """Last year's projects with approved goals: evaluated once their year is over (DOMAIN §4)."""
    return with_approved_goals(year - 1)
