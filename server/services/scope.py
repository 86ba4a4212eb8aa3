"""Who may see and act on which task: one rule, written once as SQL and once for a loaded row.

Scope is data: a task carries the role of its lane and the organisation, department and sector of its
instance; a user's roles, organisation and covered sectors decide which of those rows are theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.models import HumanTask, InstanceParticipant, OrgKind, ProcessInstance, Role, User

# Roles whose tasks go to any holder of the role, county-wide.
COUNTY_WIDE_ROLES = (Role.PERFORMANCE_OFFICE.value, Role.ADMIN.value)


@dataclass(frozen=True)
class ScopedBy:
    """Where a row keeps the role it is for and the scope of the instance it belongs to (columns, or
    expressions reaching the instance)."""

    role: Any
    organisation_id: Any
    department_id: Any
    sector: Any
    instance_id: Any


TASK_SCOPE = ScopedBy(HumanTask.role, HumanTask.organisation_id, HumanTask.department_id, HumanTask.sector,
                      HumanTask.instance_id)


def role_scope_clause(user: User, row: ScopedBy) -> ColumnElement[bool]:
    """SQL condition: the row's role and scope reach this user. Tasks and notices share this one rule."""
    roles = user.roles
    org = user.organisation
    clauses: list[ColumnElement[bool]] = []
    if Role.UNIT_STAFF in roles:
        clauses.append(and_(row.role == Role.UNIT_STAFF, row.organisation_id == user.organisation_id))
    if Role.DEPT_REVIEWER in roles and org.kind == OrgKind.DEPARTMENT:
        clauses.append(and_(row.role == Role.DEPT_REVIEWER, row.department_id == org.id))
    if Role.FINANCE_SECTION in roles and user.sectors:
        clauses.append(and_(row.role == Role.FINANCE_SECTION, row.sector.in_(sorted(user.sectors))))
    clauses.extend(row.role == role for role in COUNTY_WIDE_ROLES if role in roles)
    if Role.EXPERT in roles:
        assigned = select(InstanceParticipant.instance_id).where(
            InstanceParticipant.user_id == user.id, InstanceParticipant.role == Role.EXPERT
        )
        clauses.append(and_(row.role == Role.EXPERT, row.instance_id.in_(assigned)))
    return or_(*clauses) if clauses else false()


def claimable_clause(user: User) -> ColumnElement[bool]:
    """SQL condition: the task's lane and scope offer it to this user (ignoring who holds it)."""
    return role_scope_clause(user, TASK_SCOPE)


def offered_to(user: User, task: HumanTask) -> bool:
    """The Python twin of claimable_clause for one loaded task."""
    roles = user.roles
    if task.role not in roles:
        return False
    match task.role:
        case Role.UNIT_STAFF:
            return task.organisation_id == user.organisation_id
        case Role.DEPT_REVIEWER:
            return user.organisation.kind == OrgKind.DEPARTMENT and task.department_id == user.organisation_id
        case Role.FINANCE_SECTION:
            return task.sector is not None and task.sector in user.sectors
        case Role.EXPERT:
            return is_participant(user, task.instance_id, Role.EXPERT)
        case _:
            return task.role in COUNTY_WIDE_ROLES


def may_view_task(user: User, task: HumanTask) -> bool:
    return user.id in (task.assignee_id, task.completed_by_id) or offered_to(user, task)


def may_act_on_task(user: User, task: HumanTask) -> bool:
    """Holder of the task, or anyone it is offered to while nobody holds it."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return offered_to(user, task)


def is_participant(user: User, instance_id: int, role: str) -> bool:
    stmt = select(InstanceParticipant.id).where(
        InstanceParticipant.instance_id == instance_id,
        InstanceParticipant.user_id == user.id,
        InstanceParticipant.role == role,
    )
    return db.session.scalar(stmt.limit(1)) is not None


def may_view_instance(user: User, instance: ProcessInstance) -> bool:
    """County-wide offices see every instance; others see their organisation's, their department's and
    sectors' instances, and those they started, hold or did a task in."""
    roles = user.roles
    if roles & set(COUNTY_WIDE_ROLES):
        return True
    if instance.started_by_id == user.id or instance.organisation_id == user.organisation_id:
        return True
    if Role.DEPT_REVIEWER in roles and instance.department_id == user.organisation_id:
        return True
    if Role.FINANCE_SECTION in roles and instance.sector in user.sectors:
        return True
    if Role.EXPERT in roles and is_participant(user, instance.id, Role.EXPERT):
        return True
    touched = select(HumanTask.id).where(
        HumanTask.instance_id == instance.id,
        or_(HumanTask.assignee_id == user.id, HumanTask.completed_by_id == user.id),
    )
    return db.session.scalar(touched.limit(1)) is not None
