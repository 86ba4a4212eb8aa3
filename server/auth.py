"""flask-login wiring for browser sessions, and reading a bearer token from a request."""

from __future__ import annotations

from flask import Flask, Request
from flask_babel import lazy_gettext

from server.extensions import login_manager
from server.models import User
from server.services import login_sessions


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def init_auth(app: Flask) -> None:
    login_manager.login_message = lazy_gettext("请先登录")

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        # The cookie opens nothing unless its server-side session is still open (logout revokes it).
        return login_sessions.user_for_session(user_id)
