"""Issue 12.6: the instance diagram names its lanes by role (实施单位, not `unit_staff`), opens at a readable
size on the current step, has zoom and fit buttons, and draws the system's own steps quieter than people's."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.api.helpers import complete, deploy_folder, start
from tests.browser.support import login, screenshot
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, application, only
from tests.support.api import api_as

SCALE = "() => document.querySelector('#diagram svg .viewport').transform.baseVal.consolidate().matrix.a"


def _shape(page, element_id: str):
    return page.locator(f'#diagram .djs-element[data-element-id="{element_id}"] .djs-visual > :nth-child(1)')


def test_diagram_is_readable_and_speaks_of_roles(live_server, browser_page):
    client = live_server.app.test_client()
    assert deploy_folder(api_as(client, "admin"), KEY, FLOW_DIR).status_code == 201
    school = api_as(client, "school1")
    inst = start(school, KEY)
    complete(school, only(inst["open_tasks"], "Task_Apply")["id"], application())

    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "school1")
    page.goto(f"/instances/{inst['id']}")
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")

    lanes = diagram.locator('.djs-element[data-element-id^="Lane"] text, .djs-element.djs-shape text')
    labels = " ".join(lanes.all_text_contents())
    for role in ("实施单位", "主管部门", "绩效管理股"):
        assert role in labels, labels
    assert not re.search(r"unit_staff|dept_reviewer|performance_office", diagram.inner_text() + labels)

    # Readable at first sight: labels of at least ~12px on screen, the current step in view.
    scale = page.evaluate(SCALE)
    label = diagram.locator('.djs-element[data-element-id="Task_SelfAssess"] .djs-visual text').first
    height = label.evaluate("t => t.getBoundingClientRect().height")
    assert height >= 12, (scale, height)
    current = diagram.locator(".jx-current").first
    box, frame = current.bounding_box(), diagram.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], (box, frame)

    # People's steps stand out; the system's own steps are thin, dashed and grey.
    person, system = _shape(page, "Task_DeptReview"), _shape(page, "Service_RecordDept")
    assert person.evaluate("e => getComputedStyle(e).strokeDasharray") == "none"
    assert system.evaluate("e => getComputedStyle(e).strokeDasharray") != "none"
    assert float(system.evaluate("e => parseFloat(getComputedStyle(e).strokeWidth)")) < \
        float(person.evaluate("e => parseFloat(getComputedStyle(e).strokeWidth)"))
    screenshot(page, "diagram-readable")

    # Zoom and fit.
    page.get_by_role("button", name="放大").click()
    assert page.evaluate(SCALE) > scale
    page.get_by_role("button", name="缩小").click()
    page.get_by_role("button", name="缩小").click()
    assert page.evaluate(SCALE) < scale
    page.get_by_role("button", name="显示全图").click()
    whole = diagram.locator("svg .viewport").bounding_box()
    assert whole["width"] <= frame["width"] * 1.03 and whole["height"] <= frame["height"] * 1.03, (whole, frame)
    screenshot(page, "diagram-whole-flow")
    page.get_by_role("button", name="回到当前步骤").click()
    assert abs(page.evaluate(SCALE) - scale) < 0.01
