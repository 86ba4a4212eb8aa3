"""发起 in a real browser. 县第一中学 files a new project from /start (the application form is the start form) and,
after its self-assessment, the project waits in 县教育局's review queue; the performance office previews a year's
monitoring, starts it from the page and watches the progress bar fill, then reads the result list.
Screenshots go to test-artifacts/screenshots/start-*.png.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from server.models import GoalStatus, ProjectStatus
from tests.browser.support import login, open_menu, screenshot
from tests.browser.test_csp_browser import WATCH_CSP, assert_no_violation
from tests.browser.test_task_flow import fill_application, fill_rows
from tests.start import county
from tests.support import files

NAME = "县第一中学实验室改造"


def watched(page):
    """The page with the CSP watch of test_csp_browser: the start and batch scripts must run under the policy."""
    page.console_csp = []
    page.on("console", lambda msg: page.console_csp.append(msg.text) if "Content Security Policy" in msg.text
            else None)
    page.on("pageerror", lambda err: page.console_csp.append(f"page error: {err}"))
    page.add_init_script(WATCH_CSP)
    return page


def test_a_unit_files_a_new_project_from_the_start_page_and_it_reaches_the_department(live_server, new_page):
    county.setup(live_server.app)
    unit = watched(new_page())
    login(unit, "school1")
    open_menu(unit, "待办").get_by_role("link", name="发起").click()
    expect(unit).to_have_url(re.compile(r"/start$"))
    expect(unit.locator("#start-goal_review select")).to_contain_text("S-AWAIT")
    screenshot(unit, "start-unit")

    unit.get_by_role("link", name="新建项目申报").click()
    fill_application(unit, amount="800000")
    fill_rows(unit)
    unit.get_by_role("button", name="提交", exact=True).click()
    expect(unit.locator("#e-f-project_name")).to_have_text("此项为必填项")  # nothing started yet
    assert_no_violation(unit, "the start form")
    unit.get_by_label("项目名称").fill(NAME)
    # Two documents go with the application, uploaded from the start form with their progress.
    field = unit.locator('[data-attachments][data-path="material_files"]')
    unit.get_by_label("申报材料附件").set_input_files([
        {"name": "项目申报书.pdf", "mimeType": "application/pdf", "buffer": files.PDF},
        {"name": "可研报告.docx", "mimeType": "application/octet-stream", "buffer": files.DOCX},
    ])
    expect(field.locator("[data-attachment-list] [data-attachment]")).to_have_count(2)
    screenshot(unit, "start-unit-application")
    unit.get_by_role("button", name="提交", exact=True).click()

    # The application is filed; the unit's own next step, its self-assessment, is already in its hands.
    expect(unit.get_by_text("请继续办理“单位事前绩效自评”")).to_be_visible()
    expect(unit.get_by_role("heading", level=1)).to_have_text("单位事前绩效自评")
    for label, score in (("立项必要性", "19"), ("投入经济性", "16"), ("绩效目标合理性", "17"),
                         ("实施方案可行性", "18"), ("筹资合规性", "20")):
        unit.get_by_label(re.compile(f"^{label}")).fill(score)
    unit.get_by_label("自评结论").fill("项目必要、方案可行，申请予以支持。")
    screenshot(unit, "start-unit-next-step")
    unit.get_by_role("button", name="提交", exact=True).click()
    expect(unit).to_have_url(re.compile(r"/inbox"))

    head = new_page()
    login(head, "edu_head")
    head.locator("#tab-claimable").click()
    row = head.locator("tr", has_text="主管部门审核")
    expect(row).to_contain_text(NAME)
    screenshot(head, "start-dept-inbox")
    # The reviewer opens the project's page: the application's two files are there to download.
    row.get_by_role("button", name=re.compile("^认领")).click()
    head.locator("#tab-mine").click()
    head.get_by_role("link", name="主管部门审核", exact=False).first.click()
    head.get_by_role("link", name="查看项目全过程").click()
    attachments = head.locator("#attachments")
    expect(attachments.get_by_role("link", name="项目申报书.pdf")).to_be_visible()
    expect(attachments.get_by_role("link", name="可研报告.docx")).to_be_visible()
    expect(head.locator("#budget")).to_contain_text("尚未核定")  # not yet admitted: no budget to show as 0
    screenshot(head, "start-project-page")


def test_the_office_previews_and_starts_a_years_monitoring_with_a_progress_bar(live_server, new_page):
    county.setup(live_server.app)
    more = tuple(county.Spec(f"W-{i:02d}", "water1", 2026, ProjectStatus.IN_LIBRARY, GoalStatus.APPROVED)
                 for i in range(1, 21))
    with live_server.app.app_context():
        county.add_projects(more)  # 22 eligible in all: three requests of at most 10
    office = watched(new_page())
    chunks: list[str] = []
    office.on("request", lambda r: chunks.append(r.method) if r.url.endswith("/chunk") else None)
    login(office, "perf")
    open_menu(office, "待办").get_by_role("link", name="发起").click()
    card = office.locator("#batch-monitoring")
    card.get_by_label("预算年度").select_option("2026")
    card.get_by_role("button", name="预览").click()
    expect(office.get_by_role("heading", level=1)).to_contain_text("2026 年度")
    expect(office.get_by_text("将发起 22 个项目，跳过 2 个。")).to_be_visible()
    expect(office.locator("[data-skipped-table]")).to_contain_text("绩效目标未批复（待编制绩效目标）")
    screenshot(office, "start-batch-preview")

    office.get_by_role("button", name=re.compile("发起所选项目")).click()
    bar = office.locator("progress[data-bar]")
    expect(bar).to_be_visible()
    expect(office.locator("[data-result-summary]")).to_have_text("已发起 22 个，跳过 0 个。")
    expect(bar).to_have_attribute("value", "22")
    expect(office.locator("[data-progress-text]")).to_have_text("已处理 22 / 22 个项目")
    assert chunks == ["POST"] * 3
    started = office.locator("[data-started] li")
    expect(started).to_have_count(22)
    expect(office.locator("[data-skipped-section]")).to_be_hidden()
    assert_no_violation(office, "the batch page")
    screenshot(office, "start-batch-result")

    started.filter(has_text="W-APPR").get_by_role("link", name="查看流程").click()
    expect(office).to_have_url(re.compile(r"/instances/\d+$"))
    expect(office.locator("body")).to_contain_text("W-APPR")
