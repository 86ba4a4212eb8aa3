"""Versions stay with their instances; runaway scripts and endless send-backs stop cleanly, and workers live on."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from server.db import db
from server.models import ProcessInstance
from server.services.timers import wake_due_instances
from tests.api.helpers import FLOWS, complete, deploy_folder, start, tasks, upload, workable

TIMER_FLOW = Path(__file__).resolve().parent.parent / "cli" / "data" / "timer_demo"


def _simple_files(task_b_title: str) -> dict[str, str]:
    files = {p.name: p.read_text() for p in (FLOWS / "simple").iterdir()}
    files["simple.bpmn"] = files["simple.bpmn"].replace('name="填写 B"', f'name="{task_b_title}"')
    return files


def test_running_instances_keep_their_version_new_ones_take_the_newest(login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert upload(admin, "simple", _simple_files("填写 B")).status_code == 201
    old = start(school, "simple")
    assert upload(admin, "simple", _simple_files("填写 B（新版）")).json["version"] == 2
    # Deploying identical content again makes no third version.
    assert upload(admin, "simple", _simple_files("填写 B（新版）")).json["version"] == 2
    new = start(school, "simple")

    after_old = complete(school, old["open_tasks"][0]["id"], {"x": 50})["instance"]
    after_new = complete(school, new["open_tasks"][0]["id"], {"x": 50})["instance"]
    # The same step (one element id) shows each version's own title.
    assert [(t["element_id"], t["title"]) for t in after_old["open_tasks"]] == [("task_b", "填写 B")]
    assert [(t["element_id"], t["title"]) for t in after_new["open_tasks"]] == [("task_b", "填写 B（新版）")]
    assert school.get(f"/api/v1/process-instances/{old['id']}").json["version"] == 1
    assert school.get(f"/api/v1/process-instances/{new['id']}").json["version"] == 2
    models = school.get("/api/v1/process-models").json
    assert [(m["key"], m["current_version"]) for m in models] == [("simple", 2)]


def test_the_state_blob_refers_to_its_version_instead_of_embedding_the_diagram(app, login_as):
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    inst = start(login_as("school1"), "review", {"experts": ["expert1"]})
    with app.app_context():
        state = db.session.get(ProcessInstance, inst["id"]).state
    assert "Task_Apply" in state  # the task tree is there...
    assert "review_rules" not in state and "bpmn_name" not in state  # ...the spec and DMN are not


def test_a_worker_survives_a_runaway_script_and_fires_the_other_timers(app, clock, login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert app.test_cli_runner().invoke(args=["deploy", str(TIMER_FLOW)]).exit_code == 0
    bpmn = (TIMER_FLOW / "timer_demo.bpmn").read_text().replace('id="timer_demo"', 'id="timer_runaway"')
    bpmn = re.sub(
        r'<bpmn:userTask id="write_note".*?</bpmn:userTask>',
        '<bpmn:scriptTask id="write_note" name="死循环"><bpmn:incoming>to_note</bpmn:incoming>'
        "<bpmn:outgoing>to_end</bpmn:outgoing><bpmn:script>while True:\n    pass</bpmn:script></bpmn:scriptTask>",
        bpmn,
        flags=re.S,
    )
    assert upload(admin, "timer_runaway", {"timer_runaway.bpmn": bpmn}).status_code == 201
    bad = start(school, "timer_runaway")
    good = start(school, "timer_demo")
    clock.advance(timedelta(hours=2))
    with app.app_context():
        assert wake_due_instances() == 1  # the good one; the runaway one is flagged, not retried forever
        assert wake_due_instances() == 0
    shown = login_as("school1").get(f"/api/v1/process-instances/{bad['id']}").json
    assert shown["status"] == "error" and "write_note" in shown["error_message"]
    assert [t["element_id"] for t in tasks(login_as("school1"), "claimable")] == ["write_note"]
    assert login_as("school1").get(f"/api/v1/process-instances/{good['id']}").json["status"] == "running"


def test_endless_send_backs_stop_at_the_loop_limit_with_a_clear_error(app, login_as):
    app.config["LOOP_LIMIT"] = 3
    app.extensions["jixiao.engine"].loop_limit = 3
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    school, fin = login_as("school1"), login_as("fin_edu")
    inst = start(school, "review", {"experts": []})
    apply_id = inst["open_tasks"][0]["id"]
    for _ in range(3):
        complete(school, apply_id, {"project_name": "反复退回", "amount": 1000, "is_new": False})
        (review,) = workable(fin)
        resp = fin.post(f"/api/v1/tasks/{review['id']}/complete",
                        json={"data": {"decision": "send_back", "comment": "再改"}})
        if resp.status_code != 200:
            break
        (again,) = workable(school)
        apply_id = again["id"]
    assert resp.status_code == 422 and resp.json["error"] == "workflow_error"
    assert "3" in resp.json["message"]
    with app.app_context():
        instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.id == inst["id"]))
        assert instance.status == "error"
