"""Failed-login rate limits, kept in the login_attempts table so they hold across app servers.

A username is locked after USER_LIMIT failures within WINDOW (counted since its last success), an address
after ADDR_LIMIT failures within WINDOW. Refused attempts are not recorded, so a lock ends WINDOW after the
failure that caused it, however often someone keeps knocking.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil

from flask_babel import gettext as _
from sqlalchemy import func, select

from server.db import db
from server.extensions import get_clock
from server.models import LoginAttempt
from server.services.errors import ServiceError

WINDOW = timedelta(minutes=15)
USER_LIMIT = 5
ADDR_LIMIT = 20


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def normalise(username: str) -> str:
    return username.strip().lower()[:150]


def _unlocked_at(failures: list[datetime], limit: int) -> datetime | None:
    """When the oldest failure that keeps the count at the limit leaves the window; None when not locked."""
    if len(failures) < limit:
        return None
    return sorted(failures)[-limit] + WINDOW


def check(username: str, remote_addr: str) -> None:
    """Raise TooManyAttempts while the username or the address is locked."""
    now = get_clock().now()
    since = now - WINDOW
    name = normalise(username)
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == name, LoginAttempt.succeeded.is_(True), LoginAttempt.attempted_at > since
        )
    )
    counted_from = max(since, last_success) if last_success else since
    user_failures = db.session.scalars(
        select(LoginAttempt.attempted_at).where(
            LoginAttempt.username == name,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > counted_from,
        ).order_by(LoginAttempt.attempted_at.desc()).limit(USER_LIMIT)
    ).all()
    addr_failures = db.session.scalars(
        select(LoginAttempt.attempted_at).where(
            LoginAttempt.remote_addr == remote_addr[:64],
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > since,
        ).order_by(LoginAttempt.attempted_at.desc()).limit(ADDR_LIMIT)
    ).all()
    locks = [_unlocked_at(list(user_failures), USER_LIMIT), _unlocked_at(list(addr_failures), ADDR_LIMIT)]
    until = max((t for t in locks if t is not None), default=None)
    if until is None:
        return
    seconds = max(1, int((until - now).total_seconds()))
    raise TooManyAttempts(
        _("登录失败次数过多，请 %(minutes)s 分钟后再试。", minutes=ceil(seconds / 60)), retry_after=seconds
    )


def record(username: str, remote_addr: str, *, succeeded: bool) -> None:
    db.session.add(
        LoginAttempt(
            username=normalise(username),
            remote_addr=remote_addr[:64],
            succeeded=succeeded,
            attempted_at=get_clock().now(),
        )
    )
    db.session.commit()
