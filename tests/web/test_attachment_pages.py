"""Attachments on the pages: the apply form's attachment field uploads through the API with the page's session and
CSRF header, posts only ids, and the department reviewer sees and downloads the files; others get 404."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from server.scheduler import run_pass
from server.web.widgets.attachments import DOWNLOAD_PATH, UPLOAD_PATH
from tests.api.helpers import complete, deploy_folder, start, workable
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, draft_goals
from tests.support import files

API_TOKEN = re.compile(r'name="api-csrf-token" content="([^"]*)"')

APPLICATION_FORM = {
    "project_name": "县第一中学教学楼维修改造", "fiscal_year": "2027", "project_type": "new",
    "start_year": "2027", "end_year": "2027", "amount": "800000", "fiscal_funds": "800000", "other_funds": "0",
    "necessity": "教学楼建于1988年，经鉴定为C级危房，需加固维修以保障师生安全。",
    "implementation_plan": "2027年3月完成设计招标，7月至8月暑期施工，9月开学前竣工验收。",
    "budget_items.0.item": "结构加固及维修", "budget_items.0.basis": "4200平方米 × 标准单价",
    "budget_items.0.amount": "800000", "budget_items.__present": "1",
    "materials.0": "申报书", "materials.1": "实施方案", "materials.__present": "1",
    "material_files.__present": "1", "contact": "刘洋 0000-1234567",
    # The draft goals (issue 16.2), as the page posts the goal table's rows.
    **{k: v for k, v in draft_goals().items() if k != "indicators"},
    **{f"indicators.{i}.{k}": str(v) for i, row in enumerate(draft_goals()["indicators"]) for k, v in row.items()},
    "indicators.__present": "1",
}


def apply_task(login_as) -> tuple[dict, int]:
    deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    inst = start(login_as("school1"), KEY)
    return inst, next(t["id"] for t in inst["open_tasks"] if t["element_id"] == "Task_Apply")


def page_upload(user, page: str, content: bytes, name: str, *, token: bool = True):
    headers = {"X-CSRF-Token": API_TOKEN.search(page).group(1)} if token else {}
    return user.client.post(UPLOAD_PATH, data={"file": (io.BytesIO(content), name)},
                            content_type="multipart/form-data", headers=headers)


def test_the_paths_the_widget_names_are_the_served_ones(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("api.attachments.upload") == UPLOAD_PATH
        assert url_for("attachments.download", attachment_id=7) == DOWNLOAD_PATH + "7"


def test_apply_with_attachments_through_the_page_and_the_reviewer_downloads_them(app, browser, login_as):
    inst, task_id = apply_task(login_as)
    school = browser("school1")
    page = school.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'data-attachments data-path="material_files"' in page and f'data-upload-url="{UPLOAD_PATH}"' in page
    assert 'type="file" id="f-material_files" multiple accept=".doc,.docx,.jpeg,.jpg,.pdf,.png,.xls,.xlsx,.zip"' in page
    assert "js/attachments.js" in page
    # The page's session may upload only with the CSRF header (a cross-site form post carries the cookie too).
    assert page_upload(school, page, files.PDF, "申报书.pdf", token=False).status_code == 403
    ids = [page_upload(school, page, content, name).get_json()["id"]
           for content, name in ((files.PDF, "申报书.pdf"), (files.DOCX, "实施方案.docx"))]
    # Text where an id belongs, or someone else's id, comes back as the field's error with the list kept.
    bad = school.post(f"/tasks/{task_id}", {**APPLICATION_FORM, "material_files": [str(ids[0]), "../1"]})
    assert bad.status_code == 422 and "附件编号无效" in bad.get_data(as_text=True)
    theirs = login_as("water1").post(UPLOAD_PATH, data={"file": (io.BytesIO(files.PNG), "水利.png")},
                                     content_type="multipart/form-data").get_json()["id"]
    stolen = school.post(f"/tasks/{task_id}", {**APPLICATION_FORM, "material_files": [str(ids[0]), str(theirs)]})
    text = stolen.get_data(as_text=True)
    assert stolen.status_code == 422 and "不存在或已失效" in text
    assert f'href="{DOWNLOAD_PATH}{ids[0]}"' in text and f'value="{theirs}"' not in text  # the kept one stays listed
    done = school.post(f"/tasks/{task_id}", {**APPLICATION_FORM, "material_files": [str(i) for i in ids]})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]

    school_api = login_as("school1")
    self_task = next(t for t in workable(school_api) if t["element_id"] == "Task_SelfAssess")
    complete(school_api, self_task["id"], SELF_SCORES)
    review = next(t for t in workable(login_as("edu_head")) if t["element_id"] == "Task_DeptReview")
    reviewer = browser("edu_head")
    shown = reviewer.get(f"/tasks/{review['id']}").get_data(as_text=True)
    assert "申报材料附件" in shown and "申报书.pdf" in shown and "实施方案.docx" in shown
    assert f'href="{DOWNLOAD_PATH}{ids[1]}"' in shown
    got = reviewer.client.get(f"{DOWNLOAD_PATH}{ids[1]}")
    assert got.status_code == 200 and got.data == files.DOCX
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    instance_page = reviewer.get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert f'href="{DOWNLOAD_PATH}{ids[0]}"' in instance_page
    assert browser("water_head").get(f"{DOWNLOAD_PATH}{ids[0]}").status_code == 404
    assert browser(None).get(f"{DOWNLOAD_PATH}{ids[0]}").status_code == 302  # to the login page


def test_a_draft_whose_upload_was_cleaned_up_says_so(app, browser, login_as, clock):
    _inst, task_id = apply_task(login_as)
    school = browser("school1")
    page = school.get(f"/tasks/{task_id}").get_data(as_text=True)
    upload_id = page_upload(school, page, files.PDF, "申报书.pdf").get_json()["id"]
    saved = school.post(f"/tasks/{task_id}/draft", {"material_files": [str(upload_id)],
                                                     "material_files.__present": "1"})
    assert saved.status_code in (200, 302, 303)
    assert f'href="{DOWNLOAD_PATH}{upload_id}"' in school.get(f"/tasks/{task_id}").get_data(as_text=True)
    clock.advance(timedelta(hours=25))
    run_pass(app)
    school = browser("school1")
    again = school.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "有 1 个附件已失效" in again and f'href="{DOWNLOAD_PATH}{upload_id}"' not in again
