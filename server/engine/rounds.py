"""Rounds that do not pile up: a loop whose start is marked `compactLoop` keeps only its current pass.

SpiffWorkflow never prunes its task tree: a year of monthly monitoring rounds would keep every finished round
in the instance's state, so each request loads and dumps more (and past ~200 passes its iterators stop
seeing new tasks). A diagram marks the element where a new round begins with the spiff property
`compactLoop` = `true`. When the token reaches that element again, the engine drops the finished branch of
the previous pass and restarts the earlier pass with the current data: the tree then holds one round,
whatever the month. History is not lost: every user step is in the human-task table and the audit trail,
and the domain tables hold what each round recorded.

A pass is dropped only when nothing in it is still pending (no open user task, no waiting timer or
parallel branch; a side branch that already reached its end event is not pending); otherwise the loop
simply keeps growing, as it would without the mark.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.util.task import TaskState

from server.engine.tasks import properties

COMPACT_PROPERTY = "compactLoop"
_DROPPABLE = TaskState.FINISHED_MASK | TaskState.PREDICTED_MASK


def marks_round(spec: Any) -> bool:
    return str(properties(spec).get(COMPACT_PROPERTY, "")).strip().lower() == "true"


def earlier_pass(task: Any) -> Any | None:
    """The first earlier pass through this round-start element, when its round can be dropped safely."""
    if not marks_round(task.task_spec):
        return None
    first = None
    ancestor = task.parent
    while ancestor is not None:
        if ancestor.task_spec is task.task_spec:
            first = ancestor
        ancestor = ancestor.parent
    if first is None or first.workflow is not task.workflow:
        return None
    current = {t.id for t in task}  # the new pass and what it predicts
    for t in first:
        if t is first or t.id in current:
            continue
        if not t.state & _DROPPABLE and not _ended_branch(t):
            return None
    return first


def _ended_branch(task: Any) -> bool:
    # A side branch that reached an end event (an overdue reminder, say) leaves the process's end join
    # waiting for the main path; that path is the new round, so the old waiting join can go.
    return isinstance(task.task_spec, _EndJoin) and bool(task.state & TaskState.WAITING)


class RoundRestart(Exception):
    """Raised before the round-start element runs again; caught by the engine's step loop."""

    def __init__(self, first: Any, current: Any) -> None:
        super().__init__("round restart")
        self.first = first
        self.current = current

    def apply(self, workflow: Any) -> None:
        # Drops every descendant of the first pass (the finished rounds and the pass about to run) and makes
        # the first pass READY again. Its data is set after the reset: becoming READY deep-merges the parent's
        # (first round's) data over whatever was passed in, which would bring back stale and deleted variables.
        data = self.current.data
        workflow.reset_from_task_id(self.first.id)
        self.first.data = data
