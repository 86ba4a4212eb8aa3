"""驾驶舱 `/dashboard`: a work year at a glance, in the reader's scope, as the county's annual report counts it.

In work year Y a county assesses and sets goals for next year's budget (Y+1), monitors this year's (Y) and
evaluates last year's (Y−1, after its year closed); each figure says which budget year it is about. Every count
is of projects, by the same rule as the project library's filter it links to (server/services/dashboard_links.py),
so the list reproduces the number. One query per figure group, each over one year's rows from an index
(migration 0020) or the monitoring summary (monitoring_tallies, kept by server/services/dashboard_tallies.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from server.clock import COUNTY_TZ
from server.db import db
from server.extensions import get_clock
from server.flows.evaluation.models import Evaluation, EvaluationStatus
from server.flows.ex_ante.models import AssessmentStatus
from server.flows.monitoring.models import KeyAttention
from server.flows.shared.models import AdjustmentKind
from server.models import (
    DashboardCount,
    GoalStatus,
    HumanTask,
    MonitoringTally,
    Organisation,
    OrgKind,
    Project,
    ProjectStatus,
    Role,
    TaskStatus,
    User,
)
from server.services import dashboard_counts  # noqa: F401 - keeps dashboard_counts in step
from server.services.dashboard_links import KEY_PENDING
from server.services.dashboard_tallies import SECTOR_ROW
from server.services.errors import Forbidden
from server.services.list_query import QueryReader
from server.services.projects import visible_clause
from server.services.scope import COUNTY_WIDE_ROLES

GRADES = ("优", "良", "中", "差")
COLOURS = ("red", "yellow", "green", "blue")
MONTHS = tuple(range(1, 13))
GOALS_SET = (GoalStatus.APPROVED, GoalStatus.ADJUSTING)  # approved goals (an adjustment keeps them in force)


READERS = frozenset({Role.DEPT_REVIEWER, Role.FINANCE_SECTION, Role.PERFORMANCE_OFFICE, Role.ADMIN})


def may_read(user: User) -> bool:
    """The office reads the county; finance sections their sectors, departments their units (units and experts
    work from their inbox and project pages)."""
    return bool(user.roles & READERS)


def parse_year(args: Any) -> tuple[int, dict[str, str]]:
    read = QueryReader(args)
    year = read.integer("year", 2000, 2100)
    return year or get_clock().now().astimezone(COUNTY_TZ).year, read.errors


def _county_wide(user: User) -> bool:
    return bool(user.roles & set(COUNTY_WIDE_ROLES))


def _projects(user: User) -> list[ColumnElement[bool]]:
    return [] if _county_wide(user) else [visible_clause(user)]


def _tally_scope(user: User, tally: Any = MonitoringTally) -> list[ColumnElement[bool]]:
    """visible_clause for the summary rows: the office reads the sectors' rows, a finance section its sectors'
    rows, a department or unit its units' rows (outside those sectors, so nothing is counted twice)."""
    if _county_wide(user):
        return [tally.organisation_id == SECTOR_ROW]
    units: list[ColumnElement[bool]] = [tally.organisation_id == user.organisation_id]
    if Role.DEPT_REVIEWER in user.roles and user.organisation.kind == OrgKind.DEPARTMENT:
        units.append(tally.organisation_id.in_(
            select(Organisation.id).where(Organisation.parent_id == user.organisation_id)))
    unit_rows = [tally.organisation_id != SECTOR_ROW, or_(*units)]
    if Role.FINANCE_SECTION in user.roles and user.sectors:
        sectors = sorted(user.sectors)
        return [or_(and_(tally.organisation_id == SECTOR_ROW, tally.sector.in_(sectors)),
                    and_(*unit_rows, tally.sector.not_in(sectors)))]
    return unit_rows


@dataclass
class Figures:
    """Counts of projects and their money (元), keyed by what the figure names."""

    count: Counter = field(default_factory=Counter)
    money: defaultdict = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, key: Any, n: int, amount: Any = 0) -> None:
        self.count[key] += n or 0
        self.money[key] += Decimal(amount or 0)


