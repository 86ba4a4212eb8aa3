"""A browser login ends after two idle hours and twelve hours in any case (a shared office PC left logged in),
and users change their own password, which ends their other logins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from server.db import db
from server.models import AuditEvent, LoginSession, User
from tests.conftest import dispose, make_app
from tests.web.test_sessions import opens_inbox, replay, saved_cookie


@pytest.fixture
def app(db_url: str, instance_path: Path) -> Iterator[Flask]:
    from server.config import load_config

    defaults = load_config(instance_path)  # production's limits, which the other tests turn off
    app = make_app(db_url, SESSION_IDLE_MINUTES=defaults["SESSION_IDLE_MINUTES"],
                   SESSION_MAX_HOURS=defaults["SESSION_MAX_HOURS"])
    yield app
    dispose(app)


def test_an_idle_login_ends_and_the_login_page_says_why(app, browser, clock):
    b = browser("school1")
    saved = saved_cookie(b)
    for _ in range(3):  # in use: each visit within two hours keeps it open, past two hours in all
        clock.advance(timedelta(minutes=110))
        assert opens_inbox(b)
    clock.advance(timedelta(minutes=121))
    resp = b.get("/inbox")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    login_page = b.get(resp.headers["Location"]).get_data(as_text=True)
    assert "登录已超时" in login_page
    # Ended for good: the same cookie does not come back if the clock (or a thief) goes back in time.
    clock.advance(timedelta(minutes=-200))
    assert not opens_inbox(replay(app, saved))
    with app.app_context():
        rows = db.session.scalars(select(LoginSession).join(User).where(User.username == "school1")).all()
        assert rows and all(r.revoked_at is not None for r in rows)


def test_a_login_in_constant_use_still_ends_after_twelve_hours(app, browser, clock):
    b = browser("fin_edu")
    for _ in range(7):  # 7 × 100 min = 11 h 40 min, each within the idle limit
        clock.advance(timedelta(minutes=100))
        assert opens_inbox(b)
    clock.advance(timedelta(minutes=30))
    assert not opens_inbox(b)
    assert b.login("fin_edu").status_code == 302 and opens_inbox(b)  # a new login starts a new day


def test_a_page_view_writes_the_session_at_most_every_five_minutes(app, browser, clock):
    b = browser("school1")
    with app.app_context():
        first = db.session.scalar(select(LoginSession.last_seen_at).join(User).where(User.username == "school1"))
    clock.advance(timedelta(minutes=3))
    assert opens_inbox(b)
    with app.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at).join(User)
                                 .where(User.username == "school1")) == first
    clock.advance(timedelta(minutes=3))
    assert opens_inbox(b)
    with app.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at).join(User)
                                 .where(User.username == "school1")) == first + timedelta(minutes=6)


def _change(b, **fields):
    b.get("/account/password")
    return b.post("/account/password", {"current": "", "new": "", "repeat": "", **fields})


def test_changing_ones_own_password_ends_the_other_logins(app, browser):
    here, elsewhere = browser("school1"), browser("school1")
    page = here.get("/inbox").get_data(as_text=True)
    assert 'href="/account/password"' in page and "修改密码" in page

    resp = _change(here, current="demo", new="Quan-2026-new", repeat="Quan-2026-new")
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"
    assert "其他设备上的登录已全部退出" in here.get("/inbox").get_data(as_text=True)
    assert opens_inbox(here) and not opens_inbox(elsewhere)
    assert browser(None).login("school1", "demo").status_code == 401
    assert browser(None).login("school1", "Quan-2026-new").status_code == 302
    with app.app_context():
        actor = db.session.scalar(select(User.username).join(AuditEvent, AuditEvent.actor_id == User.id)
                                  .where(AuditEvent.action == "password_change"))
        assert actor == "school1"


@pytest.mark.parametrize("fields, field, message", [
    ({"current": "wrong-1", "new": "Quan-2026-new", "repeat": "Quan-2026-new"}, "current", "当前密码不正确"),
    ({"current": "demo", "new": "short1", "repeat": "short1"}, "new", "密码长度须为"),
    ({"current": "demo", "new": "onlyletters", "repeat": "onlyletters"}, "new", "须同时包含字母和数字"),
    ({"current": "demo", "new": "Quan-2026-new", "repeat": "Quan-2026-neW"}, "repeat", "两次输入的新密码不一致"),
    ({"current": "x" * 100_000, "new": "Quan-2026-new", "repeat": "Quan-2026-new"}, "current", "当前密码不正确"),
    ({"new": "Quan-2026-new", "repeat": "Quan-2026-new"}, "current", "请输入当前密码"),
])
def test_a_refused_change_says_which_field_and_changes_nothing(app, browser, fields, field, message):
    here, elsewhere = browser("school1"), browser("school1")
    resp = _change(here, **fields)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert opens_inbox(here) and opens_inbox(elsewhere)
    assert browser(None).login("school1", "demo").status_code == 302


def test_the_password_page_needs_a_login_and_its_form_a_csrf_token(app, browser):
    anonymous = browser(None)
    resp = anonymous.get("/account/password")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    b = browser("school1")
    resp = b.post("/account/password", {"current": "demo", "new": "Quan-2026-new", "repeat": "Quan-2026-new"},
                  csrf=False)
    assert resp.status_code == 400
    assert browser(None).login("school1", "demo").status_code == 302


def test_the_worker_forgets_logins_a_month_after_their_last_use(app, browser, clock):
    from server.services.housekeeping import prune_logins

    left_open, ended = browser("school1"), browser("water1")
    ended.post("/logout")
    clock.advance(timedelta(days=20))
    recent = browser("fin_edu")
    clock.advance(timedelta(days=11))
    with app.app_context():
        prune_logins()
        left = set(db.session.scalars(select(User.username).join(LoginSession, LoginSession.user_id == User.id)))
    assert left == {"fin_edu"}
    assert not opens_inbox(left_open) and not opens_inbox(recent)  # both long idle
