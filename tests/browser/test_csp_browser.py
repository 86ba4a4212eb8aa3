"""The strict Content-Security-Policy in a real browser (issue 9, finding 8): the inbox (with an htmx filter),
a task page (the form script) and an instance page (the bpmn-js diagram) work, and the browser reports no
CSP violation on any of them. The admin's bpmn-js modeler page is watched the same way by
tests/browser/test_modeler_browser.py (it imports `watched` and `assert_no_violation` from here)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.api.helpers import FLOWS, deploy_folder, tasks
from tests.browser.support import login, screenshot
from tests.support.api import api_as
from tests.web.conftest import apply

# Runs before any page script: the browser's own securitypolicyviolation events, kept for the test to read
# (the console message Chromium also prints is collected as a second witness).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                              " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(browser_page):
    page = browser_page
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: console.append(f"page error: {err}"))
    page.add_init_script(WATCH_CSP)
    page.console_csp = console
    return page


def assert_no_violation(page, where: str) -> None:
    seen = page.evaluate("window.__cspViolations || []")
    assert not seen, f"CSP violations on {where}: {seen}"
    assert not page.console_csp, f"console on {where}: {page.console_csp}"


def test_inbox_task_and_diagram_pages_work_under_the_csp(live_server, watched):
    page = watched
    client = live_server.app.test_client()
    assert deploy_folder(api_as(client, "admin"), "review", FLOWS / "review").status_code == 201
    school = api_as(client, "school1")
    inst = apply(school, "县第一中学校舍维修改造工程", 480_000, submit=False)
    apply(school, "县第一中学理化生实验室设备购置", 120_000, submit=False)

    login(page, "school1")
    csp = page.request.get("/inbox").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp

    # Inbox: the list filters in place through htmx (its config from the meta tag, no eval, no inline style).
    page.goto("/inbox?view=claimable")
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("搜索项目名称或编码").fill("没有这个项目")
    expect(rows).to_have_count(0)
    page.get_by_label("搜索项目名称或编码").fill("")
    expect(rows).to_have_count(2)
    assert_no_violation(page, "/inbox")

    # Task page: the form's own script (task-form.js) runs.
    task = next(t for t in tasks(school, "mine") + tasks(school, "claimable")
                if t["instance_id"] == inst["id"] and t["element_id"] == "Task_Apply")
    page.goto(f"/tasks/{task['id']}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_violation(page, "the task page")

    # Instance page: bpmn-js draws the diagram and marks the open step.
    page.goto(f"/instances/{inst['id']}")
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(diagram.locator("svg .djs-element").first).to_be_attached()
    assert diagram.locator("svg .djs-element").count() > 3
    expect(diagram.locator(".jx-current")).to_have_count(1)
    expect(diagram.locator(".diagram-failed")).to_have_count(0)
    screenshot(page, "csp-instance-diagram")
    assert_no_violation(page, "the instance page")


def test_an_inline_script_is_refused_by_the_browser(live_server, watched):
    """The policy is really enforced: a script injected into a page (as an XSS would) does not run."""
    page = watched
    page.goto("/login")
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__injected = true";
        document.body.appendChild(s);
    }""")
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.__injected === undefined")
    seen = page.evaluate("window.__cspViolations")
    assert any(re.match(r"script-src", v) for v in seen), seen
