"""Logging in with a real browser: the messages a person reads, and the lockout after repeated failures."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.support import login, logout, screenshot


def _submit(page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("form").filter(has=page.get_by_label("密码")).get_by_role("button", name="登录").click()


def test_wrong_password_shows_a_clear_message_and_keeps_the_username(browser_page):
    page = browser_page
    page.goto("/login")
    expect(page).to_have_title(re.compile("登录"))
    _submit(page, "school1", "wrong")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
    expect(page.get_by_label("用户名")).to_have_value("school1")
    screenshot(page, "login-error")

    _submit(page, "school1", "demo")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.get_by_text("欢迎，县第一中学 刘洋")).to_be_visible()
    logout(page)
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_lockout_after_five_failures_and_release_fifteen_minutes_later(browser_page, live_server):
    page = browser_page
    page.goto("/login")
    for _ in range(5):
        _submit(page, "fin_edu", "guess")
        expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
    _submit(page, "fin_edu", "demo")
    expect(page.get_by_role("alert")).to_contain_text("登录失败次数过多，请 15 分钟后再试")
    live_server.clock.advance(timedelta(minutes=15, seconds=1))
    _submit(page, "fin_edu", "demo")
    expect(page).to_have_url(re.compile(r"/inbox$"))


def test_next_parameter_returns_to_the_page_asked_for(browser_page):
    page = browser_page
    page.goto("/projects")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("请先登录")).to_be_visible()
    _submit(page, "school1", "demo")
    expect(page).to_have_url(re.compile(r"/projects$"))
    expect(page.get_by_role("heading", name="我的项目")).to_be_visible()


def test_login_helper(browser_page):
    login(browser_page, "water1")
    expect(browser_page.locator(".whoami")).to_contain_text("县水利工程站 周敏")
