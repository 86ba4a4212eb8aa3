"""An instance in error: what users are told, what operators are told, and how it is recovered.

Users (instance page, API, timeline) see a Chinese message naming the step and an error reference; the
exception's own text — a database's SQL, a Python message, a traceback — goes only to the server log under
that reference, so an administrator can find it. Retrying re-runs the flow from its last saved state (a failed
step never saved anything) once the cause is fixed: a redeployed version, or corrected data.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask_babel import gettext as _

from server.db import db
from server.engine.errors import EngineError, LoopLimitError, ScriptError
from server.engine.guards import SandboxViolation
from server.engine.sandbox import SandboxSyntaxError, SandboxTimeout
from server.extensions import get_clock
from server.models import HumanTask, InstanceStatus, ProcessInstance, User
from server.services import audit
from server.services.errors import ServiceError

log = logging.getLogger(__name__)

# Causes whose message the engine wrote itself, in the user's language (budget exceeded, refused by the sandbox).
_OWN_CAUSES = (EngineError, SandboxTimeout, SandboxViolation, SandboxSyntaxError)
# Whatever slipped through anyway: SQL statements, driver and Python exception names, tracebacks.
_INTERNALS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE)\b|\[SQL|sqlalche|psycopg|sqlite|Traceback|File \"|"
    r"\b\w+(Error|Exception)\b|\(Background on this error",
    re.I,
)
_MAX_MESSAGE = 2000


def new_reference() -> str:
    return "E-" + secrets.token_hex(4).upper()


def _foreign_cause(err: BaseException) -> BaseException | None:
    """The first exception in err's cause chain that the engine did not write itself."""
    seen: set[int] = set()
    cur: BaseException | None = err
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if not isinstance(cur, _OWN_CAUSES):
            return cur
        # `raise … from None` hides the context on purpose: the message stands on its own.
        cur = cur.__cause__ if cur.__cause__ is not None else None if cur.__suppress_context__ else cur.__context__
    return None


def user_message(err: BaseException, reference: str) -> str:
    """What users are shown: the engine's own message when it holds no internals, else a plain summary."""
    element = getattr(err, "element_id", None)
    own = str(err) if isinstance(err, EngineError) and _foreign_cause(err) is None else ""
    if isinstance(err, ServiceError):  # e.g. a follow-up flow that could not start: written for users
        own = err.message
    if isinstance(err, LoopLimitError) or (own and not _INTERNALS.search(own)):
        text = own
    elif element:
        text = _("流程在步骤 %(element)s 运行出错", element=element)
    elif isinstance(err, ScriptError):
        text = _("流程的脚本或服务操作运行出错")
    else:
        text = _("流程运行出错")
    text = text.rstrip("。. ")
    return _("%(text)s。错误编号 %(ref)s，详细原因已记录，请联系系统管理员或绩效管理股处理。", text=text, ref=reference)


def mark_error(instance_id: int, actor: User | None, task_id: int | None, err: BaseException) -> str:
    """Keep the last good state, flag the instance, log the detail and audit the reference — in a transaction
    of its own (the failed step's is rolled back first). Returns the user-safe message."""
    db.session.rollback()
    reference = new_reference()
    message = user_message(err, reference)[:_MAX_MESSAGE]
    log.error("instance %s in error, reference %s: %s", instance_id, reference, err,
              exc_info=(type(err), err, err.__traceback__))
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        return message
    instance.status = InstanceStatus.ERROR
    instance.error_message = message
    instance.updated_at = get_clock().now()
    task = db.session.get(HumanTask, task_id) if task_id else None
    audit.record("error", actor=actor, instance=instance, task=task,
                 data={"message": message, "reference": reference,
                       "element": getattr(err, "element_id", None)})
    db.session.commit()
    return message
