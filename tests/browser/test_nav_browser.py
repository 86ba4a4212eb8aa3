"""The top navigation's menus in a real browser (demo county's year, SQLite): opened with the keyboard (Enter,
arrow keys, Escape back to the button) and the mouse (one menu open at a time, a click elsewhere closes), with no
CSP violation; without JavaScript every menu is a <details> that still opens; on paper the menus are gone; on a
tablet they wrap and open within the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import demo_year
from tests.browser.support import SCREENSHOTS, login, screenshot
from tests.browser.test_csp_browser import WATCH_CSP

year_db, year_url, live_server = demo_year.year_db, demo_year.year_url, demo_year.live_server


def top_of(page, name: str) -> None:
    """The title bar and an open menu, at full size (the full-page screenshot shrinks it on long pages)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": 240})


def nav_of(page):
    return page.get_by_role("navigation", name="主导航")


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_menus_open_with_keyboard_and_mouse(live_server, browser_page):
    page = browser_page
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH_CSP)
    login(page, "perf")
    nav = nav_of(page)
    reports = nav.get_by_role("button", name="统计报表")
    expect(reports).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="驾驶舱")).to_be_hidden()

    # Keyboard: Tab reaches the button, Enter opens, arrows walk the links, Escape closes and returns focus.
    reports.focus()
    page.keyboard.press("Enter")
    expect(reports).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="驾驶舱")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(nav.get_by_role("link", name="驾驶舱")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(nav.get_by_role("link", name="年度工作报告")).to_be_focused()
    page.keyboard.press("Escape")
    expect(reports).to_have_attribute("aria-expanded", "false")
    expect(reports).to_be_focused()
    expect(nav.get_by_role("link", name="年度工作报告")).to_be_hidden()
    # ArrowDown on a closed menu's button opens it at its first link; Tab past the last link closes it.
    page.keyboard.press("ArrowDown")
    expect(nav.get_by_role("link", name="驾驶舱")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(reports).to_have_attribute("aria-expanded", "false")
    # Enter on a link follows it.
    reports.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    expect(nav.get_by_role("link", name="年度工作报告")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reports/annual/2026$"))
    expect(nav_of(page).get_by_role("button", name="统计报表")).to_have_attribute("aria-expanded", "false")

    # Mouse: one menu at a time; a click elsewhere closes it.
    nav = nav_of(page)
    work, monitoring = nav.get_by_role("button", name="待办"), nav.get_by_role("button", name="监控与评价")
    work.click()
    expect(work).to_have_attribute("aria-expanded", "true")
    monitoring.click()
    expect(work).to_have_attribute("aria-expanded", "false")
    expect(monitoring).to_have_attribute("aria-expanded", "true")
    screenshot(page, "nav-menu-open")
    top_of(page, "nav-menu-open-top")
    page.get_by_role("heading", level=1).click()
    expect(monitoring).to_have_attribute("aria-expanded", "false")
    monitoring.click()
    nav.get_by_role("link", name="预警看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预警看板")
    expect(nav_of(page).locator("li.is-current")).to_have_count(1)
    expect(nav_of(page).locator("li.is-current button")).to_have_text("监控与评价")
    assert page.evaluate("window.__cspViolations || []") == [] and violations == []

    # On paper: the title bar without menus or tools.
    page.emulate_media(media="print")
    expect(nav_of(page).locator(".nav-menus")).to_be_hidden()
    expect(nav_of(page).locator(".nav-tools")).to_be_hidden()
    page.emulate_media(media="screen")


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_without_javascript_each_menu_is_a_details_that_opens(live_server, chromium):
    context = chromium.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=False,
                                   viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码").fill("demo")
        page.locator("form").filter(has=page.get_by_label("密码")).get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/inbox"))
        nav = nav_of(page)
        admin = nav.locator("details").filter(has_text="系统管理")
        expect(nav.get_by_role("link", name="审计日志")).to_be_hidden()
        admin.locator("summary").click()
        expect(nav.get_by_role("link", name="审计日志")).to_be_visible()
        screenshot(page, "nav-menu-no-js")
        top_of(page, "nav-menu-no-js-top")
        nav.get_by_role("link", name="审计日志").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    finally:
        context.close()


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_on_a_tablet_the_menus_wrap_and_stay_on_screen(live_server, new_page):
    page = new_page(width=768, height=1024)
    login(page, "perf")
    nav = nav_of(page)
    for name in ("待办", "统计报表", "信息公开"):
        nav.get_by_role("button", name=name).click()
        box = page.locator("#" + nav.get_by_role("button", name=name).get_attribute("aria-controls")).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 768, (name, box)
    top_of(page, "nav-menu-tablet-top")
