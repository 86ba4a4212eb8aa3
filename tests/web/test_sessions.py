"""Sessions end server-side (issue 9, finding 7): a cookie saved before logout, a password change or a
deactivation no longer opens /inbox or the API, and neither does the bearer token issued with it."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.models import LoginSession, User
from server.services import login_sessions
from tests.web.conftest import Browser

COOKIE = "session"


def saved_cookie(b: Browser) -> str:
    cookie = b.client.get_cookie(COOKIE)
    assert cookie is not None and cookie.value
    return cookie.value


def replay(app, value: str) -> Browser:
    """A different browser presenting a copy of a saved session cookie (what a thief or a shared PC keeps)."""
    other = Browser(app.test_client())
    other.client.set_cookie(COOKIE, value)
    return other


def opens_inbox(b: Browser) -> bool:
    resp = b.get("/inbox")
    if resp.status_code == 302:
        assert resp.headers["Location"].startswith("/login")
        return False
    assert resp.status_code == 200
    return True


def user(app, username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_a_cookie_saved_before_logout_no_longer_opens_the_inbox(app, browser):
    b = browser("school1")
    saved = saved_cookie(b)
    assert opens_inbox(replay(app, saved))
    assert b.post("/logout").status_code == 302
    assert not opens_inbox(replay(app, saved))
    assert replay(app, saved).client.get("/api/v1/me").status_code == 401
    assert not opens_inbox(b)


def test_logging_out_ends_only_that_session(app, browser):
    office, home = browser("school1"), browser("school1")
    other_user = browser("water1")
    assert office.post("/logout").status_code == 302
    assert opens_inbox(home) and opens_inbox(other_user)


def test_the_api_login_cookie_dies_with_delete_session(app):
    client = app.test_client()
    login = client.post("/api/v1/session", json={"username": "school1", "password": "demo"}).get_json()
    saved = client.get_cookie(COOKIE).value
    assert replay(app, saved).client.get("/api/v1/me").status_code == 200

    resp = client.delete("/api/v1/session", headers={"X-CSRF-Token": login["csrf_token"]})
    assert resp.status_code == 204
    stolen = replay(app, saved)
    assert stolen.client.get("/api/v1/me").status_code == 401
    assert not opens_inbox(stolen)
    # The token issued with that login ended too.
    fresh = app.test_client(use_cookies=False)
    assert fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {login['token']}"}).status_code == 401


def test_logging_out_with_the_token_ends_the_cookie_of_the_same_login(app):
    client = app.test_client()
    token = client.post("/api/v1/session", json={"username": "perf", "password": "demo"}).get_json()["token"]
    saved = client.get_cookie(COOKIE).value
    bearer = app.test_client(use_cookies=False)
    assert bearer.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert replay(app, saved).client.get("/api/v1/me").status_code == 401


def test_a_password_change_ends_every_session_and_token(app, browser, login_as):
    web = browser("school1")
    saved = saved_cookie(web)
    api = login_as("school1")
    bystander = browser("water1")
    with app.app_context():
        login_sessions.change_password(user(app, "school1"), "a new passphrase 2027")
    assert not opens_inbox(web) and not opens_inbox(replay(app, saved))
    assert api.get("/api/v1/me").status_code == 401
    assert opens_inbox(bystander)
    # The old password is refused, the new one works.
    assert Browser(app.test_client()).login("school1").status_code == 401
    assert Browser(app.test_client()).login("school1", "a new passphrase 2027").status_code == 302


def test_deactivating_a_user_ends_their_sessions_and_logins(app, browser, login_as):
    web = browser("fin_edu")
    api = login_as("fin_edu")
    with app.app_context():
        login_sessions.deactivate(user(app, "fin_edu"))
    assert not opens_inbox(web)
    assert api.get("/api/v1/me").status_code == 401
    assert app.test_client().post(
        "/api/v1/session", json={"username": "fin_edu", "password": "demo"}).status_code == 401
    with app.app_context():
        rows = db.session.scalars(select(LoginSession).join(User).where(User.username == "fin_edu")).all()
        assert rows and all(r.revoked_at is not None for r in rows)


def test_a_signed_cookie_naming_a_user_without_a_live_session_opens_nothing(app, browser):
    # What a cookie signed before this change (or minted with a leaked key's help) looks like: a user id, no
    # session key; or a session key that names no session.
    with app.app_context():
        school1 = user(app, "school1").id
    for extra in ({}, {login_sessions.SESSION_KEY: "made-up"}, {login_sessions.SESSION_KEY: "x" * 5000},
                  {login_sessions.SESSION_KEY: ["not", "a", "string"]}):
        b = Browser(app.test_client())
        with b.client.session_transaction() as sess:
            sess.update({"_user_id": str(school1), "_fresh": True, **extra})
        assert not opens_inbox(b)
        assert b.client.get("/api/v1/me").status_code == 401


def test_only_a_digest_of_the_session_key_is_stored(app, browser):
    b = browser("school1")
    with b.client.session_transaction() as sess:
        key = sess[login_sessions.SESSION_KEY]
    with app.app_context():
        stored = db.session.scalars(select(LoginSession.key_hash)).all()
    assert key not in stored and len(stored) == 1 and len(stored[0]) == 64
