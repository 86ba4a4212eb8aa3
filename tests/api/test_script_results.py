"""Script results that cannot be saved, state past MAX_STATE_BYTES, and scripts the compiler chokes on:
each a clear 422 naming the variable or element, and nothing of the step saved (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import ProcessInstance
from tests.api.bpmn_text import one_step_flow
from tests.api.helpers import upload
from tests.api.script_flows import FORM, deploy_script, script_first_flow

UNSAVEABLE = [
    pytest.param("r = range(3)", "r", id="range"),
    pytest.param("g = (i for i in [1, 2])", "g", id="generator"),
    pytest.param("b = 'abc'.encode()", "b", id="bytes"),
    pytest.param("s = {1, 2}", "s", id="set"),
    pytest.param("n = 10 ** 5000", "n", id="huge-int"),
    pytest.param("d = {'rows': [1, {'k': frozenset()}]}", "d", id="nested"),
    pytest.param("x = [1]\nx.append(x)", "x", id="cycle"),
    pytest.param("k = {(1, 2): 'pair'}", "k", id="tuple-key"),
]


def instance_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0


@pytest.mark.parametrize(("script", "variable"), UNSAVEABLE)
def test_unsaveable_results_at_start_are_a_named_422(app, login_as, script, variable):
    deploy_script(login_as("admin"), "result_at_start", script, at="start")
    school = login_as("school1")
    before = instance_count(app)
    resp = school.post("/api/v1/process-instances", json={"process_key": "result_at_start", "data": {}})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    message = resp.get_json()["message"]
    assert f"“{variable}" in message and "run" in message
    assert instance_count(app) == before


def test_a_value_changed_in_place_is_named_at_save(app, login_as):
    # `items` came in with the start data: the script changes it in place, so only the save can see it.
    deploy_script(login_as("admin"), "in_place", "items.append(range(2))", at="start")
    resp = login_as("school1").post(
        "/api/v1/process-instances", json={"process_key": "in_place", "data": {"items": [1]}}
    )
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert "items[1]" in resp.get_json()["message"]


@pytest.mark.parametrize(("script", "variable"), UNSAVEABLE)
def test_unsaveable_results_on_completion_leave_the_task_open(app, login_as, script, variable):
    deploy_script(login_as("admin"), "result_on_complete", script, at="complete")
    school = login_as("school1")
    inst = school.post("/api/v1/process-instances", json={"process_key": "result_on_complete"}).get_json()
    task_id = inst["open_tasks"][0]["id"]
    resp = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 1}})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.get_json()
    assert f"“{variable}" in body["message"] and "run" in body["message"]
    shown = school.get(f"/api/v1/process-instances/{inst['id']}").get_json()
    assert shown["status"] == "running" and not shown["error_message"]  # nothing saved, not even an error
    assert [t["id"] for t in shown["open_tasks"]] == [task_id]
    assert [h["action"] for h in shown["history"]] == ["start"]


def test_state_past_the_limit_is_refused_and_rolled_back(app, login_as):
    app.config["MAX_STATE_BYTES"] = 50_000
    deploy_script(login_as("admin"), "big_state", "pad = 'x' * 60000", at="complete")
    school = login_as("school1")
    inst = school.post("/api/v1/process-instances", json={"process_key": "big_state"}).get_json()
    task_id = inst["open_tasks"][0]["id"]
    resp = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 1}})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert "流程数据过大" in resp.get_json()["message"] and "填写" in resp.get_json()["message"]
    shown = school.get(f"/api/v1/process-instances/{inst['id']}").get_json()
    assert shown["status"] == "running" and [t["id"] for t in shown["open_tasks"]] == [task_id]
    # Under the limit the same step goes through.
    app.config["MAX_STATE_BYTES"] = 8 * 1024 * 1024
    assert school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 1}}).status_code == 200


def test_state_past_the_limit_at_start_saves_no_instance(app, login_as):
    app.config["MAX_STATE_BYTES"] = 50_000
    deploy_script(login_as("admin"), "big_start", "pad = 'x' * 60000", at="start")
    before = instance_count(app)
    resp = login_as("school1").post("/api/v1/process-instances", json={"process_key": "big_start"})
    assert resp.status_code == 422 and "流程数据过大" in resp.get_json()["message"]
    assert instance_count(app) == before


def test_the_issue_amplification_ends_as_a_script_error(app, login_as):
    deploy_script(login_as("admin"), "amplify", "r = [0] * 1000000\nr = [r] * 100", at="start")
    resp = login_as("school1").post("/api/v1/process-instances", json={"process_key": "amplify"})
    assert resp.status_code == 422 and "run" in resp.get_json()["message"]


@pytest.mark.parametrize(
    "script",
    [
        pytest.param("x = " + "-" * 100_000 + "1", id="deep-unary"),
        pytest.param("x = " + "(" * 3000 + "1" + ")" * 3000, id="deep-parens"),
        pytest.param("x = " + "[" * 3000 + "]" * 3000, id="deep-lists"),
        pytest.param("x = 1\n" * 9000, id="too-long"),
    ],
)
@pytest.mark.parametrize("builder", [one_step_flow, script_first_flow])
def test_scripts_the_compiler_chokes_on_are_refused_at_deploy(app, login_as, script, builder):
    resp = upload(login_as("admin"), "choke", {"c.bpmn": builder(script, "choke"), "f.json": FORM})
    assert resp.status_code == 422, resp.get_data(as_text=True)[:500]
    assert "run" in resp.get_data(as_text=True)
