"""A service-task operator writes the project library; the library is read within each user's scope."""

from __future__ import annotations

from tests.api.bpmn_text import PROJECT_FORM, admit_flow
from tests.api.helpers import complete, start, upload


def test_admitted_project_appears_in_the_library_for_its_scope_only(login_as):
    resp = upload(login_as("admin"), "admit", {"admit.bpmn": admit_flow(), "p.json": PROJECT_FORM})
    assert resp.status_code == 201, resp.get_json()

    school = login_as("school1")
    inst = start(school, "admit")
    done = complete(school, inst["open_tasks"][0]["id"], {"project_name": "县一中食堂改造", "amount": 350000.5})
    assert done["instance"]["status"] == "completed"

    listing = school.get("/api/v1/projects").get_json()
    assert listing["total"] == 1
    (project,) = listing["items"]
    assert project["name"] == "县一中食堂改造" and project["amount"] == "350000.50"
    assert project["organisation"] == "县第一中学" and project["sector"] == "教育"
    assert project["instance_id"] == inst["id"] and project["status"] == "in_library"

    for reader in ("edu_head", "fin_edu", "perf", "admin"):
        assert login_as(reader).get(f"/api/v1/projects/{project['id']}").status_code == 200
    for outsider in ("water1", "water_head", "fin_agri", "expert1"):
        assert login_as(outsider).get("/api/v1/projects").get_json() == {"items": [], "total": 0}
        assert login_as(outsider).get(f"/api/v1/projects/{project['id']}").status_code == 404
    assert school.get("/api/v1/projects", query_string={"q": "食堂"}).get_json()["total"] == 1
    assert school.get("/api/v1/projects", query_string={"q": "水库"}).get_json()["total"] == 0
    assert school.get("/api/v1/projects", query_string={"per_page": 0}).status_code == 422


def test_an_operator_refusing_the_input_keeps_the_task_open_with_the_reason(app, login_as):
    """A service task that says no (here: a negative amount the form let through) is a 422 the user can fix,
    not an instance in error."""
    loose_form = PROJECT_FORM.replace('"minimum": 0', '"minimum": -1000000')
    assert upload(login_as("admin"), "admit", {"admit.bpmn": admit_flow(), "p.json": loose_form}).status_code == 201
    school = login_as("school1")
    inst = start(school, "admit")
    task_id = inst["open_tasks"][0]["id"]

    resp = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"project_name": "负数", "amount": -5}})
    assert resp.status_code == 422, resp.get_json()
    assert "负数" in resp.get_json()["message"]
    shown = school.get(f"/api/v1/process-instances/{inst['id']}").get_json()
    assert shown["status"] == "running" and [t["id"] for t in shown["open_tasks"]] == [task_id]
    assert school.get("/api/v1/projects").get_json()["total"] == 0

    fixed = complete(school, task_id, {"project_name": "校门改造", "amount": 5})
    assert fixed["instance"]["status"] == "completed"
    assert school.get("/api/v1/projects").get_json()["total"] == 1
