"""信息公开 in a browser (demo county's year, SQLite): the office opens 信息公开 from the navigation and releases
2025's goals and results and 2026's goals; then an anonymous visitor browses /public/ — years, departments, a
search, a goal table with its budget, an evaluation result with the self-evaluation report — and the browser
holds no cookie afterwards. Screenshots: public-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import demo_year
from tests.browser.support import login, open_menu, screenshot

year_db, year_url, live_server = demo_year.year_db, demo_year.year_url, demo_year.live_server




@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_office_releases_and_the_public_reads(live_server, new_page):
    office = new_page()
    login(office, "perf")
    open_menu(office, "信息公开").get_by_role("link", name="公开管理").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("信息公开")
    for year, column in ((2025, 0), (2025, 1), (2026, 0)):
        row = office.locator(f'#releases tr[data-year="{year}"]')
        row.locator("td").nth(column).get_by_role("button", name="公开").click()
        expect(office.locator(".flash-success")).to_contain_text("已公开")
    expect(office.locator('#releases tr[data-year="2026"] td').first).to_contain_text("已公开")
    screenshot(office, "public-office-releases")

    visitor = new_page()
    visitor.goto("/public/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("预算绩效信息公开")
    expect(visitor.locator("#public-years tbody tr")).to_have_count(2)
    screenshot(visitor, "public-index")

    visitor.get_by_role("link", name="2026 年度").click()
    expect(visitor.locator("#public-departments")).to_contain_text("县教育局")
    screenshot(visitor, "public-year")
    visitor.locator("#public-departments").get_by_role("link").first.click()
    expect(visitor.locator("#public-list tbody tr").first).to_be_visible()
    first_name = visitor.locator("#public-list tbody tr td a").first.inner_text()
    visitor.get_by_label("项目名称或编码").fill(first_name[4:10])
    visitor.get_by_role("button", name="搜索").click()
    expect(visitor.locator("#public-list tbody tr").first).to_contain_text(first_name)
    screenshot(visitor, "public-goals-list")
    visitor.get_by_role("link", name=first_name).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("2026 年度项目绩效目标表")
    expect(visitor.locator("#public-indicators tbody tr").first).to_be_visible()
    expect(visitor.locator('[data-figure="budget"]')).to_contain_text("元")
    screenshot(visitor, "public-goal")

    visitor.goto("/public/2025/results")
    visitor.locator("#public-list tbody tr td a").first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("2025 年度项目绩效评价结果")
    expect(visitor.locator("#public-scores tbody tr").first).to_be_visible()
    screenshot(visitor, "public-result")
    assert visitor.context.cookies() == []  # the public site never set one
