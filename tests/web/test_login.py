"""Logging in and out in the browser: clear Chinese messages, rate-limited failures, safe redirects, CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.services.login_guard import ADDR_LIMIT, USER_LIMIT, WINDOW


def test_login_page_is_chinese_with_a_csrf_protected_form(browser):
    b = browser(None)
    page = b.get("/login").get_data(as_text=True)
    assert "用户名" in page and "密码" in page and 'name="csrf_token"' in page


def test_good_password_opens_the_inbox_and_logout_closes_the_session(browser):
    b = browser(None)
    b.get("/login")
    resp = b.post("/login", {"username": "school1", "password": "demo"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"
    inbox = b.get("/inbox")
    assert inbox.status_code == 200 and "县第一中学 刘洋" in inbox.get_data(as_text=True)

    resp = b.post("/logout")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert "您已安全退出" in b.get("/login").get_data(as_text=True)
    again = b.get("/inbox")
    assert again.status_code == 302 and again.headers["Location"].startswith("/login?next=")


def test_wrong_password_and_unknown_user_get_the_same_clear_message(browser):
    b = browser(None)
    for name in ("school1", "nobody"):
        b.get("/login")
        resp = b.post("/login", {"username": name, "password": "wrong"})
        page = resp.get_data(as_text=True)
        assert resp.status_code == 401 and "用户名或密码错误" in page
        assert f'value="{name}"' in page  # the username stays filled in


def test_empty_fields_get_field_messages(browser):
    b = browser(None)
    b.get("/login")
    resp = b.post("/login", {"username": "  ", "password": ""})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请输入用户名" in page and "请输入密码" in page
    resp = b.post("/login", {"username": "x" * 500, "password": "demo"})
    assert resp.status_code == 422 and "用户名过长" in resp.get_data(as_text=True)


def test_five_failures_lock_the_username_for_fifteen_minutes(browser, clock):
    b = browser(None)
    b.get("/login")
    for _ in range(USER_LIMIT):
        assert b.post("/login", {"username": "School1", "password": "guess"}).status_code == 401
    # Locked: even the right password is refused, with how long to wait.
    resp = b.post("/login", {"username": "school1", "password": "demo"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 429 and "登录失败次数过多" in page and "15 分钟" in page
    assert int(resp.headers["Retry-After"]) == int(WINDOW.total_seconds())
    # Other users are not affected.
    assert browser(None).login("water1").status_code == 302

    clock.advance(WINDOW - timedelta(minutes=1))
    resp = b.post("/login", {"username": "school1", "password": "demo"})
    assert resp.status_code == 429 and "1 分钟" in resp.get_data(as_text=True)
    clock.advance(timedelta(minutes=1, seconds=1))
    assert b.post("/login", {"username": "school1", "password": "demo"}).status_code == 302


def test_a_success_resets_the_username_count(browser):
    b = browser(None)
    b.get("/login")
    for _ in range(USER_LIMIT - 1):
        b.post("/login", {"username": "school1", "password": "guess"})
    assert b.post("/login", {"username": "school1", "password": "demo"}).status_code == 302
    b.get("/inbox")  # the login rotated the CSRF secret: forms need the new page's token
    assert b.post("/logout").status_code == 302
    b.get("/login")
    assert b.post("/login", {"username": "school1", "password": "guess"}).status_code == 401
    assert b.post("/login", {"username": "school1", "password": "demo"}).status_code == 302


def test_one_address_trying_many_usernames_is_stopped(browser):
    b = browser(None)
    b.get("/login")
    for i in range(ADDR_LIMIT):
        assert b.post("/login", {"username": f"guess{i}", "password": "x"}).status_code == 401
    resp = b.post("/login", {"username": "water1", "password": "demo"})
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)
    other = browser(None)
    other.get("/login")
    ok = other.post("/login", {"username": "water1", "password": "demo"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert ok.status_code == 302


@pytest.mark.parametrize("target", ["/tasks/1?x=1", "/projects"])
def test_next_goes_back_to_a_local_page(browser, target):
    b = browser(None)
    b.get(f"/login?next={target}")
    resp = b.post("/login", {"username": "school1", "password": "demo", "next": target})
    assert resp.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
     "evil.example", "/ok\r\nLocation: https://evil.example", "/" + "a" * 3000],
)
def test_next_never_leaves_the_site(browser, target):
    b = browser(None)
    b.get("/login")
    resp = b.post("/login", {"username": "school1", "password": "demo", "next": target})
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"


def test_forms_without_the_csrf_token_are_refused(browser):
    b = browser(None)
    b.get("/login")
    resp = b.post("/login", {"username": "school1", "password": "demo"}, csrf=False)
    assert resp.status_code == 400 and "安全令牌" in resp.get_data(as_text=True)
    resp = b.post("/login", {"username": "school1", "password": "demo", "csrf_token": "forged"}, csrf=False)
    assert resp.status_code == 400

    user = browser("school1")
    assert user.post("/logout", csrf=False).status_code == 400
    assert user.get("/inbox").status_code == 200  # still logged in


def test_logged_in_user_visiting_login_goes_to_the_inbox(browser):
    b = browser("school1")
    resp = b.get("/login")
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"
