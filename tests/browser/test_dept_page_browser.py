"""部门整体绩效 in a browser on the demo county's year: 教科文股 reads 县教育局's page — the years at a glance, the
2025 mid-year monitoring chart drawn in the indicators' warning colours (ECharts under the strict CSP) beside the
table with the same figures, and the follow-up rounds — without horizontal scrolling at 1366 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.db import db
from server.models import Organisation
from tests.browser.support import SCREENSHOTS, login, screenshot
from tests.browser.test_csp_browser import WATCH_CSP, assert_no_violation
from tests.browser.test_warnings_browser import live_server  # noqa: F401  (the demo year, served)
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_the_department_page_draws_its_monitoring_chart(live_server, browser_page):  # noqa: F811
    with live_server.app.app_context():
        edu = db.session.scalar(select(Organisation.id).where(Organisation.name == "县教育局"))
    page = browser_page
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: console.append(f"page error: {err}"))
    page.add_init_script(WATCH_CSP)
    page.console_csp = console
    login(page, "fin_edu")
    page.goto(f"/departments/{edu}")
    expect(page.locator("#department-years tr[data-year='2025']")).to_contain_text("红色（严重偏离）")
    chart = page.locator("#dept-monitor-chart-2025")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    box = chart.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 200
    expect(page.locator("#dept-year-2025 .dept-follow-ups li")).to_have_count(2)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    assert_no_violation(page, "the department page")
    screenshot(page, "department-page")
    chart.screenshot(path=str(SCREENSHOTS / "department-monitor-chart.png"))
