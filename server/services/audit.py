"""Recording audit events; there is deliberately no way here to change or delete one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from server.db import db
from server.driver_sql import DriverStatement
from server.extensions import get_clock
from server.models import AuditEvent, HumanTask, ProcessInstance, User

_INSERT = DriverStatement(insert(AuditEvent.__table__))


def record(
    action: str,
    *,
    actor: User | None,
    instance: ProcessInstance | None = None,
    task: HumanTask | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    append(action, actor_id=actor.id if actor else None, instance_id=instance.id if instance else None,
           task=task, data=data)


def append(
    action: str,
    *,
    actor_id: int | None,
    instance_id: int | None,
    task: Any = None,
    data: dict[str, Any] | None = None,
) -> None:
    """One Core INSERT in the caller's transaction: cheaper than an ORM object, and nothing can update it later."""
    _INSERT.rowcount(
        db.session.connection(),
        {
            "at": get_clock().now(),
            "actor_id": actor_id,
            "action": action,
            "instance_id": instance_id,
            "task_id": task.id if task is not None else None,
            "task_title": task.title if task is not None else None,
            "data": data,
        },
    )
