"""Waking instances whose timers are due; run by `jixiao run`'s scheduler and by `jixiao worker`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from server.db import db
from server.engine.errors import EngineError
from server.extensions import get_clock
from server.flows.shared.support import OperatorContext
from server.models import InstanceStatus, ProcessInstance
from server.services import audit
from server.services.errors import ServiceError
from server.services.instance_errors import mark_error
from server.services.instances import run_follow_ups
from server.services.messages import forward_thrown
from server.services.persistence import load_workflow, save_workflow

ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)


def _claim_next_due(exclude: set[int]) -> ProcessInstance | None:
    """Lock one due instance. On PostgreSQL SKIP LOCKED lets many workers share the queue without
    firing one timer twice; SQLite has one writer anyway and ignores the clause."""
    stmt = (
        select(ProcessInstance)
        .where(
            ProcessInstance.next_timer_at <= get_clock().now(),
            ProcessInstance.status.in_(ACTIVE),
        )
        .order_by(ProcessInstance.next_timer_at, ProcessInstance.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=ProcessInstance)
    )
    if exclude:
        stmt = stmt.where(ProcessInstance.id.not_in(sorted(exclude)))
    return db.session.scalar(stmt)


def wake_due_instances(limit: int = 100) -> int:
    """Fire due timers, one instance per transaction. Returns how many instances advanced."""
    woken = 0
    seen: set[int] = set()
    for _ in range(limit):
        instance = _claim_next_due(seen)
        if instance is None:
            break
        seen.add(instance.id)
        try:
            context = OperatorContext(instance, None)
            wf = load_workflow(instance)
            wf.refresh(context=context)
            save_workflow(instance, wf)
            audit.record("timer", actor=None, instance=instance)
            run_follow_ups(context)
            db.session.commit()
            forward_thrown(None)
            woken += 1
        except (StaleDataError, OperationalError):
            db.session.rollback()  # a request saved it meanwhile; its next_timer_at is fresh, try next pass
        except (EngineError, ServiceError) as err:  # a script failed, or a follow-up flow could not start
            mark_error(instance.id, None, None, err)  # users see a reference; the detail is logged
    db.session.commit()
    return woken
