"""The form editor: /admin/models lists each flow's forms; /admin/models/<key>/forms/<file> edits the JSON Schema
and UI schema with a preview drawn by the task page's own code; problems are named by box and line or field;
saving deploys a new version with the form replaced (audited), and the task page then shows it. Hostile input
(huge, deeply nested, not an object, a remote $ref, script in a title) is refused or escaped; non-admins get 403
and posts without the CSRF token 400."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, ProcessModel, ProcessVersion
from tests.api.helpers import FLOWS, start, workable

EDITOR = "/admin/models/review/forms/apply.json"
APPLY = json.loads((FLOWS / "review" / "apply.json").read_text(encoding="utf-8"))
UI = json.loads((FLOWS / "review" / "apply.ui.json").read_text(encoding="utf-8"))


def preview(b, url: str, schema, ui="", *, csrf: bool = True):
    text = schema if isinstance(schema, str) else json.dumps(schema, ensure_ascii=False, indent=2)
    return b.client.post(url + "/preview", json={"schema": text, "ui": ui if isinstance(ui, str) else json.dumps(ui)},
                         headers={"X-CSRFToken": b.token} if csrf else {})


def current(app, key: str) -> ProcessVersion:
    with app.app_context():
        model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
        version = db.session.get(ProcessVersion, model.current_version_id)
        db.session.expunge(version)
        return version


def test_the_admin_edits_a_form_with_a_live_preview_and_saves_a_new_version(app, review, browser, login_as):
    admin = browser("admin")
    assert f'href="{EDITOR}"' in admin.get("/admin/models").get_data(as_text=True)
    page = admin.get(EDITOR).get_data(as_text=True)
    assert "项目申报" in page and 'id="schema-text"' in page and "申报金额（元）" in page  # the preview, drawn

    retitled = {**APPLY, "title": "<script>alert(1)</script>项目申报（新）", "description": "<img src=x onerror=alert(2)>"}
    good = preview(admin, EDITOR, retitled, UI)
    assert good.status_code == 200
    html = good.get_json()["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;项目申报（新）" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script>" not in html and "<img" not in html

    broken = preview(admin, EDITOR, '{\n  "title": "x",\n  "type": "object",\n}', UI)
    assert broken.status_code == 422 and broken.get_json()["problems"][0]["line"] == 4
    widget = preview(admin, EDITOR, APPLY, {**UI, "is_new": {"ui:widget": "slider"}})
    assert "未知的控件“slider”" in widget.get_json()["problems"][0]["message"]
    ghost = preview(admin, EDITOR, APPLY, {**UI, "budget": {"ui:help": "x"}})
    assert "“budget”不是表单中的字段" in ghost.get_json()["problems"][0]["message"]
    not_schema = preview(admin, EDITOR, {**APPLY, "type": "objekt"})
    assert "不是有效的 JSON Schema" in not_schema.get_json()["problems"][0]["message"]

    before = current(app, "review").number
    refused = admin.post(EDITOR, {"schema": "{", "ui": "", "base": before})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "未部署" in shown
    assert "第 1 行：JSON 语法错误" in shown and "申报金额（元）" in shown  # the problem, and the deployed form's preview
    assert current(app, "review").number == before
    saved = admin.post(EDITOR, {"schema": json.dumps({**APPLY, "title": "项目申报（新）"}, ensure_ascii=False),
                                "ui": json.dumps(UI), "base": before})
    assert saved.status_code == 303
    version = current(app, "review")
    assert version.number == before + 1 and version.forms["apply.json"]["title"] == "项目申报（新）"
    stale = admin.post(EDITOR, {"schema": json.dumps(APPLY), "ui": "", "base": before})
    assert stale.status_code == 409  # another version came in since the editor opened
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "form_edit")) == 1

    inst = start(login_as("school1"), "review")
    task = next(t for t in workable(login_as("school1")) if t["instance_id"] == inst["id"])
    assert "项目申报（新）" in browser("school1").get(f"/tasks/{task['id']}").get_data(as_text=True)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # refusals store nothing: one backend is enough
def test_hostile_input_is_refused_by_box_and_outsiders_are_kept_out(app, review, browser):
    admin = browser("admin")
    admin.get(EDITOR)
    huge = preview(admin, EDITOR, {**APPLY, "description": "长" * 300_000})
    assert huge.status_code == 422 and "内容过长" in huge.get_json()["problems"][0]["message"]
    deep = preview(admin, EDITOR, "[" * 5000 + "]" * 5000)
    assert deep.status_code == 422 and "嵌套层级过深" in deep.get_json()["problems"][0]["message"]
    nested = preview(admin, EDITOR, {"type": "object", "properties": {"a": json.loads('{"items":' * 40 + "{}" + "}" * 40)}})
    assert nested.status_code == 422 and "嵌套层级过深" in nested.get_json()["problems"][0]["message"]
    listed = preview(admin, EDITOR, "[1, 2]")
    assert listed.status_code == 422 and "应为 JSON 对象" in listed.get_json()["problems"][0]["message"]
    remote = preview(admin, EDITOR, {**APPLY, "properties": {"x": {"$ref": "http://169.254.169.254/latest"}}})
    assert remote.status_code == 422 and "外部地址" in remote.get_json()["problems"][0]["message"]
    for ui in ({"is_new": {"ui:widget": ["radio"]}}, {"ui:order": [["amount"]]}):  # not names at all
        assert preview(admin, EDITOR, APPLY, ui).status_code == 422
    odd = admin.client.post(EDITOR + "/preview", json=["schema"], headers={"X-CSRFToken": admin.token})
    assert odd.status_code == 422

    assert preview(admin, EDITOR, APPLY, csrf=False).status_code == 400
    assert admin.post(EDITOR, {"schema": json.dumps(APPLY), "ui": "", "base": 1}, csrf=False).status_code == 400
    school = browser("school1")
    assert school.get(EDITOR).status_code == 403
    assert preview(school, EDITOR, APPLY).status_code == 403
    assert school.post(EDITOR, {"schema": json.dumps(APPLY), "ui": "", "base": 1}).status_code == 403
    assert admin.get("/admin/models/review/forms/nothing.json").status_code == 404
    assert admin.get("/admin/models/review/forms/apply.ui.json").status_code == 404  # edited beside apply.json
