"""Turning rows into the API's JSON shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from server.api.schemas import HistoryOut, InstanceOut, TaskOut
from server.db import db
from server.models import AuditEvent, HumanTask, ProcessInstance, User
from server.services.instances import history, open_tasks
from server.services.panels import sealed_task_ids
from server.services.persistence import InstanceSummary, Outcome, summary
from server.services.task_sync import TaskRow

_task_out = TaskOut()
_instance_out = InstanceOut()
_history_out = HistoryOut()


def task_json(task: HumanTask | TaskRow, assignee: str | None = None) -> dict[str, Any]:
    row = {c: getattr(task, c) for c in ("id", "title", "task_name", "process_key", "instance_id", "role", "status",
                                          "due_at", "created_at", "completed_at", "project_name",
                                          "project_code", "amount")}
    row["assignee"] = assignee
    return _task_out.dump(row)


def usernames(ids: set[int | None]) -> dict[int, str]:
    """One query for all the user names a response shows."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).tuples().all())


def tasks_json(tasks: Sequence[HumanTask | TaskRow]) -> list[dict[str, Any]]:
    names = usernames({t.assignee_id for t in tasks})
    return [task_json(t, names.get(t.assignee_id)) for t in tasks]


def _instance_body(instance: InstanceSummary, events: list[AuditEvent], open_rows: list,
                   sealed: set[int] | frozenset[int] = frozenset()) -> dict[str, Any]:
    names = usernames({e.actor_id for e in events})
    return _instance_out.dump(
        {
            "id": instance.id,
            "process_key": instance.process_key,
            "version": instance.version,
            "status": instance.status,
            "title": instance.title,
            "error_message": instance.error_message,
            "created_at": instance.created_at,
            "completed_at": instance.completed_at,
            "open_tasks": [],
            "history": [
                {
                    "id": e.id, "at": e.at, "action": e.action, "actor": names.get(e.actor_id),
                    "task_id": e.task_id, "task_title": e.task_title,
                    "data": None if e.action == "complete" and e.task_id in sealed else e.data,
                }
                for e in events
            ],
        }
    ) | {"open_tasks": tasks_json(open_rows)}


def instance_json(instance: ProcessInstance, viewer: User | None = None) -> dict[str, Any]:
    """The instance as the API shows it, with its open tasks and history (a panel's sealed submissions
    without their data: server.services.panels)."""
    sealed = sealed_task_ids(instance, viewer) if viewer is not None else frozenset()
    return _instance_body(summary(instance), history(instance), open_tasks(instance), sealed)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """The instance after a step: the open rows just saved, no history (the answer needs no second look).

    The task hot path's answer, built by hand: the same values InstanceOut/TaskOut give (a test holds them
    equal), at a fraction of marshmallow's cost per field."""
    instance, rows = outcome.instance, outcome.open_tasks
    names = usernames({t.assignee_id for t in rows})
    return {
        "id": _int(instance.id),
        "process_key": _text(instance.process_key),
        "version": _int(instance.version),
        "status": _text(instance.status),
        "title": _text(instance.title),
        "error_message": _text(instance.error_message),
        "created_at": _when(instance.created_at),
        "completed_at": _when(instance.completed_at),
        "open_tasks": [_task_row_json(t, names.get(t.assignee_id)) for t in rows],
        "history": [],
    }


def _task_row_json(task: TaskRow, assignee: str | None) -> dict[str, Any]:
    """TaskOut.dump of a saved row."""
    return {
        "id": _int(task.id),
        "title": _text(task.title),
        "element_id": _text(task.task_name),
        "process_key": _text(task.process_key),
        "instance_id": _int(task.instance_id),
        "role": _text(task.role),
        "assignee": _text(assignee),
        "status": _text(task.status),
        "due_at": _when(task.due_at),
        "created_at": _when(task.created_at),
        "completed_at": _when(task.completed_at),
        "project_name": _text(task.project_name),
        "project_code": _text(task.project_code),
        "amount": None if task.amount is None else format(Decimal(str(task.amount)), "f"),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