@dataclass
class Dashboard:
    year: int
    now: datetime
    coverage: Figures  # budget year Y+1: applied / in_library / goals
    goal_stages: Figures
    assessment: Figures  # budget year Y+1: by status and conclusion; money: requested, "cut", "approved"
    monitoring_months: dict[str, dict[int, Counter]]  # gauge -> month -> colour -> reports (= projects)
    sector_months: dict[str, dict[int, Counter]]  # sector -> month -> colour (overall)
    latest: dict[str, Counter]  # sector -> latest colour -> projects (budget year Y)
    attention: list[Any]  # the first ATTENTION_SHOWN entries of the key-attention ledger
    attention_count: int
    evaluation: Figures  # budget year Y−1: self_evaluated, self:<grade>, key_evaluated, key:<grade>, statuses
    overdue_units: list[Any]
    application: Figures  # increase / decrease (money), suspended / suspended_now
    late_units: list[Any]

    @property
    def budget_year(self) -> int:
        return self.year + 1

    @property
    def evaluated_year(self) -> int:
        return self.year - 1

    @property
    def cut_rate(self) -> Decimal | None:
        requested = self.assessment.money["assessed"]
        return (self.assessment.money["cut"] / requested) if requested else None

    @property
    def goal_rate(self) -> Decimal | None:
        admitted = self.coverage.count["in_library"]
        return Decimal(self.coverage.count["goals"]) / admitted if admitted else None

    @property
    def monitored(self) -> int:
        return sum(sum(c.values()) for c in self.latest.values())

    @property
    def warnings(self) -> int:
        return sum(c["red"] + c["yellow"] for c in self.monitoring_months["overall"].values())

    def sectors(self) -> list[str]:
        return sorted(set(self.latest) | set(self.sector_months))


def build(user: User, year: int) -> Dashboard:
    if not may_read(user):
        raise Forbidden(_("专家只能查看分配给自己的评审任务"))
    now = get_clock().now()
    scope = _projects(user)
    months, by_sector = _monitoring(user, year)
    coverage, goal_stages = _coverage(user, year + 1)
    attention, attention_count = _attention(scope, year)
    return Dashboard(year=year, now=now, coverage=coverage, goal_stages=goal_stages,
                     assessment=_assessment(user, year + 1), monitoring_months=months, sector_months=by_sector,
                     latest=_latest(user, year), attention=attention, attention_count=attention_count,
                     evaluation=_evaluation(user, scope, year - 1, now), overdue_units=_overdue_units(scope, year - 1, now),
                     application=_application(user, year - 1), late_units=_late_units(user, now))


def _counts(user: User, topic: str, year: int) -> list[tuple[list[str], str, int, Decimal, Decimal, Decimal]]:
    """One topic's summary rows of a year in the reader's scope: (bucket parts, sector, n, a1, a2, a3)."""
    c = DashboardCount
    rows = db.session.execute(
        select(c.bucket, c.sector, func.sum(c.n), func.sum(c.a1), func.sum(c.a2), func.sum(c.a3))
        .where(c.fiscal_year == year, c.topic == topic, *_tally_scope(user, c))
        .group_by(c.bucket, c.sector))
    return [(bucket.split("|"), sector, int(n or 0), Decimal(a1 or 0), Decimal(a2 or 0), Decimal(a3 or 0))
            for bucket, sector, n, a1, a2, a3 in rows if n]


def _coverage(user: User, year: int) -> tuple[Figures, Figures]:
    """Budget year `year`'s projects by stage and goal status."""
    out, stages = Figures(), Figures()
    for (status, goal, _colour), _sector, n, amount, requested, _a3 in _counts(user, "project", year):
        out.add("applied", n, requested)
        if status == ProjectStatus.IN_LIBRARY:
            out.add("in_library", n, amount)
            stages.add(goal, n, amount)
            if goal in GOALS_SET:
                out.add("goals", n, amount)
    return out, stages


def _assessment(user: User, year: int) -> Figures:
    out = Figures()
    for (status, conclusion), _sector, n, requested, cut, approved in _counts(user, "assessment", year):
        if status == AssessmentStatus.CONCLUDED:
            out.add("assessed", n, requested)
            out.add(conclusion, n, approved)
            out.money["cut"] += cut
        elif status == AssessmentStatus.EXEMPT:
            out.add("exempt", n, requested)
        else:
            out.add("assessing", n, requested)
    return out


def _monitoring(user: User, year: int) -> tuple[dict[str, dict[int, Counter]], dict[str, dict[int, Counter]]]:
    months: dict[str, dict[int, Counter]] = {g: {m: Counter() for m in MONTHS} for g in ("overall", "execution", "goal")}
    sectors: dict[str, dict[int, Counter]] = {}
    rows = db.session.execute(
        select(MonitoringTally.gauge, MonitoringTally.sector, MonitoringTally.month, MonitoringTally.colour,
               func.sum(MonitoringTally.reports))
        .where(MonitoringTally.fiscal_year == year, *_tally_scope(user))
        .group_by(MonitoringTally.gauge, MonitoringTally.sector, MonitoringTally.month, MonitoringTally.colour))
    for gauge, sector, month, colour, n in rows:
        months[gauge][month][colour] += int(n)
        if gauge == "overall":
            sectors.setdefault(sector, {m: Counter() for m in MONTHS})[month][colour] += int(n)
    return months, sectors


def _latest(user: User, year: int) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for (_status, _goal, colour), sector, n, *_rest in _counts(user, "project", year):
        if colour:
            out.setdefault(sector, Counter())[colour] += n
    return out


ATTENTION_SHOWN = 50  # the page lists the first ledger entries; the linked list and the .xlsx hold them all


