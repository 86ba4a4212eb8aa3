"""预警看板: the yellow and red monitoring reports a finance section must act on (its sectors; the performance
office and admin: all), newest month first and red before yellow within a month, each with the unit's cause
and measures and where the finance decision stands (waiting for the unit's explanation, an open decide task,
or the decision taken). The same list as .xlsx."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Row, Select, func, select, text, true
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.flows.monitoring.models import WARNING_PREDICATE, Correction, MonitoringReport
from server.models import HumanTask, Organisation, Project, Role, TaskStatus, User
from server.services.errors import Forbidden
from server.services.list_query import QueryReader
from server.services.scope import COUNTY_WIDE_ROLES
from server.services.xlsx_export import Column, stream_xlsx

DECIDE_TASK, EXPLAIN_TASK = "Task_Decide", "Task_Explain"  # the monitoring diagram's user tasks
PER_PAGE = 20
COUNT_CAP = 1_000  # beyond this the board says "1,000+" (50 pages): counting every warning of every year buys nothing
ORDER = (MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc(), MonitoringReport.colour.asc(),
         MonitoringReport.id.desc())  # 'red' < 'yellow': worst first within a month


@dataclass(frozen=True)
class WarningQuery:
    colour: str | None = None
    month: tuple[int, int] | None = None
    sector: str | None = None
    organisation: int | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    def args(self, **changes: Any) -> dict[str, Any]:
        values = {"colour": self.colour, "month": f"{self.month[0]}-{self.month[1]:02d}" if self.month else None,
                  "sector": self.sector, "organisation": self.organisation,
                  "page": None if self.page == 1 else self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse_query(args: Mapping[str, str]) -> WarningQuery:
    read = QueryReader(args)
    return WarningQuery(colour=read.choice("colour", ("red", "yellow")), month=read.month("month"),
                        sector=read.raw("sector"),
                        organisation=read.integer("organisation", 1, 2**31 - 1, _("不是可选的单位")),
                        page=read.page(), errors=read.errors)


def may_read(user: User) -> bool:
    return bool(user.roles & {Role.FINANCE_SECTION, *COUNTY_WIDE_ROLES})


def _scope(user: User) -> ColumnElement[bool]:
    if not may_read(user):
        raise Forbidden(_("预警看板仅供财政业务股室和绩效管理股查看"))
    if user.roles & set(COUNTY_WIDE_ROLES):
        return true()
    return Project.sector.in_(sorted(user.sectors))


COLUMNS = (MonitoringReport.id, MonitoringReport.fiscal_year, MonitoringReport.month, MonitoringReport.colour,
           MonitoringReport.execution_colour, MonitoringReport.goal_colour, MonitoringReport.execution_ratio,
           MonitoringReport.budget, MonitoringReport.spent, MonitoringReport.cause, MonitoringReport.measures,
           MonitoringReport.instance_id, MonitoringReport.created_at, Project.id.label("project_id"),
           Project.code, Project.name, Project.sector, Organisation.name.label("organisation"))


def _where(user: User, query: WarningQuery) -> list[ColumnElement[bool]]:
    where = [text(f"monitoring_reports.{WARNING_PREDICATE}"), _scope(user)]
    if query.colour:
        where.append(MonitoringReport.colour == query.colour)
    if query.month:
        where += [MonitoringReport.fiscal_year == query.month[0], MonitoringReport.month == query.month[1]]
    if query.sector:
        where.append(Project.sector == query.sector)
    if query.organisation:
        where.append(Project.organisation_id == query.organisation)
    return where


def _rows(user: User, query: WarningQuery) -> Select:
    return (select(*COLUMNS).join(Project, Project.id == MonitoringReport.project_id)
            .join(Organisation, Organisation.id == Project.organisation_id)
            .where(*_where(user, query)).order_by(*ORDER))


@dataclass(frozen=True)
class Decision:
    """Where the finance decision on one warning stands."""

    state: str  # decided / open (task_id to decide) / explaining (the unit has to explain first) / none
    task_id: int | None = None
    kind: str | None = None
    opinion: str | None = None
    amount: Any = None


@dataclass(frozen=True)
class WarningRow:
    report: Row
    decision: Decision


@dataclass(frozen=True)
class WarningPage:
    query: WarningQuery
    rows: list[WarningRow]
    count: int
    capped: bool
    page: int
    pages: int


def decisions(reports: list[Row]) -> dict[int, Decision]:
    """Three small queries for a page of reports: their corrections, each instance's latest report (a
    monitoring instance handles one report at a time), and the instances' open explain/decide tasks."""
    ids = [r.id for r in reports]
    instances = {r.instance_id for r in reports if r.instance_id}
    taken: dict[int, Decision] = {}
    for report_id, kind, opinion, amount in db.session.execute(
            select(Correction.report_id, Correction.kind, Correction.opinion, Correction.amount)
            .where(Correction.report_id.in_(ids)).order_by(Correction.id)).tuples():
        taken[report_id] = Decision("decided", kind=str(kind), opinion=opinion, amount=amount)
    latest = dict(db.session.execute(
        select(MonitoringReport.instance_id, func.max(MonitoringReport.id))
        .where(MonitoringReport.instance_id.in_(instances)).group_by(MonitoringReport.instance_id)).tuples().all())
    open_tasks: dict[tuple[int, str], int] = {}
    for task_id, instance_id, name in db.session.execute(
            select(HumanTask.id, HumanTask.instance_id, HumanTask.task_name)
            .where(HumanTask.instance_id.in_(instances), HumanTask.status == TaskStatus.OPEN,
                   HumanTask.task_name.in_((DECIDE_TASK, EXPLAIN_TASK)))).tuples():
        open_tasks[(instance_id, name)] = task_id
    out = {}
    for r in reports:
        if r.id in taken:
            out[r.id] = taken[r.id]
        elif latest.get(r.instance_id) == r.id and (r.instance_id, DECIDE_TASK) in open_tasks:
            out[r.id] = Decision("open", task_id=open_tasks[(r.instance_id, DECIDE_TASK)])
        elif latest.get(r.instance_id) == r.id and (r.instance_id, EXPLAIN_TASK) in open_tasks:
            out[r.id] = Decision("explaining")
        else:
            out[r.id] = Decision("none")
    return out


