"""A start or completion sent again with the same Idempotency-Key gets the first answer, not a second instance."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import IdempotencyKey, ProcessInstance
from server.services import idempotency
from tests.api.helpers import FLOWS, deploy_folder


def _count_instances(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessInstance))


def _start(user, key: str, data: dict | None = None):
    return user.post("/api/v1/process-instances", json={"process_key": "simple", "data": data or {}},
                     headers={"Idempotency-Key": key})


def test_one_key_twice_starts_one_instance_and_answers_the_same(app, login_as):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    school = login_as("school1")
    before = _count_instances(app)
    first, again = _start(school, "start-1"), _start(school, "start-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _count_instances(app) == before + 1
    # Another user's identical key is their own; a new key is a new start.
    assert _start(login_as("water1"), "start-1").get_json()["id"] != first.get_json()["id"]
    assert _start(school, "start-2").get_json()["id"] != first.get_json()["id"]

    task_id = first.get_json()["open_tasks"][0]["id"]
    done = [school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 5}},
                        headers={"Idempotency-Key": "done-1"}) for _ in range(2)]
    assert [r.status_code for r in done] == [200, 200] and done[0].get_json() == done[1].get_json()
    # Without the key the repeat is what it always was: the task is already done.
    assert school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 5}}).status_code == 409


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "密钥", "a\tb"])
def test_a_malformed_key_is_refused_with_422_and_starts_nothing(app, login_as, key):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    before = _count_instances(app)
    resp = _start(login_as("school1"), key)
    assert resp.status_code == 422 and "Idempotency-Key" in resp.get_json()["fields"]
    assert _count_instances(app) == before


def test_a_key_reused_for_another_body_is_422_and_a_refused_start_frees_its_key(app, login_as):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    school = login_as("school1")
    assert _start(school, "k", {"a": 1}).status_code == 201
    other = _start(school, "k", {"a": 2})
    assert other.status_code == 422 and other.get_json()["fields"]["Idempotency-Key"]
    refused = school.post("/api/v1/process-instances", json={"process_key": "nope", "data": {}},
                          headers={"Idempotency-Key": "k2"})
    assert refused.status_code in (404, 422)
    assert _start(school, "k2").status_code == 201  # the refusal kept nothing under k2


def test_a_key_in_flight_is_409_and_old_keys_are_pruned(app, login_as, clock):
    from datetime import timedelta

    school = login_as("school1")
    with app.app_context():
        db.session.add(IdempotencyKey(user_id=school.user["id"], key="busy", endpoint="POST /api/v1/process-instances",
                                      fingerprint=idempotency.fingerprint(b'{"process_key":"simple","data":{}}'),
                                      created_at=clock.now()))
        db.session.commit()
    resp = _start(school, "busy")
    assert resp.status_code == 409 and "正在处理" in resp.get_json()["message"]
    clock.advance(timedelta(minutes=6))  # its process died after the work, before the answer was stored
    lost = _start(school, "busy")
    assert lost.status_code == 409 and "已经办理" in lost.get_json()["message"]
    clock.advance(timedelta(hours=25))
    with app.app_context():
        assert idempotency.prune() >= 1
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


@pytest.mark.own_database  # two requests at once on two connections
def test_two_simultaneous_starts_with_one_key_make_one_instance(app, login_as, fresh_login):
    import threading

    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    callers = [fresh_login("school1"), fresh_login("school1")]
    before = _count_instances(app)
    barrier, answers = threading.Barrier(2), []

    def go(user) -> None:
        barrier.wait()
        answers.append(_start(user, "same-click"))

    threads = [threading.Thread(target=go, args=(u,)) for u in callers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert _count_instances(app) == before + 1
    # The second either waited for the first and got its answer, or was told the first is still running.
    assert sorted(r.status_code for r in answers) in ([201, 201], [201, 409])
    assert len({r.get_json().get("id") for r in answers if r.status_code == 201}) == 1
    assert _start(callers[0], "same-click").status_code == 201  # afterwards: the stored answer
