"""Facts other flows establish about a project, copied onto its row in the same transaction that establishes
them (the latest monitoring colour, the last evaluation grade, the budget in force), so the project library
filters and sorts on plain indexed columns. The monitoring and evaluation operators call these; migration 0012
backfilled the rows that existed before."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from server.db import db
from server.flows.monitoring.models import Correction, CorrectionKind, MonitoringReport
from server.models import Project
from server.services import dashboard_tallies


def budget_from_corrections(project: Project, fiscal_year: int | None = None) -> Decimal:
    """The year's budget as monitoring left it: the approved amount (核定金额, kept as approved), replaced by a
    finance decision 调整预算 and lowered by balances recovered (纠偏 or year end), in the order decided."""
    year = project.fiscal_year if fiscal_year is None else fiscal_year
    budget = project.amount or Decimal(0)
    rows = db.session.execute(
        select(Correction.kind, Correction.amount)
        .join(MonitoringReport, MonitoringReport.id == Correction.report_id)
        .where(Correction.project_id == project.id, MonitoringReport.fiscal_year == year,
               Correction.amount.is_not(None))
        .order_by(Correction.id)
    ).tuples().all()
    for kind, amount in rows:
        if kind == CorrectionKind.ADJUST_BUDGET:
            budget = amount
        elif kind == CorrectionKind.RECOVER_BALANCE:
            budget -= amount
    return max(budget, Decimal(0))


def note_report(project: Project, report: MonitoringReport) -> None:
    """A monitoring report was recorded: it is the project's current colour unless an older period's."""
    period = report.fiscal_year * 100 + report.month
    if project.monitoring_month is None or period >= project.monitoring_month:
        project.monitoring_colour, project.monitoring_month = str(report.colour), period
    dashboard_tallies.count_report(project, report)


def note_budget(project: Project) -> None:
    """A correction changed (or may have changed) the budget in force."""
    db.session.flush()  # the correction row just added counts
    project.budget_now = budget_from_corrections(project)


def note_grade(project: Project, grade: str | None, score: Decimal | None) -> None:
    """An evaluation was graded (self-evaluation result, or the key evaluation that replaces it)."""
    project.last_grade, project.last_score = grade, score
