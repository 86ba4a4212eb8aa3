"""Two clients completing the same task at the same moment: one wins, the other gets 409, nothing is doubled."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, HumanTask, TaskStatus
from tests.api.helpers import FLOWS, deploy_folder, start

ROUNDS = 200

# Threads racing on separate connections: a real database, not the test's one rolled-back transaction.
pytestmark = pytest.mark.own_database


def _race(user, task_id: int, value: int, barrier: threading.Barrier, codes: list[int]) -> None:
    barrier.wait()
    resp = user.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": value}})
    codes.append(resp.status_code)
    if resp.status_code == 409:
        assert resp.get_json()["error"] == "conflict"


def test_simultaneous_completion_has_exactly_one_winner(app, login_as, fresh_login):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    starter = login_as("school1")
    racers = [fresh_login("school1"), fresh_login("school1")]  # two clients, two tokens
    outcomes: Counter[tuple[int, ...]] = Counter()
    task_ids = []
    for _ in range(ROUNDS):
        task_id = start(starter, "simple")["open_tasks"][0]["id"]
        task_ids.append(task_id)
        barrier = threading.Barrier(2)
        codes: list[int] = []
        threads = [
            threading.Thread(target=_race, args=(u, task_id, v, barrier, codes))
            for u, v in zip(racers, (20, 30), strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes[tuple(sorted(codes))] += 1

    assert outcomes == Counter({(200, 409): ROUNDS})
    with app.app_context():
        # Every raced task was completed exactly once, and each instance moved on to exactly one task B.
        completed = db.session.scalar(
            select(func.count()).select_from(HumanTask).where(
                HumanTask.id.in_(task_ids), HumanTask.status == TaskStatus.COMPLETED
            )
        )
        assert completed == ROUNDS
        per_task = db.session.execute(
            select(AuditEvent.task_id, func.count()).where(
                AuditEvent.action == "complete", AuditEvent.task_id.in_(task_ids)
            ).group_by(AuditEvent.task_id)
        ).all()
        assert len(per_task) == ROUNDS and {n for _, n in per_task} == {1}
        open_b = db.session.execute(
            select(HumanTask.instance_id, func.count()).where(
                HumanTask.task_name == "task_b", HumanTask.status == TaskStatus.OPEN
            ).group_by(HumanTask.instance_id)
        ).all()
        assert len(open_b) == ROUNDS and {n for _, n in open_b} == {1}
