"""部门评价的选择 (seed 001: 积极推进部门评价): the supervising department's reviewer picks which of its units'
evaluable projects of a fiscal year get a department evaluation, with a reason. The evaluation reads the choice
after the unit's self-evaluation is graded (Evaluation.dept_scope_at); from then on that project's choice is
locked. The performance office reads every department's choices, a finance section those of its sectors; nobody
else reads them, and only the department changes its own."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from server.db import db
from server.extensions import get_clock
from server.flows.evaluation.models import DeptEvaluationSelection, Evaluation
from server.flows.shared.eligibility import with_approved_goals
from server.models import Organisation, OrgKind, Project, Role, User
from server.services import audit
from server.services.projects import visible_clause

REASON_MAX = 500
READERS = frozenset({Role.PERFORMANCE_OFFICE, Role.ADMIN, Role.FINANCE_SECTION})


@dataclass
class Row:
    project: Project
    unit: str
    department: str
    selection: DeptEvaluationSelection | None
    evaluation: Evaluation | None  # the newest evaluation of the project for the year

    @property
    def locked(self) -> bool:
        """The evaluation has read the choice (after self-grading): it can no longer change."""
        return self.evaluation is not None and self.evaluation.dept_scope_at is not None


def reviewer_department(user: User) -> Organisation | None:
    """The department whose choices this user makes: a dept_reviewer of a department."""
    if Role.DEPT_REVIEWER in user.roles and user.organisation.kind == OrgKind.DEPARTMENT:
        return user.organisation
    return None


def may_read(user: User) -> bool:
    return reviewer_department(user) is not None or bool(user.roles & READERS)


def rows(user: User, year: int) -> list[Row]:
    """A department's reviewer: every evaluable project of its units (and its own) for the year, chosen or not.
    Other readers: the chosen projects they may see (projects.visible_clause)."""
    department = reviewer_department(user)
    stmt = with_approved_goals(year).order_by(Project.code)
    if department is not None:
        stmt = stmt.where(Project.department_id == department.id)
    else:
        stmt = stmt.where(visible_clause(user), Project.id.in_(
            select(DeptEvaluationSelection.project_id).where(DeptEvaluationSelection.fiscal_year == year)))
    projects = list(db.session.scalars(stmt))
    ids = [p.id for p in projects]
    chosen = {s.project_id: s for s in db.session.scalars(select(DeptEvaluationSelection).where(
        DeptEvaluationSelection.project_id.in_(ids), DeptEvaluationSelection.fiscal_year == year))} if ids else {}
    newest: dict[int, Evaluation] = {}
    if ids:
        for e in db.session.scalars(select(Evaluation).where(Evaluation.project_id.in_(ids),
                                                             Evaluation.fiscal_year == year).order_by(Evaluation.id)):
            newest[e.project_id] = e
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({p.organisation_id for p in projects})))} if projects else {}
    out = []
    for p in projects:
        org = orgs.get(p.organisation_id)
        dept = org.parent if org is not None and org.kind == OrgKind.UNIT and org.parent else org
        out.append(Row(p, org.name if org else "", dept.name if dept else "", chosen.get(p.id), newest.get(p.id)))
    if department is None:
        out.sort(key=lambda r: (r.department, r.project.code))
    return out


def save(user: User, department: Organisation, year: int, wanted: dict[int, str | None]) -> dict[str, str]:
    """Apply the department's choices (project id → reason for a chosen one, None for one left out) over its
    candidate rows; returns errors by field and changes nothing when there is any. Every change is audited."""
    found = {r.project.id: r for r in rows(user, year)}
    errors: dict[str, str] = {}
    for pid, reason in wanted.items():
        row = found[pid]
        if row.locked and (reason is not None) != (row.selection is not None):
            errors[f"project_{pid}"] = _("该项目的评价已读取部门评价选择，不能再更改")
        elif reason is not None and not 2 <= len(reason) <= REASON_MAX:
            errors[f"reason_{pid}"] = _("请写明选入部门评价的理由（2–%(n)s 个字）", n=REASON_MAX)
    if errors:
        return errors
    now = get_clock().now()
    for pid, reason in wanted.items():
        row = found[pid]
        if row.locked:
            continue
        data = {"project_id": pid, "project_code": row.project.code, "fiscal_year": year, "reason": reason}
        if reason is None and row.selection is not None:
            db.session.delete(row.selection)
            audit.record("dept_evaluation_unselect", actor=user, data=data)
        elif reason is not None and row.selection is None:
            db.session.add(DeptEvaluationSelection(project_id=pid, fiscal_year=year, department_id=department.id,
                                                   reason=reason, selected_by_id=user.id, selected_at=now))
            audit.record("dept_evaluation_select", actor=user, data=data)
        elif reason is not None and row.selection is not None and row.selection.reason != reason:
            row.selection.reason, row.selection.selected_by_id, row.selection.selected_at = reason, user.id, now
            audit.record("dept_evaluation_reason", actor=user, data=data)
    db.session.commit()
    return {}


def total_amount(found: list[Row]) -> Decimal:
    return sum((r.project.amount or Decimal(0) for r in found if r.selection), Decimal(0))


@dataclass(frozen=True)
class Summary:
    """部门评价 of a year as the annual report says it (seed 001: 共有 10个部门开展了部门评价工作，评价资金额 1.28亿元)."""

    departments: int
    projects: int
    money: Decimal


def summary(user: User, year: int) -> Summary:
    """Departments that evaluated, projects they scored and the projects' approved amounts, in the reader's scope."""
    scored = select(Evaluation.project_id).where(Evaluation.fiscal_year == year, Evaluation.dept_score.is_not(None))
    departments, projects, money = db.session.execute(
        select(func.count(func.distinct(Project.department_id)), func.count(Project.id),
               func.coalesce(func.sum(Project.amount), 0))
        .where(Project.id.in_(scored), visible_clause(user))).one()
    return Summary(departments or 0, projects or 0, Decimal(money or 0))
