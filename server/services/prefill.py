"""What a form starts from when its step is reached again (issue 12.7).

The flow's data still holds what the step's earlier pass submitted: for a unit revising its own application
that is the point (it edits what it wrote), but a reviewer reached again after a revision is asked for a new
judgement — round 1's verdict and opinion filled in would be re-sent with one click. So a step of a judging
role starts without the values its previous pass submitted (the earlier rounds stay readable in the task
page's history); values the flow has changed since, or computed for this pass, are kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.db import db
from server.models import AuditEvent, HumanTask, Role

AUTHORS = frozenset({Role.UNIT_STAFF.value})  # roles whose repeated steps revise their own earlier work


def previous_submission(task: HumanTask) -> dict[str, Any] | None:
    """What the latest earlier pass of this step in this instance submitted, if the step was done before."""
    data = db.session.scalar(
        select(AuditEvent.data)
        .join(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.instance_id == task.instance_id, AuditEvent.action == "complete",
               HumanTask.task_name == task.task_name, HumanTask.id != task.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return data if isinstance(data, dict) else None


def starting_values(task: HumanTask, flow_data: dict[str, Any]) -> dict[str, Any]:
    if task.role in AUTHORS or not flow_data:
        return flow_data
    earlier = previous_submission(task)
    if not earlier:
        return flow_data
    return {k: v for k, v in flow_data.items() if not (k in earlier and earlier[k] == v)}
