"""Flask's signed-cookie sessions, without their fixed cost on requests that do not use one.

Stock Flask builds an itsdangerous serializer (which test-serializes an empty dict) on every request, even an
API call with a bearer token and no cookie at all. Here a request without the session cookie starts an empty
session directly, an untouched empty session is not saved (stock Flask does nothing for it either, after
reading seven cookie settings), and the serializer is built once per set of keys. Same cookies, same
behaviour.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], Any] = {}

    def get_signing_serializer(self, app: Flask):  # type: ignore[override]
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)
