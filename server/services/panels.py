"""Independent judgement on a panel (issue 12.13): while the members of a multi-instance step (experts
scoring an ex-ante application, a key evaluation) are still at work, what each one submitted is sealed from
everyone but its author — in the task page's history, the instance page's timeline and the API's history.
Once the last member has submitted, the step is over and everyone sees all of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from server.db import db
from server.models import HumanTask, ProcessInstance, TaskStatus, User
from server.services.persistence import load_workflow


def _may_have_open_panel(instance: ProcessInstance) -> bool:
    """Cheap test before loading the workflow: some step has a submitted task beside an open one."""
    done = aliased(HumanTask)
    stmt = (
        select(HumanTask.id)
        .join(done, (done.instance_id == HumanTask.instance_id) & (done.task_name == HumanTask.task_name))
        .where(HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN,
               done.status == TaskStatus.COMPLETED)
        .limit(1)
    )
    return db.session.scalar(stmt) is not None


def sealed_task_ids(instance: ProcessInstance, viewer: User | None) -> set[int]:
    """Ids of the completed tasks whose submissions `viewer` may not read yet (their own excepted)."""
    if not _may_have_open_panel(instance):
        return set()
    spiff_ids = load_workflow(instance).open_panel_tasks()
    if not spiff_ids:
        return set()
    stmt = select(HumanTask.id).where(
        HumanTask.instance_id == instance.id,
        HumanTask.status == TaskStatus.COMPLETED,
        HumanTask.spiff_task_id.in_(spiff_ids),
    )
    if viewer is not None:
        stmt = stmt.where(HumanTask.completed_by_id.is_distinct_from(viewer.id))
    return set(db.session.scalars(stmt))
