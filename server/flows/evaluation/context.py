"""The evaluation on the task page: the self-evaluation's computed results (budget execution rate, each
indicator's score, total and grade), the supervising department's 部门评价 beside it, the key evaluation's score, the result and its notice, and each
rectification report with its verification — what the office judges when it reviews, notifies or verifies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from server.db import db
from server.flows.evaluation.models import Evaluation
from server.flows.shared.context import display_names
from server.models import ProcessInstance, Project


@dataclass
class EvaluationContext:
    evaluation: Evaluation
    execution_score: Decimal | None  # the self score's budget-execution part (total − indicator scores)
    people: dict[int, str]


def load(project: Project, instance: ProcessInstance) -> EvaluationContext | None:
    evaluation = db.session.scalar(
        select(Evaluation).where(Evaluation.project_id == project.id)
        .order_by((Evaluation.instance_id == instance.id).desc(), Evaluation.id.desc()).limit(1)
    )
    if evaluation is None:
        return None
    execution = None
    if evaluation.self_score is not None:
        execution = evaluation.self_score - sum((s.score for s in evaluation.indicators), Decimal(0))
    people = display_names([evaluation.reviewed_by_id, evaluation.dept_by_id, *(r.verified_by_id for r in evaluation.rectifications),
                            *(r.submitted_by_id for r in evaluation.rectifications)])
    return EvaluationContext(evaluation, execution, people)
