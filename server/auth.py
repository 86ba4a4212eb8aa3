"""flask-login wiring for browser sessions, and reading a bearer token from a request."""

from __future__ import annotations

from flask import Flask, Request, g, session
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_login import current_user

from server.extensions import login_manager
from server.models import User
from server.services import login_sessions


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _login_message() -> str:
    if g.get("session_expired"):
        return _("登录已超时（长时间未操作或登录时间过长），请重新登录")
    return _("请先登录")


def init_auth(app: Flask) -> None:
    login_manager.login_message = LazyString(_login_message)

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        # The cookie opens nothing unless its server-side session is still open (logout revokes it).
        return login_sessions.user_for_session(user_id)

    @app.before_request
    def _session_in_use() -> None:
        # Resolve the browser's login first, so an idle or too-old session is ended (and a live one marked in
        # use) before the view starts its own transaction.
        if login_sessions.SESSION_KEY in session:
            current_user.is_authenticated  # noqa: B018 (loads the user)
            login_sessions.record_use()
