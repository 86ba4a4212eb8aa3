"""Task use cases: the inbox lists, reading a task with its form, claiming and completing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NoReturn

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import joinedload

from server.db import db, lost_race, safe_rollback
from server.engine.errors import EngineError, OperatorRefused, ScriptError, TaskNotReady, UnstorableData
from server.engine.tasks import UserTaskView
from server.extensions import get_clock
from server.flows.shared.support import OperatorContext
from server.models import HumanTask, InstanceStatus, Role, TaskStatus, User
from server.services import attachments, audit, choices
from server.services.errors import Conflict, Forbidden, NotFound, ServiceError, Unavailable, ValidationFailed
from server.services.forms import validate_free_data, validate_submission
from server.services.inbox import InboxQuery, Tab, count_cap, cursor_after, parse_cursor, task_rows
from server.services.instance_errors import mark_error
from server.services.instances import run_follow_ups
from server.services.messages import forward_thrown
from server.services.outcome_notices import tell_the_unit
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
    view = task_view(task)
    return dict(view.data) if view else {}


def returned_errors(wf: Any, element: str) -> dict[str, str]:
    """The field errors of the same step if the flow came straight back to it (see engine.tasks.field_errors)."""
    return next((v.field_errors for v in wf.user_tasks() if v.name == element and v.field_errors), {})


def task_view(task: HumanTask) -> UserTaskView | None:
    """The open task as the engine sees it (its data, the flow's field errors); only open tasks load."""
    if task.status != TaskStatus.OPEN:
        return None
    wf = load_workflow(task.instance)
    return next((v for v in wf.user_tasks() if v.task_id == task.spiff_task_id), None)


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
        raise Forbidden(_("只能放回自己认领的任务"))
    task.assignee_id = None
    audit.record("unclaim", actor=actor, instance=task.instance, task=task)
    db.session.commit()
    return task


class StepFailed(Exception):
    """A script, rule or operator of the step failed (not the user's input): the caller decides what becomes of
    the instance (complete: it is marked as in error; a start with its first step: nothing is kept)."""

    def __init__(self, instance_id: int, err: BaseException) -> None:
        super().__init__(str(err))
        self.instance_id = instance_id
        self.err = err


def refuse_database_error(err: OperationalError | InterfaceError) -> NoReturn:
    """SQLite refused our stale snapshot, or a PostgreSQL deadlock: a lost race, nothing of ours is kept (409).
    A connection lost (even at commit) is not a race: the database rolled the transaction back (503)."""
    safe_rollback()
    if lost_race(err):
        raise Conflict(_("流程已被他人更新，请刷新后重试")) from err
    raise Unavailable(_("数据库暂时不可用，请稍后再试")) from err


def complete(task_id: int, actor: User, data: Any) -> Outcome:
    """Validate, run the step, save everything in one transaction; a lost race is a Conflict.

    The hot path of the API: plain Core reads and writes (see persistence.load_step/save_step).
    """
    try:
        outcome = complete_in_transaction(task_id, actor, data)
        db.session.commit()
        forward_thrown(actor)  # messages the step threw for other instances, each in a transaction of its own
    except StepFailed as failed:
        message = mark_error(failed.instance_id, actor, task_id, failed.err)  # the detail goes to the log
        raise WorkflowFailed(_("流程执行出错，已通知管理员：%(err)s", err=message)) from failed.err
    except (OperationalError, InterfaceError) as err:
        refuse_database_error(err)
    return outcome


def complete_in_transaction(task_id: int, actor: User, data: Any) -> Outcome:
    """`complete` without the commit, for a caller whose transaction holds more (发起 starts the instance and
    files its first step at once). Refusals roll the transaction back; a failing flow raises StepFailed."""
    step = load_step(task_id)
    if step is None or not may_view_task(actor, step[0]):
        raise NotFound(_("任务不存在"))
    task, instance = step
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("任务已办结或已取消"))
    if not may_act_on_task(actor, task):
        raise Forbidden(_("您无权办理此任务"))
    schema = version_forms(instance).get(task.form_schema or "")
    # A task without a form keeps what was submitted (minimally checked): a confirm button sends {}.
    clean = validate_submission(schema, data) if schema else validate_free_data(data)
    ui = version_forms(instance).get(task.ui_schema or "")
    if not_offered := choices.refused(actor, ui, clean):  # a firm (say) that is not in the field's list
        raise ValidationFailed(_("表单有 %(n)s 处需要修改", n=len(not_offered)), fields=not_offered)
    if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.WAITING):
        raise Conflict(_("流程当前状态不能办理任务"))
    files = attachments.referenced(actor, instance, schema, clean)  # checked before the step changes anything
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
        raise ValidationFailed(_("无法办理：%(reason)s", reason=str(err)), fields=err.fields) from err
    except UnstorableData as err:
        # The step made data that cannot be saved: refuse it, keep the instance as it was (task still open).
        db.session.rollback()
        raise WorkflowFailed(_("流程数据无法保存，本次办理未生效：%(err)s", err=str(err))) from err
    except (ScriptError, EngineError) as err:
        raise StepFailed(instance.id, err) from err
    if bounced := returned_errors(wf, task.task_name):
        # The flow's own check sent the step straight back: refuse the submission instead of saving a round
        # trip, so the form shows the messages by their fields with the input kept and nothing is recorded.
        db.session.rollback()
        raise ValidationFailed(_("流程核对未通过：%(n)s 处需要修改", n=len(bounced)), fields=bounced)

    try:
        outcome = save_step(instance, wf, now, task_id=task.id, actor_id=actor.id, step=task.title)
        attachments.link(files, instance)
        audit.append("complete", actor_id=actor.id, instance_id=instance.id, task=task, data=clean)
        tell_the_unit(instance, task, actor, schema, clean, now, told_unit=Role.UNIT_STAFF in context.notified)
        run_follow_ups(context)
    except UnstorableData as err:
        db.session.rollback()
        raise WorkflowFailed(_("流程数据无法保存，本次办理未生效：%(err)s", err=str(err))) from err
    except ServiceError:  # Conflict, state too large, a follow-up that cannot start: nothing of the step is kept
        db.session.rollback()
        raise
    except (OperationalError, InterfaceError) as err:
        refuse_database_error(err)
    return outcome
