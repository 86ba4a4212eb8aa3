"""The arithmetic of 预算安排: which projects a sector's arrangement for a fiscal year holds, and what last
year's results do to each — read from the tables result application wrote (evaluations, budget_adjustments)
and shaped by the two rule tables the diagram reads (budget_arrangement_rules, budget_new_demands).

Lines: the sector's projects of the year (new demands among them), and last year's projects in the library that
continue into it, were graded, or carry a result adjustment for it. Per line, in 元:
- base: the project's approved amount (a continuing project's last-year amount; a finished one's 0, its
  adjustment still goes to the unit's budget, as 004 counts it); a project not yet in the library has its
  requested amount as base and nothing arranged (先评估后入库);
- adjustment: each budget_adjustments row for the year — a percentage (evaluation_application) applied to the
  base the rule table names (the unit's last-year 年初预算项目经费 by default, 004's first clause; or its
  last-year 运转类 project total, 004's second clause; or the project's own amount, 001), or an amount as recorded;
- amount: base + adjustment, never below 0; 0 when the rule stops execution, a new demand is refused or the
  project's goals are not approved (未设置绩效目标，一律不得安排资金, 001).
Each consequence is a reason {code, …figures, evaluation_id, source_year, basis}; services/budget_arrangements
turns it into a sentence.

Department lines (004: 按照绩效评价结果等次相应调整部门公用经费; DOMAIN §4c): each department of the sector whose
部门整体绩效 of last year was evaluated has its 部门公用经费 as recorded by that evaluation — base, adjustment
(the dept_performance result table's percentage, already applied there), amount — with the grade, score, rule
basis and rectification requirement as reasons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from server.db import db
from server.flows.dept_performance.models import DeptEvaluation, DeptEvaluationStatus
from server.flows.evaluation.models import Evaluation, EvaluationStatus
from server.flows.shared.eligibility import APPROVED
from server.flows.shared.models import BudgetAdjustment
from server.flows.shared.support import CENT
from server.models import Organisation, OrgKind, Project, ProjectCategory, ProjectStatus, ProjectType

RECTIFICATION = {EvaluationStatus.RECTIFYING: "rectifying", EvaluationStatus.RECTIFIED: "rectified",
                 EvaluationStatus.UNRECTIFIED: "unrectified"}
PENDING = (ProjectStatus.APPLIED, ProjectStatus.ASSESSING)
# A result counts once the office has noticed it: a self grade under review or a key evaluation in progress does not.
NOTICED = (EvaluationStatus.COMPLETED, EvaluationStatus.RECTIFYING, EvaluationStatus.RECTIFIED,
           EvaluationStatus.UNRECTIFIED)
# The rule tables are written in the county's words; each word stands for one code here.
STATES = {"任意": "any", "整改中": "rectifying", "已整改": "rectified", "整改不到位": "unrectified", "无需整改": "none"}
BASES = {"单位": "unit", "项目": "project", "运转类": "operating"}
PRIORITIES = {"优先安排": "priority", "不再优先": "lost", "无": "none"}
CONDITIONS = {"未开展自评": "skipped_self_evaluation", "整改不到位": "unrectified"}


@dataclass(frozen=True)
class Rule:
    """One row of budget_arrangement_rules."""

    grade: str
    rectification: str  # any / rectifying / rectified / unrectified / none (STATES)
    percent_base: str  # unit / project / operating (BASES)
    priority: str  # priority / lost / none (PRIORITIES)
    stop: bool
    basis: str


@dataclass
class Line:
    project: Project
    base: Decimal
    adjustment: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    new_demand: bool = False
    priority: bool | None = None
    stopped: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)


def rules_from_table(grades: Any, rectifications: Any, bases: Any, priorities: Any, stops: Any,
                     basis: Any) -> list[Rule]:
    """The COLLECT table's columns as rows; a value outside the documented codes is refused with its row."""
    columns = [grades, rectifications, bases, priorities, stops, basis]
    if not all(isinstance(c, list) for c in columns) or len({len(c) for c in columns}) != 1:
        raise ValueError(_("预算安排规则表的各列长度不一致"))
    rows = []
    for n, (g, r, b, p, s, text) in enumerate(zip(*columns, strict=True), start=1):
        if str(r) not in STATES or str(b) not in BASES or str(p) not in PRIORITIES or not isinstance(s, bool):
            raise ValueError(_("预算安排规则表第 %(n)s 行：整改状态应为 任意、整改中、已整改、整改不到位 或 无需整改，"
                               "基数应为 单位、运转类 或 项目，优先安排应为 优先安排、不再优先 或 无", n=n))
        rows.append(Rule(str(g), STATES[str(r)], BASES[str(b)], PRIORITIES[str(p)], s, str(text or "")[:300]))
    return rows


