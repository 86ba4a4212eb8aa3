"""Save-as-draft: the assignee's unsubmitted form input, kept on the task row; the flow never reads it.

Only the task's holder saves a draft (saving an unclaimed task that is offered to the user claims it first);
saving never touches the workflow state, and a completed task drops its draft.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from server.db import db
from server.extensions import get_clock
from server.models import HumanTask, TaskStatus, User
from server.services import tasks as task_service
from server.services.errors import Conflict, Forbidden, ValidationFailed
from server.services.scope import may_act_on_task

MAX_DRAFT_BYTES = 512 * 1024


def save_draft(task_id: int, actor: User, data: dict[str, Any]) -> datetime:
    """Store `data` as the task's draft; returns when it was saved."""
    task = task_service.get_task(task_id, actor)
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("任务已办结或已取消，不能保存草稿"))
    text = json.dumps(data, ensure_ascii=False)
    if len(text.encode()) > MAX_DRAFT_BYTES:
        raise ValidationFailed(_("草稿内容过多（超过 %(kb)s KB），未保存", kb=MAX_DRAFT_BYTES // 1024))
    if task.assignee_id is None:
        if not may_act_on_task(actor, task):
            raise Forbidden(_("您无权办理此任务"))
        task_service.claim(task_id, actor)
    elif task.assignee_id != actor.id:
        raise Forbidden(_("只有任务的办理人可以保存草稿"))
    now = get_clock().now()
    # Conditional: a task finished or handed over since it was read keeps no stale draft of ours.
    saved = db.session.execute(
        update(HumanTask)
        .where(HumanTask.id == task_id, HumanTask.assignee_id == actor.id, HumanTask.status == TaskStatus.OPEN)
        .values(draft=text, draft_saved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if saved != 1:
        db.session.rollback()
        raise Conflict(_("任务已被他人办理或放回待认领，草稿未保存"))
    db.session.commit()
    return now


def read_draft(task: HumanTask) -> dict[str, Any] | None:
    """The open task's draft, or None (a row edited by hand into non-JSON is ignored, not a 500)."""
    if task.status != TaskStatus.OPEN or not task.draft:
        return None
    try:
        found = json.loads(task.draft)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def discard_draft(task_id: int, actor: User) -> None:
    task = task_service.get_task(task_id, actor)
    if task.assignee_id != actor.id:
        raise Forbidden(_("只有任务的办理人可以清除草稿"))
    _clear(task_id)


def clear_after_completion(task_id: int) -> None:
    """A completed task keeps no draft (called after `tasks.complete` committed)."""
    _clear(task_id, only_closed=True)


def _clear(task_id: int, *, only_closed: bool = False) -> None:
    where = [HumanTask.id == task_id, HumanTask.draft.is_not(None)]
    if only_closed:
        where.append(HumanTask.status != TaskStatus.OPEN)
    db.session.execute(
        update(HumanTask).where(*where).values(draft=None, draft_saved_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
