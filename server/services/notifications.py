"""In-app notices (reminders, escalations) for the inbox's panel, and marking them read.

A notice names a role and the instance it is about; the instance's scope decides which holders of the role
read it (a unit's notices also name the unit).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.extensions import get_clock
from server.models import Notification, ProcessInstance, User
from server.services.errors import NotFound
from server.services.scope import ScopedBy, role_scope_clause

PANEL_SIZE = 10


def _of_instance(column) -> ColumnElement:
    return select(column).where(ProcessInstance.id == Notification.instance_id).scalar_subquery()


# A notice names its role and unit; its department and sector are those of the instance it is about.
_NOTICE_SCOPE = ScopedBy(Notification.role, Notification.organisation_id, _of_instance(ProcessInstance.department_id),
                         _of_instance(ProcessInstance.sector), Notification.instance_id)


def _for(user: User) -> ColumnElement[bool]:
    """A notice reaches the holders of its role within the scope of the instance it is about: the rule that
    offers that role's tasks (services/scope.py), so 农业农村股 never reads 教科文股's notices."""
    return role_scope_clause(user, _NOTICE_SCOPE)


addressed_to = _for  # the notices .xlsx export (inbox_export.py)


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


def mark_all_read(user: User) -> int:
    """Mark every unread notice the user reads as read; how many were."""
    done = db.session.execute(
        update(Notification)
        .where(_for(user), Notification.read_at.is_(None))
        .values(read_at=get_clock().now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return done
