"""Task use cases: the inbox lists, reading a task with its form, claiming and completing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import joinedload

from server.db import db, lost_race, safe_rollback
from server.engine.errors import EngineError, OperatorRefused, ScriptError, TaskNotReady, UnstorableData
from server.extensions import get_clock
from server.flows.shared.support import OperatorContext
from server.models import HumanTask, InstanceStatus, TaskStatus, User
from server.services import audit
from server.services.errors import Conflict, Forbidden, NotFound, ServiceError, Unavailable, ValidationFailed
from server.services.forms import validate_submission
from server.services.inbox import InboxQuery, Tab, count_cap, cursor_after, parse_cursor, task_rows
from server.services.instance_errors import mark_error
from server.services.instances import run_follow_ups
from server.services.persistence import (
    Outcome,
    load_instance_workflow,
    load_step,
    load_workflow,
    save_step,
    version_forms,
)
from server.services.scope import may_act_on_task, may_view_task

View = Literal["mine", "claimable", "done"]
MAX_PAGE_SIZE = 100


class WorkflowFailed(ServiceError):
    """A script or rule in the flow failed; the instance is marked as in error for an administrator."""

    status = 422
    code = "workflow_error"


@dataclass(frozen=True)
class TaskPage:
    items: list[tuple[HumanTask, str | None]]  # task and its assignee's username
    total: int
    total_capped: bool = False  # the list is longer than `total` says (inbox.count_cap)
    next_after: str | None = None  # keyset cursor for the next page, when this one is full


def list_tasks(actor: User, view: View, *, q: str = "", page: int = 1, per_page: int = 20,
               after: str = "") -> TaskPage:
    """The API's view of the inbox (services.inbox holds the one query both lists use). `after` (a cursor
    from a previous page's next_after) pages by keyset: as cheap on the 5,000th page as on the first."""
    try:
        cursor = parse_cursor(after) if after else None
    except ValueError:
        raise ValidationFailed(_("分页游标无效"), fields={"after": _("请使用上一页返回的 next_after")}) from None
    query = InboxQuery(tab=Tab(view), q=q.strip()[:100], page=max(1, page),
                       per_page=max(1, min(per_page, MAX_PAGE_SIZE)), after=cursor)
    items, total = task_rows(actor, query)
    cap = count_cap(query)
    following = cursor_after(items[-1][0], query.tab) if len(items) == query.per_page else None
    return TaskPage(items=items, total=min(total, cap), total_capped=total > cap, next_after=following)


def get_task(task_id: int, actor: User) -> HumanTask:
    task = db.session.get(HumanTask, task_id, options=[joinedload(HumanTask.instance)])
    if task is None or not may_view_task(actor, task):
        raise NotFound(_("任务不存在"))
    return task


def task_form(task: HumanTask) -> tuple[dict | None, dict | None]:
    forms = task.instance.version.forms
    return forms.get(task.form_schema or ""), forms.get(task.ui_schema or "")


def task_data(task: HumanTask) -> dict[str, Any]:
    """The data the task's form starts from; only open tasks load their workflow."""
    if task.status != TaskStatus.OPEN:
        return {}
    wf = load_workflow(task.instance)
    view = next((v for v in wf.user_tasks() if v.task_id == task.spiff_task_id), None)
    return dict(view.data) if view else {}


def _open_task_for(task_id: int, actor: User) -> HumanTask:
    task = get_task(task_id, actor)
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("任务已办结或已取消"))
    return task


def claim(task_id: int, actor: User) -> HumanTask:
    task = _open_task_for(task_id, actor)
    if task.assignee_id == actor.id:
        return task
    if task.assignee_id is not None:
        raise Conflict(_("任务已被他人认领"))
    if not may_act_on_task(actor, task):
        raise Forbidden(_("您无权认领此任务"))
    # Conditional update: of two simultaneous claims exactly one changes the row.
    done = db.session.execute(
        update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.assignee_id.is_(None), HumanTask.status == TaskStatus.OPEN)
        .values(assignee_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise Conflict(_("任务已被他人认领"))
    audit.record("claim", actor=actor, instance=task.instance, task=task)
    db.session.commit()
    db.session.refresh(task)
    return task


def unclaim(task_id: int, actor: User) -> HumanTask:
    task = _open_task_for(task_id, actor)
    if task.assignee_id != actor.id:
        raise Forbidden(_("只能退回自己认领的任务"))
    task.assignee_id = None
    audit.record("unclaim", actor=actor, instance=task.instance, task=task)
    db.session.commit()
    return task


def complete(task_id: int, actor: User, data: Any) -> Outcome:
    """Validate, run the step, save everything in one transaction; a lost race is a Conflict.

    The hot path of the API: plain Core reads and writes (see persistence.load_step/save_step).
    """
    step = load_step(task_id)
    if step is None or not may_view_task(actor, step[0]):
        raise NotFound(_("任务不存在"))
    task, instance = step
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("任务已办结或已取消"))
    if not may_act_on_task(actor, task):
        raise Forbidden(_("您无权办理此任务"))
    clean = validate_submission(version_forms(instance).get(task.form_schema or ""), data)
    if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.WAITING):
        raise Conflict(_("流程当前状态不能办理任务"))
    now = get_clock().now()
    context = OperatorContext(instance, actor)
    try:
        wf = load_instance_workflow(instance)
        wf.complete(task.spiff_task_id, clean, context=context)
    except TaskNotReady as err:
        raise Conflict(_("任务已不在办理状态")) from err
    except OperatorRefused as err:
        # The flow said no to this input (e.g. an amount above the balance): keep the task open, explain why.
        db.session.rollback()
        raise ValidationFailed(_("无法办理：%(reason)s", reason=str(err))) from err
    except UnstorableData as err:
        # The step made data that cannot be saved: refuse it, keep the instance as it was (task still open).
        db.session.rollback()
        raise WorkflowFailed(_("流程数据无法保存，本次办理未生效：%(err)s", err=str(err))) from err
    except (ScriptError, EngineError) as err:
        message = mark_error(instance.id, actor, task.id, err)  # the detail goes to the log, not to users
        raise WorkflowFailed(_("流程执行出错，已通知管理员：%(err)s", err=message)) from err

    try:
        outcome = save_step(instance, wf, now, task_id=task.id, actor_id=actor.id, step=task.title)
        audit.append("complete", actor_id=actor.id, instance_id=instance.id, task=task, data=clean)
        run_follow_ups(context)
        db.session.commit()
    except UnstorableData as err:
        db.session.rollback()
        raise WorkflowFailed(_("流程数据无法保存，本次办理未生效：%(err)s", err=str(err))) from err
    except ServiceError:  # Conflict, state too large, a follow-up that cannot start: nothing of the step is kept
        db.session.rollback()
        raise
    except (OperationalError, InterfaceError) as err:
        # SQLite refused our stale snapshot, or a PostgreSQL deadlock: a lost race, nothing of ours is kept.
        # A connection lost (even at commit) is not a race: the database rolled the transaction back; 503.
        safe_rollback()
        if lost_race(err):
            raise Conflict(_("流程已被他人更新，请刷新后重试")) from err
        raise Unavailable(_("数据库暂时不可用，请稍后再试")) from err
    return outcome
