"""arrangement.* operators: open a sector's arrangement for a fiscal year, draft its lines from the library and
last year's results, record the finance section's review and the office's confirmation.

One arrangement per fiscal year and sector: the instance takes the sector, so its review step is offered to
the finance section covering it (DESIGN: scope is data). A redraft (the office sent it back, or a cancelled
arrangement is started again) replaces the lines that are not confirmed yet; confirmed lines are final.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.flows.budget_arrangement.arrange import (
    arrange,
    demand_rules_from_table,
    department_lines,
    rules_from_table,
)
from server.flows.budget_arrangement.models import ArrangementStatus, BudgetArrangement, LineKind
from server.flows.shared.support import context, text
from server.models import InstanceStatus, Notification, Organisation, ProcessInstance

KEY = "budget_arrangement"
LIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED)


def fiscal_year_of(value: Any) -> int:
    """A budget year 2000–2100, given as a number or digits (never a boolean or a fraction)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("请填写预算年度（2000–2100 年）"))
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        year = int(value.strip())
    else:
        raise ValueError(_("预算年度应为 2000–2100 之间的四位年份"))
    if not 2000 <= year <= 2100:
        raise ValueError(_("预算年度应为 2000–2100 之间的四位年份"))
    return year


def known_sectors() -> list[str]:
    return sorted(s for s in db.session.scalars(select(Organisation.sector).distinct()) if s)


def _rows(call: OperatorCall) -> list[BudgetArrangement]:
    return list(db.session.scalars(select(BudgetArrangement).where(
        BudgetArrangement.instance_id == context(call).instance.id).order_by(BudgetArrangement.id)))


def open_arrangement(call: OperatorCall, *, fiscal_year: Any = None, sector: Any = None) -> dict[str, Any]:
    """arrangement.open: check the year and sector, refuse a second live or a confirmed arrangement of them,
    and give the instance the sector so its review goes to that sector's finance section."""
    year = fiscal_year_of(fiscal_year)
    wanted = str(sector).strip()[:32] if isinstance(sector, str) else ""
    if wanted not in known_sectors():
        raise ValueError(_("请选择领域（如 教育、水利）"))
    instance = context(call).instance
    key = f"{KEY}:{year}:{wanted}"  # the instance's business key: outside systems find it by this
    confirmed = db.session.scalar(select(BudgetArrangement.id).where(
        BudgetArrangement.fiscal_year == year, BudgetArrangement.sector == wanted,
        BudgetArrangement.status == ArrangementStatus.CONFIRMED).limit(1))
    if confirmed is not None:
        raise ValueError(_("%(year)s 年度%(sector)s领域的预算安排已经确认", year=year, sector=wanted))
    live = db.session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.process_key == KEY, ProcessInstance.business_key == key,
        ProcessInstance.status.in_(LIVE), ProcessInstance.id != instance.id).limit(1))
    if live is not None:
        raise ValueError(_("%(year)s 年度%(sector)s领域的预算安排已在进行中", year=year, sector=wanted))
    instance.business_key = key  # type: ignore[attr-defined]  # a real ProcessInstance while starting
    instance.sector = wanted
    return {"fiscal_year": year, "sector": wanted,
            "title": _("%(year)s 年度预算安排（%(sector)s）", year=year, sector=wanted)}


