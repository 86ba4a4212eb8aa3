"""评价·反馈整改·结果应用: self-evaluation, key evaluation, rectification and the next year's budget."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from server.flows.definition import ContextBlock, DemoStage, FlowDefinition, UnitStart
from server.flows.evaluation import context, demo, dept, models, operators, result
from server.flows.shared import budget
from server.flows.shared import models as shared_models
from server.flows.shared.eligibility import after_the_year, with_approved_goals
from server.models import Project


def eligible(year: int) -> Select[tuple[Project]]:
    """评价 covers every project of the year that had approved goals (DOMAIN §4: all projects self-evaluate)."""
    return with_approved_goals(year)


FLOW = FlowDefinition(
    key="evaluation",
    title="评价·反馈整改·结果应用",
    workflows="evaluation",
    forms="evaluation",
    operators={
        "evaluation.open": operators.open_evaluation,
        "evaluation.schedule": operators.schedule,
        "evaluation.template": operators.template,
        "evaluation.self": operators.self_evaluate,
        "evaluation.grade": operators.record_grade,
        "evaluation.review": operators.review,
        "evaluation.dept_selection": dept.selection,
        "evaluation.dept_scope": dept.scope,
        "evaluation.dept_record": dept.record,
        "evaluation.publish": operators.publish,
        "evaluation.notify": operators.notify_step,
        "evaluation.draw": result.draw,
        "evaluation.record_key": result.record_key,
        "evaluation.notice": result.notice,
        "evaluation.rectify": result.rectify,
        "evaluation.verify": result.verify,
        "budget.adjust": budget.adjust,
        "budget.suspend_payments": budget.suspend_payments,
        "budget.lift_suspension": budget.lift_suspension,
    },
    models=(models, shared_models),
    labels={
        "evaluation_status": {"waiting": _l("等待预算年度结束"), "self": _l("单位自评中"), "reviewing": _l("自评审核中"),
                              "dept": _l("主管部门评价中"),
                              "key": _l("第三方重点评价中"), "graded": _l("已定等次，待下达结果通知"),
                              "rectifying": _l("整改中"), "completed": _l("已完成"), "rectified": _l("整改到位，已销号"),
                              "unrectified": _l("整改不到位")},
        "evaluation_review": {"accept": _l("确认自评结果"), "key": _l("列入财政重点评价"), "send_back": _l("退回单位重新自评")},
        "rectification_check": {"verified": _l("整改到位，予以销号"), "send_back": _l("整改不到位，退回继续整改"),
                                "failed": _l("整改不到位")},
    },
    context=(ContextBlock("flows/evaluation/context.html", context.load),),
    batch_start=eligible,
    unit_start=UnitStart(_l("开展绩效自评"), after_the_year),
    demo=(DemoStage("评价·整改·结果应用", ("ex_ante", "goal_review", demo.KEY), demo.stories),),
)
