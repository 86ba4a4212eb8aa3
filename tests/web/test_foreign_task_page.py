"""A plain <task> from a diagram drawn elsewhere is a page with a confirm button that moves the flow (issue 13.8f)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from tests.api.helpers import start, workable

FOREIGN = Path(__file__).resolve().parent.parent / "engine" / "fixtures" / "foreign"


def test_a_plain_task_is_confirmed_on_its_page(browser, login_as):
    admin = login_as("admin")
    resp = admin.post("/api/v1/process-models/reimburse/versions", content_type="multipart/form-data", data={
        "files": [(BytesIO((FOREIGN / "reimburse_zh.bpmn").read_bytes()), "reimburse_zh.bpmn")],
        "lane_roles": '{"申请人": "unit_staff", "财务": "finance_section"}'})
    assert resp.status_code == 201, resp.get_json()
    school = login_as("school1")
    instance = start(school, "reimburse")["id"]
    [task] = [t for t in workable(school) if t["instance_id"] == instance]
    page = browser("school1")
    html = page.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "填写报销单" in html and "提交" in html
    done = page.post(f"/tasks/{task['id']}", {})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert [t["title"] for t in workable(login_as("fin_edu")) if t["instance_id"] == instance] == ["核对票据"]
