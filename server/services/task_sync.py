"""Mirror a workflow's ready user tasks into the human task table after every engine step.

Plain Core statements: this runs on every request that moves a flow, and ORM units of work cost more than
the SQL itself here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update

from server.db import db
from server.driver_sql import DriverStatement
from server.engine.runtime import UserTaskView
from server.models import HumanTask, InstanceParticipant, TaskStatus, User, UserRole

# Workflow data keys copied onto task rows so lists can show, sort and search them.
PROJECT_NAME_KEY = "project_name"
PROJECT_CODE_KEY = "project_code"
AMOUNT_KEY = "amount"
# spiff-arena's convention for naming who works in a lane: {"expert": ["expert1", ...]}.
LANE_OWNERS_KEY = "lane_owners"


class InstanceScope(Protocol):
    """What task rows copy from their instance (a ProcessInstance, or the hot path's InstanceRef)."""

    id: int
    process_key: str
    organisation_id: int
    department_id: int | None
    sector: str | None


@dataclass(frozen=True)
class BusinessFields:
    project_name: str | None
    project_code: str | None
    amount: Decimal | None


@dataclass(frozen=True)
class TaskRow:
    """An open task row as saved: the columns API answers show."""

    id: int
    title: str
    task_name: str  # the BPMN element id (answers call it element_id)
    process_key: str
    instance_id: int
    role: str
    status: TaskStatus
    assignee_id: int | None
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    project_name: str | None
    project_code: str | None
    amount: Decimal | None


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def business_fields(data: dict[str, Any]) -> BusinessFields:
    return BusinessFields(
        _text(data.get(PROJECT_NAME_KEY), 200), _text(data.get(PROJECT_CODE_KEY), 100), _amount(data.get(AMOUNT_KEY))
    )


_h = HumanTask.__table__
_ROW_FIELDS = tuple(TaskRow.__dataclass_fields__)
_ROW_COLUMNS = [_h.c[name] for name in _ROW_FIELDS]
_OPEN_ROWS = DriverStatement(
    select(*_ROW_COLUMNS, _h.c.spiff_task_id)
    .where(_h.c.instance_id == bindparam("b_instance"), _h.c.status == TaskStatus.OPEN)
    .order_by(_h.c.id)
)
_BY_IDS = _h.c.id.in_(bindparam("b_ids", expanding=True))
_CANCEL = update(_h).where(_BY_IDS).values(status=TaskStatus.CANCELLED, completed_at=bindparam("b_now"))
_REFRESH = update(_h).where(_BY_IDS)  # SET columns come from the parameters
_INSERT = DriverStatement(insert(_h).returning(_h.c.id))


def _task_row(values: Mapping[str, Any], **override: Any) -> TaskRow:
    return TaskRow(**{name: override.get(name, values.get(name)) for name in _ROW_FIELDS})


def _user_ids(usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    rows = db.session.execute(select(User.username, User.id).where(User.username.in_(sorted(usernames))))
    return dict(rows.tuples().all())


def sync_tasks(
    instance: InstanceScope, ready: list[UserTaskView], data: dict[str, Any], now: datetime, *, others_open: bool = True
) -> list[TaskRow]:
    """Open rows for new ready tasks, cancel rows whose task the flow left behind, refresh business fields.

    Rows completed earlier in this request must already be marked so; `others_open=False` says the caller
    knows no other row is open (skips a query). Returns the instance's open rows in the order the flow
    made them ready.
    """
    conn = db.session.connection()
    open_rows = _OPEN_ROWS.rows(conn, {"b_instance": instance.id}) if others_open else []
    ready_ids = {view.task_id for view in ready}
    if gone := [row.id for row in open_rows if row.spiff_task_id not in ready_ids]:
        conn.execute(_CANCEL, {"b_ids": gone, "b_now": now})
    biz = business_fields(data)
    fields = {"project_name": biz.project_name, "project_code": biz.project_code, "amount": biz.amount}
    still_open = [_task_row(row._asdict(), **fields) for row in open_rows if row.spiff_task_id in ready_ids]
    stale = [row.id for row in open_rows if row.spiff_task_id in ready_ids
             and (row.project_name, row.project_code, row.amount) != (biz.project_name, biz.project_code, biz.amount)]
    if stale:
        conn.execute(_REFRESH, {"b_ids": stale, **fields})

    known = {row.spiff_task_id for row in open_rows}
    new_views = [view for view in ready if view.task_id not in known]
    owners = data.get(LANE_OWNERS_KEY) if isinstance(data.get(LANE_OWNERS_KEY), dict) else {}
    wanted = {v.assignee for v in new_views if v.assignee}
    wanted |= {u for users in owners.values() if isinstance(users, list) for u in users if isinstance(u, str)}
    ids = _user_ids(wanted)
    _sync_participants(instance, owners, ids, new_views)
    if not new_views:
        return still_open
    handlers = _previous_handlers(instance.id, {v.name: v.lane or "" for v in new_views
                                                if v.done_before and not v.assignee})

    values = [
        {
            "instance_id": instance.id,
            "spiff_task_id": view.task_id,
            "task_name": view.name,
            "title": view.title[:200],
            "instructions": view.instructions,
            "form_schema": view.form_schema,
            "ui_schema": view.ui_schema,
            "role": view.lane or "",
            "organisation_id": instance.organisation_id,
            "department_id": instance.department_id,
            "sector": instance.sector,
            "assignee_id": ids.get(view.assignee) if view.assignee else handlers.get(view.name),
            "status": TaskStatus.OPEN,
            "due_at": view.due_at,
            "process_key": instance.process_key,
            "created_at": now,
            "completed_at": None,
            "completed_by_id": None,
            **fields,
        }
        for view in new_views
    ]
    # One INSERT per row: usually a single task, and cheaper than an executemany with RETURNING.
    new_ids = [_INSERT.rows(conn, row)[0].id for row in values]
    created = [_task_row(row, id=new_id) for new_id, row in zip(new_ids, values, strict=True)]
    return still_open + created


def _previous_handlers(instance_id: int, lanes: dict[str, str]) -> dict[str, int]:
    """Who last completed each of these steps in this instance and still holds the step's role: a task sent
    back goes to its handler's 我的待办 (they may unclaim it for a colleague) rather than to everyone."""
    if not lanes:
        return {}
    rows = db.session.execute(
        select(_h.c.task_name, _h.c.completed_by_id)
        .join(UserRole, UserRole.user_id == _h.c.completed_by_id)
        .join(User, User.id == _h.c.completed_by_id)
        .where(User.active, _h.c.instance_id == instance_id, _h.c.task_name.in_(sorted(lanes)),
               _h.c.status == TaskStatus.COMPLETED, UserRole.role == _h.c.role)
        .order_by(_h.c.completed_at, _h.c.id)
    ).tuples()
    return {name: user_id for name, user_id in rows if user_id is not None}  # the latest wins


def _sync_participants(
    instance: InstanceScope, owners: dict, ids: dict[str, int], new_views: list[UserTaskView]
) -> None:
    """Record lane owners and pre-assigned users as participants, so experts see the instance they serve."""
    wanted: set[tuple[int, str]] = set()
    for role, users in owners.items():
        if isinstance(users, list):
            wanted |= {(ids[u], str(role)) for u in users if isinstance(u, str) and u in ids}
    wanted |= {(ids[v.assignee], v.lane or "") for v in new_views if v.assignee in ids}
    if not wanted:
        return
    existing = set(
        db.session.execute(
            select(InstanceParticipant.user_id, InstanceParticipant.role).where(
                InstanceParticipant.instance_id == instance.id
            )
        ).tuples()
    )
    for user_id, role in sorted(wanted - existing):
        db.session.add(InstanceParticipant(instance_id=instance.id, user_id=user_id, role=role))
