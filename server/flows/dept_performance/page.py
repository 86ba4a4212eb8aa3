"""What the department pages read: which departments a user may see and each one's goals, mid-year monitoring
colours and evaluations by year. Scope (issue 16.3): the department itself, the finance sections covering its
sector, the office."""

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


def overview(user: User, year: int | None) -> list[tuple[Organisation, DeptYear | None]]:
    """Each department in scope with the chosen year (None: no goals for it); year None: every department's
    every year, newest first, and a department without goals once."""
    rows: list[tuple[Organisation, DeptYear | None]] = []
    for d in departments(user):
        found = years(d)
        if year is None:
            rows.extend([(d, y) for y in found] or [(d, None)])
        else:
            rows.append((d, next((y for y in found if y.fiscal_year == year), None)))
    return rows


def known_years(user: User, around: int) -> list[int]:
    """The years the selector offers: every year with goals in scope, and the current and next fiscal year."""
    ids = [d.id for d in departments(user)]
    found = set(db.session.scalars(select(DeptGoal.fiscal_year).where(DeptGoal.department_id.in_(ids)).distinct()))
    return sorted(found | {around, around + 1}, reverse=True)


def chart(goal: DeptGoal) -> dict[str, object]:
    """The mid-year monitoring chart's figures: each quantitative indicator's progress in %, with its colour and
    the rule lines (a capped or qualitative indicator has no progress figure and is left to the table)."""
    return {"points": [{"label": i.name, "progress": float(round(i.monitor_progress * 100, 1)),
                        "colour": i.monitor_colour.value if i.monitor_colour else None}
                       for i in goal.indicators if i.monitor_progress is not None]}
