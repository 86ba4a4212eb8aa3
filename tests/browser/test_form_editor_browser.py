"""The form editor in a real browser (issue 13 point 3): the admin opens a flow's form from /admin/models,
changes its title, watches the preview follow (a typing mistake is listed by line while the last good preview
stays), saves, and the unit's task page on the new version shows the new title. The strict CSP holds."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.api.helpers import FLOWS, deploy_folder, start, workable
from tests.browser.support import login, screenshot
from tests.browser.test_csp_browser import assert_no_violation, watched  # noqa: F401  (the CSP watch fixture)
from tests.support.api import api_as


def test_admin_retitles_a_form_sees_the_preview_and_the_task_page_follows(live_server, watched, new_page):  # noqa: F811
    page = watched
    client = live_server.app.test_client()
    assert deploy_folder(api_as(client, "admin"), "review", FLOWS / "review").status_code == 201

    login(page, "admin")
    page.goto("/admin/models")
    expect(page.locator("#forms-review")).to_contain_text("apply.json")
    screenshot(page, "form-editor-models")
    page.locator("#model-review").get_by_role("link", name="apply.json").click()
    preview = page.locator("#form-preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text("项目申报")
    expect(preview.get_by_label("申报金额（元）")).to_be_visible()  # the task page's own widgets

    box = page.locator("#schema-text")
    text = box.input_value()
    box.fill(text.replace('"title": "项目申报"', '"title": "项目申报（2027 年度）"'))
    expect(preview.get_by_role("heading", level=2)).to_have_text("项目申报（2027 年度）")

    box.fill(text.replace('"title": "项目申报",', '"title": "项目申报（2027 年度）"'))  # a comma lost
    expect(page.locator("#form-problems li").first).to_contain_text("第 4 行")
    expect(page.locator("#kept-note")).to_be_visible()
    expect(preview.get_by_role("heading", level=2)).to_have_text("项目申报（2027 年度）")  # the last good render
    screenshot(page, "form-editor-problem")

    box.fill(text.replace('"title": "项目申报"', '"title": "项目申报（2027 年度）"'))
    expect(page.locator("#form-problems")).to_be_hidden()
    screenshot(page, "form-editor")
    page.get_by_role("button", name="保存并部署新版本").click()
    expect(page.locator(".flash-success")).to_contain_text("review 第 2 版")

    school = api_as(live_server.app.test_client(), "school1")
    inst = start(school, "review")
    task = next(t for t in workable(school) if t["instance_id"] == inst["id"])
    unit = new_page()
    login(unit, "school1")
    unit.goto(f"/tasks/{task['id']}")
    expect(unit.get_by_role("heading", level=2, name="项目申报（2027 年度）")).to_be_visible()
    screenshot(unit, "form-editor-task-page")
    assert_no_violation(page, "the form editor")