def ledger(user: User, year: int) -> list[Any]:
    """The whole key-attention ledger of the year in the reader's scope (for the .xlsx)."""
    return _attention(_projects(user), year, limit=None)[0]


def _attention(scope: list, year: int, limit: int | None = ATTENTION_SHOWN) -> tuple[list[Any], int]:
    where = [KeyAttention.fiscal_year == year, Project.fiscal_year == year, *scope]
    count = db.session.scalar(select(func.count()).select_from(KeyAttention)
                              .join(Project, Project.id == KeyAttention.project_id).where(*where)) or 0
    return list(db.session.execute(
        select(Project.id, Project.code, Project.name, Organisation.name.label("organisation"), Project.sector,
               func.coalesce(Project.budget_now, Project.amount).label("budget"), KeyAttention.reason,
               KeyAttention.created_at)
        .join(Project, Project.id == KeyAttention.project_id)
        .join(Organisation, Organisation.id == Project.organisation_id)
        .where(*where).order_by(KeyAttention.created_at, Project.code).limit(limit))), count


def _evaluation(user: User, scope: list, year: int, now: datetime) -> Figures:
    out = Figures()
    for (status, key, submitted, self_grade, grade), _sector, n, *_rest in _counts(user, "evaluation", year):
        out.add("evaluations", n)
        out.add(f"status:{status}", n)
        if submitted == "1":
            out.add("self_evaluated", n)
            if self_grade:
                out.add(f"self:{self_grade}", n)
        if key == "1":
            out.add("key_evaluated", n)
            if grade and status not in KEY_PENDING:
                out.add(f"key:{grade}", n)
    # Overdue depends on the clock, so it is counted from the (few) rectifying evaluations themselves.
    overdue = (select(func.count()).select_from(Evaluation)
               .where(Evaluation.fiscal_year == year, Evaluation.status == EvaluationStatus.RECTIFYING,
                      Evaluation.rectify_due_at < now))
    if scope:
        overdue = overdue.join(Project, Project.id == Evaluation.project_id).where(*scope)
    out.count["rect_overdue"] = db.session.scalar(overdue) or 0
    return out


def _overdue_units(scope: list, year: int, now: datetime) -> list[Any]:
    return list(db.session.execute(
        select(Organisation.id, Organisation.name, func.count().label("n"),
               func.min(Evaluation.rectify_due_at).label("due"))
        .select_from(Evaluation).join(Project, Project.id == Evaluation.project_id)
        .join(Organisation, Organisation.id == Project.organisation_id)
        .where(Evaluation.fiscal_year == year, Project.fiscal_year == year,
               Evaluation.status == EvaluationStatus.RECTIFYING, Evaluation.rectify_due_at < now, *scope)
        .group_by(Organisation.id, Organisation.name).order_by(func.count().desc(), Organisation.name)))


def _application(user: User, year: int) -> Figures:
    """Money moved by result application of `year`'s evaluations: the evaluation flow's adjustments (which it
    records for the next budget year) and its payment holds."""
    out = Figures()
    for (kind,), _sector, n, amount, *_rest in _counts(user, "adjustment", year + 1):
        out.add(kind, n, amount)
    for (state,), _sector, n, *_rest in _counts(user, "suspension", year):
        out.add("suspended", n)
        if state == "held":
            out.count["suspended_now"] += n
    for kind in (AdjustmentKind.INCREASE, AdjustmentKind.DECREASE, "suspended_now"):
        out.count[str(kind)] += 0
    return out


def _late_units(user: User, now: datetime) -> list[Any]:
    """Units with a task past its due time right now, from the task rows alone (ix_human_tasks_due); their
    projects: /projects?organisation=…&fact=late."""
    stmt = (select(Organisation.id, Organisation.name, func.count(func.distinct(HumanTask.project_code)).label("n"),
                    func.min(HumanTask.due_at).label("due"))
            .select_from(HumanTask).join(Organisation, Organisation.id == HumanTask.organisation_id)
            .where(HumanTask.status == TaskStatus.OPEN, HumanTask.due_at < now, HumanTask.role == Role.UNIT_STAFF,
                   HumanTask.project_code.is_not(None), *_task_scope(user))
            .group_by(Organisation.id, Organisation.name).order_by(func.min(HumanTask.due_at), Organisation.name))
    return list(db.session.execute(stmt))


def _task_scope(user: User) -> list[ColumnElement[bool]]:
    """visible_clause over a task's copy of its project's unit, department and sector."""
    if _county_wide(user):
        return []
    clauses: list[ColumnElement[bool]] = [HumanTask.organisation_id == user.organisation_id]
    if Role.DEPT_REVIEWER in user.roles and user.organisation.kind == OrgKind.DEPARTMENT:
        clauses.append(HumanTask.department_id == user.organisation_id)
    if Role.FINANCE_SECTION in user.roles and user.sectors:
        clauses.append(HumanTask.sector.in_(sorted(user.sectors)))
    return [or_(*clauses)]
