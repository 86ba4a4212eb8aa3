"""The issue's scenario in a real browser, on the shipped 先评估后入库 flow: 县第一中学 opens its application task,
submits an invalid form and sees the field errors with its input kept, fixes it and submits; 县教育局's
reviewer sees 主管部门审核 appear in 可认领, claims it and sends it back; the unit finds its application back in 我的待办.
Screenshots of the task form (with errors), the review form and the instance page go to test-artifacts/.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.api.helpers import complete, deploy_folder, start, tasks
from tests.browser.support import login, screenshot
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, only
from tests.support.api import api_as

APPLY, REVIEW = "填报项目入库申报书", "主管部门审核"


def fill_application(page, *, amount: str) -> None:
    page.get_by_label("预算年度").fill("2027")
    page.get_by_text("新增项目", exact=True).click()
    page.get_by_label("实施期限：起始年度").fill("2027")
    page.get_by_label("实施期限：截止年度").fill("2027")
    page.get_by_label("申报金额（元，年度资金总额）").fill(amount)
    page.get_by_label("其中：财政拨款（元）").fill("800000")
    page.get_by_label("其中：其他资金（元）").fill("0")
    page.get_by_label("立项必要性").fill("教学楼建于1988年，经鉴定为C级危房，需加固维修以保障师生安全。")
    page.get_by_label("实施方案").fill("2027年3月完成设计招标，7月至8月暑期施工，9月开学前竣工验收。")
    page.get_by_label("联系人及电话").fill("刘洋 0000-1234567")
    fill_draft_goals(page)


def fill_draft_goals(page) -> None:
    """The application's draft goals (issue 16.2): one indicator row, its quality warnings confirmed."""
    page.get_by_label("中长期目标（实施期总体目标）").fill("消除教学楼安全隐患，教学用房全部达到安全标准，保障师生教学安全。")
    page.get_by_label(re.compile("^年度目标")).fill("2027年暑期完成教学楼4200平方米结构加固，开学前竣工验收合格。")
    page.get_by_label("一级指标 · 第 1 行").select_option("产出")
    page.get_by_label("二级指标 · 第 1 行").select_option("数量")
    page.get_by_label("三级指标 · 第 1 行").fill("结构加固面积")
    page.get_by_label("计算符号 · 第 1 行").select_option("≥")
    page.get_by_label(re.compile("^指标值 · 第 1 行")).fill("4200")
    page.get_by_label("计量单位 · 第 1 行").fill("平方米")
    page.get_by_label("指标值设定依据 · 第 1 行").select_option("计划标准")
    page.get_by_label("权重 · 第 1 行").fill("100")
    page.get_by_label("已阅质量检查提示，确认按现有内容提交").check()


def fill_rows(page) -> None:
    """Budget rows and materials, adding and removing rows with the table buttons (task-form.js)."""
    budget = page.locator('[data-path="budget_items"]')
    page.get_by_label("支出内容 · 第 1 行").fill("结构加固")
    page.get_by_label("测算依据（数量 × 标准） · 第 1 行").fill("4200平方米 × 150元")
    page.get_by_label("金额（元） · 第 1 行").fill("630000")
    budget.get_by_role("button", name="添加一行").click()
    page.get_by_label("支出内容 · 第 2 行").fill("门窗更换")
    page.get_by_label("测算依据（数量 × 标准） · 第 2 行").fill("120樘 × 1416.67元")
    page.get_by_label("金额（元） · 第 2 行").fill("170000")

    materials = page.locator('[data-path="materials"]')
    for _ in range(3):
        materials.get_by_role("button", name="添加一行").click()
    for i, text in enumerate(["多余的一行", "申报书", "实施方案", "房屋安全鉴定报告"], start=1):
        page.get_by_label(f"申报材料清单 · 第 {i} 行").fill(text)
    materials.locator("tr[data-row]").first.get_by_role("button", name="删除").click()
    # Rows are renumbered: names stay dense, so a server error names the row the user sees.
    expect(materials.locator("tr[data-row]")).to_have_count(3)
    expect(page.get_by_label("申报材料清单 · 第 1 行")).to_have_value("申报书")
    expect(materials.locator('input[name="materials.2"]')).to_have_value("房屋安全鉴定报告")


