"""The administrator's story in a real browser: a fragile flow's instance failed (100 / x with x = 0); the admin
opens 系统管理 from the navigation, deploys the fixed diagram from /admin/models (a broken upload first: refused
with the file and element named), then in 实例修复 sees the instance with its failed element and retries it on
the new version: it is back at work."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from server.db import db
from server.models import ProcessInstance
from tests.api.helpers import FLOWS, _package, deploy_folder
from tests.api.test_instance_recovery import FIXED, put_in_error
from tests.browser.support import login, open_menu, screenshot
from tests.support.api import api_as


def test_admin_deploys_a_fix_and_repairs_the_instance(live_server, browser_page, tmp_path):
    app = live_server.app
    client = app.test_client()
    admin_api, school = api_as(client, "admin"), api_as(client, "school1")
    assert deploy_folder(admin_api, "fragile", FLOWS / "fragile").status_code == 201
    inst = school.post("/api/v1/process-instances", json={"process_key": "fragile"}).get_json()
    put_in_error(school, inst["id"], inst["open_tasks"][0]["id"])

    fixed, broken = tmp_path / "fixed", tmp_path / "broken"
    for folder in (fixed, broken):
        folder.mkdir()
    for path in _package(FLOWS / "fragile"):
        text = path.read_text("utf-8")
        (fixed / path.name).write_text(text.replace(*FIXED), "utf-8")
        (broken / path.name).write_text(text.replace(*FIXED).replace("ratio = 100", "import os; ratio = 100"), "utf-8")

    page = browser_page
    login(page, "admin")
    open_menu(page, "系统管理").get_by_role("link", name="管理首页").click()
    expect(page.get_by_role("heading", name="系统管理")).to_be_visible()
    page.get_by_role("link", name="流程模型").click()
    page.get_by_label("流程标识").fill("fragile")
    page.get_by_label(re.compile("文件（")).set_input_files(sorted(str(p) for p in broken.iterdir()))
    page.get_by_role("button", name="校验并部署").click()
    errors = page.locator("#deploy-errors")
    expect(errors).to_contain_text("未部署，系统未做任何改动")
    expect(errors.locator("tr.deploy-problem").first).to_contain_text("fragile.bpmn")
    expect(errors.locator("tr.deploy-problem").first).to_contain_text("Script_Ratio")
    screenshot(page, "admin_deploy_refused")

    page.get_by_label("流程标识").fill("fragile")
    page.get_by_label(re.compile("文件（")).set_input_files(sorted(str(p) for p in fixed.iterdir()))
    page.get_by_role("button", name="校验并部署").click()
    expect(page.locator(".flash-success")).to_contain_text("已部署 fragile 第 2 版")
    versions = page.locator("#model-fragile tr[data-version]")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("当前版本")
    expect(versions.nth(1)).to_contain_text("出错 1")
    screenshot(page, "admin_models_deployed")

    open_menu(page, "系统管理").get_by_role("link", name="实例修复").click()
    card = page.locator(f"#instance-{inst['id']}")
    expect(card).to_contain_text("出错元素：Script_Ratio")
    screenshot(page, "admin_instances_error")
    card.get_by_label("改用最新部署的版本").check()
    card.get_by_role("button", name="重试").click()
    expect(page.locator(".flash-success")).to_contain_text("已重试，流程恢复办理")
    expect(page.locator(f"#instance-{inst['id']}")).to_have_count(0)
    screenshot(page, "admin_instances_repaired")
    with app.app_context():
        repaired = db.session.get(ProcessInstance, inst["id"])
        assert (repaired.status.value, repaired.version.number) == ("running", 2)

    # People: the organisation tree and the users with their roles and sectors.
    open_menu(page, "系统管理").get_by_role("link", name="机构", exact=True).click()
    expect(page.locator('tr[data-org="jyj_yz"]')).to_contain_text("教育")
    screenshot(page, "admin_organisations")
    page.get_by_role("link", name="用户", exact=True).click()
    expect(page.locator('tr[data-user="fin_edu"]')).to_contain_text("财政业务股室")
    screenshot(page, "admin_users")
