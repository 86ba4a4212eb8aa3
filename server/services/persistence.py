"""Loading an instance's workflow and saving it back, with its task rows, in the caller's transaction.

Two ways in: `save_workflow` for an ORM-loaded instance (start, timers), and the task hot path's
`load_step`/`save_step`, which read and write the same rows with plain Core statements and detect a lost
race with a conditional UPDATE on lock_version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.orm import Session

from server.db import db
from server.driver_sql import DriverStatement
from server.engine.runtime import Engine, Workflow
from server.extensions import get_clock, get_engine
from server.lru import BoundedLRU
from server.models import HumanTask, InstanceStatus, ProcessInstance, ProcessVersion, TaskStatus
from server.services.errors import Conflict, ValidationFailed
from server.services.task_sync import TaskRow, business_fields, sync_tasks


@dataclass(frozen=True)
class InstanceSummary:
    """The instance columns an API answer shows after a step."""

    id: int
    process_key: str
    version: int  # the version's number
    status: InstanceStatus
    title: str | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """An instance after a step, with its open tasks as saved (so the answer needs no second look)."""

    instance: InstanceSummary
    open_tasks: list[TaskRow]


@dataclass(frozen=True)
class InstanceRef:
    """An instance row as the hot path reads it (duck-types ProcessInstance for scope, sync and operators)."""

    id: int
    process_key: str
    status: InstanceStatus
    state: str
    lock_version: int
    organisation_id: int
    department_id: int | None
    sector: str | None
    title: str | None
    started_by_id: int | None
    created_at: datetime
    version_id: int
    version_number: int
    checksum: str
    open_tasks: int  # open task rows when read; their set only changes with lock_version

    @property
    def cache_key(self) -> str:
        return f"{self.version_id}:{self.checksum}"  # as ProcessVersion.cache_key


_STATUS = {
    "running": InstanceStatus.RUNNING,
    "waiting": InstanceStatus.WAITING,
    "completed": InstanceStatus.COMPLETED,
}


def summary(instance: ProcessInstance) -> InstanceSummary:
    return InstanceSummary(
        instance.id, instance.process_key, instance.version.number, instance.status, instance.title,
        instance.error_message, instance.created_at, instance.completed_at,
    )


class StateTooLarge(ValidationFailed):
    """The instance's serialized state would pass MAX_STATE_BYTES: the step is refused, nothing of it kept."""


