"""Starting, reading and cancelling process instances."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import defer

from server.db import db
from server.engine.errors import EngineError
from server.extensions import get_clock, get_engine
from server.flows.shared.support import FollowUp, OperatorContext
from server.models import (
    AuditEvent,
    HumanTask,
    InstanceStatus,
    Organisation,
    ProcessInstance,
    ProcessModel,
    ProcessVersion,
    Project,
    Role,
    TaskStatus,
    User,
)
from server.services import audit, cancel_rules
from server.services.errors import Forbidden, NotFound, ValidationFailed
from server.services.persistence import Outcome, save_workflow, summary
from server.services.scope import may_view_instance

MAX_START_DATA_KEYS = 200


def start_instance(process_key: str, actor: User, data: dict[str, Any] | None = None) -> Outcome:
    """The actor starts a flow for their own organisation (one request, one transaction)."""
    version = current_version(process_key)
    # A version without a start role (deployed before lanes were mapped) is started by administrators only.
    if (version.start_role or Role.ADMIN.value) not in actor.roles:
        raise Forbidden(_("您的角色不能发起此流程"))
    outcome = start_in_transaction(version, actor, actor.organisation, data)
    db.session.commit()
    return outcome


def current_version(process_key: str) -> ProcessVersion:
    # One query; the forms (a JSON document per form) load only if someone reads them: starting needs none.
    version = db.session.scalar(
        select(ProcessVersion)
        .join(ProcessModel, ProcessModel.current_version_id == ProcessVersion.id)
        .where(ProcessModel.key == process_key)
        .options(defer(ProcessVersion.forms))
    )
    if version is None:
        raise NotFound(_("流程“%(key)s”不存在或尚未部署", key=process_key))
    return version


def start_in_transaction(
    version: ProcessVersion, actor: User | None, scope: Organisation, data: dict[str, Any] | None = None
) -> Outcome:
    """Start an instance owned by `scope` (its organisation, department and sector decide who is offered the
    tasks), without committing: the caller owns the transaction (a request, one project of a batch, a
    follow-up of another step). A flow that refuses to start rolls the whole transaction back."""
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed(_("启动数据必须是对象"), fields={"data": _("应为对象")})
    if data and len(data) > MAX_START_DATA_KEYS:
        raise ValidationFailed(_("启动数据字段过多"), fields={"data": _("字段过多")})

    now = get_clock().now()
    instance = ProcessInstance(
        version_id=version.id,
        version=version,
        process_key=version.model.key,
        status=InstanceStatus.RUNNING,
        state="",
        organisation_id=scope.id,
        department_id=scope.department_id,
        sector=scope.sector,
        title=version.model.name,
        started_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    context = _StartContext(instance, actor)
    try:
        wf = get_engine().start(version.cache_key, lambda: version.spec_json, dict(data or {}), context=context)
    except EngineError as err:
        # No savepoints (pysqlite's are unreliable): the whole transaction goes, as the caller's must.
        db.session.rollback()
        raise ValidationFailed(_("流程无法启动：%(err)s", err=str(err))) from err
    context.before_operator()
    try:
        open_rows = save_workflow(instance, wf, _("发起“%(name)s”", name=version.model.name))
    except EngineError as err:  # data the flow made cannot be stored
        db.session.rollback()
        raise ValidationFailed(_("流程无法启动：%(err)s", err=str(err))) from err
    except ValidationFailed:  # the state would be too large
        db.session.rollback()
        raise
    audit.record("start", actor=actor, instance=instance, data=data or None)
    run_follow_ups(context)
    return Outcome(summary(instance), open_rows)


class _StartContext(OperatorContext):
    """The new instance's row is inserted only when the first operator needs it (operators write rows that name
    the instance), or after the start: scripts that run before run outside the write transaction, so a script
    that spins until its time budget never holds SQLite's write lock."""

    def before_operator(self) -> None:
        if self.instance.id is None:
            db.session.add(self.instance)
            db.session.flush()


def run_follow_ups(context: OperatorContext) -> None:
    """Start the flows a step's operators asked for, in the step's transaction, each owned by its project's
    unit (e.g. a finance decision 调整绩效目标 opens the unit's goal-adjustment request). If one cannot start,
    the whole step is refused (ValidationFailed) and nothing of it is kept."""
    while context.follow_ups:
        follow: FollowUp = context.follow_ups.pop(0)
        project = db.session.get(Project, follow.project_id)
        if project is None:
            continue
        try:
            version = current_version(follow.process_key)
        except NotFound:  # not deployed here: the unit's notification still asks for it
            audit.record("follow_up_skipped", actor=context.actor, instance=None,
                         data={"from_instance": context.instance.id, "process_key": follow.process_key})
            continue
        outcome = start_in_transaction(version, context.actor, project.organisation, follow.data)
        audit.record("follow_up", actor=context.actor, instance=db.session.get(ProcessInstance, outcome.instance.id),
                     data={"from_instance": context.instance.id, "reason": follow.reason})


def get_instance(instance_id: int, actor: User) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or not may_view_instance(actor, instance):
        raise NotFound(_("流程实例不存在"))
    return instance


def open_tasks(instance: ProcessInstance) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)
            .order_by(HumanTask.id)
        )
    )


def history(instance: ProcessInstance) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id)
        )
    )


MAX_REASON_CHARS = 500


def cancel_instance(instance_id: int, actor: User, reason: str | None) -> ProcessInstance:
    """Cancel by the flow's role-and-stage rule (server.services.cancel_rules), with a reason kept in the audit."""
    instance = get_instance(instance_id, actor)
    if instance.status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED):
        raise ValidationFailed(_("流程已结束，不能撤销"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤销理由"), fields={"reason": _("请填写撤销理由")})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(_("撤销理由过长"), fields={"reason": _("最多 %(n)s 字", n=MAX_REASON_CHARS)})
    if not _storable_text(reason):
        raise ValidationFailed(_("撤销理由含有无法保存的字符"), fields={"reason": _("含有控制字符或无效字符")})
    decision = cancel_rules.decide(instance, actor)
    if not decision.allowed:
        raise Forbidden(_("您无权在此步骤撤销此流程。%(rule)s", rule=decision.rule_text))
    now = get_clock().now()
    instance.status = InstanceStatus.CANCELLED
    instance.next_timer_at = None
    instance.completed_at = now
    instance.updated_at = now
    open_steps = [t.task_name for t in open_tasks(instance)]
    db.session.execute(
        update(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)
        .values(status=TaskStatus.CANCELLED, completed_at=now)
    )
    audit.record("cancel", actor=actor, instance=instance, data={
        "reason": reason, "as": "starter" if decision.as_starter else "role", "open_steps": open_steps,
    })
    db.session.commit()
    return instance


def _storable_text(value: str) -> bool:
    """No NUL or other control characters (line breaks and tabs aside) and no lone surrogates: text every
    database keeps as it was typed."""
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