def demand_rules_from_table(conditions: Any, refusals: Any, basis: Any) -> dict[str, str]:
    """condition -> basis, for the conditions the table refuses new demands on."""
    columns = [conditions, refusals, basis]
    if not all(isinstance(c, list) for c in columns) or len({len(c) for c in columns}) != 1:
        raise ValueError(_("新增需求规则表的各列长度不一致"))
    out: dict[str, str] = {}
    for n, (c, refuse, text) in enumerate(zip(*columns, strict=True), start=1):
        if str(c) not in CONDITIONS or not isinstance(refuse, bool):
            raise ValueError(_("新增需求规则表第 %(n)s 行：条件应为 未开展自评 或 整改不到位", n=n))
        if refuse:
            out.setdefault(CONDITIONS[str(c)], str(text or "")[:300])
    return out


def _rule(rules: list[Rule], grade: str, rectification: str) -> Rule | None:
    return next((r for r in rules if r.grade == grade and r.rectification in ("any", rectification)), None)


def _candidates(year: int, sector: str) -> list[Project]:
    adjusted = select(BudgetAdjustment.project_id).where(BudgetAdjustment.fiscal_year == year)
    graded = select(Evaluation.project_id).where(Evaluation.fiscal_year == year - 1, Evaluation.status.in_(NOTICED))
    return list(db.session.scalars(
        select(Project).where(
            Project.sector == sector,
            or_(
                and_(Project.fiscal_year == year, Project.status.in_((ProjectStatus.IN_LIBRARY, *PENDING))),
                and_(Project.fiscal_year == year - 1, Project.status == ProjectStatus.IN_LIBRARY,
                     or_(func.coalesce(Project.end_year, year - 1) >= year, Project.id.in_(adjusted),
                         Project.id.in_(graded))),
            ),
        ).order_by(Project.organisation_id, Project.code)
    ))


def _evaluations(project_ids: list[int], year: int) -> dict[int, Evaluation]:
    """The latest noticed evaluation of last year per project."""
    found: dict[int, Evaluation] = {}
    for ev in db.session.scalars(
        select(Evaluation).where(Evaluation.project_id.in_(project_ids), Evaluation.fiscal_year == year - 1,
                                 Evaluation.status.in_(NOTICED)).order_by(Evaluation.id)
    ):
        found[ev.project_id] = ev
    return found


def unit_bases(unit_ids: set[int], year: int, category: ProjectCategory | None = None) -> dict[int, Decimal]:
    """Each unit's last-year 年初预算项目经费: the approved amounts of its projects in the library for that year
    (only its 运转类 projects' when `category` says so: 004's 单位下一年运转类项目支出预算总额)."""
    where = [Project.organisation_id.in_(unit_ids), Project.fiscal_year == year - 1,
             Project.status == ProjectStatus.IN_LIBRARY]
    if category is not None:
        where.append(Project.category == category)
    rows = db.session.execute(
        select(Project.organisation_id, func.coalesce(func.sum(Project.amount), 0))
        .where(*where).group_by(Project.organisation_id)
    ).tuples().all()
    return {unit: Decimal(total) for unit, total in rows}


