"""Browser tests: a live Jixiao server on a temporary SQLite file with the demo county, driven by Playwright
through Debian's chromium (`apt-get install chromium`; `.ci/run` installs it).

Fixtures:
- `live_server`: the base URL (a str) of a server of this test's own; `.app` and `.clock` (a ManualClock at
  2026-01-05 09:00 Beijing) reach the app behind it, e.g. `live_server.clock.advance(...)`.
- `browser_page`: a fresh Playwright page (own cookies) whose relative URLs go to `live_server`.
- `new_page()`: another independent page (a second user at the same time).
- `login(page, username)`, `screenshot(page, name)` in tests/browser/support.py.

Without chromium the tests skip with a message; with CI=true they fail instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.support import find_chromium
from tests.conftest import START, make_app, on_ci

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


class LiveServer(str):
    """The base URL, carrying the app and its clock for tests that need to reach behind the page."""

    app: object
    clock: object


@contextmanager
def serving(app, clock) -> Iterator[LiveServer]:
    """`app` served on a free port in a thread for the duration; the URL carries the app and its clock."""
    from server.db import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    url = LiveServer(f"http://127.0.0.1:{server.server_port}")
    url.app, url.clock = app, clock
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live_server(sqlite_url: str, instance_path: Path) -> Iterator[LiveServer]:
    from server.clock import ManualClock

    clock = ManualClock(START)  # sqlite_url is a copy of the template: migrated, with the demo county
    with serving(make_app(sqlite_url, clock=clock), clock) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    executable = find_chromium()
    if executable is None:
        message = "no chromium found: install Debian's chromium (apt-get install chromium) to run the browser tests"
        if on_ci():
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium, live_server: LiveServer) -> Iterator[Callable[..., object]]:
    contexts = []

    def _new(locale: str = "zh-CN", width: int = 1366, height: int = 900):
        context = chromium.new_context(
            base_url=live_server, locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_page):
    return new_page()
