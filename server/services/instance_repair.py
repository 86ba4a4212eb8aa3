"""An administrator repairing instances (/admin/instances, /api/v1/admin/…): the list of instances that need a
hand, and the repairs retry and cancel (server.services.instance_retry, instances) do not already cover —
mark a user step done, suspend and resume, hand a task to someone else, move the next timer to now.
Each repair is audited with its reason; each refusal changes nothing.

Skipping is offered for user tasks only: SpiffWorkflow can complete a READY user task without its form, and the
flow goes on from there. A failed service or script step is never skipped: its operator writes domain rows
(library entries, budget changes) that later steps rely on, and pretending it ran would leave them missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from server.db import db
from server.engine.errors import EngineError, TaskNotReady
from server.extensions import get_clock
from server.flows.shared.support import OperatorContext
from server.models import AuditEvent, HumanTask, InstanceStatus, ProcessInstance, TaskStatus, User
from server.services import audit
from server.services.admin_access import require_admin
from server.services.errors import Conflict, NotFound, ServiceError, ValidationFailed
from server.services.instance_errors import mark_error
from server.services.instances import MAX_REASON_CHARS, _storable_text, open_tasks, run_follow_ups
from server.services.persistence import load_workflow, save_workflow
from server.services.scope import offered_to

ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
LISTED = {
    "error": (InstanceStatus.ERROR,),
    "suspended": (InstanceStatus.SUSPENDED,),
    "active": ACTIVE,
}
PER_PAGE = 50


@dataclass(frozen=True)
class RepairRow:
    instance: ProcessInstance
    element: str | None  # the element the last error names
    open_steps: list[HumanTask]


class TimerStepFailed(ServiceError):
    """The step the moved timer led to failed: the instance is now in error (listed here with its element)."""

    status = 422
    code = "workflow_error"


def waiting_for_repair() -> dict[str, int]:
    """How many instances are in error and suspended (the landing page's counts)."""
    rows = db.session.execute(select(ProcessInstance.status, func.count()).where(
        ProcessInstance.status.in_((InstanceStatus.ERROR, InstanceStatus.SUSPENDED))).group_by(ProcessInstance.status))
    return {status.value: n for status, n in rows}


def repair_rows(status: str = "error", page: int = 1) -> tuple[list[RepairRow], int]:
    """Instances in the chosen state, newest change first, with the element of their last error and open steps."""
    if status not in LISTED:
        raise ValidationFailed(_("状态筛选不正确"), fields={"status": _("可选：%(v)s", v="error, suspended, active")})
    where = ProcessInstance.status.in_(LISTED[status])
    total = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(where)) or 0
    instances = db.session.scalars(
        select(ProcessInstance).where(where).order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
        .limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)
    ).all()
    ids = [i.id for i in instances]
    elements: dict[int, str | None] = {}
    if ids:
        last_error = (select(AuditEvent.instance_id, func.max(AuditEvent.id).label("id"))
                      .where(AuditEvent.instance_id.in_(ids), AuditEvent.action == "error")
                      .group_by(AuditEvent.instance_id).subquery())
        for event in db.session.scalars(select(AuditEvent).join(last_error, last_error.c.id == AuditEvent.id)):
            elements[event.instance_id] = (event.data or {}).get("element") if event.instance_id else None
    steps: dict[int, list[HumanTask]] = {i: [] for i in ids}
    if ids:
        for task in db.session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids),
                                                               HumanTask.status == TaskStatus.OPEN)
                                       .order_by(HumanTask.id)):
            steps[task.instance_id].append(task)
    return [RepairRow(i, elements.get(i.id), steps[i.id]) for i in instances], total


def _instance(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("流程实例不存在"))
    return instance


def _open_task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("任务不存在"))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("任务已办结或已取消"))
    return task


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写理由"), fields={"reason": _("请填写理由")})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(_("理由过长"), fields={"reason": _("最多 %(n)s 字", n=MAX_REASON_CHARS)})
    if not _storable_text(reason):
        raise ValidationFailed(_("理由含有无法保存的字符"), fields={"reason": _("含有控制字符或无效字符")})
    return reason


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as err:  # a step, a timer or another administrator saved the instance meanwhile
        db.session.rollback()
        raise Conflict(_("流程已被他人更新，请刷新后重试")) from err


