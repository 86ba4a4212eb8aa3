"""Domain service-task operators: the only way a BPMN diagram changes the domain tables.

Each runs inside the request's transaction, so a failing step later in the same request undoes it too.
Money is in 元. The operators themselves live in one module per domain table beside this one.
"""

from __future__ import annotations

from server.engine.operators import OperatorRegistry
from server.flows.evaluation import operators as evaluation
from server.flows.evaluation import result as evaluation_result
from server.flows.ex_ante import assessment, library
from server.flows.goal_review import operators as goals
from server.flows.monitoring import operators as monitoring
from server.flows.shared import budget
from server.flows.shared.support import OperatorContext

__all__ = ["OperatorContext", "register_domain_operators"]

DOMAIN_OPERATORS = {
    "library.apply": library.apply_project,
    "library.admit": library.admit_to_library,
    "library.reject": library.reject_project,
    "assessment.open": assessment.open_assessment,
    "assessment.record": assessment.record_opinion,
    "assessment.panel": assessment.choose_panel,
    "assessment.record_experts": assessment.record_expert_scores,
    "assessment.conclude": assessment.conclude,
    "goals.open": goals.open_goals,
    "goals.open_adjustment": goals.open_adjustment,
    "goals.draft": goals.save_draft,
    "goals.submit": goals.submit,
    "goals.review": goals.record_review,
    "goals.approve": goals.approve,
    "goals.refuse": goals.refuse,
    "monitoring.open": monitoring.open_monitoring,
    "monitoring.next": monitoring.next_round,
    "monitoring.template": monitoring.template,
    "monitoring.check": monitoring.check,
    "monitoring.record": monitoring.record,
    "monitoring.explain": monitoring.explain,
    "monitoring.decide": monitoring.decide,
    "monitoring.notify": monitoring.notify,
    "evaluation.open": evaluation.open_evaluation,
    "evaluation.schedule": evaluation.schedule,
    "evaluation.template": evaluation.template,
    "evaluation.self": evaluation.self_evaluate,
    "evaluation.grade": evaluation.record_grade,
    "evaluation.review": evaluation.review,
    "evaluation.publish": evaluation.publish,
    "evaluation.notify": evaluation.notify_step,
    "evaluation.draw": evaluation_result.draw,
    "evaluation.record_key": evaluation_result.record_key,
    "evaluation.notice": evaluation_result.notice,
    "evaluation.rectify": evaluation_result.rectify,
    "evaluation.verify": evaluation_result.verify,
    "budget.adjust": budget.adjust,
    "budget.suspend_payments": budget.suspend_payments,
    "budget.lift_suspension": budget.lift_suspension,
}


def register_domain_operators(registry: OperatorRegistry) -> None:
    for name, fn in DOMAIN_OPERATORS.items():
        registry.register(name, fn)
