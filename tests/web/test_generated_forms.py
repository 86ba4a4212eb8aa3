"""A user task drawn without a form gets one at deploy, made from what the gateway after it decides on
(`decision == "approve"` a choice, `amount > 1000` a number): the task page asks for exactly those, a
submission routes the flow, the form editor lists the generated form (saving makes it the admin's own) and
offers 新建表单 for a step without conditions; a condition that names nothing a form could ask is refused at
deploy, naming the task."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import undefer

from server.db import db
from server.models import ProcessModel, ProcessVersion
from tests.api.helpers import FLOWS, start, upload, workable

FORMLESS = (FLOWS / "formless" / "formless.bpmn").read_text(encoding="utf-8")


def current(app, key: str) -> ProcessVersion:
    with app.app_context():
        model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
        version = db.session.get(ProcessVersion, model.current_version_id, options=[undefer(ProcessVersion.spec_json)])
        db.session.expunge(version)
        return version


def test_the_task_page_asks_for_what_the_gateway_decides_and_routes_by_it(app, login_as, browser):
    resp = upload(login_as("admin"), "formless", {"formless.bpmn": FORMLESS})
    assert resp.status_code == 201, resp.get_json()
    school = login_as("school1")
    first = start(school, "formless")  # stays on version 1, the generated form

    # The administrator sees the generated form, saves it as a real one, and writes one for 大额备案.
    admin = browser("admin")
    models = admin.get("/admin/models").get_data(as_text=True)
    assert "Task_Decide.form.json" in models and "自动生成" in models
    generated, new = "/admin/models/formless/forms/Task_Decide.form.json", "/admin/models/formless/forms/Task_Big.form.json"
    assert f'href="{new}"' in models  # 新建表单: nothing decides on 大额备案's data, so nothing was generated
    assert 'id="generated-note"' in admin.get(generated).get_data(as_text=True)
    schema = {k: v for k, v in current(app, "formless").forms["Task_Decide.form.json"].items() if k != "x-generated"}
    schema["properties"]["amount"]["title"] = "金额（元）"
    assert admin.post(generated, {"schema": json.dumps(schema, ensure_ascii=False), "ui": "", "base": 1}).status_code == 303
    assert "新建表单" in admin.get(new).get_data(as_text=True)
    record = {"title": "大额备案", "type": "object", "properties": {"filed_no": {"type": "string", "title": "备案编号"}}}
    assert admin.post(new, {"schema": json.dumps(record, ensure_ascii=False), "ui": "", "base": 2}).status_code == 303
    version = current(app, "formless")
    assert version.number == 3 and "x-generated" not in version.forms["Task_Decide.form.json"]
    assert version.forms["Task_Big.form.json"]["title"] == "大额备案" and "Task_Big.form.json" in version.spec_json

    fin, fin_api = browser("fin_edu"), login_as("fin_edu")
    task = next(t for t in workable(fin_api) if t["instance_id"] == first["id"])
    fin.post(f"/tasks/{task['id']}/claim")
    page = fin.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="amount"', page) and "金额" in page and "金额（元）" not in page
    assert re.search(r'name="decision" value="approve"[^>]*>同意<', page)  # the choices, as buttons
    assert re.search(r'name="decision" value="reject"[^>]*>不同意<', page)
    missing = fin.post(f"/tasks/{task['id']}", {"decision": "approve"})  # the amount is what the gateway reads
    assert missing.status_code == 422 and "此项为必填项" in missing.get_data(as_text=True)
    assert fin.post(f"/tasks/{task['id']}", {"decision": "approve", "amount": "5000"}).status_code == 302
    big = next(t for t in workable(login_as("perf")) if t["instance_id"] == first["id"])
    assert big["element_id"] == "Task_Big"  # approve and amount > 1000: on to the office's 大额备案
    perf = browser("perf")
    perf.post(f"/tasks/{big['id']}/claim")
    assert 'name="amount"' not in perf.get(f"/tasks/{big['id']}").get_data(as_text=True)  # a plain confirm

    second = start(school, "formless")  # version 3: the form as the administrator saved it
    task = next(t for t in workable(fin_api) if t["instance_id"] == second["id"])
    assert "金额（元）" in fin.get(f"/tasks/{task['id']}").get_data(as_text=True)


def test_a_condition_no_form_can_feed_is_refused_naming_the_task(app, login_as):
    opaque = FORMLESS.replace('decision == "approve" and amount &gt; 1000', "len(items) &gt; 3").replace(
        'decision == "reject" or amount &lt;= 1000', "len(items) &lt;= 3")
    resp = upload(login_as("admin"), "formless", {"formless.bpmn": opaque})
    assert resp.status_code == 422
    fields = resp.get_json()["fields"]
    assert "formJsonSchemaFilename" in fields["formless.bpmn#Task_Decide"], fields
