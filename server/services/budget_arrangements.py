"""Reading 预算安排 within the reader's scope: the lines of a fiscal year with their reasons in words, for the API,
the page and its .xlsx. Finance sections see their sectors' lines from the draft on, the office all; units and
departments see their own once confirmed. A payment suspension is read live from payment_suspensions, so a
verified rectification lifts it on the arrangement at once.

A department's 部门公用经费 line (kind "department", no project) is read by the office, the finance section of
its sector and the department itself — not by the department's units, whose budgets it is not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true

from server.clock import COUNTY_TZ
from server.db import db
from server.flows.budget_arrangement.models import ArrangementStatus, BudgetArrangement, LineKind
from server.flows.budget_arrangement.words import STATUS
from server.flows.evaluation.models import Evaluation
from server.flows.shared.models import PaymentSuspension
from server.models import Organisation, Project, Role, User
from server.services.errors import Forbidden
from server.services.projects import visible_clause
from server.services.scope import COUNTY_WIDE_ROLES
from server.services.xlsx_export import Column, stream_xlsx

PERCENT_OF = {"unit": _l("该单位上一年度年初预算项目经费"), "project": _l("本项目上一年度核定金额"),
              "operating": _l("该单位上一年度运转类项目支出预算总额")}


@dataclass
class ArrangementLine:
    row: BudgetArrangement
    project: Project | None  # None on a department's 公用经费 line
    unit: str  # 实施单位, or the department of a 公用经费 line
    reasons: list[dict[str, Any]]
    payments_suspended: bool

    @property
    def is_department(self) -> bool:
        return self.row.kind == LineKind.DEPARTMENT

    @property
    def name(self) -> str:
        return self.project.name if self.project is not None else _("部门公用经费")

    @property
    def code(self) -> str:
        return self.project.code if self.project is not None else ""


@dataclass(frozen=True)
class Totals:
    count: int  # every line (the API's total)
    departments: int  # of them 部门公用经费 lines
    base: Decimal
    adjustment: Decimal
    amount: Decimal

    @property
    def projects(self) -> int:
        return self.count - self.departments


def may_read(user: User) -> bool:
    return not (user.roles <= {Role.EXPERT})


def drafts_visible(user: User) -> bool:
    return bool(user.roles & {Role.FINANCE_SECTION, *COUNTY_WIDE_ROLES})


def _department_scope(user: User) -> ColumnElement[bool]:
    """Department lines: the office, the sector's finance section, the department itself."""
    if user.roles & set(COUNTY_WIDE_ROLES):
        return true()
    clauses = [BudgetArrangement.organisation_id == user.organisation_id]
    if Role.FINANCE_SECTION in user.roles and user.sectors:
        clauses.append(BudgetArrangement.sector.in_(sorted(user.sectors)))
    return or_(*clauses)


def _scope(user: User) -> list[ColumnElement[bool]]:
    """Conditions on BudgetArrangement outer-joined to Project (a department line has none)."""
    if not may_read(user):
        raise Forbidden(_("预算安排仅供财政、主管部门和单位查看"))
    where: list[ColumnElement[bool]] = [or_(
        and_(BudgetArrangement.kind == LineKind.PROJECT, visible_clause(user)),
        and_(BudgetArrangement.kind == LineKind.DEPARTMENT, _department_scope(user)))]
    if not drafts_visible(user):
        where.append(BudgetArrangement.status == ArrangementStatus.CONFIRMED)
    return where


def _day(moment: datetime) -> str:
    local = moment.astimezone(COUNTY_TZ)
    return _("%(y)s年%(m)s月%(d)s日", y=local.year, m=local.month, d=local.day)


