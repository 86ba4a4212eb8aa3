"""A user task drawn without a form gets one at deploy, made from what the gateway after it decides on
(`decision == "approve"` a choice, `amount > 1000` a number): the task page asks for exactly those, a
submission routes the flow, and a condition that names nothing a form could ask is refused at deploy."""

from __future__ import annotations

import re

from tests.api.helpers import FLOWS, start, upload, workable

FORMLESS = (FLOWS / "formless" / "formless.bpmn").read_text(encoding="utf-8")


def test_the_task_page_asks_for_what_the_gateway_decides_and_routes_by_it(app, login_as, browser):
    resp = upload(login_as("admin"), "formless", {"formless.bpmn": FORMLESS})
    assert resp.status_code == 201, resp.get_json()
    start(login_as("school1"), "formless")
    fin = browser("fin_edu")
    task = next(t for t in workable(login_as("fin_edu")) if t["element_id"] == "Task_Decide")
    fin.post(f"/tasks/{task['id']}/claim")
    page = fin.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="amount"', page) and "金额" in page
    assert re.search(r'name="decision" value="approve"[^>]*>同意<', page)  # the choices, as buttons
    assert re.search(r'name="decision" value="reject"[^>]*>不同意<', page)

    missing = fin.post(f"/tasks/{task['id']}", {"decision": "approve"})  # the amount is what the gateway reads
    assert missing.status_code == 422 and "此项为必填项" in missing.get_data(as_text=True)
    assert fin.post(f"/tasks/{task['id']}", {"decision": "approve", "amount": "5000"}).status_code == 302
    office = [t["element_id"] for t in workable(login_as("perf"))]
    assert "Task_Big" in office  # approve and amount > 1000: on to the office's 大额备案

    # The office's step has no condition after it: the plain confirm, no generated fields.
    big = next(t for t in workable(login_as("perf")) if t["element_id"] == "Task_Big")
    perf = browser("perf")
    perf.post(f"/tasks/{big['id']}/claim")
    assert 'name="amount"' not in perf.get(f"/tasks/{big['id']}").get_data(as_text=True)


def test_a_condition_no_form_can_feed_is_refused_naming_the_task(app, login_as):
    opaque = FORMLESS.replace('decision == "approve" and amount &gt; 1000', "len(items) &gt; 3").replace(
        'decision == "reject" or amount &lt;= 1000', "len(items) &lt;= 3")
    resp = upload(login_as("admin"), "formless", {"formless.bpmn": opaque})
    assert resp.status_code == 422
    body = resp.get_json()
    assert "formless.bpmn#Task_Decide" in body["fields"], body
    assert "formJsonSchemaFilename" in body["fields"]["formless.bpmn#Task_Decide"]
