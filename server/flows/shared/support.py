"""What every domain operator needs: the context the service layer passes, money parsing, the current project."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.models import Notification, Project, User

CENT = Decimal("0.01")


class InstanceLike(Protocol):
    """A ProcessInstance, or the task hot path's InstanceRef: the columns operators read."""

    id: int
    organisation_id: int
    department_id: int | None
    sector: str | None


@dataclass(frozen=True)
class FollowUp:
    """A flow an operator asks to start once its own step has run, owned by the project's unit."""

    process_key: str
    project_id: int
    data: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class OperatorContext:
    """What the service layer hands the engine for operators: the instance being run, who ran it, and the
    flows the step asks to start (started by the service layer in the same transaction, after the step)."""

    instance: InstanceLike
    actor: User | None
    follow_ups: list[FollowUp] = field(default_factory=list)
    notified: set[str] = field(default_factory=set)  # roles an operator sent a notice to in this step


def context(call: OperatorCall) -> OperatorContext:
    if not isinstance(call.context, OperatorContext):
        raise RuntimeError("operator called outside the service layer")
    return call.context


def notify(call: OperatorCall, project: Project | None, role: str, kind: str, message: str) -> Notification:
    """An in-app notice about the instance: to its unit for unit_staff, to the finance bureau's offices otherwise."""
    ctx = context(call)
    row = Notification(
        organisation_id=ctx.instance.organisation_id if role == "unit_staff" else None, role=role, kind=kind[:16],
        text=message[:2000], instance_id=ctx.instance.id, project_id=project.id if project else None,
        created_at=get_clock().now(),
    )
    db.session.add(row)
    ctx.notified.add(role)
    return row


def money(value: Any, what: str, *, allow_none: bool = False) -> Decimal | None:
    """元, two decimals; refuses negatives, booleans and text that is not a number."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{what}“{value}”不是金额")
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError) as err:
        raise ValueError(f"{what}“{value}”不是数字") from err
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what}不能为负数")
    return amount


def optional_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    return int(value)


def text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit columns; PostgreSQL refuses to even compare a larger number


def own_project(call: OperatorCall, project_id: Any = None, *, code: Any = None, missing: str) -> Project:
    """The project named by code or id, which must belong to this instance's unit: another unit's project
    is answered as if it did not exist (`missing`), so a flow cannot learn or touch it."""
    project = None
    if code not in (None, ""):
        project = db.session.scalar(select(Project).where(Project.code == str(code)[:100]))
    else:
        try:
            row_id = optional_int(project_id) if project_id != "" else None
        except (TypeError, ValueError):
            row_id = None
        if row_id is not None and 0 < row_id <= MAX_ROW_ID:
            project = db.session.get(Project, row_id)
    if project is None or project.organisation_id != context(call).instance.organisation_id:
        raise ValueError(missing)
    return project


def instance_project(call: OperatorCall) -> Project:
    """The project this flow applied for (written by library.apply)."""
    instance = context(call).instance
    project = db.session.scalar(
        select(Project).where(Project.instance_id == instance.id).order_by(Project.id.desc()).limit(1)
    )
    if project is None:
        raise ValueError("本流程还没有申报项目（缺少“library.apply”步骤）")
    return project


def number(value: Any) -> Decimal | None:
    """A finite decimal read from a form value, or None for blanks, booleans and text that is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        found = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None
