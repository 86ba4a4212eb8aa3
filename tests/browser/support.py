"""Helpers for browser tests: logging in through the real login page, screenshots, chromium discovery."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def find_chromium() -> str | None:
    """Debian's chromium (apt-get install chromium); Playwright's own browser download does not work here."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


def login(page, username: str, password: str = "demo") -> None:
    """Log in through the login form, as a person would, and wait for the inbox."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("form").filter(has=page.get_by_label("密码")).get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/inbox"))


def open_menu(page, name: str):
    """Open a menu of the top navigation (server/web/nav.py) with a click; its list of links, for `get_by_role`."""
    nav = page.get_by_role("navigation", name=re.compile("主导航|Main navigation"))
    button = nav.get_by_role("button", name=name, exact=True)
    button.click()
    return page.locator("#" + button.get_attribute("aria-controls"))


def logout(page) -> None:
    page.get_by_role("button", name=re.compile("退出登录|Log out")).click()
    page.wait_for_url(re.compile(r"/login"))


def screenshot(page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/screenshots/ (kept by CI, ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
