"""In-app notices (reminders, escalations) for the inbox's panel, and marking them read.

A notice names a role and the instance it is about; the instance's scope decides which holders of the role
read it (a unit's notices also name the unit).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.extensions import get_clock
from server.models import InstanceParticipant, Notification, OrgKind, ProcessInstance, Role, User
from server.services.errors import NotFound
from server.services.scope import COUNTY_WIDE_ROLES

PANEL_SIZE = 10


def _for(user: User) -> ColumnElement[bool]:
    """A notice reaches the holders of its role within the scope of the instance it is about: the same
    scope that offers that role's tasks (services/scope.py), so 农业农村股 never reads 教科文股's notices."""
    roles, org = user.roles, user.organisation
    about = ProcessInstance.id == Notification.instance_id
    clauses: list[ColumnElement[bool]] = []
    if Role.UNIT_STAFF in roles:
        clauses.append(and_(Notification.role == Role.UNIT_STAFF, Notification.organisation_id == org.id))
    if Role.DEPT_REVIEWER in roles and org.kind == OrgKind.DEPARTMENT:
        clauses.append(and_(Notification.role == Role.DEPT_REVIEWER,
                            exists().where(about, ProcessInstance.department_id == org.id)))
    if Role.FINANCE_SECTION in roles and user.sectors:
        clauses.append(and_(Notification.role == Role.FINANCE_SECTION,
                            exists().where(about, ProcessInstance.sector.in_(sorted(user.sectors)))))
    if Role.EXPERT in roles:
        clauses.append(and_(Notification.role == Role.EXPERT, exists().where(
            InstanceParticipant.instance_id == Notification.instance_id, InstanceParticipant.user_id == user.id)))
    clauses.extend(Notification.role == role for role in COUNTY_WIDE_ROLES if role in roles)
    return or_(*clauses) if clauses else false()


def unread(user: User, limit: int = PANEL_SIZE) -> list[Notification]:
    stmt = (
        select(Notification)
        .where(_for(user), Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def mark_read(user: User, notification_id: int) -> None:
    """Mark one of the user's notices read; anyone else's is 'not found'."""
    done = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, _for(user))
        .values(read_at=func.coalesce(Notification.read_at, get_clock().now()))
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise NotFound(_("通知不存在"))
    db.session.commit()
