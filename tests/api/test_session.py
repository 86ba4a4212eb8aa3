"""Logging in and out over the API: bearer tokens, browser sessions with CSRF, expiry on the app's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest


def test_login_returns_the_user_and_a_working_token(client):
    resp = client.post("/api/v1/session", json={"username": "fin_edu", "password": "demo"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["user"]["username"] == "fin_edu"
    assert body["user"]["roles"] == ["finance_section"]
    assert set(body["user"]["sectors"]) == {"教育", "科技", "文化"}
    assert body["user"]["organisation"]["name"] == "教科文股"
    fresh = client.application.test_client(use_cookies=False)
    me = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "fin_edu"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"username": "fin_edu", "password": "wrong"}, 401),
        ({"username": "nobody", "password": "demo"}, 401),
        ({"username": "fin_edu"}, 422),
        ({"username": "", "password": ""}, 422),
        ({"username": ["fin_edu"], "password": "demo"}, 422),
        ({"username": "x" * 5000, "password": "demo"}, 422),
    ],
)
def test_bad_logins_are_refused_clearly(client, payload, status):
    resp = client.post("/api/v1/session", json=payload)
    assert resp.status_code == status
    body = resp.get_json()
    assert body["error"] in ("unauthorized", "validation_failed") and body["message"]
    if status == 401:
        # The same words whether the user exists or not: no way to probe for usernames.
        assert body["message"] == "用户名或密码错误"
    assert "token" not in body


def test_logout_revokes_the_token(login_as):
    user = login_as("school1")
    assert user.delete("/api/v1/session").status_code == 204
    assert user.get("/api/v1/me").status_code == 401


def test_tokens_expire_on_the_apps_clock(login_as, clock):
    user = login_as("school1")
    clock.advance(timedelta(hours=11))
    assert user.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(hours=2))
    assert user.get("/api/v1/me").status_code == 401


def test_a_browser_session_needs_the_csrf_header_to_change_anything(client):
    login = client.post("/api/v1/session", json={"username": "school1", "password": "demo"}).get_json()
    # The cookie alone reads...
    assert client.get("/api/v1/me").get_json()["username"] == "school1"
    # ...but a cookie-only POST (what a cross-site form would send) is refused.
    resp = client.post("/api/v1/process-instances", json={"process_key": "nope"})
    assert resp.status_code == 403 and resp.get_json()["error"] == "forbidden"
    resp = client.post("/api/v1/process-instances", json={"process_key": "nope"},
                       headers={"X-CSRF-Token": "guess"})
    assert resp.status_code == 403
    resp = client.post("/api/v1/process-instances", json={"process_key": "nope"},
                       headers={"X-CSRF-Token": login["csrf_token"]})
    assert resp.status_code == 404  # past the guard; the process simply does not exist


def test_a_bad_bearer_token_never_falls_back_to_the_cookie(client):
    client.post("/api/v1/session", json={"username": "school1", "password": "demo"})
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer revoked-or-made-up"})
    assert resp.status_code == 401


def test_unknown_api_paths_and_methods_answer_json(client, login_as):
    assert client.get("/api/v1/nothing-here").get_json()["error"] == "not_found"
    resp = login_as("school1").open("PUT", "/api/v1/tasks")
    assert resp.status_code == 405 and resp.get_json()["error"] == "method_not_allowed"
