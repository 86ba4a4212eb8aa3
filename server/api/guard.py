"""Authentication for API endpoints: a bearer token, or the browser session plus a CSRF header."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request, session
from flask_babel import gettext as _
from flask_login import current_user

from server.api.errors import http_error
from server.auth import bearer_token
from server.models import User
from server.request_hygiene import MAX_JSON_DEPTH, NOT_CHECKED, checked_json
from server.services.auth import Principal, user_for_token
from server.services.errors import ValidationFailed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Forms nest a few levels (indicator tables in rows); anything deeper is refused before it reaches the engine.


def _resolve_user() -> User | Principal | None:
    """A bearer token, when sent, decides alone: a stale token never falls back to a cookie's session."""
    token = bearer_token(request)
    if token is not None:
        g.api_token = token
        return user_for_token(token)
    g.api_token = None
    return current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = _resolve_user()
        if user is None:
            return http_error(401)
        # A cookie rides along with any cross-site form post; without a bearer token, demand the CSRF header.
        if request.method not in SAFE_METHODS and g.api_token is None:
            sent = request.headers.get("X-CSRF-Token", "")
            expected = session.get("csrf_token", "")
            if not expected or not hmac.compare_digest(sent, expected):
                return http_error(403, _("缺少或错误的 CSRF 令牌"))
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def me() -> User:
    """The caller: a Principal for bearer tokens (duck-types User), the ORM User for browser sessions."""
    return g.api_user


def json_body() -> dict[str, Any]:
    """The request's JSON object; anything else is a 422 the caller can act on."""
    if not request.is_json:
        raise ValidationFailed(_("请求体必须是 JSON（Content-Type: application/json）"))
    body = checked_json()
    if body is NOT_CHECKED:  # the door did not parse it (an endpoint that checks its own fields, an empty body)
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None  # nesting deep enough to exhaust the parser: hostile, not a form
        if isinstance(body, dict) and _depth(body) > MAX_JSON_DEPTH:
            raise ValidationFailed(_("请求体嵌套层级过深（最多 %(n)s 层）", n=MAX_JSON_DEPTH))
    if not isinstance(body, dict):
        raise ValidationFailed(_("请求体不是有效的 JSON 对象"))
    return body


def _depth(value: Any) -> int:
    """Nesting depth, counted without recursion so a hostile document cannot exhaust the stack here either."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
