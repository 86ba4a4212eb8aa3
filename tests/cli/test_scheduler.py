"""The in-process timer scheduler that `jixiao run` starts."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from server.scheduler import TimerScheduler, poll_seconds
from tests.conftest import make_app

DATA = Path(__file__).parent / "data"


def wait_for(predicate, timeout: float = 15.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.mark.own_database  # the scheduler's thread works beside the test's requests
def test_scheduler_fires_a_due_timer_without_anyone_asking(app, clock, login_as):
    assert app.test_cli_runner().invoke(args=["deploy", str(DATA / "timer_demo")]).exit_code == 0
    school1 = login_as("school1")
    instance_id = school1.post("/api/v1/process-instances", json={"process_key": "timer_demo"}).get_json()["id"]

    def open_steps() -> list[str]:
        body = school1.get(f"/api/v1/process-instances/{instance_id}").get_json()
        return [t["element_id"] for t in body["open_tasks"]]

    scheduler = TimerScheduler(app, interval=0.05).start()
    try:
        assert wait_for(lambda: scheduler.passes >= 2)
        assert open_steps() == []  # not due yet: the scheduler must not fire early
        clock.advance(timedelta(hours=1, seconds=1))
        assert wait_for(lambda: open_steps() == ["write_note"])
    finally:
        scheduler.stop()
    assert not scheduler.running


def test_scheduler_survives_a_failing_pass(instance_path, tmp_path):
    # A database that cannot be opened: every pass fails, and the thread must keep trying.
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'jixiao.sqlite3'}")
    scheduler = TimerScheduler(app, interval=0.01).start()
    try:
        assert wait_for(lambda: scheduler.passes >= 3)
        assert scheduler.running
    finally:
        scheduler.stop()


def test_poll_interval_comes_from_config(app, monkeypatch):
    monkeypatch.delenv("TIMER_POLL_SECONDS", raising=False)
    assert poll_seconds(app) == 5.0
    app.config["TIMER_POLL_SECONDS"] = 2
    assert poll_seconds(app) == 2.0


def test_a_pass_copies_committed_work_into_the_database_file(app, login_as):
    """Requests no longer pay for WAL checkpoints; the scheduler's pass does them, so the database file itself
    (what a plain file copy backs up) holds the day's work within one pass."""
    from server.db import checkpoint_wal
    from server.scheduler import run_pass

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        with app.app_context():
            assert checkpoint_wal() is None  # PostgreSQL manages its own log
        return
    path = url.removeprefix("sqlite:///")

    def instances_in_file() -> int:
        # immutable=1 reads the main database file only, not what still sits in the WAL
        with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as conn:
            return conn.execute("SELECT count(*) FROM process_instances").fetchone()[0]

    assert app.test_cli_runner().invoke(args=["deploy", str(DATA / "timer_demo")]).exit_code == 0
    run_pass(app)
    before = instances_in_file()
    school1 = login_as("school1")
    for _ in range(3):
        assert school1.post("/api/v1/process-instances", json={"process_key": "timer_demo"}).status_code == 201
    assert instances_in_file() == before  # committed, but only in the WAL so far
    run_pass(app)
    assert instances_in_file() == before + 3


def _due_backlog(app, clock, login_as, n: int) -> list[int]:
    assert app.test_cli_runner().invoke(args=["deploy", str(DATA / "timer_demo")]).exit_code == 0
    school1 = login_as("school1")
    ids = [school1.post("/api/v1/process-instances", json={"process_key": "timer_demo"}).get_json()["id"]
           for _ in range(n)]
    clock.advance(timedelta(hours=1, seconds=1))
    return ids


def _still_due(app) -> int:
    from sqlalchemy import func, select

    from server.db import db
    from server.models import ProcessInstance

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                 .where(ProcessInstance.next_timer_at <= app.extensions["jixiao.clock"].now()))


@pytest.mark.own_database  # the scheduler's thread
def test_a_backlog_drains_in_back_to_back_passes_not_one_batch_per_poll(app, clock, login_as, monkeypatch):
    monkeypatch.setattr("server.scheduler.BATCH", 2)
    _due_backlog(app, clock, login_as, 5)
    assert _still_due(app) == 5
    scheduler = TimerScheduler(app, interval=60).start()  # a minute's poll: only draining gets all 5 in time
    try:
        assert wait_for(lambda: _still_due(app) == 0, timeout=10)
    finally:
        scheduler.stop()


def test_worker_once_drains_every_due_timer(app, clock, login_as, monkeypatch):
    monkeypatch.setattr("server.scheduler.BATCH", 2)
    _due_backlog(app, clock, login_as, 5)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "已唤醒 5 个" in result.output, result.output
    assert _still_due(app) == 0


def test_the_worker_forgets_old_login_attempts_and_long_ended_sessions(app, clock, login_as):
    """The login tables do not grow for ever: a month after a failed login, a logout or a session's last use the
    worker drops the row (a session left open that long has passed its idle limit); one in use stays."""
    from sqlalchemy import func, select

    from server.db import db
    from server.models import LoginAttempt, LoginSession
    from server.scheduler import drain

    fail = app.test_client().post("/api/v1/session", json={"username": "school1", "password": "wrong"})
    assert fail.status_code == 401
    login_as("water1")  # a session left open
    ended = app.test_client()
    token = ended.post("/api/v1/session", json={"username": "edu_head", "password": "demo"}).get_json()["token"]
    assert ended.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"}).status_code in (200, 204)

    def rows() -> tuple[int, int, int]:
        with app.app_context():
            return (db.session.scalar(select(func.count()).select_from(LoginAttempt)),
                    db.session.scalar(select(func.count()).select_from(LoginSession)
                                      .where(LoginSession.revoked_at.is_not(None))),
                    db.session.scalar(select(func.count()).select_from(LoginSession)
                                      .where(LoginSession.revoked_at.is_(None))))

    attempts, revoked, open_ = rows()
    assert attempts >= 1 and revoked >= 1 and open_ >= 1
    clock.advance(timedelta(days=29))
    drain(app)
    assert rows() == (attempts, revoked, open_)  # within the month: kept for the security log
    clock.advance(timedelta(days=2))
    login_as("fin_edu")  # in use today
    drain(app)
    assert rows() == (1, 0, 1)  # the month-old rows went; today's login (its attempt and session) stays