def _yuan(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _percent(value: Any) -> str:
    shown = f"{abs(Decimal(str(value))):f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def reason_text(reason: dict[str, Any]) -> str:
    """One consequence in words, with its figures and the evaluation it comes from."""
    code = reason.get("code")
    src = _("%(year)s 年度绩效评价等次为%(grade)s", year=reason.get("source_year"), grade=reason.get("grade")) \
        if reason.get("grade") else ""
    basis = f"（{reason['basis']}）" if reason.get("basis") else ""
    if code == "adjustment":
        change = Decimal(reason["change"])
        verb = _("调增") if change >= 0 else _("调减")
        of = str(PERCENT_OF.get(reason.get("percent_base", ""), _("基数")))
        return _("%(src)s：按%(of)s %(base)s 元的 %(pct)s%% %(verb)s %(change)s 元", src=src, of=of,
                 base=_yuan(reason["base"]), pct=_percent(reason["percent"]), verb=verb,
                 change=_yuan(abs(change))) + basis
    if code == "dept_adjustment":
        change = Decimal(reason["change"])
        verb = _("调增") if change >= 0 else _("调减")
        return _("%(year)s 年度部门整体绩效评价 %(score)s 分，等次为%(grade)s：按部门公用经费 %(base)s 元的 %(pct)s%% "
                 "%(verb)s %(change)s 元", year=reason.get("source_year"), score=reason.get("score") or "—",
                 grade=reason.get("grade"), base=_yuan(reason["base"]), pct=_percent(reason["percent"]), verb=verb,
                 change=_yuan(abs(change))) + basis
    if code == "dept_rectify":
        return _("%(year)s 年度部门整体绩效评价等次为%(grade)s：须按评价意见整改", year=reason.get("source_year"),
                 grade=reason.get("grade"))
    if code == "adjustment_amount":
        return _("预算调整 %(change)s 元", change=_yuan(reason["change"])) + basis
    if code == "priority":
        return _("%(src)s：优先安排", src=src) + basis
    if code == "priority_lost":
        return _("%(src)s：不再具备优先保障资格", src=src) + basis
    if code == "stopped":
        return _("%(src)s，整改不到位：中止预算执行，本年度不安排资金", src=src) + basis
    if code == "demand_refused":
        names = "、".join(reason.get("projects") or [])
        if reason.get("condition") == "skipped_self_evaluation":
            return _("新增需求不予考虑：本单位未开展 %(year)s 年度绩效自评（%(projects)s）",
                     year=reason.get("source_year"), projects=names) + basis
        return _("新增需求不予考虑：本单位 %(year)s 年度评价结果整改不到位（%(projects)s）",
                 year=reason.get("source_year"), projects=names) + basis
    if code == "no_goals":
        return _("绩效目标尚未批复：未设置绩效目标，一律不得安排资金（001）")
    if code == "not_admitted":
        return _("尚未通过事前绩效评估入库，暂不安排预算（先评估后入库）")
    if code == "ended":
        return _("项目已于 %(year)s 年结束，结果应用调整计入单位预算", year=reason.get("end_year"))
    if code == "payments_suspended":
        return _("%(src)s，整改期间暂缓拨付（自 %(since)s 起，整改核查到位后恢复）", src=src, since=reason["since"])
    if code == "payments_resumed":
        return _("%(src)s：整改已核查到位，%(day)s 恢复拨付", src=src, day=reason["lifted"])
    return str(code)


def _suspensions(project_ids: list[int], year: int) -> dict[int, list[dict[str, Any]]]:
    """Holds result application placed on last year's evaluations, as reasons (live: lifted ones say so)."""
    out: dict[int, list[dict[str, Any]]] = {}
    rows = db.session.execute(
        select(PaymentSuspension, Evaluation.grade, Evaluation.fiscal_year)
        .join(Evaluation, Evaluation.id == PaymentSuspension.source_id)
        .where(PaymentSuspension.project_id.in_(project_ids), PaymentSuspension.source_flow == "evaluation",
               Evaluation.fiscal_year == year - 1).order_by(PaymentSuspension.id)
    ).tuples().all()
    for hold, grade, source_year in rows:
        reason: dict[str, Any] = {"evaluation_id": hold.source_id, "source_year": source_year, "grade": grade,
                                  "since": _day(hold.since)}
        if hold.lifted_at is None:
            reason["code"] = "payments_suspended"
        else:
            reason.update(code="payments_resumed", lifted=_day(hold.lifted_at))
        out.setdefault(hold.project_id, []).append(reason)
    return out


def _select(user: User, year: int, sector: str | None):
    where = [BudgetArrangement.fiscal_year == year, *_scope(user)]
    if sector:
        where.append(BudgetArrangement.sector == sector)
    return where


def latest_year(user: User) -> int | None:
    """The newest fiscal year with lines this reader may see (the page opens on it)."""
    return db.session.scalar(select(func.max(BudgetArrangement.fiscal_year))
                             .outerjoin(Project, Project.id == BudgetArrangement.project_id).where(*_scope(user)))


def count_lines(user: User, year: int, sector: str | None = None) -> Totals:
    """The year's totals in scope."""
    return _totals(select_from=select(BudgetArrangement).outerjoin(Project, Project.id == BudgetArrangement.project_id)
                   .where(*_select(user, year, sector)))


def instance_totals(instance_id: int) -> Totals:
    """One arrangement flow's totals over all its lines (its reviewers' task page lists only the first ones)."""
    return _totals(select_from=select(BudgetArrangement).where(BudgetArrangement.instance_id == instance_id))


def _totals(*, select_from: Select[Any]) -> Totals:
    lines = select_from.subquery()
    row = db.session.execute(
        select(func.count(), func.count(lines.c.id).filter(lines.c.kind == LineKind.DEPARTMENT),
               func.coalesce(func.sum(lines.c.base), 0), func.coalesce(func.sum(lines.c.adjustment), 0),
               func.coalesce(func.sum(lines.c.amount), 0))
    ).one()
    return Totals(int(row[0]), int(row[1]), Decimal(row[2]), Decimal(row[3]), Decimal(row[4]))


def _lines(rows: list[BudgetArrangement], year: int) -> list[ArrangementLine]:
    """The rows with their reasons in words, live payment holds included."""
    live = _suspensions([r.project_id for r in rows if r.project_id is not None], year)
    departments = _department_names({r.organisation_id for r in rows if r.project is None})
    out = []
    for r in rows:
        held = live.get(r.project_id, []) if r.project_id is not None else []
        reasons = [dict(x, text=reason_text(x)) for x in [*r.reasons, *held]]
        unit = r.project.organisation.name if r.project is not None else departments.get(r.organisation_id, "")
        out.append(ArrangementLine(r, r.project, unit, reasons,
                                   any(x["code"] == "payments_suspended" for x in reasons)))
    return out


def _department_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
                .tuples().all())


