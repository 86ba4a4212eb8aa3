"""绩效目标调整: a new goal version proposed during the year; its table, reviews and page block are goal_review's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.flows.definition import FlowDefinition, UnitStart
from server.flows.goal_review import operators
from server.flows.shared.eligibility import goals_in_force

FLOW = FlowDefinition(
    key="goal_adjust",
    title="绩效目标调整",
    workflows="goal_adjust",
    forms="goal_adjust",
    operators={"goals.open_adjustment": operators.open_adjustment},
    requires=("goal_review",),  # goals.draft / submit / review / approve / refuse
    unit_start=UnitStart(_l("申请调整绩效目标"), goals_in_force, repeatable=True),
)