def unit_failings(unit_ids: set[int], year: int) -> dict[int, dict[str, list[str]]]:
    """Per unit, the last-year projects it did not self-evaluate and those left not rectified (by name)."""
    failings: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    submitted = select(Evaluation.project_id).where(Evaluation.fiscal_year == year - 1, Evaluation.self_round > 0)
    for unit, name in db.session.execute(
        select(Project.organisation_id, Project.name).where(
            Project.organisation_id.in_(unit_ids), Project.fiscal_year == year - 1,
            Project.status == ProjectStatus.IN_LIBRARY, Project.goal_status.in_(APPROVED),
            Project.id.not_in(submitted)).order_by(Project.code)
    ).tuples():
        failings[unit]["skipped_self_evaluation"].append(name)
    for unit, name in db.session.execute(
        select(Project.organisation_id, Project.name).join(Evaluation, Evaluation.project_id == Project.id)
        .where(Project.organisation_id.in_(unit_ids), Evaluation.fiscal_year == year - 1,
               Evaluation.status == EvaluationStatus.UNRECTIFIED).order_by(Project.code)
    ).tuples():
        failings[unit]["unrectified"].append(name)
    return failings


def _percent_change(adj: BudgetAdjustment, rule: Rule | None, project: Project,
                    units: dict[str, dict[int, Decimal]]) -> tuple[Decimal, str, Decimal]:
    """(change, base kind, base) of a percentage adjustment under the rule's base; `units` holds the unit
    totals by base kind (unit / operating)."""
    kind = rule.percent_base if rule else "project"
    if kind in units:
        base = units[kind].get(project.organisation_id, Decimal(0))
    else:
        base = adj.base_amount if adj.base_amount is not None else (project.amount or Decimal(0))
    assert adj.percent is not None
    return (base * adj.percent / 100).quantize(CENT, ROUND_HALF_UP), kind, base


def arrange(year: int, sector: str, rules: list[Rule], refusals: dict[str, str]) -> list[Line]:
    projects = _candidates(year, sector)
    ids = [p.id for p in projects]
    evaluations = _evaluations(ids, year)
    unit_ids = {p.organisation_id for p in projects}
    units = {"unit": unit_bases(unit_ids, year)}
    if any(r.percent_base == "operating" for r in rules):
        units["operating"] = unit_bases(unit_ids, year, ProjectCategory.OPERATING)
    failings = unit_failings(unit_ids, year)
    adjustments: dict[int, list[BudgetAdjustment]] = defaultdict(list)
    # Only consequences carried over from an earlier year: a monitoring correction of this year's own budget
    # (调整预算 during execution) is already in the project's amount, not a result to apply.
    for adj in db.session.scalars(select(BudgetAdjustment).join(Project, Project.id == BudgetAdjustment.project_id)
                                  .where(BudgetAdjustment.project_id.in_(ids), BudgetAdjustment.fiscal_year == year,
                                         Project.fiscal_year < year)
                                  .order_by(BudgetAdjustment.id)):
        adjustments[adj.project_id].append(adj)

    lines = []
    for p in projects:
        lines.append(_line(p, year, evaluations.get(p.id), adjustments[p.id], rules, refusals, units,
                           failings.get(p.organisation_id, {})))
    return lines


