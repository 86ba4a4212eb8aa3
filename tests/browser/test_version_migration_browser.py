"""Issue 13's browser story: an administrator opens the modeler on a shipped flow (绩效目标编审, goal_review), adds a
user task 主管部门预审 in the 主管部门 lane, names it and gives it a form and instructions in the side panel, and
deploys version 2. A new instance reaches the new task in the supervising department's inbox; an instance started
before keeps version 1 until the administrator migrates it on the version comparison page, then it continues on
version 2 and reaches the new task too.

Drawing the box and its two flows goes through bpmn-js's own modeling service (page.evaluate: the commands the
palette and the context pad run, without dragging by pixels); everything Jixiao needs on the step — its name, form,
instructions, and the lane's role — is set and read in the side panel as an administrator would."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.api.helpers import complete, deploy_folder, start, workable
from tests.browser.support import login, logout, screenshot
from tests.browser.test_csp_browser import assert_no_violation, watched  # noqa: F401  (the CSP watch fixture)
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import goal_table, in_library
from tests.support.api import api_as

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"

# Keeps a handle on the page's bpmn-js instance (modeler.js holds it in a closure): the test drives its services.
KEEP_MODELER = """
(() => {
  let wrapped;
  Object.defineProperty(window, "BpmnJS", {
    configurable: true,
    get() { return wrapped; },
    set(Original) {
      wrapped = function (options) { const m = new Original(options); window.__jxModeler = m; return m; };
      wrapped.prototype = Original.prototype;
    },
  });
})();
"""

# The box an administrator draws: a user task in the 主管部门 lane between 提交审核 (the unit's submission) and
# 主管部门审核绩效目标, connected on both sides. Returns the lane's flow nodes (bpmn-js files it by position).
DRAW_TASK = """
() => {
  const m = window.__jxModeler;
  const modeling = m.get("modeling"), registry = m.get("elementRegistry");
  const lane = registry.get("Lane_dept");
  const participant = registry.filter(e => e.type === "bpmn:Participant")[0];
  const task = modeling.createShape({ type: "bpmn:UserTask" }, { x: 1290, y: lane.y + lane.height / 2 }, participant);
  modeling.updateProperties(task, { id: "Task_DeptPrecheck" });
  modeling.reconnectEnd(registry.get("Flow_Submitted"), task, { x: task.x + task.width / 2, y: task.y });
  modeling.connect(task, registry.get("Task_DeptReview"), { type: "bpmn:SequenceFlow" });
  return lane.businessObject.flowNodeRef.map(n => n.id);
}
"""
PRECHECK_NOTE = "先核对单位提交的绩效目标是否完整，再送主管部门正式审核。"


def _open_step(user, instance_id: int) -> list[str]:
    return [t["element_id"] for t in workable(user) if t["instance_id"] == instance_id]


def test_admin_adds_a_step_deploys_and_migrates_an_older_instance(live_server, watched):  # noqa: F811
    page = watched
    client = live_server.app.test_client()
    admin_api, school = api_as(client, "admin"), api_as(client, "school1")
    for key in ("ex_ante", "goal_review"):
        assert deploy_folder(admin_api, key, WORKFLOWS / key).status_code == 201
    users = Users(lambda name: api_as(client, name))
    old_code = in_library(users, project_name="县第一中学操场改造")
    new_code = in_library(users, project_name="县第一中学食堂改造")
    older = start(school, "goal_review", {"project_code": old_code})  # version 1, waiting at 填报绩效目标申报表

    # The modeler: draw 主管部门预审 in the department's lane, with its form, and deploy.
    page.add_init_script(KEEP_MODELER)
    login(page, "admin")
    page.goto("/admin/models")
    page.locator("#model-goal_review").get_by_role("link", name="在建模器中编辑流程图").click()
    canvas = page.locator("#modeler")
    expect(canvas).to_have_attribute("data-ready", "true")
    in_lane = page.evaluate(DRAW_TASK)
    assert "Task_DeptPrecheck" in in_lane  # bpmn-js put it in the 主管部门 lane by its position

    # The side panel: the lane's role, then the new step's name, form and instructions.
    panel = page.locator("#modeler-panel")
    band = canvas.locator('.djs-element[data-element-id="Lane_dept"]').bounding_box()
    page.mouse.click(band["x"] + 12, band["y"] + band["height"] / 2)
    expect(panel).to_have_attribute("data-element-id", "Lane_dept")
    expect(panel.get_by_label("办理角色")).to_have_value("dept_reviewer")
    canvas.locator('.djs-element[data-element-id="Task_DeptPrecheck"]').click()
    expect(panel).to_have_attribute("data-element-id", "Task_DeptPrecheck")
    panel.get_by_label("名称").fill("主管部门预审")
    panel.get_by_label("名称").blur()
    panel.get_by_label("表单", exact=True).select_option(label="主管部门审核绩效目标（dept_review.json）")
    panel.get_by_label("办理说明").fill(PRECHECK_NOTE)
    panel.get_by_label("办理说明").blur()
    screenshot(page, "migration-modeler-panel")
    page.get_by_role("button", name="校验").click()
    status = page.locator("#modeler-status")
    expect(status).to_have_text("校验通过，可以部署")
    page.get_by_role("button", name="部署").click()
    expect(status).to_have_text("已部署 goal_review 第 2 版")
    expect(canvas.locator('.djs-element[data-element-id="Task_DeptPrecheck"]')).to_be_visible()
    screenshot(page, "migration-modeler-deployed")
    assert_no_violation(page, "the modeler page")

    # A new instance runs version 2: after the unit files, the new step waits for the supervising department.
    newer = start(school, "goal_review", {"project_code": new_code})
    filing = next(t for t in workable(school) if t["instance_id"] == newer["id"])
    complete(school, filing["id"], goal_table())
    logout(page)
    login(page, "edu_head")
    page.goto("/inbox?view=claimable")
    row = page.locator("tr", has_text="县第一中学食堂改造")
    expect(row).to_contain_text("主管部门预审")
    screenshot(page, "migration-new-step-in-department-inbox")
    assert _open_step(school, older["id"]) == ["Task_Fill"]  # the older one is still where it was, on v1

    # The administrator compares the versions and migrates the older instance.
    logout(page)
    login(page, "admin")
    page.goto(f"/instances/{older['id']}")
    expect(page.locator(".crumbs")).to_contain_text("版本 1")
    page.goto("/admin/models")
    page.locator("#model-goal_review").get_by_role("link", name="版本对比与实例迁移").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第 1 版 → 第 2 版")
    added = page.locator('#diff-list tr.diff-added[data-element="Task_DeptPrecheck"]')
    expect(added).to_contain_text("主管部门预审")
    expect(added).to_contain_text("人工任务")
    new_diagram = page.locator(".diff-diagram").nth(1)
    expect(new_diagram).to_have_attribute("data-ready", "true")
    expect(new_diagram.locator('.djs-element.jx-added[data-element-id="Task_DeptPrecheck"]')).to_be_attached()
    old_diagram = page.locator(".diff-diagram").nth(0)
    expect(old_diagram).to_have_attribute("data-ready", "true")
    expect(old_diagram.locator('.djs-element.jx-changed[data-element-id="Service_Submit"]')).to_be_attached()
    instance_row = page.locator(f'tr[data-instance="{older["id"]}"]')
    expect(instance_row).to_contain_text("可以迁移")
    screenshot(page, "migration-diff-page")
    page.locator(".diff-diagram-block").nth(1).get_by_role("button", name="显示全图").click()
    page.locator(".diff-diagram-block").nth(1).get_by_role("button", name="回到改动处").click()

    instance_row.get_by_role("checkbox").check()
    page.get_by_role("button", name="迁移所选实例").click()
    expect(page.locator("#migration-summary")).to_have_text("已迁移 1 个，未迁移 0 个。")
    expect(page.locator("#migration-bar")).to_have_attribute("value", "1")
    expect(page.locator("#migration-result-list")).to_contain_text("已从第 1 版迁移到第 2 版")
    expect(instance_row.locator("[data-verdict]")).to_have_text("已迁移")
    screenshot(page, "migration-done")
    assert_no_violation(page, "the version comparison page")
    page.goto(f"/instances/{older['id']}")
    expect(page.locator(".crumbs")).to_contain_text("版本 2")

    # It continues on version 2: once the unit files, the new step reaches the department too.
    assert _open_step(school, older["id"]) == ["Task_Fill"]  # its open task row stayed as it was
    filing = next(t for t in workable(school) if t["instance_id"] == older["id"])
    complete(school, filing["id"], goal_table())
    logout(page)
    login(page, "edu_head")
    page.goto("/inbox?view=claimable")
    expect(page.locator("tr", has_text="县第一中学操场改造")).to_contain_text("主管部门预审")
    page.locator("tr", has_text="县第一中学操场改造").get_by_role("link", name="主管部门预审").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text("主管部门预审")
    expect(page.get_by_role("region", name="主管部门审核绩效目标")).to_be_visible()  # the form chosen in the panel
    expect(page.get_by_text(PRECHECK_NOTE)).to_be_visible()
    screenshot(page, "migration-migrated-instance-new-step")
