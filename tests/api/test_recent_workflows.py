"""The live-workflow cache of the task hot path: a step reuses the workflow this process saved for the previous
step, but never one that a failed step touched, nor one whose instance was saved since by anyone else."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from server.db import db
from server.models import ProcessInstance
from tests.api.bpmn_text import PROJECT_FORM, admit_flow
from tests.api.helpers import FLOWS, complete, deploy_folder, start, upload


@pytest.fixture
def loads(app, monkeypatch) -> list[int]:
    """Counts the blobs the engine deserializes."""
    engine = app.extensions["jixiao.engine"]
    calls: list[int] = []
    real = engine.load

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "load", counted)
    return calls


def test_the_next_step_reuses_the_workflow_saved_by_the_previous_one(app, login_as, loads):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    user = login_as("school1")
    body = start(user, "simple")
    after_a = complete(user, body["open_tasks"][0]["id"], {"x": 20})
    done = complete(user, after_a["instance"]["open_tasks"][0]["id"], {"note": "ok"})
    assert done["instance"]["status"] == "completed"
    assert loads == []  # start, A and B ran on one live workflow
    assert app.extensions["jixiao.engine"].recent.take(body["id"], 0, "", "") is None  # entry consumed


def test_an_instance_saved_elsewhere_is_read_from_its_row(app, login_as, loads):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    user = login_as("school1")
    first, second = start(user, "simple"), start(user, "simple")
    # Another server saved `first` meanwhile (here: the state of `second`, so the row really differs).
    with app.app_context():
        other = db.session.get(ProcessInstance, second["id"])
        db.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == first["id"])
            .values(state=other.state, lock_version=ProcessInstance.lock_version + 1)
        )
        db.session.commit()
    # The task row of `first` still names the task id of its own tree, which the new state lacks: a clean 409,
    # never a step run on the stale live workflow.
    complete(user, first["open_tasks"][0]["id"], {"x": 20}, expect=409)
    assert loads == [1]


def test_a_refused_step_leaves_no_half_run_workflow_behind(app, login_as, loads):
    refusals = [True]

    def refuse_once(call, **params):
        if refusals and refusals.pop():
            raise ValueError("余额不足")
        return {"ok": True, "name": params["name"]}

    app.extensions["jixiao.operators"].register("test.refuse_once", refuse_once)
    flow = admit_flow().replace("library.admit", "test.refuse_once")
    assert upload(login_as("admin"), "admit", {"admit.bpmn": flow, "p.json": PROJECT_FORM}).status_code == 201
    user = login_as("school1")
    task_id = start(user, "admit")["open_tasks"][0]["id"]
    refused = user.post(f"/api/v1/tasks/{task_id}/complete",
                        json={"data": {"project_name": "甲", "amount": 5}})
    assert refused.status_code == 422, refused.get_json()
    assert loads == []  # the refused step took the live workflow (and dropped it)
    done = complete(user, task_id, {"project_name": "乙", "amount": 7})
    assert loads == [1]  # so the retry read the saved row: the task was still open there
    assert done["instance"]["status"] == "completed"
    with app.app_context():
        state = db.session.get(ProcessInstance, done["instance"]["id"]).state
    assert "乙" in state and "甲" not in state


def test_with_workflow_reuse_off_every_step_runs_the_plain_path(db_url, instance_path):
    """JIXIAO_WORKFLOW_REUSE=0: each step deserializes its instance from the database, with the same outcome."""
    from server.services.demo import seed_demo
    from tests.conftest import dispose, make_app
    from tests.support.api import api_as

    plain = make_app(db_url, WORKFLOW_REUSE=False)
    try:
        with plain.app_context():
            seed_demo()
        engine = plain.extensions["jixiao.engine"]
        assert engine.recent.size == 0
        loaded: list[int] = []
        real = engine.load
        engine.load = lambda *a, **k: loaded.append(1) or real(*a, **k)
        client = plain.test_client()
        assert deploy_folder(api_as(client, "admin"), "simple", FLOWS / "simple").status_code == 201
        user = api_as(client, "school1")
        body = start(user, "simple")
        after_a = complete(user, body["open_tasks"][0]["id"], {"x": 20})
        done = complete(user, after_a["instance"]["open_tasks"][0]["id"], {"note": "ok"})
        assert done["instance"]["status"] == "completed"
        assert len(loaded) == 2  # A and B each loaded their instance: nothing was kept between steps
    finally:
        dispose(plain)