def _line(p: Project, year: int, ev: Evaluation | None, adjustments: list[BudgetAdjustment], rules: list[Rule],
          refusals: dict[str, str], units: dict[str, dict[int, Decimal]], failings: dict[str, list[str]]) -> Line:
    this_year = p.fiscal_year == year
    admitted = p.status == ProjectStatus.IN_LIBRARY
    if this_year:
        base = (p.amount if admitted else p.requested_amount) or Decimal(0)
    else:
        base = p.amount or Decimal(0) if (p.end_year or year - 1) >= year else Decimal(0)
    line = Line(project=p, base=base, new_demand=this_year and p.project_type == ProjectType.NEW)
    if not this_year and base == 0:
        line.reasons.append({"code": "ended", "end_year": p.end_year})

    rectification = RECTIFICATION.get(ev.status, "none") if ev else "none"
    rule = _rule(rules, ev.grade or "", rectification) if ev else None
    source = {"evaluation_id": ev.id, "source_year": ev.fiscal_year, "grade": ev.grade} if ev else {}
    for adj in adjustments:
        if adj.percent is not None:
            change, kind, percent_base = _percent_change(adj, rule, p, units)
            line.reasons.append({"code": "adjustment", "percent": str(adj.percent), "percent_base": kind,
                                 "base": str(percent_base), "change": str(change), "basis": rule.basis if rule else
                                 adj.reason, **source})
        else:
            change = adj.amount
            line.reasons.append({"code": "adjustment_amount", "change": str(change), "basis": adj.reason,
                                 "source_flow": adj.source_flow, **source})
        line.adjustment += change
    if rule and rule.priority != "none":
        line.priority = rule.priority == "priority"
        line.reasons.append({"code": "priority" if line.priority else "priority_lost", "basis": rule.basis, **source})
    if rule and rule.stop:
        line.stopped = True
        line.reasons.append({"code": "stopped", "basis": rule.basis, **source})

    refused = [(c, refusals[c], failings.get(c, [])) for c in CONDITIONS.values() if c in refusals and failings.get(c)]
    if line.new_demand and refused:
        for condition, basis, names in refused:
            line.reasons.append({"code": "demand_refused", "condition": condition, "projects": names[:5],
                                 "source_year": year - 1, "basis": basis})
    if this_year and not admitted:
        line.reasons.append({"code": "not_admitted"})
    # 未设置绩效目标，一律不得安排资金 (001, 002, 004): no money before the goals are approved.
    no_goals = admitted and p.goal_status not in APPROVED
    if no_goals:
        line.reasons.append({"code": "no_goals", "goal_status": p.goal_status.value if p.goal_status else None})

    zero = line.stopped or (line.new_demand and bool(refused)) or (this_year and not admitted) or no_goals
    line.amount = Decimal(0) if zero else max(Decimal(0), line.base + line.adjustment).quantize(CENT)
    line.adjustment = line.adjustment.quantize(CENT)
    line.base = Decimal(line.base).quantize(CENT)
    return line


@dataclass
class DepartmentLine:
    """A department's 部门公用经费 for the year, as last year's department evaluation moved it."""

    department: Organisation
    evaluation: DeptEvaluation
    base: Decimal
    adjustment: Decimal
    amount: Decimal
    reasons: list[dict[str, Any]]


def department_lines(year: int, sector: str) -> list[DepartmentLine]:
    """One line per department of the sector with a completed department evaluation of the year before (its
    latest, should a cancelled cycle have left an earlier one)."""
    latest: dict[int, DeptEvaluation] = {}
    for ev in db.session.scalars(
        select(DeptEvaluation).join(Organisation, Organisation.id == DeptEvaluation.department_id)
        .where(Organisation.kind == OrgKind.DEPARTMENT, Organisation.sector == sector,
               DeptEvaluation.fiscal_year == year - 1, DeptEvaluation.status == DeptEvaluationStatus.COMPLETED,
               DeptEvaluation.public_funds.is_not(None)).order_by(DeptEvaluation.id)
    ):
        latest[ev.department_id] = ev
    lines = []
    for ev in latest.values():
        base = Decimal(ev.public_funds or 0).quantize(CENT)
        change = Decimal(ev.adjustment or 0).quantize(CENT)
        source = {"dept_evaluation_id": ev.id, "source_year": ev.fiscal_year, "grade": ev.grade,
                  "score": str(ev.office_score) if ev.office_score is not None else None}
        reasons: list[dict[str, Any]] = [{
            "code": "dept_adjustment", "percent": str(ev.adjust_percent or 0), "percent_base": "public_funds",
            "base": str(base), "change": str(change), "basis": ev.reason, **source}]
        if ev.rectify_required:
            reasons.append({"code": "dept_rectify", **source})
        department = db.session.get(Organisation, ev.department_id)
        assert department is not None  # the join above found it
        lines.append(DepartmentLine(department, ev, base, change, max(Decimal(0), base + change), reasons))
    return sorted(lines, key=lambda line: line.department.code)
