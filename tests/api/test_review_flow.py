"""The review test flow walked end to end over the HTTP API, on SQLite and PostgreSQL, moving the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.extensions import get_clock
from server.services.timers import wake_due_instances
from tests.api.helpers import FLOWS, complete, deploy_folder, start, tasks


class Users:
    """Logs in afresh on each use: tokens expire on the same clock the test moves by days."""

    def __init__(self, login_as) -> None:
        self.login_as = login_as

    def __getitem__(self, name: str):
        return self.login_as(name)


@pytest.fixture
def users(login_as):
    return Users(login_as)


@pytest.fixture
def review(users):
    resp = deploy_folder(users["admin"], "review", FLOWS / "review")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def only(items: list[dict], step: str) -> dict:
    """The one task at this BPMN step (its element id)."""
    found = [t for t in items if t["element_id"] == step]
    assert len(found) == 1, items
    return found[0]


def wake(app) -> int:
    with app.app_context():
        return wake_due_instances()


def travel(app, **delta) -> None:
    with app.app_context():
        get_clock().advance(timedelta(**delta))


def test_major_project_walks_experts_send_back_escalation_and_approval(app, users, review):
    school = users["school1"]
    inst = start(school, "review", {"experts": ["expert1", "expert2"]})
    apply_task = only(inst["open_tasks"], "Task_Apply")
    # The unit's own staff see it as claimable; nobody else does.
    assert [t["id"] for t in tasks(school, "claimable")] == [apply_task["id"]]
    assert tasks(users["water1"], "claimable") == []

    complete(school, apply_task["id"], {"project_name": "智慧校园建设", "amount": 1500000, "is_new": True})
    # DMN says major: one expert task each, pre-assigned, invisible to the finance section.
    e1, e2 = tasks(users["expert1"]), tasks(users["expert2"])
    assert [t["element_id"] for t in e1] == ["Task_ExpertScore"] and [t["element_id"] for t in e2] == ["Task_ExpertScore"]
    assert e1[0]["project_name"] == "智慧校园建设"
    assert tasks(users["fin_edu"], "claimable") == []
    complete(users["expert1"], e1[0]["id"], {"score": 80})
    complete(users["expert2"], e2[0]["id"], {"score": 90})

    only(tasks(users["fin_edu"], "claimable"), "Task_Review")
    assert tasks(users["fin_agri"], "claimable") == []
    # Four days: nothing escalates yet.
    travel(app, days=4)
    assert wake(app) == 0
    assert tasks(users["perf"], "claimable") == []
    travel(app, days=2)
    assert wake(app) == 1
    perf = users["perf"]
    escalation = only(tasks(perf, "claimable"), "Task_Escalate")
    complete(perf, escalation["id"], {"note": "请尽快审核"})

    school, fin = users["school1"], users["fin_edu"]
    review_task = only(tasks(fin, "claimable"), "Task_Review")
    assert fin.post(f"/api/v1/tasks/{review_task['id']}/claim").status_code == 200
    assert [t["id"] for t in tasks(fin, "mine")] == [review_task["id"]]
    complete(fin, review_task["id"], {"decision": "send_back", "comment": "预算测算依据不足"})

    # Sent back: 申报 returns to the one who filed it (我的待办), with the earlier answers; a colleague of
    # the same unit does not get it offered while it is held.
    again = only(tasks(school, "mine"), "Task_Apply")
    assert tasks(school, "claimable") == []
    detail = school.get(f"/api/v1/tasks/{again['id']}").get_json()
    assert detail["data"]["project_name"] == "智慧校园建设"
    assert detail["form"]["schema"]["properties"]["amount"]
    complete(school, again["id"], {"project_name": "智慧校园建设", "amount": 800000, "is_new": True})

    # Now normal: no experts this round, straight to review.
    assert tasks(users["expert1"], "mine") == []
    review2 = only(tasks(fin, "mine"), "Task_Review")  # back to the reviewer who sent it back
    done = complete(fin, review2["id"], {"decision": "approve", "comment": "同意"})
    assert done["instance"]["status"] == "completed"
    assert done["instance"]["open_tasks"] == []

    full = school.get(f"/api/v1/process-instances/{inst['id']}").get_json()
    actions = [(h["action"], h["actor"], h["task_title"]) for h in full["history"]]
    assert actions[0] == ("start", "school1", None)
    assert ("timer", None, None) in actions
    assert ("complete", "fin_edu", "审核") in actions
    assert sum(1 for a in actions if a[0] == "complete") == 7
    assert [t["element_id"] for t in tasks(fin, "done")] == ["Task_Review", "Task_Review"]
