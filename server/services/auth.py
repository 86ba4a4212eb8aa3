"""Password login and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from werkzeug.security import generate_password_hash

from server.db import db
from server.driver_sql import DriverStatement
from server.extensions import get_clock
from server.models import ApiToken, Organisation, OrgKind, User, UserRole, UserSector
from server.services import password_check
from server.services.errors import ServiceError


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when the username is unknown, so both failures take the same time."""
    return generate_password_hash("not-a-real-password", method=method)


def _hash_method() -> str:
    # scrypt in production (server/config.py); only the test fixtures configure a cheap method.
    return current_app.config["PASSWORD_HASH_METHOD"]


class LoginFailed(ServiceError):
    status = 401
    code = "unauthorized"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        password_check.check(_dummy_hash(_hash_method()), password)
        raise LoginFailed(_("用户名或密码错误"))
    if not password_check.check(user.password_hash, password) or not user.active:
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


@dataclass(frozen=True)
class OrganisationRef:
    """The organisation columns scope checks and API answers read (duck-types Organisation)."""

    id: int
    code: str
    name: str
    kind: OrgKind
    sector: str | None
    parent_id: int | None

    @property
    def department_id(self) -> int | None:
        # Same rule as Organisation.department_id.
        if self.kind == OrgKind.DEPARTMENT:
            return self.id
        return self.parent_id if self.kind == OrgKind.UNIT else None


@dataclass(frozen=True)
class Principal:
    """A bearer token's user, read with one Core query per request; duck-types User for services and schemas."""

    id: int
    username: str
    display_name: str
    organisation_id: int
    organisation: OrganisationRef
    roles: frozenset[str]
    sectors: frozenset[str]
    active: bool = True
    language: str | None = None  # the interface language the user picked (users.language)


_t, _u, _o = ApiToken.__table__, User.__table__, Organisation.__table__
_r, _s = UserRole.__table__, UserSector.__table__
# Token, user, organisation, roles and sectors in one round trip (a user has a handful of roles and sectors,
# so the role x sector rows stay few). Built once: statement construction is a visible cost per request.
_PRINCIPAL = DriverStatement(
    select(
        _t.c.expires_at, _t.c.revoked, _u.c.id, _u.c.username, _u.c.display_name, _u.c.active, _u.c.language,
        _o.c.id.label("org_id"), _o.c.code, _o.c.name, _o.c.kind, _o.c.sector.label("org_sector"), _o.c.parent_id,
        _r.c.role, _s.c.sector,
    )
    .select_from(
        _t.join(_u, _u.c.id == _t.c.user_id)
        .join(_o, _o.c.id == _u.c.organisation_id)
        .outerjoin(_r, _r.c.user_id == _u.c.id)
        .outerjoin(_s, _s.c.user_id == _u.c.id)
    )
    .where(_t.c.token_hash == bindparam("token_hash"))
)


def user_for_token(token: str) -> Principal | None:
    """The token's user, or None when unknown, expired, revoked or deactivated — checked on every request."""
    if not token or len(token) > 200:
        return None
    rows = _PRINCIPAL.rows(db.session.connection(), {"token_hash": _digest(token)})
    if not rows:
        return None
    first = rows[0]
    if first.revoked or first.expires_at <= get_clock().now() or not first.active:
        return None
    org = OrganisationRef(first.org_id, first.code, first.name, first.kind, first.org_sector, first.parent_id)
    return Principal(
        id=first.id,
        username=first.username,
        display_name=first.display_name,
        organisation_id=first.org_id,
        organisation=org,
        roles=frozenset(r.role for r in rows if r.role is not None),
        sectors=frozenset(r.sector for r in rows if r.sector is not None),
        active=True,
        language=first.language,
    )


def revoke_token(token: str) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None:
        row.revoked = True
        db.session.commit()
