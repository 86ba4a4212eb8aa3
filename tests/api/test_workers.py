"""Several timer workers share one queue of due instances and never fire a timer twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, HumanTask, ProcessInstance, TaskStatus
from server.services.timers import wake_due_instances

TIMER_FLOW = Path(__file__).resolve().parent.parent / "cli" / "data" / "timer_demo"
INSTANCES = 40

# Worker threads locking rows on separate connections: a real database, not one rolled-back transaction.
pytestmark = pytest.mark.own_database


def _worker(app, barrier: threading.Barrier, woken: list[int]) -> None:
    barrier.wait()
    with app.app_context():
        total = 0
        while n := wake_due_instances(limit=5):
            total += n
        woken.append(total)
        db.session.remove()


def test_two_workers_fire_each_due_timer_exactly_once(app, clock, login_as):
    assert app.test_cli_runner().invoke(args=["deploy", str(TIMER_FLOW)]).exit_code == 0
    school = login_as("school1")
    ids = [
        school.post("/api/v1/process-instances", json={"process_key": "timer_demo"}).get_json()["id"]
        for _ in range(INSTANCES)
    ]
    with app.app_context():
        assert wake_due_instances() == 0  # nothing is due before the hour has passed
    clock.advance(timedelta(hours=1, seconds=1))

    barrier = threading.Barrier(2)
    woken: list[int] = []
    workers = [threading.Thread(target=_worker, args=(app, barrier, woken)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert sum(woken) == INSTANCES
    with app.app_context():
        fired = dict(
            db.session.execute(
                select(AuditEvent.instance_id, func.count())
                .where(AuditEvent.action == "timer")
                .group_by(AuditEvent.instance_id)
            ).tuples().all()
        )
        assert fired == {i: 1 for i in ids}
        open_tasks = dict(
            db.session.execute(
                select(HumanTask.instance_id, func.count())
                .where(HumanTask.status == TaskStatus.OPEN)
                .group_by(HumanTask.instance_id)
            ).tuples().all()
        )
        assert open_tasks == {i: 1 for i in ids}
        assert db.session.scalar(
            select(func.count()).select_from(ProcessInstance).where(ProcessInstance.next_timer_at.is_not(None))
        ) == 0
