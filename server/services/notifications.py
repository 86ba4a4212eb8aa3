"""In-app notices (reminders, escalations) for the inbox's panel, and marking them read.

A notice goes to a role in one organisation; with no organisation it is for the finance bureau's own offices.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.extensions import get_clock
from server.models import Notification, OrgKind, User
from server.services.errors import NotFound

PANEL_SIZE = 10
FINANCE_KINDS = (OrgKind.FINANCE_BUREAU, OrgKind.FINANCE_OFFICE)


def _for(user: User) -> ColumnElement[bool]:
    own = Notification.organisation_id == user.organisation_id
    if user.organisation.kind in FINANCE_KINDS:
        own = or_(own, Notification.organisation_id.is_(None))
    return and_(Notification.role.in_(sorted(user.roles)), own)


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
