"""Calling the JSON API as a demo user, the way an outside system would (bearer token, no cookies).

A flow test acts as a dozen users over many steps; logging in afresh for every step made logins most of the
suite's work. So callers are kept per app and handed out again while nothing a fresh login would change has
happened: the app's clock still reads the moment of the login (so the token has its full lifetime left, as a
new one would) and the token still works (not revoked by a logout, the user not deactivated). Once a test
moves the clock or revokes the token, the next `api_as` logs in again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server.services.demo import DEMO_PASSWORD


class ApiUser:
    """A logged-in API caller: `get`/`post`/... send `Authorization: Bearer <token>`."""

    def __init__(self, client: FlaskClient, username: str, token: str, user: dict[str, Any],
                 logged_in_at: datetime | None = None) -> None:
        self.client = client
        self.username = username
        self.token = token
        self.user = user
        self.logged_in_at = logged_in_at

    def open(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("DELETE", path, **kwargs)

    def __repr__(self) -> str:
        return f"<ApiUser {self.username}>"


# Kept on the app itself (a caller's client refers to the app), so they go with it.
_CALLERS = "tests.api_callers"


def _now(app: Flask) -> datetime:
    return app.extensions["jixiao.clock"].now()


def _still_fresh(app: Flask, caller: ApiUser) -> bool:
    """True when a new login would give nothing different: same clock reading, token still accepted."""
    from server.services.auth import user_for_token

    if caller.logged_in_at != _now(app):
        return False
    with app.app_context():
        return user_for_token(caller.token) is not None


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> ApiUser:
    """Log in over POST /api/v1/session, always afresh, and return a caller for that user.

    Each caller gets its own cookie-less client: the login also sets a browser session cookie, and a shared
    cookie jar would make every caller act as whoever logged in last.
    """
    app = client.application
    own = app.test_client(use_cookies=False)
    resp = own.post("/api/v1/session", json={"username": username, "password": password})
    assert resp.status_code in (200, 201), f"login as {username} failed: {resp.status_code} {resp.get_data(as_text=True)}"
    body = resp.get_json()
    return ApiUser(own, username, body["token"], body.get("user", {}), logged_in_at=_now(app))


def api_as(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> ApiUser:
    """A caller logged in as this user on the client's app: the one from an earlier call while it is still
    as good as a fresh login (see the module docstring), else a new login."""
    app = client.application
    callers: dict[tuple[str, str], ApiUser] = app.extensions.setdefault(_CALLERS, {})
    caller = callers.get((username, password))
    if caller is None or not _still_fresh(app, caller):
        caller = callers[(username, password)] = login(client, username, password)
    return caller
