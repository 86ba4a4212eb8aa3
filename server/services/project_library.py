"""项目库: the projects in the reader's scope, filtered, searched, sorted, paged and totalled, for the page and
the .xlsx export. Every filter and sort is a plain column of `projects` (the monitoring colour, last grade and
budget in force are kept there by server/services/project_facts.py), so a page is one indexed query."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.extensions import get_clock
from server.models import (
    FundSource,
    GoalStatus,
    Organisation,
    OrgKind,
    Project,
    ProjectCategory,
    ProjectStatus,
    Role,
    User,
)
from server.services.dashboard_links import FACTS, GAUGES, fact_clause, month_clause
from server.services.errors import Forbidden
from server.services.list_query import QueryReader
from server.services.projects import visible_clause
from server.services.scope import COUNTY_WIDE_ROLES
from server.services.xlsx_export import Column, stream_xlsx

COLOURS = ("red", "yellow", "green", "blue")
COLOUR_WORDS = {"red": _l("红"), "yellow": _l("黄"), "green": _l("绿"), "blue": _l("蓝")}
GRADES = ("优", "良", "中", "差")
BUDGET = func.coalesce(Project.budget_now, Project.amount)  # budget_now is None until a correction changes it
SORTS: dict[str, tuple[Any, ...]] = {
    "new": (Project.created_at.desc(), Project.id.desc()),
    "old": (Project.created_at.asc(), Project.id.asc()),
    "amount_desc": (Project.amount.desc().nulls_last(), Project.id.desc()),
    "amount_asc": (Project.amount.asc().nulls_last(), Project.id.asc()),
    "score_desc": (Project.last_score.desc().nulls_last(), Project.id.desc()),
    "score_asc": (Project.last_score.asc().nulls_last(), Project.id.asc()),
    "code": (Project.code.asc(),),
}
PER_PAGE = 20


@dataclass(frozen=True)
class LibraryQuery:
    q: str = ""
    year: int | None = None
    stage: str | None = None
    organisation: int | None = None
    sector: str | None = None
    goal: str | None = None
    colour: str | None = None
    grade: str | None = None
    category: str | None = None  # 支出类别
    fund: str | None = None  # 资金来源
    min_amount: Decimal | None = None  # 元
    max_amount: Decimal | None = None
    sort: str = "new"
    page: int = 1
    fact: str | None = None  # 专项筛选 (server/services/dashboard_links.py): the set a dashboard figure counts
    month: tuple[int, int] | None = None  # with colour/gauge: that month's monitoring report, not the latest
    gauge: str | None = None
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string that reproduces this query (for paging and export links), minus empty values."""
        values = {"q": self.q, "year": self.year, "stage": self.stage, "organisation": self.organisation,
                  "sector": self.sector, "goal": self.goal, "colour": self.colour, "grade": self.grade,
                  "category": self.category, "fund": self.fund,
                  "min": _wan_text(self.min_amount), "max": _wan_text(self.max_amount),
                  "sort": None if self.sort == "new" else self.sort, "page": None if self.page == 1 else self.page,
                  "fact": self.fact, "month": f"{self.month[0]}-{self.month[1]:02d}" if self.month else None,
                  "gauge": self.gauge}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _wan_text(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{(amount / 10_000).normalize():f}"


def parse_query(args: Mapping[str, str]) -> LibraryQuery:
    read = QueryReader(args)
    low, high = read.wan("min"), read.wan("max")
    if low is not None and high is not None and low > high:
        read.errors["max"] = _("金额上限不能小于下限")
        high = None
    return LibraryQuery(
        q=read.text("q"), year=read.integer("year", 2000, 2100), stage=read.choice("stage", ProjectStatus),
        organisation=read.integer("organisation", 1, 2**31 - 1, _("不是可选的单位")), sector=read.raw("sector"),
        goal=read.choice("goal", GoalStatus), colour=read.choice("colour", COLOURS),
        grade=read.choice("grade", GRADES), category=read.choice("category", ProjectCategory),
        fund=read.choice("fund", FundSource), min_amount=low, max_amount=high,
        sort=read.choice("sort", SORTS) or "new", page=read.page(), fact=read.choice("fact", FACTS),
        month=read.month("month"), gauge=read.choice("gauge", GAUGES), errors=read.errors,
    )


def _check_reader(user: User) -> None:
    if Role.EXPERT in user.roles and not (user.roles - {Role.EXPERT}):
        raise Forbidden(_("专家只能查看分配给自己的评审任务"))


def _where(user: User, query: LibraryQuery) -> list[ColumnElement[bool]]:
    # County-wide readers get no scope condition at all (not "id IS NOT NULL"), so the planner may total the
    # whole library from an index alone.
    where = [] if user.roles & set(COUNTY_WIDE_ROLES) else [visible_clause(user)]
    if query.q:
        pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(Project.name.ilike(pattern, escape="\\"), Project.code.ilike(pattern, escape="\\")))
    evaluated = query.fact in ("self_evaluated", "key_evaluated")  # the grade is that evaluation's
    for column, value in ((Project.fiscal_year, query.year), (Project.status, query.stage),
                          (Project.organisation_id, query.organisation), (Project.sector, query.sector),
                          (Project.goal_status, query.goal),
                          (Project.monitoring_colour, None if query.month else query.colour),
                          (Project.last_grade, None if evaluated else query.grade),
                          (Project.category, query.category), (Project.fund_source, query.fund)):
        if value is not None:
            where.append(column == value)
    if query.month:
        where.append(month_clause(*query.month, query.colour, query.gauge))
    if query.fact:
        where.append(fact_clause(query.fact, query.grade if evaluated else None, get_clock().now()))
    if query.min_amount is not None:
        where.append(Project.amount >= query.min_amount)
    if query.max_amount is not None:
        where.append(Project.amount <= query.max_amount)
    return where


