"""The rule-table editor in a real browser (issue 13 point 4): from /admin/models the administrator opens the
evaluation grade bands, raises 优 to 95 points in its cell, test-runs 92 (良, rule 2 highlighted) and deploys
version 2; the page keeps to the strict CSP."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.api.helpers import deploy_folder
from tests.browser.support import login, screenshot
from tests.browser.test_csp_browser import assert_no_violation, watched  # noqa: F401  (the CSP watch fixture)
from tests.support.api import api_as

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def test_admin_changes_a_grade_band_test_runs_and_deploys(live_server, watched):  # noqa: F811
    page = watched
    admin_api = api_as(live_server.app.test_client(), "admin")
    assert deploy_folder(admin_api, "evaluation", WORKFLOWS / "evaluation").status_code == 201

    login(page, "admin")
    page.goto("/admin/models")
    page.locator("#model-evaluation").get_by_role("link", name="evaluation_grade.dmn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("按综合得分确定评价等次")
    cell = page.get_by_label("第 1 条规则 综合得分")
    expect(cell).to_have_value(">= 90")
    cell.fill(">= 95")
    page.get_by_label("第 1 条规则 定级依据").fill('"综合得分 95 分（含）以上为优"')
    page.get_by_label("综合得分 score").fill("92")
    page.get_by_role("button", name="试运行", exact=True).click()
    expect(page.locator("#rule-run-matched")).to_contain_text("命中规则：第 2 条")
    expect(page.locator("#rule-run-result")).to_contain_text("良")
    expect(page.locator("#rule-1")).to_have_class("rule-row rule-matched")
    expect(page.get_by_label("第 1 条规则 综合得分")).to_have_value(">= 95")  # the edit is kept, not yet deployed
    screenshot(page, "rule-table-test-run")

    page.get_by_label("第 2 条规则 综合得分").fill(">= 80 and __import__('os')")
    page.get_by_role("button", name="校验", exact=True).click()
    expect(page.locator("#error-r1-in0")).to_contain_text("__import__")
    page.get_by_label("第 2 条规则 综合得分").fill(">= 80")

    page.get_by_role("button", name="部署为新版本").click()
    expect(page.locator(".flash-success")).to_contain_text("已部署 evaluation 第 2 版")
    expect(page.get_by_label("第 1 条规则 综合得分")).to_have_value(">= 95")
    screenshot(page, "rule-table-deployed")
    assert_no_violation(page, "the rule-table page")
