"""Attachments in a real browser: 县第一中学 picks two files on its application task and drops a third, watches each
upload's progress and sees them listed (name, size, remove), submits; 县教育局's reviewer sees them on the review task and downloads
one. No CSP violation on the way. Screenshots: test-artifacts/screenshots/attachments-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.api.helpers import complete, deploy_folder, start, tasks
from tests.browser.support import login, screenshot
from tests.browser.test_task_flow import APPLY, REVIEW, fill_application
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, only
from tests.support import files
from tests.support.api import api_as

# Counts the progress bars the page shows, so the test knows the uploads reported progress.
WATCH_PROGRESS = """
window.__progress = 0;
new MutationObserver(function (changes) {
  changes.forEach(function (c) { c.addedNodes.forEach(function (n) {
    if (n.querySelector && n.querySelector("progress")) window.__progress += 1; }); });
}).observe(document, {childList: true, subtree: true});
"""


def test_unit_uploads_two_files_and_the_reviewer_downloads_one(live_server, new_page):
    client = live_server.app.test_client()
    assert deploy_folder(api_as(client, "admin"), KEY, FLOW_DIR).status_code == 201
    school_api = api_as(client, "school1")
    start(school_api, KEY)

    unit = new_page()
    problems: list[str] = []
    # Script errors and CSP refusals (the refused upload's 422 is logged too, and is expected).
    unit.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    unit.on("pageerror", lambda err: problems.append(str(err)))
    unit.add_init_script(WATCH_PROGRESS)
    login(unit, "school1")
    unit.locator("#tab-claimable").click()
    unit.get_by_role("link", name=APPLY).click()
    unit.get_by_role("button", name="认领", exact=True).click()
    fill_application(unit, amount="800000")
    unit.get_by_label("项目名称").fill("县第一中学教学楼维修改造")
    unit.get_by_label("支出内容 · 第 1 行").fill("结构加固及维修")
    unit.get_by_label("测算依据（数量 × 标准） · 第 1 行").fill("4200平方米 × 标准单价")
    unit.get_by_label("金额（元） · 第 1 行").fill("800000")
    unit.get_by_label("申报材料清单 · 第 1 行").fill("申报书")

    field = unit.locator('[data-attachments][data-path="material_files"]')
    # A program disguised as a PDF is refused with the server's reason, next to the field.
    unit.get_by_label("申报材料附件").set_input_files(
        [{"name": "申报书.pdf", "mimeType": "application/pdf", "buffer": files.EXE}])
    expect(field.locator(".attachment-failed")).to_contain_text("不支持的文件类型")
    field.locator(".attachment-failed button").click()
    unit.get_by_label("申报材料附件").set_input_files([
        {"name": "项目申报书.pdf", "mimeType": "application/pdf", "buffer": files.PDF},
        {"name": "实施方案.docx", "mimeType": "application/octet-stream", "buffer": files.DOCX},
    ])
    listed = field.locator("[data-attachment-list] [data-attachment]")
    expect(listed).to_have_count(2)
    # Uploads run side by side: each joins the list when it finishes, in whatever order that is.
    for name in ("项目申报书.pdf", "实施方案.docx"):
        expect(listed.filter(has_text=name).get_by_role("button", name=f"移除 {name}")).to_be_visible()
    # A third file dropped onto the field (a drop event carrying the file, as the browser fires it).
    drop = unit.evaluate_handle("""() => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13])],
                                "现场照片.png", {type: "image/png"}));
        return data;
    }""")
    field.locator("[data-attachment-drop]").dispatch_event("drop", {"dataTransfer": drop})
    expect(listed).to_have_count(3)
    expect(listed.filter(has_text="现场照片.png")).to_have_count(1)
    assert unit.evaluate("window.__progress") >= 4  # one progress bar per upload, the refused one included
    screenshot(unit, "attachments-apply-form")
    unit.get_by_role("button", name="提交", exact=True).click()
    expect(unit).to_have_url(re.compile(r"/inbox"))
    expect(unit.get_by_text(f"“{APPLY}”已提交")).to_be_visible()
    assert not problems, problems

    complete(school_api, only(tasks(school_api, "claimable"), "Task_SelfAssess")["id"], SELF_SCORES)

    head = new_page()
    login(head, "edu_head")
    head.locator("#tab-claimable").click()
    head.locator("tr", has_text=REVIEW).get_by_role("button", name=f"认领：{REVIEW}").click()
    head.locator("#tab-mine").click()
    head.get_by_role("link", name=REVIEW, exact=True).click()
    context = head.get_by_role("complementary", name="项目情况")
    expect(context).to_contain_text("申报材料附件")
    link = context.get_by_role("link", name="实施方案.docx")
    expect(link).to_be_visible()
    screenshot(head, "attachments-review")
    with head.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "实施方案.docx"
    assert Path(download.value.path()).read_bytes() == files.DOCX
