"""User-task views, their assignee/due stamps, and the revision-loop bound."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState

from server.engine.errors import LoopLimitError, ScriptError
from server.engine.i18n import _
from server.engine.scripting import element_of
from server.engine.timers import duration_after

# Stamped into task.internal_data when a user task first becomes READY (so they survive dump/load
# and are computed with the injected clock, not SpiffWorkflow's time.time()).
READY_AT, ASSIGNEE, DUE_AT, TITLE_SUFFIX = "jx_ready_at", "jx_assignee", "jx_due_at", "jx_title_suffix"
# A user task's property: an expression (sandboxed, evaluated once when the task becomes ready) whose value is
# shown after the element's name, e.g. the reporting period: 填报绩效监控报告（2026年3月）.
TITLE_SUFFIX_PROPERTY = "titleSuffix"
MAX_SUFFIX = 60
log = logging.getLogger(__name__)
_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.STARTED | TaskState.ERROR


@dataclass(frozen=True)
class UserTaskView:
    task_id: str
    name: str
    title: str
    lane: str | None
    form_schema: str | None
    ui_schema: str | None
    instructions: str | None
    data: dict[str, Any]
    assignee: str | None
    due_at: datetime | None
    multi_instance_index: int | None
    ready_at: datetime | None = None
    done_before: bool = False  # the flow came back to this step (a send-back): its last handler gets it again
    # What the flow's own checks found wrong with the last submission, by form field (fieldErrorsVariable).
    field_errors: dict[str, str] = field(default_factory=dict)


# A user task's property naming the variable where a check after it puts {field path: message} before
# looping back to it (e.g. monitoring.check -> report_errors): the service layer refuses such a submission.
FIELD_ERRORS_PROPERTY = "fieldErrorsVariable"


def properties(spec: Any) -> dict[str, str]:
    ext = getattr(spec, "extensions", None) or {}
    return ext.get("properties") or {}


def _aware(value: Any, element: str | None) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ScriptError(
                _("截止时间“%(value)s”不是 ISO 时间（元素 %(element)s）", value=value, element=element),
                element,
            ) from exc
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ScriptError(_("截止时间必须是带时区的时间（元素 %(element)s）", element=element), element)
    return value.astimezone(UTC)


def stamp_ready(task: Any, script_engine: Any, now: datetime) -> None:
    """Record ready time, assignee and due time once, when the task is first seen READY."""
    if READY_AT in task.internal_data:
        return
    props = properties(task.task_spec)
    element = element_of(task)
    task.internal_data[READY_AT] = now.isoformat()
    if props.get("assignee"):
        who = script_engine.evaluate(task, props["assignee"])
        task.internal_data[ASSIGNEE] = None if who is None else str(who)
    due: datetime | None = None
    if props.get("dueAt"):
        due = _aware(script_engine.evaluate(task, props["dueAt"]), element)
    elif props.get("dueIn"):
        try:
            due = duration_after(now, props["dueIn"].strip())
        except Exception as exc:  # SpiffWorkflow raises bare Exception('Invalid duration')
            raise ScriptError(
                _(
                    "dueIn“%(value)s”不是 ISO-8601 时长（元素 %(element)s）",
                    value=props["dueIn"],
                    element=element,
                ),
                element,
            ) from exc
    if due is not None:
        task.internal_data[DUE_AT] = due.isoformat()
    if props.get(TITLE_SUFFIX_PROPERTY):
        task.internal_data[TITLE_SUFFIX] = _title_suffix(task, script_engine, props[TITLE_SUFFIX_PROPERTY])


def _title_suffix(task: Any, script_engine: Any, expression: str) -> str | None:
    """A title is for reading: an expression that fails leaves the element's name alone (logged for the admin)
    rather than stopping the flow."""
    try:
        value = script_engine.evaluate(task, expression)
    except ScriptError as err:
        log.warning("titleSuffix of %s failed: %s", element_of(task), err)
        return None
    text = "" if value is None else str(value).strip()
    return text[:MAX_SUFFIX] or None


def title_of(task: Any) -> str:
    spec = task.task_spec
    base = getattr(spec, "bpmn_name", None) or element_of(task) or spec.name
    suffix = task.internal_data.get(TITLE_SUFFIX)
    return f"{base}（{suffix}）" if suffix else base


def _stamp_time(task: Any, key: str) -> datetime | None:
    value = task.internal_data.get(key)
    return datetime.fromisoformat(value) if value else None


def view(task: Any, done_specs: frozenset[Any]) -> UserTaskView:
    """`done_specs`: the task specs with a COMPLETED task in the task's tree (completed_specs)."""
    spec = task.task_spec
    props = properties(spec)
    ext = getattr(spec, "extensions", None) or {}
    index = task.internal_data.get("key_or_index")
    return UserTaskView(
        task_id=str(task.id),
        name=element_of(task) or spec.name,
        title=title_of(task),
        lane=getattr(spec, "lane", None),
        form_schema=props.get("formJsonSchemaFilename"),
        ui_schema=props.get("formUiSchemaFilename"),
        instructions=ext.get("instructionsForEndUser") or getattr(spec, "documentation", None),
        data=dict(task.data),
        assignee=task.internal_data.get(ASSIGNEE),
        due_at=_stamp_time(task, DUE_AT),
        multi_instance_index=index if isinstance(index, int) and not isinstance(index, bool) else None,
        ready_at=_stamp_time(task, READY_AT),
        done_before=spec in done_specs,
        field_errors=field_errors(props, task.data),
    )


def field_errors(props: dict[str, str], data: dict[str, Any]) -> dict[str, str]:
    name = props.get(FIELD_ERRORS_PROPERTY)
    found = data.get(name) if name else None
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items() if v}


def completed_specs(workflow: Any) -> frozenset[Any]:
    return frozenset(t.task_spec for t in workflow.tasks.values() if t.state == TaskState.COMPLETED)


def reach_key(task: Any) -> str:
    """A multi-instance child counts as a pass of its parent (one pass creates many children)."""
    parent = task.parent
    if parent is not None and getattr(parent.task_spec, "task_spec", None) == task.task_spec.name:
        return str(parent.task_spec.name)
    return str(task.task_spec.name)


def check_loops(workflow: Any, ready: list[Any], limit: int) -> None:
    """Raise LoopLimitError if a READY user task's element was reached more than `limit` times.

    SpiffWorkflow never prunes its task tree; past ~200 passes its iterators (max_depth=1000)
    silently stop seeing new tasks, so we stop long before.
    """
    if not ready:
        return
    counts: Counter[str] = Counter()
    for wf in (workflow, *workflow.subprocesses.values()):
        for t in wf.tasks.values():
            if t.state & _REACHED:
                counts[str(t.task_spec.name)] += 1
    for task in ready:
        key = reach_key(task)
        if counts[key] > limit:
            spec = task.task_spec
            title = getattr(spec, "bpmn_name", None) or element_of(task)
            raise LoopLimitError(
                _(
                    "任务“%(title)s”已第 %(count)s 次到达，超过退回/循环上限 %(limit)s 次（元素 %(element)s）",
                    title=title,
                    count=counts[key],
                    limit=limit,
                    element=element_of(task),
                ),
                element_of(task),
            )