def test_unit_fixes_a_refused_form_reviewer_claims_and_sends_it_back(live_server, new_page):
    client = live_server.app.test_client()
    assert deploy_folder(api_as(client, "admin"), KEY, FLOW_DIR).status_code == 201
    school_api = api_as(client, "school1")
    instance_id = start(school_api, KEY)["id"]

    # --- the unit opens its task from the inbox and claims it
    unit = new_page()
    login(unit, "school1")
    unit.locator("#tab-claimable").click()
    unit.get_by_role("link", name=APPLY).click()
    expect(unit.get_by_role("heading", level=1)).to_have_text(APPLY)
    unit.get_by_role("button", name="认领", exact=True).click()
    expect(unit.get_by_text("已认领，可以开始办理")).to_be_visible()

    # --- an invalid form: no project name, an amount in words
    fill_application(unit, amount="八十万")
    fill_rows(unit)
    unit.get_by_role("button", name="提交", exact=True).click()
    summary = unit.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("项目名称")
    expect(unit.locator("#e-f-amount")).to_have_text("应为数字")
    expect(unit.locator("#e-f-project_name")).to_have_text("此项为必填项")
    expect(unit.get_by_label("申报金额（元，年度资金总额）")).to_have_value("八十万")
    expect(unit.get_by_label("申报金额（元，年度资金总额）")).to_have_attribute("aria-invalid", "true")
    expect(unit.get_by_label("实施方案")).to_have_value(re.compile("^2027年3月完成设计招标"))
    expect(unit.get_by_label("支出内容 · 第 2 行")).to_have_value("门窗更换")
    expect(unit.get_by_label("申报材料清单 · 第 3 行")).to_have_value("房屋安全鉴定报告")
    screenshot(unit, "task-form-errors")

    # --- fixed and submitted
    unit.get_by_label("项目名称").fill("县第一中学教学楼维修改造")
    unit.get_by_label("申报金额（元，年度资金总额）").fill("800,000")
    unit.get_by_role("button", name="提交", exact=True).click()
    expect(unit).to_have_url(re.compile(r"/inbox"))
    expect(unit.get_by_text(f"“{APPLY}”已提交")).to_be_visible()

    # The self-assessment is the unit's next step; it is not part of this scenario.
    complete(school_api, only(tasks(school_api, "claimable"), "Task_SelfAssess")["id"], SELF_SCORES)

    # --- the department's reviewer finds it in 可认领, claims it and sends it back
    head = new_page()
    login(head, "edu_head")
    head.locator("#tab-claimable").click()
    row = head.locator("tr", has_text=REVIEW)
    expect(row).to_contain_text("县第一中学教学楼维修改造")
    row.get_by_role("button", name=f"认领：{REVIEW}").click()
    head.locator("#tab-mine").click()
    head.get_by_role("link", name=REVIEW, exact=True).click()
    context = head.get_by_role("complementary", name="项目情况")
    expect(context).to_contain_text("项目必要、方案可行，申请予以支持。")  # the unit's self-assessment
    expect(context).to_contain_text("800,000.00 元")
    head.get_by_label("审核意见").fill("预算测算依据不足，请补充设备单价依据")
    screenshot(head, "task-review-form")
    head.get_by_role("button", name="退回单位修改").click()
    expect(head).to_have_url(re.compile(r"/inbox"))
    expect(head.get_by_text(f"“{REVIEW}”已提交")).to_be_visible()

    # --- the unit finds its application back in 我的待办 (it returns to whoever filed it) and reads why
    unit.goto("/inbox?view=claimable")
    expect(unit.locator("tr", has_text=APPLY)).to_have_count(0)
    unit.locator("#tab-mine").click()
    screenshot(unit, "inbox-sent-back")
    unit.locator("tr", has_text=APPLY).get_by_role("link", name="办理").click()
    expect(unit.get_by_role("complementary", name="项目情况")).to_contain_text("预算测算依据不足，请补充设备单价依据")
    expect(unit.get_by_label("申报金额（元，年度资金总额）")).to_have_value("800000.00")

    # --- the instance page: diagram with done and current steps, the timeline
    unit.get_by_role("link", name="查看流程图和全部记录").click()
    expect(unit).to_have_url(re.compile(rf"/instances/{instance_id}$"))
    expect(unit.locator("#diagram[data-ready=true]")).to_have_count(1)
    expect(unit.locator('[data-element-id="Task_DeptReview"].jx-done')).to_have_count(1)
    expect(unit.locator('[data-element-id="Task_Apply"].jx-current')).to_have_count(1)
    expect(unit.locator(".timeline")).to_contain_text("退回单位修改")
    screenshot(unit, "instance-page")
