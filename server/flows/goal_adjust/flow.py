"""绩效目标调整: a new goal version proposed during the year; its table, reviews and page block are goal_review's."""

from __future__ import annotations

from server.flows.definition import FlowDefinition
from server.flows.goal_review import operators

FLOW = FlowDefinition(
    key="goal_adjust",
    title="绩效目标调整",
    workflows="goal_adjust",
    forms="goal_adjust",
    operators={"goals.open_adjustment": operators.open_adjustment},
    requires=("goal_review",),  # goals.draft / submit / review / approve / refuse
)
