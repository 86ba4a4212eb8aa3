"""A finance section's story on the warnings board (demo county's year, SQLite): 县职业中学 explains its red
October report; fin_edu opens 预警看板 from the navigation, finds the red warning on top with the cause and
measures, goes to the decide task in one click, claims it, decides 暂缓拨付, and back on the board the warning
shows the decision. Then the project library shows the project red with its amounts in 万元."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.db import db
from server.models import HumanTask, TaskStatus
from tests.api.helpers import complete
from tests.browser import demo_year
from tests.browser.support import login, open_menu, screenshot
from tests.support.api import api_as

year_db, year_url, live_server = demo_year.year_db, demo_year.year_url, demo_year.live_server
CAUSE, MEASURES = "秋季学期资助名单公示期延长，资金尚未发放", "11月底前完成公示并一次性发放到位"




@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_finance_section_decides_a_red_warning_from_the_board(live_server, browser_page):
    app = live_server.app
    with app.app_context():  # the unit explains its red report first (behind the page, over the API)
        explain = db.session.scalars(select(HumanTask).where(HumanTask.task_name == "Task_Explain",
                                                             HumanTask.status == TaskStatus.OPEN)).one()
        explain_id = explain.id
    unit = api_as(app.test_client(), "zhizhong1")
    unit.post(f"/api/v1/tasks/{explain_id}/claim")
    complete(unit, explain_id, {"cause": CAUSE, "measures": MEASURES})

    page = browser_page
    login(page, "fin_edu")
    open_menu(page, "监控与评价").get_by_role("link", name="预警看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预警看板")
    top = page.locator("#warnings-table tbody tr").first
    expect(top).to_have_attribute("data-colour", "red")
    red_open = page.locator('#warnings-table tr[data-colour="red"][data-state="open"]')
    expect(red_open).to_have_count(1)
    expect(red_open).to_contain_text(CAUSE)
    expect(red_open).to_contain_text(MEASURES)
    expect(red_open).to_contain_text("2026年县职业中学学生资助")
    screenshot(page, "warnings-board-open")

    red_open.get_by_role("link", name="去决定").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^财政纠偏决定（2026年\d{1,2}月）$"))
    page.get_by_role("button", name="认领", exact=True).click()
    expect(page.get_by_text("已认领，可以开始办理")).to_be_visible()
    page.get_by_label("意见").fill("资金未按期发放，暂缓拨付，待发放到位后恢复。")
    screenshot(page, "warnings-decide-task")
    page.get_by_role("group", name="纠偏决定", exact=True).get_by_text("暂缓拨付").click()  # a decision button
    expect(page.get_by_text(re.compile(r"“财政纠偏决定（2026年\d{1,2}月）”已提交"))).to_be_visible()

    page.goto("/warnings?colour=red")
    row = page.locator('#warnings-table tr[data-colour="red"]').filter(has_text="2026年县职业中学学生资助").first
    expect(row).to_have_attribute("data-state", "decided")
    expect(row).to_contain_text("暂缓拨付")
    expect(row).to_contain_text("资金未按期发放")
    expect(page.locator('#warnings-table tr[data-state="open"][data-colour="red"]')).to_have_count(0)
    screenshot(page, "warnings-board-decided")

    # The project's page tells the same story: the red month, the decision with its opinion, payments suspended.
    row.get_by_role("link", name="2026年县职业中学学生资助").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026年县职业中学学生资助")
    monitoring = page.locator("section").filter(has=page.locator("#decisions"))
    expect(monitoring).to_contain_text("资金未按期发放，暂缓拨付，待发放到位后恢复。")
    expect(page.locator("#budget")).to_contain_text("暂缓拨付中")
    screenshot(page, "warnings-project-page")

    open_menu(page, "项目管理").get_by_role("link", name="归口项目").click()
    page.get_by_label("监控颜色").select_option("red")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#projects-totals")).to_contain_text("共 2 个项目")
    amount = page.locator("#projects-table tr").filter(has_text="2026年县实验小学操场改造").locator("td.num").nth(1)
    expect(amount).to_have_text("18.00")
    expect(amount.locator("span")).to_have_attribute("title", re.compile("180,000.00 元"))
    screenshot(page, "project-library-red")
