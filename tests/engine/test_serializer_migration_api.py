"""A server upgraded to a newer SpiffWorkflow finishes the steps of instances saved before the upgrade."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from SpiffWorkflow.bpmn.serializer.workflow import VERSION

from server.db import db
from server.models import ProcessInstance
from server.models.process import ProcessVersion
from tests.api.helpers import complete, start, upload
from tests.conftest import dispose, make_app
from tests.support.api import api_as

V14 = Path(__file__).resolve().parent / "fixtures" / "state_v1_4"


def deploy_and_start(login_as) -> tuple[int, int]:
    files = {name: (V14 / name).read_bytes() for name in ("upgrade.bpmn", "form.json")}
    assert upload(login_as("admin"), "upgrade", files).status_code == 201
    body = start(login_as("school1"), "upgrade", {"amount": 1})
    return body["id"], body["open_tasks"][0]["id"]


def save_as(app: Flask, instance_id: int, version: str, *, old_spec: bool) -> str:
    """Rewrite the stored blobs as SpiffWorkflow `version` wrote them; returns the state now stored.

    The spec is the one SpiffWorkflow 3.1.1 compiled from the same files (the fixture). For this state, format
    1.4 differs from today's in the version label only: 1.4 -> 1.5 changed specs, not task trees.
    """
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        dct = json.loads(instance.state)
        dct["serializer_version"] = version
        instance.state = state = json.dumps(dct)
        if old_spec:
            db.session.get(ProcessVersion, instance.version_id).spec_json = (V14 / "spec.json").read_text("utf-8")
        db.session.commit()
    return state


def test_a_task_saved_before_the_upgrade_is_completed_after_it(app, db_url, login_as):
    instance_id, task_id = deploy_and_start(login_as)
    save_as(app, instance_id, "1.4", old_spec=True)
    dispose(app)

    upgraded = make_app(db_url)  # restarted on the new library: nothing cached from before
    try:
        done = complete(api_as(upgraded.test_client(), "school1"), task_id, {"x": 5})
        assert done["instance"]["status"] == "waiting"  # past the subprocess, at the event-based gateway
        with upgraded.app_context():
            instance = db.session.get(ProcessInstance, instance_id)
            assert json.loads(instance.state)["serializer_version"] == VERSION  # saved in today's format
            assert instance.error_message is None
    finally:
        dispose(upgraded)


def test_a_state_from_a_newer_spiffworkflow_is_refused_and_kept(app, login_as):
    instance_id, task_id = deploy_and_start(login_as)
    newer = save_as(app, instance_id, "1.9", old_spec=False)
    resp = login_as("school1").post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 5}},
                                    headers={"Accept-Language": "en"})
    assert resp.status_code == 422, resp.get_json()
    assert "saved by a newer engine (format 1.9" in resp.get_json()["message"]
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance.state == newer  # nothing overwritten: a server on the newer library can go on
        assert "1.9" in (instance.error_message or "")
