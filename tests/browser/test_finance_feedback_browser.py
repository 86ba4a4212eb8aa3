"""Issue 12.1, 12.14 (hand-off), 12.11 and 12.12 in a browser on the demo county's year: 县农村供水站 files its
October monitoring report with 累计支出 above the budget and "abc" as a quantitative value and stays on the form,
each message under its field, its input kept; fixed, the report goes through and the notice says where it went.
Its notices carry the reviewers' verdicts and 全部标记已读 clears them. 教科文股 then reads a project's 纠偏决定
history (each entry with its month, decider and date, on the task page and the project page) and reviews a goal
adjustment against the approved version with the changed cells marked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import login, screenshot
from tests.browser.test_monitoring_browser import open_task
from tests.browser.test_warnings_browser import live_server  # noqa: F401  (the demo year behind a live server)
from tests.support.api import api_as
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url

# The text of the message the control's aria-describedby points at (the error shown with that field).
ERROR_OF = """(el) => (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
  .map(id => document.getElementById(id)).filter(e => e && e.classList.contains('field-error'))
  .map(e => e.textContent.trim()).join(' ')"""


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_unit_sees_refusals_by_their_fields_and_finance_reads_decisions_and_changes(live_server, new_page):  # noqa: F811
    app = live_server.app
    report = open_task(app, "Task_Report", "")
    rows = api_as(app.test_client(), "gongshui1").get(f"/api/v1/tasks/{report.id}").get_json()["data"][
        "indicator_reports"]

    unit = new_page(width=1440)
    login(unit, "gongshui1")
    unit.goto(f"/tasks/{report.id}")
    claim = unit.get_by_role("button", name="认领", exact=True)
    if claim.count():
        claim.click()
    spent = unit.locator('#task-form [name="spent"]')
    values = [unit.locator(f'#task-form [name="indicator_reports.{i}.current_value"]') for i in range(len(rows))]
    for value, row in zip(values, rows, strict=True):  # on track, as a unit would fill it
        value.fill("达成" if row["operator"] == "定性" else "1")
    for i in range(len(rows)):
        unit.locator(f'#task-form [name="indicator_reports.{i}.likelihood"]').select_option("能够完成")
    quantitative = next(v for v, row in zip(values, rows, strict=True) if row["operator"] != "定性")
    spent.fill("99999999")
    quantitative.fill("abc")
    unit.get_by_role("button", name="提交", exact=True).click()

    expect(unit.get_by_role("heading", level=1)).to_have_text(re.compile(r"^填报绩效监控报告（2026年\d{1,2}月）$"))
    expect(unit.get_by_text("已提交")).to_have_count(0)
    expect(spent).to_have_attribute("aria-invalid", "true")
    assert "累计支出不能超过预算" in spent.evaluate(ERROR_OF)
    assert quantitative.evaluate(ERROR_OF) == "定量指标的当前值应为数字"
    expect(unit.locator("#task-form")).not_to_contain_text("无法支付金额")
    expect(spent).to_have_value(re.compile(r"^99,?999,?999"))  # the input is kept
    expect(quantitative).to_have_value("abc")
    quantitative.scroll_into_view_if_needed()
    screenshot(unit, "issue12-report-refused-by-field")

    spent.fill("30000")
    quantitative.fill("1")
    unit.get_by_role("button", name="提交", exact=True).click()
    expect(unit).to_have_url(re.compile(r"/inbox"))
    handed = unit.get_by_text(re.compile(r"“填报绩效监控报告（2026年\d{1,2}月）”已提交，已转 .+"))
    expect(handed).to_be_visible()  # says where the report went, not just 已提交
    notices = unit.get_by_role("complementary", name="提醒")
    expect(notices).to_contain_text("结果为“优”（农业农村股 赵磊）")  # reviewers' verdicts reach the unit
    screenshot(unit, "issue12-report-handed-off")
    unit.get_by_role("button", name="全部标记已读").click()
    expect(unit.get_by_text(re.compile(r"已将 \d+ 条提醒标记为已读"))).to_be_visible()
    expect(unit.get_by_role("button", name="标记已读", exact=True)).to_have_count(0)
    expect(unit.get_by_text("结果为“优”")).to_have_count(0)
    screenshot(unit, "issue12-notices-all-read")

    # 教科文股: the decisions on a project's earlier months, each with its month, who decided and when.
    finance = new_page(width=1440)
    login(finance, "fin_edu")
    finance.goto(f"/tasks/{open_task(app, 'Task_Decide', '县职业中学实训设备购置').id}")
    decisions = finance.locator('xpath=//h3[normalize-space()="纠偏决定"]/following-sibling::ul[1]/li')
    expect(decisions).to_have_count(4)
    for entry, month, day in zip(decisions.all(), (4, 3, 2, 1), ("2026-05-08", "2026-04-09", "2026-03-10",
                                                                  "2026-02-10"), strict=True):
        expect(entry).to_contain_text(f"2026 年 {month} 月报告")
        expect(entry).to_contain_text("教科文股 王强")
        expect(entry.locator("time")).to_contain_text(day)
    decisions.first.scroll_into_view_if_needed()
    screenshot(finance, "issue12-decision-history")
    # The project's page keeps the same history: each decision names the month it answered.
    finance.get_by_role("link", name="查看项目全过程").click()
    on_project = finance.locator("#decisions + ul > li")
    expect(on_project).to_have_count(4)
    for entry, month in zip(on_project.all(), (1, 2, 3, 4), strict=True):
        expect(entry).to_contain_text(f"2026 年 {month} 月报告")
        expect(entry).to_contain_text("教科文股 王强")
    finance.locator("#decisions").scroll_into_view_if_needed()
    screenshot(finance, "issue12-decision-history-project-page")

    # A goal adjustment is judged against the approved version, the changed cells marked.
    finance.goto(f"/tasks/{open_task(app, 'Task_Review', '县第一中学智慧校园建设').id}")
    diff = finance.locator(".goal-diff")
    expect(diff).to_be_visible()
    expect(diff).to_contain_text(re.compile(r"第 1 版（已批复）→ 第 2 版"))
    changed = diff.locator("li.diff-changed").filter(has_text="建成智慧教室").locator(".diff-cell")
    expect(changed).to_contain_text("指标值")
    expect(diff.locator(".diff-header")).to_contain_text("年度目标")  # the restated annual goal, old and new
    expect(changed.locator("del")).to_have_text("30")  # the approved value, struck through
    expect(changed.locator("ins")).to_have_text("25")  # the value asked for
    diff.scroll_into_view_if_needed()
    screenshot(finance, "issue12-goal-adjust-diff")