LIST_ORDER = (BudgetArrangement.sector, BudgetArrangement.kind, BudgetArrangement.organisation_id,
              BudgetArrangement.project_id)


def list_lines(user: User, year: int, sector: str | None = None, *, page: int = 1,
               per_page: int = 100) -> list[ArrangementLine]:
    # a sector's department lines first (kind "department" sorts before "project"), then its units' projects in
    # the order they entered the library: ix_budget_arrangements_year's order, so a page never sorts the year
    rows = list(db.session.scalars(
        select(BudgetArrangement).outerjoin(Project, Project.id == BudgetArrangement.project_id)
        .where(*_select(user, year, sector))
        .order_by(*LIST_ORDER)
        .limit(per_page).offset((page - 1) * per_page)
    ))
    return _lines(rows, year)


INSTANCE_LINES = 100  # lines the review task shows; the totals cover all, the list page and xlsx show the rest


def lines_of_instance(instance_id: int, limit: int | None = None) -> list[ArrangementLine]:
    """One arrangement flow's lines (its reviewers' task page; the task's own scope check has let them in)."""
    rows = list(db.session.scalars(
        select(BudgetArrangement).outerjoin(Project, Project.id == BudgetArrangement.project_id)
        .where(BudgetArrangement.instance_id == instance_id)
        .order_by(*LIST_ORDER).limit(limit or INSTANCE_LINES)))
    year = rows[0].fiscal_year if rows else 0
    return _lines(rows, year)


def sectors(user: User) -> list[str]:
    """The sectors the reader can choose (a finance section: its own)."""
    if user.roles & set(COUNTY_WIDE_ROLES):
        from server.flows.budget_arrangement.operators import known_sectors
        return known_sectors()
    return sorted(user.sectors)


PRIORITY = {True: _l("优先安排"), False: _l("不再优先")}
HEADERS = ((_l("项目编码"), 22, False), (_l("项目名称"), 30, False), (_l("实施单位"), 20, False), (_l("领域"), 8, False),
           (_l("基数"), 16, True), (_l("结果应用调整"), 16, True), (_l("安排金额"), 16, True), (_l("优先安排"), 10, False),
           (_l("暂缓拨付"), 10, False), (_l("状态"), 12, False), (_l("理由"), 80, False))


def export_xlsx(user: User, year: int, sector: str | None = None) -> Iterator[bytes]:

    def rows() -> Iterator[list[Any]]:
        page = 1
        while batch := list_lines(user, year, sector, page=page, per_page=500):
            for line in batch:
                r = line.row
                yield [line.code, line.name, line.unit, r.sector, r.base, r.adjustment, r.amount,
                       str(PRIORITY[r.priority]) if r.priority is not None else "",
                       _("是") if line.payments_suspended else "", str(STATUS.get(str(r.status), r.status)),
                       "\n".join(x["text"] for x in line.reasons)]
            page += 1

    totals = count_lines(user, year, sector)
    lines = _("%(n)s 个项目", n=totals.projects)
    if totals.departments:
        lines += _("、%(n)s 个部门公用经费", n=totals.departments)
    footer = [[_("合计"), lines, "", "", totals.base, totals.adjustment, totals.amount, "", "", "", ""]]
    return stream_xlsx(_("%(year)s 年度预算安排", year=year), [Column(str(h), w, y) for h, w, y in HEADERS],
                       rows(), footer)