def _save_or_refuse(instance: ProcessInstance, step) -> None:
    """Run an engine step on the instance and keep it, or keep nothing: a repair must not break the instance."""
    try:
        step()
        db.session.commit()
    except StaleDataError as err:
        db.session.rollback()
        raise Conflict(_("流程已被他人更新，请刷新后重试")) from err
    except TaskNotReady as err:
        db.session.rollback()
        raise Conflict(_("任务已不在办理状态")) from err
    except (EngineError, ServiceError) as err:
        db.session.rollback()
        raise ValidationFailed(_("流程无法从这里继续，未做任何改动：%(err)s", err=getattr(err, "message", str(err)))) \
            from err


def skip_task(task_id: int, actor: User, reason: str | None) -> ProcessInstance:
    """Mark an open user task done without its form (the data the flow holds stays) and let the flow go on."""
    require_admin(actor)
    why = _reason(reason)
    task = _open_task(task_id)
    instance = task.instance
    if instance.status not in (*ACTIVE, InstanceStatus.ERROR):
        raise Conflict(_("流程当前状态不能跳过步骤"))

    def step() -> None:
        context = OperatorContext(instance, actor)
        wf = load_workflow(instance)
        wf.complete(task.spiff_task_id, {}, context=context)
        save_workflow(instance, wf, task.title)
        instance.error_message = None
        audit.record("admin_skip", actor=actor, instance=instance, task=task,
                     data={"reason": why, "element": task.task_name})
        run_follow_ups(context)

    _save_or_refuse(instance, step)
    return instance


def suspend(instance_id: int, actor: User, reason: str | None) -> ProcessInstance:
    """Hold an active instance: its timers wait (the worker only wakes running and waiting ones) and its tasks
    cannot be completed (services.tasks) until it is resumed."""
    require_admin(actor)
    why = _reason(reason)
    instance = _instance(instance_id)
    if instance.status not in ACTIVE:
        raise Conflict(_("只有办理中或等待中的流程可以挂起"))
    previous = instance.status.value
    instance.status = InstanceStatus.SUSPENDED
    instance.updated_at = get_clock().now()
    audit.record("suspend", actor=actor, instance=instance, data={"reason": why, "was": previous})
    _commit()
    return instance


def resume(instance_id: int, actor: User) -> ProcessInstance:
    """Back to work: running if a task is open, else waiting; a timer that fell due meanwhile fires next pass."""
    require_admin(actor)
    instance = _instance(instance_id)
    if instance.status != InstanceStatus.SUSPENDED:
        raise Conflict(_("流程未处于挂起状态"))
    instance.status = InstanceStatus.RUNNING if open_tasks(instance) else InstanceStatus.WAITING
    instance.updated_at = get_clock().now()
    audit.record("resume", actor=actor, instance=instance, data={"status": instance.status.value})
    _commit()
    return instance


def reassign(task_id: int, actor: User, username: str | None) -> HumanTask:
    """Give an open task to a user the task's lane and scope offer it to (an active one)."""
    require_admin(actor)
    task = _open_task(task_id)
    name = (username or "").strip()
    target = db.session.scalar(select(User).where(User.username == name)) if name else None
    if target is None or not target.active:
        raise ValidationFailed(_("用户不存在或已停用"), fields={"username": _("请填写在用用户的用户名")})
    if not offered_to(target, task):
        raise ValidationFailed(_("%(user)s 无权办理此任务（角色或范围不符）", user=target.display_name),
                               fields={"username": _("该用户的角色或负责范围不包括此任务")})
    previous = task.assignee_id
    task.assignee_id = target.id
    audit.record("reassign", actor=actor, instance=task.instance, task=task,
                 data={"from": previous, "to": target.id, "username": target.username})
    db.session.commit()
    return task


def move_timers(instance_id: int, actor: User) -> tuple[ProcessInstance, datetime]:
    """Testing a flow: the instance's next timer becomes due now and fires at once (through the clock every
    timer reads). Returns the instance and when the timer was due before."""
    require_admin(actor)
    instance = _instance(instance_id)
    if instance.status not in ACTIVE:
        raise Conflict(_("流程当前状态不能调整定时器"))
    context = OperatorContext(instance, actor)
    wf = load_workflow(instance)
    was = wf.move_next_timer(get_clock().now())
    if was is None:
        raise ValidationFailed(_("此流程实例没有等待中的定时器"))
    try:
        wf.refresh(context=context)
        save_workflow(instance, wf)
        audit.record("move_timers", actor=actor, instance=instance, data={"was_due": was.isoformat()})
        run_follow_ups(context)
        db.session.commit()
    except StaleDataError as err:
        db.session.rollback()
        raise Conflict(_("流程已被他人更新，请刷新后重试")) from err
    except (EngineError, ServiceError) as err:  # what the timer led to failed, as it would have on its day
        raise TimerStepFailed(mark_error(instance.id, actor, None, err)) from err
    return instance, was
