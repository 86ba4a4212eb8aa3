"""Issue 12.2 and 12.10 in a browser, on the demo year: the finance section finds the month of a monitoring
decision in its inbox with the budget in force as the amount, sees the change an amount makes before
submitting (原预算 → 调整后，差额, and a confirmation), is refused 9,999,999 元 on an 850,000 元 project by the
amount's field with the input kept, then adjusts within bounds; the unit's report form shows no internal ids."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.db import db
from server.models import HumanTask, TaskStatus
from tests.browser.support import login, screenshot
from tests.browser.test_warnings_browser import live_server  # noqa: F401  (the demo year behind a live server)
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url
PROJECT = "县职业中学实训设备购置"  # 850,000 元, its latest deviation waiting for 教科文股's decision
AMOUNT = "金额（元）：调整后预算 / 收回金额"


def open_task(app, element: str, project: str) -> HumanTask:
    with app.app_context():
        task = db.session.scalars(select(HumanTask).where(
            HumanTask.task_name == element, HumanTask.status == TaskStatus.OPEN,
            HumanTask.project_name.contains(project))).first()
        assert task is not None
        db.session.expunge(task)
        return task


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_an_amount_decision_states_its_change_and_keeps_its_bounds(live_server, new_page):  # noqa: F811
    decide = open_task(live_server.app, "Task_Decide", PROJECT)
    period = re.compile(r"^财政纠偏决定（2026年\d{1,2}月）$")
    assert period.match(decide.title)

    page = new_page(width=1440)
    login(page, "fin_edu")
    page.goto("/inbox?view=claimable")
    row = page.locator("tr").filter(has=page.get_by_role("link", name=decide.title)).filter(has_text=PROJECT)
    expect(row).to_contain_text("850,000.00")  # the amount column: the budget in force
    screenshot(page, "monitoring-inbox-period-amount")

    row.get_by_role("link", name=decide.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(period)
    page.get_by_role("button", name="认领", exact=True).click()
    context = page.locator(".task-context")
    expect(context.locator('[data-figure="budget-in-force"]').first).to_contain_text("850,000.00 元")
    page.get_by_label("意见").fill("部分设备改为明年采购，调减预算。")
    page.get_by_label(AMOUNT).fill("9999999")
    change = page.locator("#task-form [data-change-lines]")  # under the amount, before the buttons
    expect(change).to_contain_text("原预算 850,000.00 元 → 调整后 9,999,999.00 元，差额 +9,149,999.00 元")
    expect(change).to_contain_text("收回结余统筹使用：原预算 850,000.00 元 → 调整后 -9,149,999.00 元")
    screenshot(page, "monitoring-decide-change-preview")

    asked: list[str] = []

    def confirm(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    page.get_by_role("group", name="纠偏决定", exact=True).get_by_role("button", name="调整预算").click()
    error = page.locator("#e-f-decision_amount")
    expect(error).to_contain_text("不能超过核定金额 850,000.00 元")
    assert asked and "调整后 9,999,999.00 元" in asked[0] and "差额 +9,149,999.00 元" in asked[0]
    expect(page.get_by_label(AMOUNT)).to_have_value(re.compile(r"^9,?999,?999"))  # the input is kept
    expect(page.locator(".error-summary")).to_contain_text("调整后预算不能超过核定金额")
    expect(change).to_contain_text("差额 +9,149,999.00 元")  # drawn by the server for the refused values
    screenshot(page, "monitoring-decide-refused")

    page.get_by_label(AMOUNT).fill("800000")
    expect(change).to_contain_text("调整后 800,000.00 元，差额 -50,000.00 元")
    page.get_by_role("group", name="纠偏决定", exact=True).get_by_role("button", name="调整预算").click()
    expect(page.get_by_text(re.compile(r"“财政纠偏决定（2026年\d{1,2}月）”已提交"))).to_be_visible()
    assert "差额 -50,000.00 元" in asked[-1]

    unit = new_page(width=1440)
    report = open_task(live_server.app, "Task_Report", "")
    login(unit, "gongshui1")
    unit.goto(f"/tasks/{report.id}")
    expect(unit.get_by_role("heading", level=1)).to_have_text(re.compile(r"^填报绩效监控报告（2026年\d{1,2}月）$"))
    expect(unit.locator("#task-form")).not_to_contain_text("指标编号")
    expect(unit.locator('#task-form th:has-text("三级指标")')).to_be_visible()
    screenshot(unit, "monitoring-report-form")
