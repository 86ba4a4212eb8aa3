"""The BPMN modeler in a real browser (issue 13 point 2, first slice): an administrator opens the modeler on a
shipped flow from /admin/models; bpmn-js draws the diagram with its palette in Chinese; 校验 finds nothing wrong;
部署 makes version 2, shown on the page and in the models list; the strict CSP is never violated."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from server.db import db
from server.models import ProcessVersion
from tests.api.helpers import deploy_folder
from tests.browser.support import login, screenshot
from tests.browser.test_csp_browser import assert_no_violation, watched  # noqa: F401  (the CSP watch fixture)
from tests.support.api import api_as

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def test_admin_validates_and_deploys_a_shipped_flow_in_the_modeler(live_server, watched):  # noqa: F811
    page = watched
    admin_api = api_as(live_server.app.test_client(), "admin")
    assert deploy_folder(admin_api, "goal_adjust", WORKFLOWS / "goal_adjust").status_code == 201

    login(page, "admin")
    page.goto("/admin/models")
    page.locator("#model-goal_adjust").get_by_role("link", name="在建模器中编辑流程图").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("流程建模")
    canvas = page.locator("#modeler")
    expect(canvas).to_have_attribute("data-ready", "true")
    expect(canvas.locator('svg .djs-element[data-element-id="Task_Fill"]')).to_be_attached()
    expect(canvas.locator(".djs-palette").get_by_role("button", name="任务", exact=True)).to_be_visible()  # in Chinese

    # An edit the engine cannot run: the script step turned into a service task (no operator). 校验 marks it.
    canvas.locator('.djs-element[data-element-id="Script_Start"]').click()
    page.locator(".djs-context-pad").get_by_title("更改元素类型").click()
    page.locator(".djs-popup").get_by_text("服务任务（系统操作）").click()
    page.get_by_role("button", name="校验").click()
    status = page.locator("#modeler-status")
    expect(status).to_contain_text("校验未通过")
    problems = page.locator("#modeler-problems li")
    expect(problems.first).to_be_visible()
    invalid = problems.first.get_attribute("data-element-id")
    assert invalid, problems.all_inner_texts()
    expect(canvas.locator(f'.djs-element.jx-invalid[data-element-id="{invalid}"]')).to_be_attached()
    expect(canvas.locator(".jx-problem-badge").first).to_be_visible()
    screenshot(page, "modeler-invalid")

    canvas.locator('.djs-element[data-element-id="Task_Fill"]').click()  # the canvas has the keyboard again
    page.keyboard.press("Control+z")  # undone: the diagram is as deployed again
    page.get_by_role("button", name="校验").click()
    expect(status).to_have_text("校验通过，可以部署")
    expect(page.locator("#modeler-problems")).to_be_hidden()

    # The side panel rewrites a service step's parameter; the step's other SpiffWorkflow parts stay as they were.
    canvas.locator('.djs-element[data-element-id="Service_Record"]').click()
    panel = page.locator("#modeler-panel")
    expect(panel.get_by_label("系统操作")).to_have_value("goals.review")
    opinion = panel.locator("tr", has=page.locator('input[aria-label="参数名"]')).nth(2).get_by_label("取值（表达式）")
    expect(opinion).to_have_value("adjust_opinion")
    opinion.fill("adjust_opinion.strip()")
    opinion.blur()
    screenshot(page, "modeler-panel-service")

    page.get_by_role("button", name="部署").click()
    expect(status).to_have_text("已部署 goal_adjust 第 2 版")
    with live_server.app.app_context():
        source = db.session.scalars(select(ProcessVersion.sources).where(ProcessVersion.number == 2)).one()
        xml = source["goal_adjust.bpmn"]
        assert 'id="opinion" type="any" value="adjust_opinion.strip()"' in xml
        original = (WORKFLOWS / "goal_adjust" / "goal_adjust.bpmn").read_text(encoding="utf-8")
        for part in ("postScript", "serviceTaskOperator", "parameter ", "property "):
            assert xml.count(f"<spiffworkflow:{part}") == original.count(f"<spiffworkflow:{part}"), part
    expect(canvas).to_have_attribute("data-deployed-version", "2")
    expect(page.locator("#modeler-note")).to_contain_text("第 2 版")
    screenshot(page, "modeler-deployed")
    assert_no_violation(page, "the modeler page")

    page.goto("/admin/models")
    expect(page.locator('#model-goal_adjust tr[data-version="2"]')).to_contain_text("当前版本")


def test_a_flow_with_multi_instance_steps_validates_and_deploys_unchanged(live_server, watched):  # noqa: F811
    """The expert panel (a step per expert) names its collections by variable; the modeler keeps them."""
    page = watched
    admin_api = api_as(live_server.app.test_client(), "admin")
    assert deploy_folder(admin_api, "ex_ante", WORKFLOWS / "ex_ante").status_code == 201

    login(page, "admin")
    page.goto("/admin/models/ex_ante/modeler")
    canvas = page.locator("#modeler")
    expect(canvas).to_have_attribute("data-ready", "true")
    status = page.locator("#modeler-status")
    page.get_by_role("button", name="校验").click()
    expect(status).to_have_text("校验通过，可以部署")
    page.get_by_role("button", name="部署").click()
    expect(status).to_have_text("已部署 ex_ante 第 2 版")
    with live_server.app.app_context():
        source = db.session.scalars(select(ProcessVersion.sources).where(ProcessVersion.number == 2)).one()
        assert "<bpmn:loopDataInputRef>panel_experts</bpmn:loopDataInputRef>" in source["ex_ante.bpmn"]
        assert "<bpmn:loopDataOutputRef>expert_reviews</bpmn:loopDataOutputRef>" in source["ex_ante.bpmn"]
    assert_no_violation(page, "the modeler page")
