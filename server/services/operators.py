"""Domain service-task operators: the only way a BPMN diagram changes the domain tables.

Each runs inside the request's transaction, so a failing step later in the same request undoes it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall, OperatorRegistry
from server.extensions import get_clock
from server.models import ProcessInstance, Project, ProjectStatus, User


@dataclass(frozen=True)
class OperatorContext:
    """What the service layer hands the engine for operators: the instance being run and who ran it."""

    instance: ProcessInstance
    actor: User | None


def _instance(call: OperatorCall) -> ProcessInstance:
    if not isinstance(call.context, OperatorContext):
        raise RuntimeError("operator called outside the service layer")
    return call.context.instance


def admit_to_library(call: OperatorCall, *, name: Any, amount: Any, code: Any = None) -> dict[str, Any]:
    """library.admit: enter (or update) the instance's project in the project library at the approved amount."""
    instance = _instance(call)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as err:
        raise ValueError(f"入库金额“{amount}”不是数字") from err
    if value < 0:
        raise ValueError("入库金额不能为负数")
    code = str(code or f"XM-{get_clock().now():%Y}-{instance.id:06d}")[:100]
    project = db.session.scalar(select(Project).where(Project.code == code))
    if project is None:
        project = Project(
            code=code,
            organisation_id=instance.organisation_id,
            department_id=instance.department_id,
            sector=instance.sector,
            instance_id=instance.id,
            created_at=get_clock().now(),
        )
        db.session.add(project)
    project.name = str(name)[:200]
    project.amount = value
    project.status = ProjectStatus.IN_LIBRARY
    db.session.flush()
    return {"project_id": project.id, "project_code": project.code}


def register_domain_operators(registry: OperatorRegistry) -> None:
    registry.register("library.admit", admit_to_library)
