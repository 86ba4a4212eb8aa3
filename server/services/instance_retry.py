"""Recovering an instance in error (POST /api/v1/process-instances/{id}/retry): re-run from its last saved
state once the cause is fixed. server.services.instance_errors puts instances into error; this module takes
them out, on top of the start path's helpers."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from server.db import db
from server.engine.errors import EngineError
from server.flows.shared.support import OperatorContext
from server.models import InstanceStatus, ProcessInstance, Role, User
from server.services import audit
from server.services.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from server.services.instance_errors import mark_error, new_reference
from server.services.instances import current_version, get_instance, run_follow_ups
from server.services.messages import forward_thrown
from server.services.persistence import load_workflow, save_workflow

log = logging.getLogger(__name__)


class RetryFailed(ServiceError):
    """The retried step failed again: the instance stays in error with a new reference."""

    status = 422
    code = "workflow_error"


def retry(instance: ProcessInstance, actor: User, *, use_current_version: bool = False) -> ProcessInstance:
    """Re-run from the last saved state: due timers fire and automatic steps run again; a user step that failed
    on submission is offered again to be submitted. With `use_current_version` the instance moves to the flow's
    newest version first (a redeployed fix), if that version can read its state."""
    previous = instance.version
    if use_current_version:
        target = current_version(instance.process_key)
        if target.id != previous.id:
            instance.version = target
    context = OperatorContext(instance, actor)
    try:
        wf = load_workflow(instance)
    except Exception as err:  # a version whose steps do not match the saved state
        db.session.rollback()
        reference = new_reference()
        log.warning("retry of instance %s could not load its state, reference %s: %s", instance.id, reference, err)
        raise ValidationFailed(
            _("新版本无法接续此流程实例的已保存状态（错误编号 %(ref)s），请部署兼容的版本后再试", ref=reference),
            fields={"use_current_version": _("版本不兼容")},
        ) from err
    try:
        wf.refresh(context=context)
        save_workflow(instance, wf)
        audit.record("retry", actor=actor, instance=instance, data={
            "from_version": previous.number, "version": instance.version.number,
        })
        run_follow_ups(context)
        db.session.commit()
        forward_thrown(actor)
    except (EngineError, ServiceError) as err:
        message = mark_error(instance.id, actor, None, err)
        raise RetryFailed(message) from err
    except StaleDataError as err:  # someone retried or cancelled it meanwhile
        db.session.rollback()
        raise Conflict(_("流程已被他人更新，请刷新后重试")) from err
    return instance


def retry_instance(instance_id: int, actor: User, *, use_current_version: bool = False) -> ProcessInstance:
    """Recover an instance in error: re-run from its last saved state (optionally on the flow's current
    version, after a redeployed fix). Administrators and the performance office, within their scope."""
    instance = get_instance(instance_id, actor)
    if not {Role.ADMIN, Role.PERFORMANCE_OFFICE} & set(actor.roles):
        raise Forbidden(_("只有系统管理员或绩效管理股可以重试出错的流程"))
    if instance.status != InstanceStatus.ERROR:
        raise ValidationFailed(_("流程未处于出错状态，无需重试"))
    return retry(instance, actor, use_current_version=use_current_version)
