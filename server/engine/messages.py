"""BPMN messages: which an instance waits for, delivering one to it, and the ones it threw that nobody inside caught.

Correlation as SpiffWorkflow does it: a message definition's correlation properties (`correlationProperty`, by id)
are grouped under correlation keys, and a waiting instance catches the message when, for each key the message
carries, its own values are equal. One trap is closed here: SpiffWorkflow lets an instance that has no correlation
values yet catch *any* message of that name (the first message sets them), so a message meant for project A would
reach every waiting instance. Here an instance's value of a property is its correlation value when it has one,
else the property's retrieval expression evaluated (sandboxed) on the waiting task's data: an instance started
with `project_code = "A1"` catches only messages correlated with project_code "A1". A definition without
correlation properties catches every message of its name (SpiffWorkflow's rule).

Payload: the sender's payload, with the correlation values, is the message's content. With
`spiffworkflow:messageVariable` the catching task gets it under that variable (SpiffWorkflow); without one (a
diagram from another tool) its keys are merged into the task's data. A throw event without
`spiffworkflow:messagePayload` sends the task's data, correlated by it. Both are what SpiffWorkflow's plain BPMN
message does; its spiff variant (which the spiff parser gives every diagram) would send and keep nothing —
`install()` makes the spiff variant fall back to the plain behaviour in exactly those two cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessage

_spiff_throw = SpiffMessage.throw
_spiff_update_task_data = SpiffMessage.update_task_data


def _throw(self: Any, my_task: Any) -> None:
    if self.expression is None:
        return MessageEventDefinition.throw(self, my_task)
    return _spiff_throw(self, my_task)


def _update_task_data(self: Any, my_task: Any) -> None:
    if self.message_var is None:
        return MessageEventDefinition.update_task_data(self, my_task)
    return _spiff_update_task_data(self, my_task)


def install() -> None:
    """Idempotently patch SpiffWorkflow's spiff message definition (see the module docstring)."""
    SpiffMessage.throw = _throw  # type: ignore[method-assign]
    SpiffMessage.update_task_data = _update_task_data  # type: ignore[method-assign]


@dataclass(frozen=True)
class ThrownMessage:
    """A message an instance threw that no task of its own caught: for other instances."""

    name: str
    correlation: dict[str, Any]  # property id -> value
    payload: dict[str, Any]


def _definitions(task: Any) -> Iterator[MessageEventDefinition]:
    definition = getattr(task.task_spec, "event_definition", None)
    parts = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    for part in parts:
        if isinstance(part, MessageEventDefinition):
            yield part


def _waiting(bpmn: Any) -> Iterator[tuple[Any, MessageEventDefinition]]:
    for task in list(bpmn.event_manager.tasks.values()):
        for definition in _definitions(task):
            yield task, definition


def waiting_names(bpmn: Any) -> list[str]:
    """Names of the messages the instance can catch now (sorted, no duplicates)."""
    return sorted({definition.name for _task, definition in _waiting(bpmn)})


def _own_value(task: Any, prop: Any, key: str) -> Any:
    known = task.workflow.correlations.get(key)
    if isinstance(known, dict) and prop.name in known:
        return known[prop.name]
    try:
        return task.workflow.script_engine.environment.evaluate(prop.retrieval_expression, dict(task.data))
    except Exception:  # the instance has no such value: it is not correlated  # noqa: BLE001
        return _MISSING


_MISSING = object()


def correlated(task: Any, definition: MessageEventDefinition, correlation: dict[str, Any]) -> bool:
    for prop in definition.correlation_properties:
        if prop.name not in correlation:
            return False
        for key in prop.correlation_keys:
            if _own_value(task, prop, key) != correlation[prop.name]:
                return False
    return True


def _event_correlations(definition: MessageEventDefinition, correlation: dict[str, Any]) -> dict[str, dict]:
    found: dict[str, dict[str, Any]] = {}
    for prop in definition.correlation_properties:
        for key in prop.correlation_keys:
            found.setdefault(key, {})[prop.name] = correlation[prop.name]
    return found


def deliver(bpmn: Any, name: str, correlation: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Let the instance catch the message if it waits for it and is correlated; True when it did.
    The caller runs the engine steps that follow (Workflow.catch_message)."""
    content = {**payload, **correlation}
    for task, definition in _waiting(bpmn):
        if definition.name != name or not correlated(task, definition, correlation):
            continue
        event = BpmnEvent(definition, payload=content, correlations=_event_correlations(definition, correlation))
        task.task_spec.catch(task, event)  # as SpiffWorkflow's EventManager.catch: correlations, payload, state
        task.task_spec._update(task)
        return True
    return False


def thrown(bpmn: Any) -> list[ThrownMessage]:
    """Messages thrown since the last call that no task of this instance caught (SpiffWorkflow keeps them in
    `bpmn_events`; reading them clears the list)."""
    found = []
    for event in bpmn.get_events():
        definition = event.event_definition
        if not isinstance(definition, MessageEventDefinition):
            continue
        correlation = {prop: value for values in (event.correlations or {}).values() if isinstance(values, dict)
                       for prop, value in values.items()}
        payload = event.payload if isinstance(event.payload, dict) else {"message": event.payload}
        found.append(ThrownMessage(definition.name, correlation, dict(payload)))
    return found
