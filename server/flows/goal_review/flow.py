"""绩效目标编审: the goal table, its reviews and grade, the approved goals (goal_adjust reuses its operators)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.flows.definition import ContextBlock, DemoStage, FlowDefinition, UnitStart
from server.flows.goal_review import context, demo, models, operators
from server.flows.shared.eligibility import awaiting_goals

FLOW = FlowDefinition(
    key="goal_review",
    title="绩效目标编审",
    workflows="goal_review",
    forms="goal_review",
    operators={
        "goals.open": operators.open_goals,
        "goals.draft": operators.save_draft,
        "goals.submit": operators.submit,
        "goals.review": operators.record_review,
        "goals.approve": operators.approve,
        "goals.refuse": operators.refuse,
    },
    requires=("ex_ante",),
    models=(models,),
    labels={
        "goal_version_status": {"draft": _l("编制中"), "submitted": _l("已提交审核"), "returned": _l("退回修改"),
                                "approved": _l("已批复"), "superseded": _l("已被替代"), "refused": _l("未通过")},
        "stage": {"dept": _l("主管部门审核"), "finance": _l("财政审核"), "fix": _l("确认修改")},
        "decision": {"submit": _l("提交"), "pass": _l("审核通过"), "send_back": _l("退回修改"), "agree": _l("同意"),
                     "approve": _l("批准")},
    },
    # The adjustment review judges the same goal table (against the approved version).
    context=(ContextBlock("flows/goal_review/context.html", context.load, judged_in=("goal_adjust",)),),
    unit_start=UnitStart(_l("发起绩效目标编审"), awaiting_goals),
    demo=(DemoStage("绩效目标编审", ("ex_ante", demo.REVIEW), demo.stories),),
)
