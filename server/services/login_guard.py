"""The one login guard for both doors (the web form and POST /api/v1/session): `attempt()`.

Failed-login rate limits are kept in the login_attempts table so they hold across app servers. A username is
locked after USER_LIMIT failures within WINDOW (counted since its last success), an address after ADDR_LIMIT
failures within WINDOW. Refused attempts are not recorded, so a lock ends WINDOW after the failure that caused
it, however often someone keeps knocking.

Password hashing is deliberately slow, so a flood of logins could occupy every worker and the CPU: at most
LOGIN_HASH_SLOTS checks run at once per process, and an attempt that finds no free slot within
LOGIN_HASH_WAIT_SECONDS is turned away (503 login_busy) instead of queueing without bound.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from math import ceil

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.db import db
from server.extensions import get_clock
from server.models import LoginAttempt, User
from server.services.auth import LoginFailed, authenticate
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


class LoginBusy(ServiceError):
    status = 503
    code = "login_busy"
    retry_after = 5


def init_app(app: Flask) -> None:
    """Read the hashing bounds (create_app overrides win over the environment) and make this app's slots."""
    # Half the cores per process by default: with a serve process or two, logins keep at most the machine's
    # cores busy hashing and task work keeps its share (bench/production_shape.py measures it).
    app.config.setdefault("LOGIN_HASH_SLOTS", int(os.environ.get("JIXIAO_LOGIN_HASH_SLOTS", 0))
                          or max(1, (os.cpu_count() or 2) // 2))
    # Checks run in low-priority processes (services.password_check); "0" keeps them in the request thread.
    app.config.setdefault("LOGIN_HASH_PROCESSES", os.environ.get("JIXIAO_LOGIN_HASH_PROCESSES", "1") not in ("0", "false", "no"))
    app.config.setdefault("LOGIN_HASH_WAIT_SECONDS", float(os.environ.get("JIXIAO_LOGIN_HASH_WAIT_SECONDS", 2.0)))
    app.extensions["jixiao.login_hash_slots"] = threading.BoundedSemaphore(max(1, int(app.config["LOGIN_HASH_SLOTS"])))


@contextmanager
def hash_slot() -> Iterator[None]:
    """One of this process's password-hashing slots, or LoginBusy when none frees up in time."""
    slots: threading.BoundedSemaphore = current_app.extensions["jixiao.login_hash_slots"]
    if not slots.acquire(timeout=current_app.config["LOGIN_HASH_WAIT_SECONDS"]):
        raise LoginBusy(_("登录人数过多，请稍后再试。"))
    try:
        yield
    finally:
        slots.release()


def attempt(username: str, password: str, remote_addr: str | None) -> User:
    """Log in through the guard: TooManyAttempts (429) while locked, LoginBusy (503) when every hashing slot
    stays taken, LoginFailed (401) for a wrong name or password; each outcome that reached the password
    check is recorded."""
    addr = remote_addr or "unknown"
    check(username, addr)  # cheap refusal before waiting for a slot
    with hash_slot():
        # Again inside the slot: attempts that queued together must not all get past a lock that the ones
        # ahead of them just set. At most LOGIN_HASH_SLOTS guesses per process can overshoot the limit.
        check(username, addr)
        try:
            user = authenticate(username, password)
        except LoginFailed:
            record(username, addr, succeeded=False)
            raise
        except UnicodeEncodeError:
            # A lone surrogate in the password cannot be hashed, so it cannot be anyone's: a plain failure.
            record(username, addr, succeeded=False)
            raise LoginFailed(_("用户名或密码错误")) from None
        record(username, addr, succeeded=True)
    return user


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
    # End the read snapshot first: SQLite refuses (without waiting) a writer whose snapshot another writer
    # made stale, and parallel logins write here all the time. Nothing else is pending at a login.
    db.session.commit()
    db.session.add(
        LoginAttempt(
            username=normalise(username),
            remote_addr=remote_addr[:64],
            succeeded=succeeded,
            attempted_at=get_clock().now(),
        )
    )
    db.session.commit()