def warnings_page(user: User, query: WarningQuery, per_page: int = PER_PAGE) -> WarningPage:
    counted = select(MonitoringReport.id).join(Project, Project.id == MonitoringReport.project_id) \
        .where(*_where(user, query)).limit(COUNT_CAP + 1).subquery()
    count = db.session.scalar(select(func.count()).select_from(counted)) or 0
    pages = max(1, -(-min(count, COUNT_CAP) // per_page))
    page = min(query.page, pages)
    reports = list(db.session.execute(_rows(user, query).limit(per_page).offset((page - 1) * per_page)).all())
    states = decisions(reports) if reports else {}
    return WarningPage(query, [WarningRow(r, states[r.id]) for r in reports], min(count, COUNT_CAP),
                       count > COUNT_CAP, page, pages)


def export_xlsx(user: User, query: WarningQuery, batch: int = 500) -> Iterator[bytes]:
    """The filtered board as .xlsx, in the page's order, with the decision state of each warning."""
    from server.services.task_page import label

    _scope(user)
    columns = (Column(_("报告期"), 10), Column(_("预警"), 8), Column(_("执行"), 8), Column(_("目标"), 8),
               Column(_("项目编码"), 18), Column(_("项目名称"), 36), Column(_("单位"), 22), Column(_("归口领域"), 10),
               Column(_("预算（元）"), 16, yuan=True), Column(_("累计支出（元）"), 16, yuan=True),
               Column(_("偏离原因"), 40), Column(_("纠偏措施"), 40), Column(_("财政决定"), 18), Column(_("决定意见"), 40))
    words = {"red": _("红"), "yellow": _("黄"), "green": _("绿"), "blue": _("蓝")}
    states = {"open": _("待财政决定"), "explaining": _("待单位说明原因"), "none": ""}

    def rows() -> Iterator[tuple]:
        result = db.session.execute(_rows(user, query).execution_options(yield_per=batch))
        for part in result.partitions():
            found = decisions(list(part))
            for r in part:
                d = found[r.id]
                shown = label("correction", d.kind) if d.state == "decided" else states[d.state]
                yield (f"{r.fiscal_year}-{r.month:02d}", words[r.colour], words.get(r.execution_colour, ""),
                       words.get(r.goal_colour, ""), r.code, r.name, r.organisation, r.sector, r.budget, r.spent,
                       r.cause, r.measures, shown, d.opinion)

    return stream_xlsx(_("预警看板"), columns, rows())
