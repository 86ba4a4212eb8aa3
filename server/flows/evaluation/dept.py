"""evaluation.* operators for 部门评价 (seed 001: 积极推进部门评价; DOMAIN §4): after the unit's self-evaluation is
graded, the evaluation reads whether the supervising department chose the project (which locks the choice), the
rule table `evaluation_dept_scope` decides whether it goes to 部门评价, and the department's score sheet (the same
four parts as the key evaluation) is recorded. Its grade (evaluation_grade) is then the result the office reviews.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.flows.evaluation.models import DeptEvaluationSelection, EvaluationStatus
from server.flows.evaluation.operators import evaluation_of
from server.flows.evaluation.result import SHEET, score_sheet
from server.flows.shared.support import CENT, context, text


def selection(call: OperatorCall) -> dict[str, Any]:
    """evaluation.dept_selection: whether the department chose this project for the year, and its amount (the rule
    table's inputs). From now on the department can no longer change its choice for this project."""
    evaluation = evaluation_of(call, EvaluationStatus.REVIEWING)
    chosen = db.session.scalar(
        select(DeptEvaluationSelection.id).where(DeptEvaluationSelection.project_id == evaluation.project_id,
                                                 DeptEvaluationSelection.fiscal_year == evaluation.fiscal_year))
    evaluation.dept_selected = chosen is not None
    evaluation.dept_scope_at = evaluation.updated_at = get_clock().now()
    amount = evaluation.project.amount or Decimal(0)
    return {"selected": evaluation.dept_selected, "amount": float(amount)}


def scope(call: OperatorCall, *, in_scope: Any, basis: Any = None) -> dict[str, Any]:
    """evaluation.dept_scope: record the rule table's decision; in scope, the department's task opens."""
    evaluation = evaluation_of(call, EvaluationStatus.REVIEWING)
    evaluation.dept_scope_basis = text(basis, 200)
    if in_scope is True:
        evaluation.status = EvaluationStatus.DEPT
    evaluation.updated_at = get_clock().now()
    return {"in_scope": in_scope is True}


def record(call: OperatorCall, *, review: Any, execution_points: Any = 10, output_points: Any = 50,
           benefit_points: Any = 30, satisfaction_points: Any = 10) -> dict[str, Any]:
    """evaluation.dept_record: the supervising department's score sheet, findings and opinion."""
    evaluation = evaluation_of(call, EvaluationStatus.DEPT)
    if not isinstance(review, dict):
        raise ValueError(_("请填写部门评价评分表"))
    limits = dict(zip(SHEET, (execution_points, output_points, benefit_points, satisfaction_points), strict=True))
    values = score_sheet(review, limits)
    findings, opinion = text(review.get("findings"), 4000), text(review.get("opinion"), 4000)
    if not findings or len(findings.strip()) < 2 or not opinion or len(opinion.strip()) < 2:
        raise ValueError(_("请写明部门评价发现的主要问题和评价意见"))
    actor = context(call).actor
    total = sum(values.values(), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    evaluation.dept_parts = {k: str(v) for k, v in values.items()}
    evaluation.dept_score, evaluation.dept_findings, evaluation.dept_opinion = total, findings, opinion
    evaluation.dept_by_id = actor.id if actor else None
    evaluation.dept_at = evaluation.updated_at = get_clock().now()
    db.session.flush()
    return {"score": float(total)}
