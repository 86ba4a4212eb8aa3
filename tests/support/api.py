"""Calling the JSON API as a demo user, the way an outside system would (bearer token, no cookies)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server.services.demo import DEMO_PASSWORD


class ApiUser:
    """A logged-in API caller: `get`/`post`/... send `Authorization: Bearer <token>`."""

    def __init__(self, client: FlaskClient, username: str, token: str, user: dict[str, Any]) -> None:
        self.client = client
        self.username = username
        self.token = token
        self.user = user

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


def api_as(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> ApiUser:
    """Log in over POST /api/v1/session and return a caller for that user.

    Each caller gets its own cookie-less client: the login also sets a browser session cookie, and a shared
    cookie jar would make every caller act as whoever logged in last.
    """
    own = client.application.test_client(use_cookies=False)
    resp = own.post("/api/v1/session", json={"username": username, "password": password})
    assert resp.status_code in (200, 201), f"login as {username} failed: {resp.status_code} {resp.get_data(as_text=True)}"
    body = resp.get_json()
    return ApiUser(own, username, body["token"], body.get("user", {}))
