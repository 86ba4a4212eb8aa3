"""The one list of shipped flows, and what the rest of the server looks up in it.

Each flow registers itself with a FlowDefinition in server/flows/<key>/flow.py; adding a flow means adding
its package and one line to FLOWS (see README, "Adding a flow"). tests/flows_registry checks that every
folder under workflows/ and forms/ is owned by a registered flow and that the parts it names exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, PrefixLoader

from server.engine.operators import Operator, OperatorRegistry
from server.flows.budget_arrangement.flow import FLOW as BUDGET_ARRANGEMENT
from server.flows.definition import ContextBlock, FlowDefinition
from server.flows.dept_performance.flow import FLOW as DEPT_PERFORMANCE
from server.flows.evaluation.flow import FLOW as EVALUATION
from server.flows.ex_ante.flow import FLOW as EX_ANTE
from server.flows.goal_adjust.flow import FLOW as GOAL_ADJUST
from server.flows.goal_review.flow import FLOW as GOAL_REVIEW
from server.flows.key_monitoring.flow import FLOW as KEY_MONITORING
from server.flows.monitoring.flow import FLOW as MONITORING

# In the order the task page shows their context blocks and the demo year plays their stages.
FLOWS: tuple[FlowDefinition, ...] = (EX_ANTE, GOAL_REVIEW, GOAL_ADJUST, MONITORING, KEY_MONITORING, EVALUATION,
                                     BUDGET_ARRANGEMENT, DEPT_PERFORMANCE)

BY_KEY: dict[str, FlowDefinition] = {flow.key: flow for flow in FLOWS}


def operators(flows: tuple[FlowDefinition, ...] = FLOWS) -> dict[str, Operator]:
    """Every flow's service-task operators by name; a name two flows register is an error."""
    found: dict[str, Operator] = {}
    for flow in flows:
        for name, fn in flow.operators.items():
            if name in found:
                raise ValueError(f"operator {name!r} registered by two flows")
            found[name] = fn
    return found


def register_operators(registry: OperatorRegistry) -> None:
    for name, fn in operators().items():
        registry.register(name, fn)


def labels(flows: tuple[FlowDefinition, ...] = FLOWS) -> dict[str, dict[str, Any]]:
    """The flows' code groups merged: flows may share a group (stage, decision), each adding its codes."""
    merged: dict[str, dict[str, Any]] = {}
    for flow in flows:
        for group, codes in flow.labels.items():
            merged.setdefault(group, {}).update(codes)
    return merged


def context_blocks() -> tuple[tuple[ContextBlock, frozenset[str]], ...]:
    """Each flow's task-page blocks with the process keys whose judging steps have it under review."""
    return tuple((block, frozenset((flow.key, *block.judged_in))) for flow in FLOWS for block in flow.context)


def template_loader() -> PrefixLoader:
    """A flow's own templates (server/flows/<key>/templates/) as "flows/<key>/…"."""
    here = Path(__file__).parent
    folders = {flow.key: here / flow.key / "templates" for flow in FLOWS}
    return PrefixLoader({"flows": PrefixLoader({k: FileSystemLoader(d) for k, d in folders.items() if d.is_dir()})})
