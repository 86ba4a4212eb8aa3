"""The performance office's year at a glance (demo county's year, SQLite, zh-CN): 驾驶舱 from the navigation, the
four ECharts drawn, a click on September's red bar opens the project list that makes it, then the annual work
report page with its eight sections and the Word download."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import demo_year
from tests.browser.support import login, open_menu, screenshot

year_db, year_url, live_server = demo_year.year_db, demo_year.year_url, demo_year.live_server




@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_office_reads_the_year_and_its_report(live_server, browser_page):
    page = browser_page
    login(page, "perf")
    open_menu(page, "统计报表").get_by_role("link", name="驾驶舱").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("绩效驾驶舱 · 2026年")
    for chart in ("months", "deviating", "sectors", "grades"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#tile-monitoring .tile-value")).to_have_text("10")
    expect(page.locator("#table-attention")).to_contain_text("县实验小学操场改造")
    screenshot(page, "dashboard-office")

    # September: one red project (the playground, nothing spent since July) — the table's link opens it.
    page.locator("#table-monitoring a[href*='month=2026-09'][href*='colour=red']").first.click()
    expect(page.locator("#projects-fact")).to_contain_text("2026年9月监控报告")
    expect(page.locator("#projects-totals")).to_contain_text("共 1 个项目")
    expect(page.get_by_text("2026年县实验小学操场改造")).to_be_visible()

    page.goto(live_server + "/dashboard")
    page.locator("#dashboard-report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("县2026年度预算绩效管理工作开展情况")
    expect(page.locator("h2")).to_have_count(8)
    expect(page.locator("#section-2")).to_contain_text(re.compile(r"审减率28\.3%"))
    screenshot(page, "annual-report")
    with page.expect_download() as download:
        page.locator("#report-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
