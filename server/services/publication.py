"""信息公开: what the anonymous public site (/public/) may show (the office's actions: publication_office.py).

"Published" is decided here and nowhere else:
- a goal table is public when it is the version in force (approved, marked `publish` by `goals.approve`) and
  the office has released its fiscal year's budget (随预算公开, a `PublicationRelease` of kind budget);
- an evaluation result (with the unit's self-evaluation report) is public when its flow has passed the
  publication step (`evaluation.publish`, which only a finished evaluation reaches) and the office has released
  the year's final accounts (随决算公开);
- an attachment is public when the office marked it so and it belongs to the flow instance of a public goal
  table or evaluation.
保密项目 (Project.confidential, seed 000 "除保密项目外") are never public, whatever was released.
Anything else — drafts, opinions, scores in progress, people's names and phones, other years — is simply not
selected: every reader below starts from these three rules and picks the public columns one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from server.db import db
from server.flows.evaluation.models import Evaluation, EvaluationStatus
from server.flows.goal_review.models import GoalVersion, GoalVersionStatus
from server.models import Attachment, Organisation, Project, PublicationRelease, ReleaseKind
from server.services.attachments import file_path
from server.services.errors import NotFound
from server.services.task_page import label
from server.services.xlsx_export import Column, stream_xlsx

PAGE_SIZE = 50
MAX_QUERY = 100
FINISHED = (EvaluationStatus.COMPLETED, EvaluationStatus.RECTIFIED, EvaluationStatus.UNRECTIFIED)
MIN_YEAR, MAX_YEAR = 2000, 2100


# ---- the three rules ---------------------------------------------------------------------------------------

def _released(kind: ReleaseKind) -> Select:
    return select(PublicationRelease.fiscal_year).where(PublicationRelease.kind == kind.value,
                                                         PublicationRelease.withdrawn_at.is_(None))


def open_project(project_id) -> ColumnElement[bool]:
    """Not a 保密项目 (seed 000: every project reports goals "除保密项目外"; none of them is published)."""
    return project_id.not_in(select(Project.id).where(Project.confidential.is_(True)).scalar_subquery())


def public_goal_clause() -> ColumnElement[bool]:
    return and_(GoalVersion.status == GoalVersionStatus.APPROVED, GoalVersion.publish.is_(True),
                open_project(GoalVersion.project_id),
                GoalVersion.fiscal_year.in_(_released(ReleaseKind.BUDGET).scalar_subquery()))


def public_result_clause() -> ColumnElement[bool]:
    return and_(Evaluation.publish.is_(True), Evaluation.published_at.is_not(None), Evaluation.status.in_(FINISHED),
                open_project(Evaluation.project_id),
                Evaluation.fiscal_year.in_(_released(ReleaseKind.FINAL_ACCOUNTS).scalar_subquery()))


def public_file_clause() -> ColumnElement[bool]:
    goal_instances = select(GoalVersion.instance_id).where(public_goal_clause(), GoalVersion.instance_id.is_not(None))
    result_instances = select(Evaluation.instance_id).where(public_result_clause(),
                                                            Evaluation.instance_id.is_not(None))
    return and_(Attachment.public.is_(True),
                or_(Attachment.instance_id.in_(goal_instances.scalar_subquery()),
                    Attachment.instance_id.in_(result_instances.scalar_subquery())))


# ---- what the public site reads ----------------------------------------------------------------------------

Department = aliased(Organisation)
Unit = aliased(Organisation)
_department_id = func.coalesce(Project.department_id, Project.organisation_id)  # a unit with no department: itself


@dataclass(frozen=True)
class YearRow:
    year: int
    budget_at: datetime | None  # 随预算公开 date
    final_at: datetime | None  # 随决算公开 date
    goals: int
    results: int


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    goals: int
    results: int


@dataclass(frozen=True)
class ListRow:
    id: int
    code: str
    name: str
    department: str
    unit: str
    amount: Decimal | None  # goals: 年度资金总额; results: 全年预算数
    score: Decimal | None = None
    grade: str | None = None


@dataclass(frozen=True)
class Listing:
    rows: list[ListRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class PublicProject:
    code: str
    name: str
    department: str
    unit: str
    project_type: str | None  # 新增项目 / 延续项目
    start_year: int | None
    end_year: int | None


@dataclass(frozen=True)
class PublicFile:
    id: int
    name: str
    size: int


def counts(stmt: Select) -> dict[int, int]:
    return {k: n for k, n in db.session.execute(stmt)}


def years() -> list[YearRow]:
    releases: dict[int, dict[str, datetime]] = {}
    for r in db.session.scalars(select(PublicationRelease).where(PublicationRelease.withdrawn_at.is_(None))):
        releases.setdefault(r.fiscal_year, {})[r.kind] = r.published_at
    goals = counts(select(GoalVersion.fiscal_year, func.count()).where(public_goal_clause())
                    .group_by(GoalVersion.fiscal_year))
    results = counts(select(Evaluation.fiscal_year, func.count()).where(public_result_clause())
                      .group_by(Evaluation.fiscal_year))
    return [YearRow(y, r.get(ReleaseKind.BUDGET.value), r.get(ReleaseKind.FINAL_ACCOUNTS.value),
                    goals.get(y, 0), results.get(y, 0)) for y, r in sorted(releases.items(), reverse=True)]


def year_row(year: int) -> YearRow:
    found = next((y for y in years() if y.year == year), None)
    if found is None:
        raise NotFound(_("该年度尚未公开"))
    return found


def departments(year: int) -> list[DepartmentRow]:
    goals = counts(select(_department_id, func.count()).select_from(GoalVersion)
                    .join(Project, Project.id == GoalVersion.project_id)
                    .where(public_goal_clause(), GoalVersion.fiscal_year == year).group_by(_department_id))
    results = counts(select(_department_id, func.count()).select_from(Evaluation)
                      .join(Project, Project.id == Evaluation.project_id)
                      .where(public_result_clause(), Evaluation.fiscal_year == year).group_by(_department_id))
    ids = set(goals) | set(results)
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()) \
        if ids else {}
    return sorted((DepartmentRow(i, names.get(i, ""), goals.get(i, 0), results.get(i, 0)) for i in ids),
                  key=lambda d: d.name)


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _listing(stmt: Select, order: list, page: int) -> Listing:
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = [ListRow(*r) for r in db.session.execute(stmt.order_by(*order).limit(PAGE_SIZE)
                                                   .offset((page - 1) * PAGE_SIZE))]
    return Listing(rows, total, page, pages)


def _filtered(stmt: Select, year_column, year: int, department_id: int | None, q: str) -> Select:
    stmt = stmt.where(year_column == year)
    if department_id is not None:
        stmt = stmt.where(_department_id == department_id)
    if q:
        like = _like(q)
        stmt = stmt.where(or_(Project.name.like(like, escape="\\"), Project.code.like(like, escape="\\")))
    return stmt


def _with_names(stmt: Select) -> Select:
    return (stmt.join(Department, Department.id == _department_id)
            .join(Unit, Unit.id == Project.organisation_id))


def goal_list(year: int, department_id: int | None, q: str, page: int) -> Listing:
    stmt = _with_names(select(GoalVersion.id, Project.code, Project.name, Department.name, Unit.name,
                              GoalVersion.budget_amount)
                       .join(Project, Project.id == GoalVersion.project_id)).where(public_goal_clause())
    stmt = _filtered(stmt, GoalVersion.fiscal_year, year, department_id, q)
    return _listing(stmt, [Department.name, Project.code, GoalVersion.id], page)


def result_list(year: int, department_id: int | None, q: str, page: int) -> Listing:
    stmt = _with_names(select(Evaluation.id, Project.code, Project.name, Department.name, Unit.name,
                              Evaluation.budget, Evaluation.score, Evaluation.grade)
                       .join(Project, Project.id == Evaluation.project_id)).where(public_result_clause())
    stmt = _filtered(stmt, Evaluation.fiscal_year, year, department_id, q)
    return _listing(stmt, [Department.name, Project.code, Evaluation.id], page)


def list_xlsx(year: int, kind: str, department_id: int | None, q: str) -> Iterator[bytes]:
    """The whole filtered list (every page) as .xlsx, for people who compare the figures themselves."""
    reader = goal_list if kind == "goals" else result_list

    def rows() -> Iterator[list[Any]]:
        page, pages = 1, 1
        while page <= pages:
            listing = reader(year, department_id, q, page)
            pages = listing.pages
            for r in listing.rows:
                yield [r.code, r.name, r.department, r.unit, r.amount, *((r.score, r.grade) if kind == "results" else ())]
            page += 1

    columns = [Column(_("项目编码"), 18), Column(_("项目名称"), 36), Column(_("主管部门"), 20), Column(_("实施单位"), 20)]
    if kind == "goals":
        columns.append(Column(_("年度资金总额（元）"), 18, yuan=True))
        title = _("%(y)s 年度绩效目标", y=year)
    else:
        columns += [Column(_("全年预算数（元）"), 18, yuan=True), Column(_("得分"), 8), Column(_("等次"), 8)]
        title = _("%(y)s 年度绩效评价结果", y=year)
    return stream_xlsx(title, columns, rows())


def _project(project_id: int) -> PublicProject:
    p = db.session.get(Project, project_id)
    assert p is not None
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_([p.organisation_id, p.department_id or p.organisation_id]))).all())
    return PublicProject(p.code, p.name, names.get(p.department_id or p.organisation_id, ""),
                         names.get(p.organisation_id, ""), label("project_type", p.project_type) if p.project_type else None,
                         p.start_year, p.end_year)


def _files(instance_id: int | None) -> list[PublicFile]:
    if instance_id is None:
        return []
    rows = db.session.execute(select(Attachment.id, Attachment.name, Attachment.size)
                              .where(public_file_clause(), Attachment.instance_id == instance_id)
                              .order_by(Attachment.id))
    return [PublicFile(*r) for r in rows]


@dataclass(frozen=True)
class PublicIndicator:
    level1: str
    level2: str
    name: str
    operator: str
    value: str
    unit: str | None
    basis: str | None
    weight: Decimal


@dataclass(frozen=True)
class PublicGoal:
    id: int
    year: int
    project: PublicProject
    budget_amount: Decimal | None
    long_term_goal: str | None
    annual_goal: str | None
    approved_at: datetime | None
    indicators: list[PublicIndicator]
    files: list[PublicFile]


def goal(goal_id: int) -> PublicGoal:
    g = db.session.scalar(select(GoalVersion).where(GoalVersion.id == goal_id, public_goal_clause()))
    if g is None:
        raise NotFound(_("没有这份公开的绩效目标"))
    assert g.fiscal_year is not None
    indicators = [PublicIndicator(r.level1, r.level2, r.name, r.operator, r.value, r.unit, r.basis, r.weight)
                  for r in g.indicators]
    return PublicGoal(g.id, g.fiscal_year, _project(g.project_id), g.budget_amount, g.long_term_goal,
                      g.annual_goal, g.approved_at, indicators, _files(g.instance_id))


@dataclass(frozen=True)
class PublicScore:
    level1: str
    name: str
    operator: str
    target: str
    unit: str | None
    points: Decimal
    actual_value: str
    score: Decimal
    deviation_reason: str | None


@dataclass(frozen=True)
class PublicDeptResult:
    """The supervising department's 部门评价, published with the result (seed 001: 部门评价结果…全部公开)."""

    department: str
    score: Decimal
    grade: str | None
    opinion: str | None


