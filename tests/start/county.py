"""A small county for the 发起 tests, written straight into the domain tables (no flow run needed): the shipped
flows deployed, and projects of 县第一中学 and 县水利工程站 in each state a start depends on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from server.cli import package_from_dir
from server.db import db
from server.flows.goal_review.models import GoalIndicator, GoalKind, GoalVersion, GoalVersionStatus
from server.models import GoalStatus, Project, ProjectStatus, User
from server.services.deployment import deploy_version

ROOT = package_from_dir.__globals__["WORKFLOWS_DIR"]
SHIPPED = ("ex_ante", "goal_review", "goal_adjust", "monitoring", "evaluation")


@dataclass(frozen=True)
class Spec:
    code: str
    owner: str  # username of the unit
    year: int
    status: ProjectStatus
    goals: GoalStatus | None


# 县第一中学 (school1) and 县水利工程站 (water1); the clock stands at 2026-01-05.
PROJECTS = (
    Spec("S-AWAIT", "school1", 2026, ProjectStatus.IN_LIBRARY, GoalStatus.AWAITING),  # goal_review
    Spec("S-APPR", "school1", 2026, ProjectStatus.IN_LIBRARY, GoalStatus.APPROVED),  # goal_adjust, monitoring
    Spec("S-LAST", "school1", 2025, ProjectStatus.IN_LIBRARY, GoalStatus.APPROVED),  # evaluation
    Spec("S-APPLIED", "school1", 2026, ProjectStatus.ASSESSING, None),  # nothing yet
    Spec("W-APPR", "water1", 2026, ProjectStatus.IN_LIBRARY, GoalStatus.APPROVED),  # water1's monitoring
)


def deploy(keys: tuple[str, ...] = SHIPPED) -> None:
    for key in keys:
        deploy_version(key, package_from_dir(ROOT / key).files)


def add_projects(specs: tuple[Spec, ...] = PROJECTS) -> None:
    for spec in specs:
        unit = db.session.scalar(select(User).where(User.username == spec.owner)).organisation
        project = Project(
            code=spec.code, name=f"{unit.name}{spec.code}项目", organisation_id=unit.id,
            department_id=unit.department_id, sector=unit.sector, fiscal_year=spec.year, status=spec.status,
            goal_status=spec.goals, requested_amount=Decimal("300000.00"),
            amount=Decimal("300000.00") if spec.status == ProjectStatus.IN_LIBRARY else None,
        )
        db.session.add(project)
        db.session.flush()
        if spec.goals == GoalStatus.APPROVED:
            goal = GoalVersion(project_id=project.id, version=1, kind=GoalKind.ORIGINAL,
                               status=GoalVersionStatus.APPROVED, fiscal_year=spec.year,
                               annual_goal="完成项目建设", budget_amount=project.amount)
            goal.indicators = [GoalIndicator(position=0, level1="产出", level2="数量", name="完成数量", operator="≥",
                                             value="10", unit="项", basis="计划标准", weight=Decimal("100"))]
            db.session.add(goal)
    db.session.commit()


def setup(app) -> None:
    with app.app_context():
        deploy()
        add_projects()
