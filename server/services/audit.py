"""Recording audit events; there is deliberately no way here to change or delete one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from server.db import db
from server.extensions import get_clock
from server.models import AuditEvent, HumanTask, ProcessInstance, User


def record(
    action: str,
    *,
    actor: User | None,
    instance: ProcessInstance | None = None,
    task: HumanTask | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=get_clock().now(),
        actor_id=actor.id if actor else None,
        action=action,
        instance_id=instance.id if instance else None,
        task_id=task.id if task else None,
        task_title=task.title if task else None,
        data=data,
    )
    db.session.add(event)
    return event


_INSERT = insert(AuditEvent.__table__)


def append(
    action: str,
    *,
    actor_id: int | None,
    instance_id: int | None,
    task: Any = None,
    data: dict[str, Any] | None = None,
) -> None:
    """`record` as one Core INSERT, for the request hot path (no ORM object to flush)."""
    db.session.connection().execute(
        _INSERT,
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
