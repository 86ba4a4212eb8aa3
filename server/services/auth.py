"""Password login and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from server.db import db
from server.extensions import get_clock
from server.models import ApiToken, User
from server.services.errors import ServiceError

# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class LoginFailed(ServiceError):
    status = 401
    code = "unauthorized"


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise LoginFailed(_("用户名或密码错误"))
    if not check_password_hash(user.password_hash, password) or not user.active:
        raise LoginFailed(_("用户名或密码错误"))
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = get_clock().now()
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    db.session.add(ApiToken(token_hash=_digest(token), user_id=user.id, created_at=now, expires_at=now + ttl))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    # Every API request comes through here: token, user, organisation, roles and sectors in one query.
    user_path = joinedload(ApiToken.user)
    stmt = (
        select(ApiToken)
        .where(ApiToken.token_hash == _digest(token))
        .options(user_path.joinedload(User.role_rows), user_path.joinedload(User.sector_rows))
    )
    row = db.session.execute(stmt).unique().scalar_one_or_none()
    if row is None or row.revoked or row.expires_at <= get_clock().now() or not row.user.active:
        return None
    return row.user


def revoke_token(token: str) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None:
        row.revoked = True
        db.session.commit()
