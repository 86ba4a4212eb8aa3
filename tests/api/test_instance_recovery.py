"""Issue 9, findings 10 and 11: an instance in `error` is recoverable (retry after a fix), and what users see of
the error is a Chinese message with a reference — never SQL, a Python exception or a traceback (those go to the
server log under the same reference). The fragile test flow (tests/flows/fragile) divides by the submitted x."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from server.db import db
from server.services.timers import wake_due_instances
from tests.api.helpers import FLOWS, _package, complete, deploy_folder, start, upload
from tests.web.conftest import Browser

KEY = "fragile"
FIXED = ("ratio = 100 / x", "ratio = 100 / x if x else 0")
INTERNALS = re.compile(r"SQL|INSERT|organisations|UNIQUE|duplicate|Integrity|ZeroDivision|division|Traceback|"
                       r"psycopg|sqlite|Error:", re.I)
REFERENCE = re.compile(r"错误编号 (E-[0-9A-F]{8})")


def deploy(admin, *replace: tuple[str, str]):
    files = {p.name: p.read_text("utf-8") for p in _package(FLOWS / KEY)}
    for old, new in replace:
        assert old in files["fragile.bpmn"]
        files["fragile.bpmn"] = files["fragile.bpmn"].replace(old, new)
    resp = upload(admin, KEY, files)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def shown(user, iid: int) -> dict:
    resp = user.get(f"/api/v1/process-instances/{iid}")
    assert resp.status_code == 200
    return resp.get_json()


def retry(user, iid: int, body: dict | None = None):
    url = f"/api/v1/process-instances/{iid}/retry"
    return user.post(url, json=body) if body is not None else user.post(url)


def put_in_error(school, iid: int, task_id: int) -> str:
    resp = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 0, "opinion": "同意"}})
    assert resp.status_code == 422 and resp.get_json()["error"] == "workflow_error"
    return resp.get_json()["message"]


def test_an_instance_in_error_is_retried_after_a_redeployed_fix_and_completed(login_as):
    admin, school, perf = login_as("admin"), login_as("school1"), login_as("perf")
    assert deploy_folder(admin, KEY, FLOWS / KEY).status_code == 201
    inst = start(school, KEY)
    iid, fill = inst["id"], inst["open_tasks"][0]["id"]
    message = put_in_error(school, iid, fill)
    assert REFERENCE.search(message) and not INTERNALS.search(message), message
    body = shown(school, iid)
    assert body["status"] == "error" and "Script_Ratio" in body["error_message"]
    assert not INTERNALS.search(body["error_message"]), body["error_message"]
    assert body["history"][-1]["action"] == "error"

    # Only the performance office or an administrator, within scope; nothing else changes meanwhile.
    assert retry(school, iid).status_code == 403
    assert retry(login_as("edu_head"), iid).status_code == 403
    assert retry(login_as("water1"), iid).status_code == 404
    assert retry(perf, iid, {"use_current_version": "sure"}).status_code == 422
    assert school.post(f"/api/v1/tasks/{fill}/complete", json={"data": {"x": 1, "opinion": "同意"}}).status_code == 409

    # The fix is redeployed; the office retries on it: the instance leaves `error` at the step that failed.
    assert deploy(admin, FIXED)["version"] == 2
    resp = retry(perf, iid, {"use_current_version": True})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["version"], body["error_message"]) == ("running", 2, None)
    assert body["history"][-1]["action"] == "retry" and body["history"][-1]["actor"] == "perf"
    assert body["history"][-1]["data"] == {"from_version": 1, "version": 2}
    assert [t["element_id"] for t in body["open_tasks"]] == ["Task_Fill"]
    assert retry(perf, iid).status_code == 422  # no longer in error

    # The unit submits again; the fixed script runs and the flow completes.
    fill = body["open_tasks"][0]["id"]
    done = complete(school, fill, {"x": 0, "opinion": "同意"})
    confirm = done["instance"]["open_tasks"][0]
    assert confirm["element_id"] == "Task_Confirm"
    assert complete(school, confirm["id"], {"ok": True})["instance"]["status"] == "completed"


def test_a_retry_on_the_own_version_lets_the_user_correct_the_data(app, login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert deploy_folder(admin, KEY, FLOWS / KEY).status_code == 201
    inst = start(school, KEY)
    put_in_error(school, inst["id"], inst["open_tasks"][0]["id"])
    page = f"/instances/{inst['id']}"
    unit = Browser(app.test_client())
    unit.login("school1")
    assert "/retry" not in unit.get(page).get_data(as_text=True)  # the unit sees the error, not the button
    office = Browser(app.test_client())
    office.login("perf")
    assert f"/instances/{inst['id']}/retry" in office.get(page).get_data(as_text=True)
    assert office.post(f"{page}/retry", csrf=False).status_code == 400
    resp = office.post(f"{page}/retry", follow_redirects=True)  # the instance's own version
    assert resp.status_code == 200 and "流程恢复办理" in resp.get_data(as_text=True)
    body = shown(admin, inst["id"])
    assert body["status"] == "running"
    fill = body["open_tasks"][0]["id"]
    done = complete(school, fill, {"x": 4, "opinion": "已更正"})
    assert done["instance"]["status"] == "running"


def test_a_version_that_cannot_read_the_saved_state_is_refused_and_the_error_kept(login_as):
    admin, school, perf = login_as("admin"), login_as("school1"), login_as("perf")
    assert deploy_folder(admin, KEY, FLOWS / KEY).status_code == 201
    inst = start(school, KEY)
    put_in_error(school, inst["id"], inst["open_tasks"][0]["id"])
    renamed = [("Task_Fill", "Task_Input")]
    deploy(admin, *renamed)
    resp = retry(perf, inst["id"], {"use_current_version": True})
    assert resp.status_code == 422 and "use_current_version" in resp.get_json()["fields"], resp.get_json()
    body = shown(perf, inst["id"])
    assert (body["status"], body["version"]) == ("error", 1)


@pytest.fixture
def failing_store(app):
    """An operator whose INSERT the database refuses (a duplicate organisation code): a DB-level failure in a
    step, on SQLite and PostgreSQL alike, whose exception text carries the SQL statement."""

    def store_note(call, note):
        db.session.execute(text("INSERT INTO organisations (code, name, kind) VALUES ('czj', :note, 'unit')"),
                           {"note": note})
        return {"saved": True}

    app.extensions["jixiao.operators"].register("fragile.store_note", store_note)


def test_a_database_failure_in_a_step_shows_a_reference_not_sql(app, login_as, failing_store, caplog):
    admin, school = login_as("admin"), login_as("school1")
    deploy(admin, ("util.echo", "fragile.store_note"))
    inst = start(school, KEY)
    with caplog.at_level(logging.ERROR, logger="server.services.instance_errors"):
        resp = school.post(f"/api/v1/tasks/{inst['open_tasks'][0]['id']}/complete",
                           json={"data": {"x": 2, "opinion": "同意'); DROP TABLE users; --"}})
    assert resp.status_code == 422, resp.get_json()
    answer = resp.get_json()["message"]
    ref = REFERENCE.search(answer).group(1)
    assert not INTERNALS.search(answer), answer

    body = shown(school, inst["id"])
    assert body["status"] == "error" and ref in body["error_message"] and "Service_Note" in body["error_message"]
    everything = str(body)
    assert not INTERNALS.search(everything), everything
    assert body["history"][-1]["data"] == {"message": body["error_message"], "reference": ref,
                                           "element": "Service_Note"}  # for /admin/instances

    # The instance page shows the same: a Chinese message and the reference, no SQL.
    browser = Browser(app.test_client())
    browser.login("school1")
    page = browser.get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert ref in page and not INTERNALS.search(page)

    # The detail is in the server log under that reference, for whoever fixes it.
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert ref in logged and "INSERT INTO organisations" in logged


TIMER_FLOW = Path(__file__).resolve().parent.parent / "cli" / "data" / "timer_demo"


def timer_variant(script: str) -> dict[str, str]:
    """timer_demo with a script step between its one-hour timer and its user task."""
    files = {p.name: p.read_text("utf-8") for p in TIMER_FLOW.iterdir()}
    bpmn = files["timer_demo.bpmn"]
    bpmn = bpmn.replace('<bpmn:outgoing>to_note</bpmn:outgoing>\n      <bpmn:timerEventDefinition',
                        '<bpmn:outgoing>to_check</bpmn:outgoing>\n      <bpmn:timerEventDefinition')
    bpmn = bpmn.replace(
        '<bpmn:sequenceFlow id="to_note" sourceRef="wait_one_hour" targetRef="write_note" />',
        '<bpmn:sequenceFlow id="to_check" sourceRef="wait_one_hour" targetRef="check" />'
        '<bpmn:scriptTask id="check" name="核对"><bpmn:incoming>to_check</bpmn:incoming>'
        f'<bpmn:outgoing>to_note</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="to_note" sourceRef="check" targetRef="write_note" />')
    assert "to_check" in bpmn and 'id="check"' in bpmn
    files["timer_demo.bpmn"] = bpmn
    return files


def test_a_timer_step_that_failed_runs_again_on_retry_after_the_fix(app, clock, login_as):
    admin, school, perf = login_as("admin"), login_as("school1"), login_as("perf")
    assert upload(admin, "timer_fragile", timer_variant("ratio = 1 / 0")).status_code == 201
    iid = start(school, "timer_fragile")["id"]
    clock.advance(timedelta(hours=2))
    with app.app_context():
        assert wake_due_instances() == 0  # the worker flags it, and lives on
    body = shown(perf, iid)
    first = REFERENCE.search(body["error_message"]).group(1)
    assert body["status"] == "error" and "check" in body["error_message"]
    assert not INTERNALS.search(str(body)), body

    # Retried before the fix: the step fails again, the instance stays in error under a new reference.
    resp = retry(perf, iid)
    assert resp.status_code == 422 and resp.get_json()["error"] == "workflow_error"
    again = shown(perf, iid)
    assert again["status"] == "error" and first not in again["error_message"]
    assert [h["action"] for h in again["history"]].count("error") == 2

    assert upload(admin, "timer_fragile", timer_variant("ratio = 1 / 1")).status_code == 201
    resp = retry(perf, iid, {"use_current_version": True})
    assert resp.status_code == 200, resp.get_json()
    assert [t["element_id"] for t in resp.get_json()["open_tasks"]] == ["write_note"]
    note = resp.get_json()["open_tasks"][0]["id"]
    assert complete(school, note, {"note": "已核对"})["instance"]["status"] == "completed"
