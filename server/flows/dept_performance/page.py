"""What the department pages read: which departments a user may see and each one's goals and evaluations by
year. Scope (issue 16.3): the department itself, the finance sections covering its sector, the office."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptEvaluation, DeptGoal
from server.models import Organisation, OrgKind, Role, User

KEY = "dept_performance"


def may_read(user: User, department: Organisation) -> bool:
    roles = user.roles
    if Role.PERFORMANCE_OFFICE in roles:
        return True
    if user.organisation_id == department.id:
        return True
    return Role.FINANCE_SECTION in roles and department.sector is not None and department.sector in user.sectors


def departments(user: User) -> list[Organisation]:
    """The departments this user may read, by name."""
    rows = db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.DEPARTMENT)
                              .order_by(Organisation.code))
    return [d for d in rows if may_read(user, d)]


@dataclass
class DeptYear:
    fiscal_year: int
    goal: DeptGoal
    evaluation: DeptEvaluation | None


def years(department: Organisation) -> list[DeptYear]:
    """Each fiscal year's newest goal table with its evaluation, newest year first."""
    goals = db.session.scalars(select(DeptGoal).where(DeptGoal.department_id == department.id)
                               .order_by(DeptGoal.fiscal_year.desc(), DeptGoal.id.desc()))
    evaluations = {e.goal_id: e for e in db.session.scalars(
        select(DeptEvaluation).where(DeptEvaluation.department_id == department.id).order_by(DeptEvaluation.id))}
    seen: set[int] = set()
    out = []
    for goal in goals:
        if goal.fiscal_year in seen:
            continue
        seen.add(goal.fiscal_year)
        out.append(DeptYear(goal.fiscal_year, goal, evaluations.get(goal.id)))
    return out


def overview(user: User) -> list[tuple[Organisation, DeptYear | None]]:
    """Each department in scope with its newest year (None: no goals yet)."""
    return [(d, next(iter(years(d)), None)) for d in departments(user)]