def checked_dump(wf: Workflow, step: str) -> str:
    """The state to save, refused past the configured size (a script can build data that serializes to
    hundreds of megabytes and every later read would carry it)."""
    state = wf.dump()
    limit: int = current_app.config["MAX_STATE_BYTES"]
    if len(state) * 4 > limit:  # utf-8 takes at most 4 bytes per character: encode only near the limit
        size = len(state.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise StateTooLarge(
                _(
                    "流程数据过大（%(size)s 字节，上限 %(limit)s 字节），“%(step)s”未能保存",
                    size=size,
                    limit=limit,
                    step=step,
                ),
                fields={"state": _("流程数据过大")},
            )
    return state


def load_workflow(instance: ProcessInstance) -> Workflow:
    version = instance.version
    return get_engine().load(version.cache_key, lambda: version.spec_json, instance.state)


def business_data(wf: Workflow, ready: list) -> dict[str, Any]:
    """The data the flow currently carries: that of the newest ready task, else the workflow's own."""
    return ready[-1].data if ready else wf.data


@dataclass(frozen=True)
class SavedColumns:
    """What a saved workflow writes onto its instance row, the same on every path (start, step, timer, retry)."""

    values: dict[str, Any]  # column -> value, lock_version aside
    ready: list[Any]
    data: dict[str, Any]


def workflow_columns(wf: Workflow, title: str | None, now: datetime, step: str) -> SavedColumns:
    """`step` names where the state was saved, for the message when it is too large or cannot be stored."""
    ready = wf.user_tasks()
    data = business_data(wf, ready)
    status = _STATUS[wf.status]
    values: dict[str, Any] = {
        "state": checked_dump(wf, step),
        "status": status,
        "next_timer_at": wf.next_timer_due(),
        "waiting_messages": waiting_column(wf.waiting_messages()),
        "updated_at": now,
        "error_message": None,
    }
    if status == InstanceStatus.COMPLETED:
        values["completed_at"] = now
    if thrown := wf.thrown_messages():
        db.session.info.setdefault(THROWN, []).extend(thrown)
    biz = business_fields(data)
    if biz.project_code:
        values["business_key"] = biz.project_code  # the project code, so outside systems can find the instance
    if biz.project_name and biz.project_name != title:
        values["title"] = biz.project_name
    return SavedColumns(values, ready, data)


THROWN = "jixiao.thrown_messages"  # messages the saved steps threw for other instances (services.messages)
_WAITING_LIMIT = 1000


def waiting_column(names: list[str]) -> str | None:
    """"|a|b|" so `LIKE '%|a|%'` finds the instance; names that do not fit are left out (no delivery to them)."""
    if not names:
        return None
    text = "|"
    for name in names:
        if "|" not in name and len(text) + len(name) + 1 <= _WAITING_LIMIT:
            text += f"{name}|"
    return text if text != "|" else None


_THROWN_COMMITTED = "jixiao.thrown_messages.committed"


def take_thrown() -> list[Any]:
    """The messages thrown by the steps this session saved and committed (call after commit). Those of a step
    rolled back are gone with it; a rollback later does not lose those already committed."""
    return db.session.info.pop(_THROWN_COMMITTED, [])


def save_workflow(instance: ProcessInstance, wf: Workflow, step: str | None = None) -> list[TaskRow]:
    """Write state, status and next timer of an ORM-loaded instance, mirror its ready user tasks and
    return the open ones. Flushes (where a stale lock_version raises StaleDataError); the caller commits."""
    now = get_clock().now()
    saved = workflow_columns(wf, instance.title, now, step or instance.title or instance.process_key)
    for column, value in saved.values.items():
        setattr(instance, column, value)
    db.session.flush()
    _keep_after_commit(instance.id, lambda: instance.lock_version, saved.values["state"], wf)
    return sync_tasks(instance, saved.ready, saved.data, now)


# --- live workflows across steps: kept only once their step committed ------------------------------

_PENDING = "jixiao.keep_workflows"


def _keep_after_commit(instance_id: int, lock_version: Any, state: str, wf: Workflow) -> None:
    """Offer `wf` to the engine's RecentWorkflows when (and only if) this transaction commits.
    `lock_version` is read then (a callable, for an ORM row that later flushes may bump again)."""
    db.session.info.setdefault(_PENDING, {})[instance_id] = (get_engine(), lock_version, state, wf)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    if thrown := session.info.pop(THROWN, None):
        session.info.setdefault(_THROWN_COMMITTED, []).extend(thrown)
    pending = session.info.pop(_PENDING, None)
    for instance_id, (engine, lock_version, state, wf) in (pending or {}).items():
        engine.recent.keep(instance_id, lock_version() if callable(lock_version) else lock_version, state, wf)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(THROWN, None)  # the step that threw them is gone


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outer transaction ended without after_commit taking its workflows
        session.info.pop(_PENDING, None)
        session.info.pop(THROWN, None)


# --- the task hot path: Core statements, built once -------------------------------------------------

_h, _i, _v = HumanTask.__table__, ProcessInstance.__table__, ProcessVersion.__table__
_o = _h.alias("open_rows")
_TASK_COLUMNS = ("id", "instance_id", "spiff_task_id", "task_name", "title", "form_schema", "ui_schema", "role",
                 "organisation_id", "department_id", "sector", "assignee_id", "completed_by_id", "status")
_INSTANCE_COLUMNS = ("id", "process_key", "status", "state", "lock_version", "organisation_id", "department_id",
                     "sector", "title", "started_by_id", "created_at", "version_id")
_STEP = DriverStatement(
    select(
        *(_h.c[c] for c in _TASK_COLUMNS),
        *(_i.c[c].label(f"i_{c}") for c in _INSTANCE_COLUMNS),
        _v.c.number.label("i_version_number"),
        _v.c.checksum.label("i_checksum"),
        select(func.count())
        .where(_o.c.instance_id == _h.c.instance_id, _o.c.status == TaskStatus.OPEN)
        .scalar_subquery()
        .label("i_open_tasks"),
    )
    .select_from(_h.join(_i, _i.c.id == _h.c.instance_id).join(_v, _v.c.id == _i.c.version_id))
    .where(_h.c.id == bindparam("b_task"))
)
# Optimistic lock: of two saves of the same snapshot exactly one matches; the SET columns come from the parameters.
_SAVE = DriverStatement(update(_i).where(_i.c.id == bindparam("b_id"), _i.c.lock_version == bindparam("b_lock")))
# Conditional too: a task finished meanwhile (by any path) is never finished twice.
_FINISH = DriverStatement(
    update(_h)
    .where(_h.c.id == bindparam("b_id"), _h.c.status == TaskStatus.OPEN)
    .values(
        status=TaskStatus.COMPLETED,
        assignee_id=bindparam("b_actor"),
        completed_by_id=bindparam("b_actor"),
        completed_at=bindparam("b_now"),
    )
)
_SPEC = select(_v.c.spec_json).where(_v.c.id == bindparam("b_version"))
_FORMS = select(_v.c.forms).where(_v.c.id == bindparam("b_version"))

# Versions never change, so their forms are cached by cache key like the engine caches their specs.
_FORMS_CACHE: BoundedLRU[str, dict[str, Any]] = BoundedLRU(256)


def load_step(task_id: int) -> tuple[Any, InstanceRef] | None:
    """A task row (duck-types HumanTask for the scope checks) and its instance, in one query."""
    row = _STEP.first(db.session.connection(), {"b_task": task_id})
    if row is None:
        return None
    values = row._asdict()
    instance = InstanceRef(
        **{c: values[f"i_{c}"] for c in _INSTANCE_COLUMNS},
        version_number=row.i_version_number,
        checksum=row.i_checksum,
        open_tasks=row.i_open_tasks,
    )
    return row, instance


def version_forms(instance: InstanceRef) -> dict[str, Any]:
    return _FORMS_CACHE.get_or_make(
        instance.cache_key,
        lambda: db.session.connection().execute(_FORMS, {"b_version": instance.version_id}).scalar_one(),
    )


def load_instance_workflow(instance: InstanceRef) -> Workflow:
    def spec_json() -> str:
        return db.session.connection().execute(_SPEC, {"b_version": instance.version_id}).scalar_one()

    engine: Engine = get_engine()
    wf = engine.recent.take(instance.id, instance.lock_version, instance.cache_key, instance.state)
    return wf if wf is not None else engine.load(instance.cache_key, spec_json, instance.state)


def save_step(
    instance: InstanceRef, wf: Workflow, now: datetime, *, task_id: int, actor_id: int, step: str | None = None
) -> Outcome:
    """Save the step that completed task `task_id`: the instance (Conflict when someone saved it since it
    was read), the task as done by `actor_id`, and the mirror of the ready tasks. Nothing is committed here."""
    saved = workflow_columns(wf, instance.title, now, step or str(task_id))
    ready, data, values = saved.ready, saved.data, saved.values
    status, state = values["status"], values["state"]
    completed_at = values.get("completed_at")
    title = values.get("title", instance.title)
    values = {**values, "lock_version": instance.lock_version + 1}
    conn = db.session.connection()
    # The message is translated only when needed: gettext picks the request's locale, a visible cost per call.
    if _SAVE.rowcount(conn, {"b_id": instance.id, "b_lock": instance.lock_version, **values}) != 1:
        raise Conflict(_("流程已被他人更新，请刷新后重试"))
    if _FINISH.rowcount(conn, {"b_id": task_id, "b_actor": actor_id, "b_now": now}) != 1:
        raise Conflict(_("流程已被他人更新，请刷新后重试"))
    # Our lock_version held, so the open rows are the ones counted at read time, less the one just finished.
    open_rows = sync_tasks(instance, ready, data, now, others_open=instance.open_tasks > 1)
    _keep_after_commit(instance.id, instance.lock_version + 1, state, wf)
    summary = InstanceSummary(
        instance.id, instance.process_key, instance.version_number, status, title, None,
        instance.created_at, completed_at,
    )
    return Outcome(summary, open_rows)
