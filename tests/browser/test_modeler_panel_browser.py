"""The modeler's side panel and drafts in a real browser (issue 13 point 2): a diagram drawn elsewhere, whose
lanes are named 申报人 / 审核人 (no role codes) and whose review step has no form, is uploaded with a default role.
In the modeler the admin gives each lane its role (the review to 绩效管理股), gives the step a form and
instructions, rewrites a condition, reads the timer's hint, saves a draft, reloads and finds the draft (with the
choices), deploys; a new instance then waits for 绩效管理股 in its inbox, with that form and instructions."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from server.db import db
from server.models import ModelerDraft, ProcessVersion
from tests.api.helpers import complete, start, workable
from tests.browser.support import login, screenshot
from tests.browser.test_csp_browser import assert_no_violation, watched  # noqa: F401  (the CSP watch fixture)
from tests.support.api import api_as

FIXTURES = Path(__file__).resolve().parents[1] / "web" / "fixtures" / "modeler"
INSTRUCTIONS = "核对申请金额与附件是否一致，再给出核对结论。"


def test_admin_maps_a_lane_and_gives_a_step_its_form_in_the_panel_saves_a_draft_then_deploys(
        live_server, watched, new_page):  # noqa: F811
    page = watched
    client = live_server.app.test_client()
    login(page, "admin")
    # Uploaded as drawn: its lanes are no role codes, so the upload is refused naming the roles to choose from,
    # until a default role takes them; the modeler then maps each lane.
    page.goto("/admin/models")
    page.locator("#deploy-key").fill("check_request")
    page.locator("#deploy-files").set_input_files([FIXTURES / "check_request.bpmn", FIXTURES / "check.json"])
    page.get_by_role("button", name="校验并部署").click()
    expect(page.locator("#deploy-errors")).to_contain_text("泳道“审核人”不是已知角色")
    expect(page.locator("#deploy-errors")).to_contain_text("performance_office（绩效管理股）")
    page.locator("#deploy-files").set_input_files([FIXTURES / "check_request.bpmn", FIXTURES / "check.json"])
    page.get_by_label("泳道默认角色（可选）").select_option("admin")
    page.get_by_role("button", name="校验并部署").click()
    expect(page.locator(".flash-success")).to_contain_text("已部署 check_request 第 1 版")

    page.goto("/admin/models/check_request/modeler")
    canvas = page.locator("#modeler")
    panel = page.locator("#modeler-panel")
    expect(canvas).to_have_attribute("data-ready", "true")

    # Each lane, picked on its title band: not a role code, so it goes to the default role until mapped.
    def pick_lane(element_id: str):
        box = canvas.locator(f'.djs-element[data-element-id="{element_id}"]').bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + box["height"] / 2)
        expect(panel).to_have_attribute("data-element-id", element_id)
        return panel.get_by_label("办理角色")

    role = pick_lane("Lane_Apply")
    expect(role).to_have_value("")
    role.select_option(label="实施单位（unit_staff）")
    pick_lane("Lane_Check").select_option(label="绩效管理股（performance_office）")

    canvas.locator('.djs-element[data-element-id="Task_Check"]').click()
    expect(panel).to_have_attribute("data-element-id", "Task_Check")
    panel.get_by_label("表单", exact=True).select_option(label="核对意见（check.json）")
    panel.get_by_label("办理说明").fill(INSTRUCTIONS)
    panel.get_by_label("办理说明").blur()
    due = panel.get_by_label("办理期限（可选）")
    due.fill("P5D")
    expect(panel.get_by_text("即：5 天内办理")).to_be_visible()
    due.blur()
    screenshot(page, "modeler-panel-user-task")

    # The gateway's condition, rewritten from the panel.
    flow = canvas.locator('.djs-element[data-element-id="Flow_Yes"] .djs-hit').bounding_box()
    page.mouse.click(flow["x"] + flow["width"] / 2, flow["y"] + flow["height"] / 2)
    expect(panel).to_have_attribute("data-element-id", "Flow_Yes")
    condition = panel.get_by_label("条件表达式")
    expect(condition).to_have_value('check_decision == "agree"')
    condition.fill('check_decision in ("agree", "同意")')
    condition.blur()

    # The reminder's timer, read back in plain words.
    canvas.locator('.djs-element[data-element-id="Timer_Remind"]').click()
    expect(panel.locator(".panel-hint").first).to_have_text("即：等待 3 天")
    screenshot(page, "modeler-panel-timer")

    page.get_by_role("button", name="保存草稿").click()
    status = page.locator("#modeler-status")
    expect(status).to_have_text("草稿已保存（未部署，不会运行）")
    expect(page.locator("#modeler-draft-line")).to_contain_text("草稿：系统管理员")

    page.reload()
    expect(canvas).to_have_attribute("data-ready", "true")
    expect(status).to_have_text("已打开你保存的草稿")
    expect(page.locator("#modeler-draft-line")).to_contain_text("基于第 1 版")
    canvas.locator('.djs-element[data-element-id="Task_Check"]').click()
    expect(panel.get_by_label("表单", exact=True)).to_have_value("check.json")
    expect(panel.get_by_label("办理说明")).to_have_value(INSTRUCTIONS)
    expect(pick_lane("Lane_Check")).to_have_value("performance_office")
    screenshot(page, "modeler-panel-lane")
    with live_server.app.app_context():
        assert db.session.scalar(select(ModelerDraft.id)) is not None
        assert db.session.scalar(select(ProcessVersion.number).order_by(ProcessVersion.number.desc())) == 1

    page.get_by_role("button", name="部署").click()
    expect(status).to_have_text("已部署 check_request 第 2 版")
    expect(page.locator("#modeler-draft-line")).to_be_hidden()
    assert_no_violation(page, "the modeler page with its panel")
    with live_server.app.app_context():
        assert db.session.scalar(select(ModelerDraft.id)) is None
        version = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.number.desc())).first()
        assert version.lane_roles == {"申报人": "unit_staff", "审核人": "performance_office"}
        source = db.session.get(ProcessVersion, version.id).sources["check_request.bpmn"]
        assert 'value="check.json"' in source and INSTRUCTIONS in source and 'name="dueIn" value="P5D"' in source
        assert 'check_decision in ("agree", "同意")' in source.replace("&#34;", '"').replace("&quot;", '"')

    # The diagram as drawn, opened again from disk: its lanes keep the roles the version maps them to.
    page.locator("#modeler-open").set_input_files(FIXTURES / "check_request.bpmn")
    expect(status).to_contain_text("已打开文件“check_request.bpmn”（尚未保存）")
    expect(pick_lane("Lane_Check")).to_have_value("performance_office")

    # A new instance: the unit files, and the review waits for 绩效管理股 with the chosen form and instructions.
    unit = api_as(client, "school1")
    start(unit, "check_request")
    complete(unit, workable(unit)[0]["id"], {})
    office = new_page()
    login(office, "perf")
    office.locator("#tab-claimable").click()
    row = office.locator("tr", has_text="核对申请")
    expect(row).to_be_visible()
    row.get_by_role("button", name="认领").click()
    office.locator("#tab-mine").click()
    office.get_by_role("link", name="核对申请").first.click()
    expect(office.get_by_text(INSTRUCTIONS)).to_be_visible()
    expect(office.get_by_label("核对结论")).to_be_visible()
    screenshot(office, "modeler-panel-task")
