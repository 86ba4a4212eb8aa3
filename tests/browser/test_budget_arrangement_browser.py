"""预算安排 in the browser on the demo county's year (SQLite): the office opens it from the navigation and reads
教育's confirmed lines — 县实验小学's 良 adjusted +5% of its previous-year 年初预算项目经费 and marked 优先安排 —
and 水利's draft, where the 中 projects show payments suspended while rectifying with their source evaluation;
a project whose own budget monitoring cut this year carries no result adjustment; 县教育局's 部门公用经费 moved by its
department evaluation; then the A4 sheet of 水利."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import demo_year
from tests.browser.support import login, screenshot

year_db, year_url, live_server = demo_year.year_db, demo_year.year_url, demo_year.live_server




@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_the_office_reads_the_arrangement_with_its_reasons_and_prints_it(live_server, browser_page):
    page = browser_page
    login(page, "perf")
    page.get_by_role("link", name="预算安排").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年度预算安排")
    good = page.locator('#arrangements-table tr[data-status="confirmed"]').filter(has_text="校园绿化提升")
    expect(good).to_contain_text("优先安排")
    expect(good).to_contain_text("2025 年度绩效评价等次为良：按该单位上一年度年初预算项目经费 260,000.00 元的 5% 调增 13,000.00 元")
    expect(good).to_contain_text("273,000.00")
    held = page.locator('#arrangements-table tr[data-status="draft"]').filter(has_text="堤防巡查养护")
    expect(held).to_contain_text("暂缓拨付")
    expect(held).to_contain_text("2025 年度绩效评价等次为中，整改期间暂缓拨付")
    expect(held).to_contain_text("不再具备优先保障资格")
    in_year = page.locator("#arrangements-table tr").filter(has_text="水库大坝安全监测")  # cut by monitoring this year
    expect(in_year).to_contain_text("无调整")
    # 县教育局's 2025 department evaluation (良, +5%) moved its 部门公用经费 in the same arrangement
    dept = page.locator('#arrangements-table tr[data-department][data-status="confirmed"]').filter(has_text="县教育局")
    expect(dept).to_contain_text("部门公用经费")
    expect(dept).to_contain_text("2025 年度部门整体绩效评价")
    expect(dept).to_contain_text("1,239,000.00")
    screenshot(page, "budget-arrangements")

    page.get_by_label("领域", exact=True).first.select_option("水利")
    page.get_by_role("button", name="查看").click()
    page.get_by_role("link", name="打印（A4）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年度预算安排表")
    expect(page.locator("#arrangement-sheet")).to_contain_text("领域：水利")
    expect(page.locator("#arrangement-sheet")).to_contain_text("整改期间暂缓拨付")
    screenshot(page, "budget-arrangements-print")
