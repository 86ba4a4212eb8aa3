"""Delivering BPMN messages to waiting instances (POST /api/v1/messages), and the messages instances throw.

Who may send: administrators and the performance office (county-wide roles, SENDER_ROLES); a message reaches
only instances the sender may see (services.scope.may_view_instance — every instance, for these roles), so a
role given this right later cannot reach beyond its scope. Anyone else gets 403.
Each instance is delivered to in a transaction of its own, saved with the optimistic lock (a save that lost a
race is retried once on the fresh state) and audited ("message"). Correlation: server.engine.messages.
A message an instance throws that none of its own tasks catches (a collaboration whose other pool runs as another
instance) goes out the same way once the throwing step has committed (`forward_thrown`), as the system on behalf
of the user whose step threw it, to a bounded depth.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from server.db import db, safe_rollback
from server.engine.errors import EngineError
from server.engine.messages import ThrownMessage
from server.flows.shared.support import OperatorContext
from server.models import InstanceStatus, ProcessInstance, Role, User
from server.services import audit
from server.services.errors import Forbidden, ServiceError, ValidationFailed
from server.services.instance_errors import mark_error
from server.services.instances import run_follow_ups
from server.services.persistence import load_workflow, save_workflow, take_thrown
from server.services.scope import may_view_instance

log = logging.getLogger(__name__)

SENDER_ROLES = frozenset({Role.ADMIN.value, Role.PERFORMANCE_OFFICE.value})
ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
MAX_NAME = 200
MAX_KEYS = 50
MAX_JSON = 64 * 1024
MAX_FORWARD_DEPTH = 5  # instances answering each other's messages stop here


def _check(name: Any, correlation: Any, payload: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    fields: dict[str, str] = {}
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME or "|" in name:
        fields["name"] = _("消息名称应为 1–%(n)s 个字符，且不含“|”", n=MAX_NAME)
    correlation = {} if correlation is None else correlation
    if not isinstance(correlation, dict) or len(correlation) > MAX_KEYS or not all(
        isinstance(k, str) and k and (v is None or isinstance(v, str | int | float | bool))
        for k, v in correlation.items()
    ):
        fields["correlation"] = _("应为对象：关联属性 → 文本或数字（最多 %(n)s 项）", n=MAX_KEYS)
    payload = {} if payload is None else payload
    if not isinstance(payload, dict) or len(payload) > MAX_KEYS:
        fields["payload"] = _("应为对象（最多 %(n)s 项）", n=MAX_KEYS)
    elif bad := sorted(k for k in payload if not (isinstance(k, str) and k.isidentifier() and not k.startswith("_"))):
        fields["payload"] = _("字段名“%(name)s”不可用（应为变量名，不以下划线开头）", name=str(bad[0])[:50])
    if not fields:
        try:
            text = json.dumps({"c": correlation, "p": payload}, allow_nan=False, ensure_ascii=False)
            text.encode("utf-8")
        except (ValueError, TypeError, UnicodeEncodeError):
            fields["payload"] = _("含有无法保存的值")
        else:
            if len(text) > MAX_JSON or "\x00" in text:
                fields["payload"] = _("消息内容过大或含有无法保存的字符")
    if fields:
        raise ValidationFailed(_("消息不符合要求"), fields=fields)
    return name.strip(), correlation, payload


def send_message(actor: User, name: Any, correlation: Any, payload: Any) -> list[int]:
    """Deliver a message to every waiting, correlated instance the actor may reach; returns their ids."""
    if not actor.roles & SENDER_ROLES:
        raise Forbidden(_("只有系统管理员和绩效管理股可以发送流程消息"))
    message = ThrownMessage(*_check(name, correlation, payload))
    delivered = _deliver_all(actor, message, checked=True)
    forward_thrown(actor)
    return delivered


def forward_thrown(actor: User | None, depth: int = 0) -> list[int]:
    """After a commit: deliver what the committed steps threw to other instances (see the module docstring)."""
    delivered: list[int] = []
    pending = take_thrown()
    while pending and depth < MAX_FORWARD_DEPTH:
        for message in pending:
            try:
                delivered += _deliver_all(actor, message, checked=False)
            except SQLAlchemyError:  # the throwing step is committed: its caller must not fail for this
                safe_rollback()
                log.exception("message %r thrown by a step could not be delivered", message.name)
        pending = take_thrown()
        depth += 1
    if pending:
        log.warning("messages %s not delivered: instances answered each other %s times", pending, depth)
    return delivered


def _candidates(name: str) -> list[int]:
    pattern = "%|" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "|%"
    return list(db.session.scalars(
        select(ProcessInstance.id)
        .where(ProcessInstance.status.in_(ACTIVE), ProcessInstance.waiting_messages.like(pattern, escape="\\"))
        .order_by(ProcessInstance.id)
    ))


def _deliver_all(actor: User | None, message: ThrownMessage, *, checked: bool) -> list[int]:
    delivered = []
    for instance_id in _candidates(message.name):
        for _attempt in range(2):  # a save that lost a race is tried once more on the fresh state
            try:
                if _deliver_one(instance_id, actor, message, checked=checked):
                    delivered.append(instance_id)
                break
            except (StaleDataError, OperationalError):
                db.session.rollback()
    return delivered


def _deliver_one(instance_id: int, actor: User | None, message: ThrownMessage, *, checked: bool) -> bool:
    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance is None or instance.status not in ACTIVE or (
        checked and (actor is None or not may_view_instance(actor, instance))
    ):
        db.session.rollback()
        return False
    context = OperatorContext(instance, actor)
    try:
        wf = load_workflow(instance)
        if not wf.catch_message(message.name, message.correlation, message.payload, context=context):
            db.session.rollback()
            return False
        save_workflow(instance, wf, _("消息“%(name)s”", name=message.name))
        audit.record("message", actor=actor, instance=instance, data={
            "name": message.name, "correlation": message.correlation, "payload": message.payload,
            "from": "api" if checked else "instance",
        })
        run_follow_ups(context)
        db.session.commit()
    except (EngineError, ServiceError) as err:  # a script after the catch failed, or the state cannot be kept
        mark_error(instance_id, actor, None, err)
        return False
    return True
