"""Server-side login sessions: a signed cookie alone no longer opens anything once its session is revoked.

Every login (web form or POST /api/v1/session) starts a row; the browser's signed session cookie carries its
random key, and flask-login's user loader accepts the cookie only while that row is open and the user active.
Logging out revokes the row (and the bearer token issued with it); a password change or a deactivation
revokes every session and token the user holds. A session also ends after SESSION_IDLE_MINUTES without a
request and SESSION_MAX_HOURS after login; the login page then says why.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, session
from sqlalchemy import select, update

from server.db import db
from server.extensions import get_clock
from server.models import ApiToken, LoginSession, User
from server.services.auth import _digest as token_digest
from server.services.auth import hash_password

# The key's name inside Flask's signed session cookie.
SESSION_KEY = "_jx_sid"
MAX_KEY = 200
# last_seen_at is written at most this often: a page view is a read, not a write, nearly every time.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, *, token: str | None = None) -> None:
    """A new server-side session for this browser (after login_user), linked to the bearer token if any."""
    key = secrets.token_urlsafe(32)
    token_id = None
    if token is not None:
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == token_digest(token)))
    now = get_clock().now()
    db.session.add(LoginSession(key_hash=_digest(key), user_id=user.id, api_token_id=token_id,
                                created_at=now, last_seen_at=now))
    db.session.commit()
    session[SESSION_KEY] = key


def user_for_session(user_id: str) -> User | None:
    """flask-login's user loader: the cookie's user while its session is open, in time, and the user active."""
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or not key or len(key) > MAX_KEY or not user_id.isdigit():
        return None
    found = db.session.execute(
        select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.key_hash == _digest(key),
            LoginSession.revoked_at.is_(None),
            User.id == int(user_id),
            User.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    user, row = found
    now = get_clock().now()
    if _expired(row, now):
        g.session_expired = True  # read by the login message (server/auth.py)
        g.session_touch = (row.id, None)
        return None
    if now - (row.last_seen_at or row.created_at) >= TOUCH_EVERY:
        g.session_touch = (row.id, now)
    return user


def _expired(row: LoginSession, now: datetime) -> bool:
    idle = current_app.config.get("SESSION_IDLE_MINUTES") or 0
    longest = current_app.config.get("SESSION_MAX_HOURS") or 0
    if idle and now - (row.last_seen_at or row.created_at) > timedelta(minutes=idle):
        return True
    return bool(longest) and now - row.created_at > timedelta(hours=longest)


def record_use() -> None:
    """Before the request's own work: end an expired session for good, or note that this one is in use.

    Runs while the request has nothing pending, so its commit carries nothing of the view's work.
    """
    touch = g.pop("session_touch", None)
    if touch is None:
        return
    row_id, seen = touch
    values = {"last_seen_at": seen} if seen is not None else {"revoked_at": get_clock().now()}
    db.session.execute(update(LoginSession).where(LoginSession.id == row_id).values(**values))
    db.session.commit()
    if seen is None:
        session.pop(SESSION_KEY, None)


def end_current() -> None:
    """Logout: revoke this browser's session and the bearer token issued with it, then forget the key."""
    key = session.pop(SESSION_KEY, None)
    if not isinstance(key, str) or not key or len(key) > MAX_KEY:
        return
    row = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == _digest(key)))
    if row is None:
        return
    if row.revoked_at is None:
        row.revoked_at = get_clock().now()
    if row.api_token_id is not None:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.api_token_id).values(revoked=True))
    db.session.commit()


def end_for_token(token: str) -> None:
    """Logout with a bearer token: the browser session started with the same login ends too."""
    token_id = select(ApiToken.id).where(ApiToken.token_hash == token_digest(token)).scalar_subquery()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.api_token_id == token_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=get_clock().now())
    )
    db.session.commit()


def revoke_all_for(user: User) -> None:
    """Every session and bearer token of this user stops working (the caller commits)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=get_clock().now())
    )
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                       .values(revoked=True))


def change_password(user: User, new_password: str) -> None:
    """A new password ends every session and token opened with the old one."""
    user.password_hash = hash_password(new_password)
    revoke_all_for(user)
    db.session.commit()


def deactivate(user: User) -> None:
    """A deactivated user is logged out everywhere at once and cannot log in again."""
    user.active = False
    revoke_all_for(user)
    db.session.commit()
