"""Loading an instance's workflow and saving it back, with its task rows, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import db
from server.engine.runtime import Workflow
from server.extensions import get_clock, get_engine
from server.models import HumanTask, InstanceStatus, ProcessInstance
from server.services.task_sync import sync_tasks


@dataclass(frozen=True)
class Outcome:
    """An instance after a step, with its open tasks as saved (so the answer needs no second look)."""

    instance: ProcessInstance
    open_tasks: list[HumanTask]


_STATUS = {
    "running": InstanceStatus.RUNNING,
    "waiting": InstanceStatus.WAITING,
    "completed": InstanceStatus.COMPLETED,
}


def load_workflow(instance: ProcessInstance) -> Workflow:
    version = instance.version
    return get_engine().load(version.cache_key, lambda: version.spec_json, instance.state)


def business_data(wf: Workflow, ready: list) -> dict[str, Any]:
    """The data the flow currently carries: that of the newest ready task, else the workflow's own."""
    return ready[-1].data if ready else wf.data


def save_workflow(instance: ProcessInstance, wf: Workflow) -> list[HumanTask]:
    """Write state, status and next timer, mirror the ready user tasks and return the open ones.

    Flushes; the caller commits.

    The flush is where a stale lock_version is detected (StaleDataError), before anything is committed.
    """
    now = get_clock().now()
    ready = wf.user_tasks()
    instance.state = wf.dump()
    instance.status = _STATUS[wf.status]
    instance.next_timer_at = wf.next_timer_due()
    instance.updated_at = now
    if instance.status == InstanceStatus.COMPLETED:
        instance.completed_at = now
    instance.error_message = None
    open_rows = sync_tasks(instance, ready, business_data(wf, ready), now)
    db.session.flush()
    return open_rows
