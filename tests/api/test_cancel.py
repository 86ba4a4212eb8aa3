"""Cancelling an instance: who may, what happens to its open tasks and timers."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import FLOWS, deploy_folder, start, tasks


def test_starter_cancels_and_open_tasks_disappear(login_as):
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    school = login_as("school1")
    inst = start(school, "review", {"experts": []})
    task_id = inst["open_tasks"][0]["id"]
    url = f"/api/v1/process-instances/{inst['id']}/cancel"

    assert login_as("water1").post(url, json={"reason": "误发"}).status_code == 404  # outside scope: not even visible
    assert login_as("edu_head").post(url, json={"reason": "误发"}).status_code == 403  # visible, but not theirs to cancel

    resp = school.post(url, json={"reason": "申报对象填错"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "cancelled" and body["open_tasks"] == []
    assert body["history"][-1]["action"] == "cancel"
    assert tasks(school, "claimable") == []
    late = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"project_name": "x", "amount": 1}})
    assert late.status_code == 409
    again = school.post(url, json={"reason": "再撤一次"})
    assert again.status_code == 422 and again.get_json()["message"]


def test_performance_office_may_cancel_any_instance(login_as):
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    inst = start(login_as("water1"), "review", {"experts": []})
    resp = login_as("perf").post(f"/api/v1/process-instances/{inst['id']}/cancel", json={"reason": "重复申报"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"


@pytest.mark.parametrize("reason", ["", "   ", None, 5, ["撤销"], {"a": 1}, "理" * 501, "a\u0000b", "x\ud800y", "\x1b[31m"])
def test_a_cancel_without_a_usable_reason_is_a_422_naming_reason(login_as, reason):
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    school = login_as("school1")
    inst = start(school, "review", {"experts": []})
    url = f"/api/v1/process-instances/{inst['id']}/cancel"
    # Sent as ASCII JSON, as a client would escape a lone surrogate (the test client cannot encode it raw).
    resp = school.post(url, data=json.dumps({"reason": reason}), content_type="application/json")
    assert resp.status_code == 422 and "reason" in resp.get_json()["fields"], resp.get_json()
    assert school.post(url).status_code == 422  # no body at all
    assert school.get(f"/api/v1/process-instances/{inst['id']}").get_json()["status"] == "running"
