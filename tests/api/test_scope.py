"""Nobody sees or touches another organisation's, department's or sector's work."""

from __future__ import annotations

import pytest

from tests.api.helpers import FLOWS, complete, deploy_folder, start, tasks


@pytest.fixture
def instance(login_as):
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    return start(login_as("school1"), "review", {"experts": ["expert1"]})


def _denied(user, task_id: int) -> None:
    assert user.get(f"/api/v1/tasks/{task_id}").status_code in (403, 404)
    assert user.post(f"/api/v1/tasks/{task_id}/claim").status_code in (403, 404)
    assert user.post(f"/api/v1/tasks/{task_id}/unclaim").status_code in (403, 404)
    resp = user.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"project_name": "x", "amount": 1}})
    assert resp.status_code in (403, 404)
    for view in ("mine", "claimable", "done"):
        assert task_id not in [t["id"] for t in tasks(user, view)]


@pytest.mark.parametrize("outsider", ["water1", "water_head", "fin_agri", "expert2", "edu_head", "fin_edu"])
def test_unit_task_is_only_for_the_units_staff(login_as, instance, outsider):
    task_id = instance["open_tasks"][0]["id"]
    _denied(login_as(outsider), task_id)


def test_review_task_is_only_for_the_sectors_finance_section(login_as, instance):
    school = login_as("school1")
    complete(school, instance["open_tasks"][0]["id"], {"project_name": "校舍维修", "amount": 200000, "is_new": False})
    fin = login_as("fin_edu")
    (review,) = tasks(fin, "claimable")
    for outsider in ("fin_agri", "school1", "water_head", "expert1", "water1"):
        _denied(login_as(outsider), review["id"])
    # Once fin_edu holds it, even a colleague in scope cannot complete it.
    assert fin.post(f"/api/v1/tasks/{review['id']}/claim").status_code == 200
    assert login_as("perf").post(f"/api/v1/tasks/{review['id']}/complete", json={"data": {}}).status_code in (403, 404)


def test_expert_tasks_go_only_to_the_assigned_expert(login_as, instance):
    school = login_as("school1")
    complete(school, instance["open_tasks"][0]["id"], {"project_name": "实验楼", "amount": 3000000, "is_new": True})
    (mine,) = tasks(login_as("expert1"))
    _denied(login_as("expert2"), mine["id"])
    _denied(login_as("fin_edu"), mine["id"])


def test_instances_are_hidden_outside_scope(login_as, instance, client):
    url = f"/api/v1/process-instances/{instance['id']}"
    assert login_as("school1").get(url).status_code == 200
    assert login_as("edu_head").get(url).status_code == 200  # the unit's supervising department
    assert login_as("fin_edu").get(url).status_code == 200  # covers 教育
    for outsider in ("water1", "water_head", "fin_agri", "expert2"):
        assert login_as(outsider).get(url).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/tasks").status_code == 401
    bogus = client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert bogus.status_code == 401 and bogus.get_json()["error"] == "unauthorized"


def test_deploy_is_for_admins_only(login_as):
    resp = deploy_folder(login_as("perf"), "review", FLOWS / "review")
    assert resp.status_code == 403
    assert login_as("perf").get("/api/v1/process-models").get_json() == []
