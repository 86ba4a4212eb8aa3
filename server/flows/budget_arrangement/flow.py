"""预算安排: next year's project budgets arranged per sector from the library and last year's results."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.flows.budget_arrangement import context, demo, models, operators
from server.flows.definition import ContextBlock, DemoStage, FlowDefinition

FLOW = FlowDefinition(
    key="budget_arrangement",
    title="预算安排",
    workflows="budget_arrangement",
    forms="budget_arrangement",
    operators={
        "arrangement.open": operators.open_arrangement,
        "arrangement.draft": operators.draft,
        "arrangement.review": operators.review,
        "arrangement.confirm": operators.confirm,
    },
    models=(models,),
    labels={
        "arrangement_status": {"draft": _l("待业务股室审核"), "reviewed": _l("待绩效管理股确认"),
                               "confirmed": _l("已确认")},
        "arrangement_decision": {"confirm": _l("确认预算安排"), "send_back": _l("退回重新测算")},
    },
    instance_block=ContextBlock("flows/budget_arrangement/context.html", context.load),
    demo=(DemoStage("预算安排", (demo.KEY,), demo.stories),),
)