@dataclass(frozen=True)
class PublicResult:
    id: int
    year: int
    project: PublicProject
    key: bool  # 财政重点评价 (else 单位自评)
    budget: Decimal | None
    spent: Decimal | None
    execution_rate: Decimal | None
    self_score: Decimal | None
    self_grade: str | None
    score: Decimal | None
    grade: str | None
    conclusion: str | None
    explanation: str | None  # 自评报告：绩效目标完成情况
    published_at: datetime | None
    scores: list[PublicScore]
    files: list[PublicFile]
    dept: PublicDeptResult | None = None  # 部门评价, where the department evaluated the project


def result(evaluation_id: int) -> PublicResult:
    e = db.session.scalar(select(Evaluation).where(Evaluation.id == evaluation_id, public_result_clause()))
    if e is None:
        raise NotFound(_("没有这份公开的评价结果"))
    scores = [PublicScore(s.level1, s.name, s.operator, s.target, s.unit, s.points, s.actual_value, s.score,
                          s.deviation_reason) for s in e.indicators]
    return PublicResult(e.id, e.fiscal_year, _project(e.project_id), e.key_selected, e.budget, e.spent,
                        e.execution_rate, e.self_score, e.self_grade, e.score, e.grade, e.conclusion, e.explanation,
                        e.published_at, scores, _files(e.instance_id), _dept(e))


def _dept(e: Evaluation) -> PublicDeptResult | None:
    if e.dept_score is None:
        return None
    department = db.session.get(Organisation, e.project.department_id) if e.project.department_id else None
    return PublicDeptResult(department.name if department else "", e.dept_score, e.dept_grade, e.dept_opinion)


def file(attachment_id: int) -> tuple[Attachment, Path]:
    row = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id, public_file_clause()))
    if row is None or not file_path(row.sha256).is_file():
        raise NotFound(_("附件不存在或未公开"))
    return row, file_path(row.sha256)
