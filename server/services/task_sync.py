"""Mirror a workflow's ready user tasks into the human task table after every engine step."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from server.db import db
from server.engine.runtime import UserTaskView
from server.models import HumanTask, InstanceParticipant, ProcessInstance, TaskStatus, User

# Workflow data keys copied onto task rows so lists can show, sort and search them.
PROJECT_NAME_KEY = "project_name"
PROJECT_CODE_KEY = "project_code"
AMOUNT_KEY = "amount"
# spiff-arena's convention for naming who works in a lane: {"expert": ["expert1", ...]}.
LANE_OWNERS_KEY = "lane_owners"


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def _user_ids(usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    rows = db.session.execute(select(User.username, User.id).where(User.username.in_(sorted(usernames))))
    return dict(rows.tuples().all())


def sync_tasks(
    instance: ProcessInstance, ready: list[UserTaskView], data: dict[str, Any], now: datetime
) -> list[HumanTask]:
    """Open rows for new ready tasks, cancel rows whose task the flow left behind, refresh business fields.

    Returns the instance's open rows in the order the flow made them ready.
    """
    with db.session.no_autoflush:
        # Rows this request already completed are still 'open' in the database; skip them by their new status.
        open_rows = [
            row
            for row in db.session.scalars(
                select(HumanTask).where(
                    HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN
                )
            )
            if row.status == TaskStatus.OPEN
        ]
    by_spiff = {row.spiff_task_id: row for row in open_rows}
    ready_ids = {view.task_id for view in ready}

    for row in open_rows:
        if row.spiff_task_id not in ready_ids:
            row.status = TaskStatus.CANCELLED
            row.completed_at = now

    name = _text(data.get(PROJECT_NAME_KEY), 200)
    code = _text(data.get(PROJECT_CODE_KEY), 100)
    amount = _amount(data.get(AMOUNT_KEY))
    if name:
        instance.title = name
    new_views = [view for view in ready if view.task_id not in by_spiff]
    owners = data.get(LANE_OWNERS_KEY) if isinstance(data.get(LANE_OWNERS_KEY), dict) else {}
    wanted = {v.assignee for v in new_views if v.assignee}
    wanted |= {u for users in owners.values() if isinstance(users, list) for u in users if isinstance(u, str)}
    ids = _user_ids(wanted)
    _sync_participants(instance, owners, ids, new_views)

    created: list[HumanTask] = []
    for view in new_views:
        created.append(
            HumanTask(
                instance_id=instance.id,
                spiff_task_id=view.task_id,
                task_name=view.name,
                title=view.title[:200],
                instructions=view.instructions,
                form_schema=view.form_schema,
                ui_schema=view.ui_schema,
                role=view.lane or "",
                organisation_id=instance.organisation_id,
                department_id=instance.department_id,
                sector=instance.sector,
                assignee_id=ids.get(view.assignee) if view.assignee else None,
                status=TaskStatus.OPEN,
                due_at=view.due_at,
                process_key=instance.process_key,
                project_name=name,
                project_code=code,
                amount=amount,
                created_at=now,
            )
        )
    db.session.add_all(created)
    still_open = [row for row in open_rows if row.status == TaskStatus.OPEN]
    for row in still_open:
        if (row.project_name, row.project_code, row.amount) != (name, code, amount):
            row.project_name, row.project_code, row.amount = name, code, amount
    return still_open + created


def _sync_participants(
    instance: ProcessInstance, owners: dict, ids: dict[str, int], new_views: list[UserTaskView]
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