COLUMNS = (Project.id, Project.code, Project.name, Organisation.name.label("organisation"), Project.sector,
           Project.fiscal_year, Project.status, Project.goal_status, Project.amount, BUDGET.label("budget"),
           Project.monitoring_colour, Project.monitoring_month, Project.last_grade, Project.last_score,
           Project.instance_id, Project.category, Project.fund_source)


def _rows(user: User, query: LibraryQuery) -> Select:
    return (select(*COLUMNS).join(Organisation, Organisation.id == Project.organisation_id)
            .where(*_where(user, query)).order_by(*SORTS[query.sort]))


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal
    budget: Decimal


@dataclass(frozen=True)
class LibraryPage:
    query: LibraryQuery
    rows: list[Row]
    totals: Totals
    page: int
    pages: int


def totals(user: User, query: LibraryQuery) -> Totals:
    count, amount, budget = db.session.execute(
        select(func.count(), func.sum(Project.amount), func.sum(BUDGET)).where(*_where(user, query))
    ).one()
    return Totals(count or 0, Decimal(amount or 0), Decimal(budget or 0))


def library_page(user: User, query: LibraryQuery, per_page: int = PER_PAGE) -> LibraryPage:
    _check_reader(user)
    sums = totals(user, query)
    pages = max(1, -(-sums.count // per_page))
    page = min(query.page, pages)
    rows = db.session.execute(_rows(user, query).limit(per_page).offset((page - 1) * per_page)).all()
    return LibraryPage(query, list(rows), sums, page, pages)


def export_rows(user: User, query: LibraryQuery, batch: int = 1000) -> Iterator[Row]:
    """Every row of the filtered set, fetched in batches (a server-side cursor on PostgreSQL)."""
    _check_reader(user)
    result = db.session.execute(_rows(user, query).execution_options(yield_per=batch))
    yield from result


@dataclass(frozen=True)
class FilterChoices:
    years: list[int]
    organisations: list[tuple[int, str]]
    sectors: list[str]


def filter_choices(user: User) -> FilterChoices:
    """What the filter boxes offer: a span of years, the units and sectors the reader may see."""
    year = get_clock().now().year
    units = select(Organisation.id, Organisation.name).where(Organisation.kind == OrgKind.UNIT)
    roles = user.roles
    if not roles & {Role.PERFORMANCE_OFFICE, Role.ADMIN}:
        mine = [Organisation.id == user.organisation_id]
        if Role.DEPT_REVIEWER in roles:
            mine.append(Organisation.parent_id == user.organisation_id)
        if Role.FINANCE_SECTION in roles and user.sectors:
            mine.append(Organisation.sector.in_(sorted(user.sectors)))
        units = units.where(or_(*mine))
    organisations = [(i, n) for i, n in db.session.execute(units.order_by(Organisation.name)).tuples()]
    if Role.FINANCE_SECTION in roles and not roles & {Role.PERFORMANCE_OFFICE, Role.ADMIN}:
        sectors = sorted(user.sectors)
    else:
        sectors = sorted(s for s in db.session.scalars(
            select(Organisation.sector).where(Organisation.sector.is_not(None)).distinct()) if s)
    return FilterChoices(list(range(year + 1, year - 6, -1)), organisations, sectors)


def _period(value: int | None) -> str:
    return f"{value // 100}-{value % 100:02d}" if value else ""


def export_xlsx(user: User, query: LibraryQuery) -> Iterator[bytes]:
    """The filtered list as .xlsx: a header, one row per project in the page's order, and a totals row."""
    from server.services.task_page import label

    _check_reader(user)
    sums = totals(user, query)
    columns = (Column(_("项目编码"), 18), Column(_("项目名称"), 36), Column(_("单位"), 24), Column(_("归口领域"), 10),
               Column(_("预算年度"), 10), Column(_("阶段"), 12), Column(_("绩效目标"), 14),
               Column(_("核定金额（元）"), 18, yuan=True), Column(_("执行中预算（元）"), 18, yuan=True),
               Column(_("监控颜色"), 10), Column(_("监控报告期"), 12), Column(_("评价等次"), 10), Column(_("评价得分"), 10),
               Column(_("支出类别"), 10), Column(_("资金来源"), 12))
    rows = ((r.code, r.name, r.organisation, r.sector, r.fiscal_year, label("project_status", r.status),
             label("goal_status", r.goal_status), r.amount, r.budget, str(COLOUR_WORDS.get(r.monitoring_colour or "", "")),
             _period(r.monitoring_month), r.last_grade, r.last_score, label("category", r.category),
             label("fund_source", r.fund_source)) for r in export_rows(user, query))
    footer = [(_("合计"), _("%(n)s 个项目", n=sums.count), None, None, None, None, None, sums.amount, sums.budget,
               None, None, None, None, None, None)]
    return stream_xlsx(_("项目库"), columns, rows, footer)
