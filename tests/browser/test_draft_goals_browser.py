"""Issue 16.2 in a browser on the demo county's year: the performance office opens the 财政事前绩效评估 of
县城防洪排涝泵站改造 and scores 绩效目标合理性 with the unit's draft goal table in the main column above the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import login, screenshot
from tests.browser.test_monitoring_browser import open_task
from tests.browser.test_warnings_browser import live_server  # noqa: F401  (the demo year behind a live server)
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url
PROJECT = "县城防洪排涝泵站改造"  # waits for the performance office (server/flows/ex_ante/demo.py)


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_the_office_scores_goal_reasonableness_on_the_draft_goals(live_server, new_page):  # noqa: F811
    task = open_task(live_server.app, "Task_OfficeAssess", PROJECT)
    page = new_page(width=1440)
    login(page, "perf")
    page.goto(f"/tasks/{task.id}")
    draft = page.locator('section[data-block="draft-goals"]')
    expect(draft).to_have_class("context-block under-review")
    expect(draft.locator("[data-goal-table] tbody tr")).to_have_count(6)
    expect(draft).to_contain_text("改造排涝泵站")
    expect(draft).to_contain_text("保护城区人口")
    expect(page.get_by_text("按本页“绩效目标（申报草案）”评分").first).to_be_visible()
    # The draft stands above the form the office scores in.
    assert draft.bounding_box()["y"] < page.get_by_label("绩效目标合理性（20 分）").bounding_box()["y"]
    screenshot(page, "issue16-office-scores-draft-goals")