def draft(call: OperatorCall, *, fiscal_year: Any, grades: Any, rectifications: Any, percent_bases: Any,
          priorities: Any, stops: Any, bases: Any, demand_conditions: Any, demand_refusals: Any,
          demand_bases: Any) -> dict[str, Any]:
    """arrangement.draft: (re)compute every line of the instance's year and sector under the two rule tables,
    and the sector's departments' 公用经费 lines from last year's department evaluations."""
    year = fiscal_year_of(fiscal_year)
    sector = context(call).instance.sector
    if not sector:
        raise ValueError(_("本流程没有领域（缺少“arrangement.open”步骤）"))
    rules = rules_from_table(grades, rectifications, percent_bases, priorities, stops, bases)
    refusals = demand_rules_from_table(demand_conditions, demand_refusals, demand_bases)
    lines = arrange(year, sector, rules, refusals)
    db.session.execute(delete(BudgetArrangement).where(
        BudgetArrangement.fiscal_year == year, BudgetArrangement.sector == sector,
        BudgetArrangement.status != ArrangementStatus.CONFIRMED))
    kept = db.session.execute(select(BudgetArrangement.kind, BudgetArrangement.project_id,
                                     BudgetArrangement.organisation_id).where(
        BudgetArrangement.fiscal_year == year, BudgetArrangement.sector == sector)).tuples().all()
    confirmed = {project for kind, project, _org in kept if kind == LineKind.PROJECT}
    confirmed_departments = {org for kind, _project, org in kept if kind == LineKind.DEPARTMENT}
    now, total = get_clock().now(), Decimal(0)
    instance_id = context(call).instance.id
    departments = [d for d in department_lines(year, sector) if d.department.id not in confirmed_departments]
    for dept in departments:
        total += dept.amount
        db.session.add(BudgetArrangement(
            fiscal_year=year, kind=LineKind.DEPARTMENT, project_id=None, organisation_id=dept.department.id,
            sector=sector, instance_id=instance_id, status=ArrangementStatus.DRAFT, base=dept.base,
            adjustment=dept.adjustment, amount=dept.amount, new_demand=False, priority=None,
            execution_stopped=False, reasons=dept.reasons, created_at=now,
        ))
    for line in lines:
        if line.project.id in confirmed:
            continue
        total += line.amount
        db.session.add(BudgetArrangement(
            fiscal_year=year, project_id=line.project.id, organisation_id=line.project.organisation_id, sector=sector,
            instance_id=instance_id, status=ArrangementStatus.DRAFT, base=line.base,
            adjustment=line.adjustment, amount=line.amount, new_demand=line.new_demand, priority=line.priority,
            execution_stopped=line.stopped, reasons=line.reasons, created_at=now,
        ))
    db.session.flush()
    return {"lines": len(lines) + len(departments), "total": str(total)}


def review(call: OperatorCall, *, opinion: Any) -> dict[str, Any]:
    """arrangement.review: the sector's finance section has checked the lines."""
    words = text(opinion, 4000)
    if not words or len(words.strip()) < 2:
        raise ValueError(_("请填写审核意见"))
    rows = _rows(call)
    if any(r.status != ArrangementStatus.DRAFT for r in rows):
        raise ValueError(_("预算安排当前不在审核环节"))
    actor, now = context(call).actor, get_clock().now()
    for row in rows:
        row.status, row.section_opinion = ArrangementStatus.REVIEWED, words
        row.reviewed_by_id, row.reviewed_at = (actor.id if actor else None), now
    return {"lines": len(rows)}


def confirm(call: OperatorCall, *, decision: Any, opinion: Any) -> dict[str, Any]:
    """arrangement.confirm: confirmed lines are final and each unit is told its figures; sent back, the lines
    return to draft and the diagram recomputes them from the latest results."""
    choice = str(decision)
    if choice not in ("confirm", "send_back"):
        raise ValueError(_("未知的确认结论“%(d)s”", d=choice))
    rows = _rows(call)
    if any(r.status != ArrangementStatus.REVIEWED for r in rows):
        raise ValueError(_("预算安排当前不在确认环节"))
    actor, now, words = context(call).actor, get_clock().now(), text(opinion, 4000)
    for row in rows:
        row.office_opinion = words
        if choice == "confirm":
            row.status = ArrangementStatus.CONFIRMED
            row.confirmed_by_id, row.confirmed_at = (actor.id if actor else None), now
        else:
            row.status = ArrangementStatus.DRAFT
    if choice == "confirm":
        _tell_units(call, rows)
    return {"decision": choice, "lines": len(rows)}


def _tell_units(call: OperatorCall, rows: list[BudgetArrangement]) -> None:
    """One notice per unit: its projects' arranged amounts, so the unit knows where to read the reasons; a
    department is told its 公用经费 line the same way (its reviewers read it)."""
    by_unit: dict[tuple[int, LineKind], list[BudgetArrangement]] = {}
    for row in rows:
        by_unit.setdefault((row.organisation_id, row.kind), []).append(row)
    now, instance_id = get_clock().now(), context(call).instance.id
    for (unit, kind), lines in by_unit.items():
        listed = "；".join(_("%(name)s %(amount)s 元", name=_line_name(r), amount=format(r.amount, ",.2f"))
                          for r in lines[:5])
        db.session.add(Notification(
            organisation_id=unit, role="dept_reviewer" if kind == LineKind.DEPARTMENT else "unit_staff",
            kind="arrangement", instance_id=instance_id, project_id=None,
            text=_("%(year)s 年度预算安排已确认：%(lines)s。安排理由见“预算安排”页面。", year=lines[0].fiscal_year,
                   lines=listed)[:2000], created_at=now,
        ))


def _line_name(row: BudgetArrangement) -> str:
    if row.project is not None:
        return row.project.name
    return _("部门公用经费")
