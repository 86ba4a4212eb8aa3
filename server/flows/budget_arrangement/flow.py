"""预算安排: next year's project budgets arranged per sector from the library and last year's results."""

from __future__ import annotations

from server.flows.budget_arrangement import context, demo, models, operators, words
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
        "arrangement_status": words.STATUS,
        "arrangement_decision": words.DECISION,
    },
    instance_block=ContextBlock("flows/budget_arrangement/context.html", context.load),
    demo=(DemoStage("预算安排", (demo.KEY,), demo.stories),),
)
