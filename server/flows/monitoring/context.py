"""Monitoring on the task page: the latest monthly reports with their colours, and the finance decisions —
each decision with the report period it answered, when it was taken and by whom (two decisions alike in
kind and words are still two different months)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from server.db import db
from server.flows.monitoring import bounds
from server.flows.monitoring.bounds import BudgetChange
from server.flows.monitoring.models import Correction, MonitoringReport
from server.flows.shared.support import number
from server.models import ProcessInstance, Project, User

MAX_REPORTS = 6
DECISION_FIELD, AMOUNT_FIELD = "decision", "decision_amount"  # forms/monitoring/decide.json


@dataclass
class Decision:
    correction: Correction
    fiscal_year: int
    month: int
    decided_by: str | None  # None: the year-end rule, not a person


@dataclass(frozen=True)
class BudgetFigures:
    """The year's budget beside an amount decision: what is in force, spent and left, and what an amount
    typed into the decision form would make of it (the same figures static/js/budget-change.js shows live)."""

    approved: Decimal | None  # 核定金额
    in_force: Decimal  # 现行预算 = 原预算 of a decision
    spent: Decimal | None  # 已支出 as of the latest report of the year

    @property
    def unspent(self) -> Decimal | None:
        return None if self.spent is None else self.in_force - self.spent

    def changes(self, values: Mapping[str, Any] | None) -> list[tuple[str, BudgetChange]]:
        """(decision, change) for the amount in `values`: the chosen decision's, or each amount decision's."""
        values = values or {}
        amount = number(values.get(AMOUNT_FIELD))
        if amount is None or amount < 0:
            return []
        chosen = str(values.get(DECISION_FIELD) or "")
        kinds = [chosen] if chosen in bounds.AMOUNT_DECISIONS else list(bounds.AMOUNT_DECISIONS)
        return [(kind, change) for kind in kinds if (change := bounds.change_of(kind, amount, self.in_force))]


@dataclass
class MonitoringContext:
    reports: list[MonitoringReport]
    corrections: list[Decision]
    budget: BudgetFigures

    def confirmation(self, values: Mapping[str, Any] | None) -> str | None:
        """What the user must have confirmed before these values are submitted (services.task_page.unconfirmed):
        the chosen amount decision and its amount, as static/js/budget-change.js writes it; None: nothing to confirm."""
        values = values or {}
        decision, amount = str(values.get(DECISION_FIELD) or ""), number(values.get(AMOUNT_FIELD))
        if decision not in bounds.AMOUNT_DECISIONS or amount is None:
            return None
        return f"{decision}:{amount.quantize(bounds.CENT)}"


def load(project: Project, instance: ProcessInstance) -> MonitoringContext | None:
    reports = list(db.session.scalars(
        select(MonitoringReport).where(MonitoringReport.project_id == project.id)
        .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc()).limit(MAX_REPORTS)
    ))
    if not reports:
        return None
    rows = db.session.execute(
        select(Correction, MonitoringReport.fiscal_year, MonitoringReport.month, User.display_name)
        .join(MonitoringReport, MonitoringReport.id == Correction.report_id)
        .outerjoin(User, User.id == Correction.actor_id)
        .where(Correction.project_id == project.id)
        .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc(), Correction.id.desc())
        .limit(MAX_REPORTS)
    ).tuples()
    year = [r for r in reports if r.fiscal_year == project.fiscal_year]
    in_force = project.budget_now if project.budget_now is not None else (project.amount or Decimal(0))
    figures = BudgetFigures(project.amount, in_force, year[0].spent if year else None)
    return MonitoringContext(reports, [Decision(c, year, month, name) for c, year, month, name in rows], figures)
